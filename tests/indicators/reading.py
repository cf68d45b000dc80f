"""Forget what this process has read of the precompiled catalog, so a test sees a first read."""

from __future__ import annotations

from exposure.indicators import bundled, precompiled, profiles


def forget() -> None:
    precompiled._document.cache_clear()
    bundled._load_all.cache_clear()
    profiles._bundled.cache_clear()
