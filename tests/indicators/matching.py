"""The bundled catalog and the indicator detector, for tests that ask what one app or name
found on a device becomes (tests/indicators/test_platforms.py, test_one_listing.py,
tests/host/test_desktop_ids.py)."""

from __future__ import annotations

from datetime import date
from functools import cache

from exposure.detect.base import DetectContext
from exposure.detect.indicators import IndicatorDetector
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.model import Finding, Observation


@cache
def bundled() -> Catalog:
    """Every default profile and bundled feed, none imported."""
    return build_catalog(None, use_feeds=False)


def findings(*observations: Observation) -> list[Finding]:
    """The indicator findings the bundled lists make of ``observations``."""
    detector = IndicatorDetector()
    ctx = DetectContext(bundled().index, today=date(2026, 12, 1))
    for obs in observations:
        list(detector.observe(obs, ctx))
    return list(detector.finish(ctx))
