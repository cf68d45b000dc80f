"""Threat profiles (placeholder until the profile loader lands: no profiles)."""

from __future__ import annotations

from exposure.model import Profile


def load_bundled_profiles() -> list[Profile]:
    return []
