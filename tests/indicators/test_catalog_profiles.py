"""The catalog over bundled profiles: a threat shared by two profiles is indexed once."""

from __future__ import annotations

from exposure.indicators.catalog import build_catalog
from exposure.indicators.profiles import load_bundled_profiles
from exposure.model import IndicatorType


def test_included_threat_is_indexed_once() -> None:
    profiles = {p.id: p for p in load_bundled_profiles()}
    both = ["china-state-monitoring", "forensic-agents"]
    total = sum(len(profiles[p].indicators) for p in both)
    catalog = build_catalog(both, use_feeds=False, bundled=False)
    hits = catalog.index.lookup(IndicatorType.PACKAGE, "com.Android.MFSocket")
    assert [i.threat for i in hits] == ["mfsocket"]
    assert len(catalog.index) < total  # the shared MFSocket values were not added twice


def test_included_threat_still_found_when_only_one_profile_is_chosen() -> None:
    for profile in ("china-state-monitoring", "forensic-agents"):
        catalog = build_catalog([profile], use_feeds=False)
        assert [i.threat for i in catalog.index.lookup(IndicatorType.PACKAGE, "com.android.mfsocket")] == ["mfsocket"]
