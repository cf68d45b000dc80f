"""build_catalog over stored feeds: label-boundary matching, profile attachment, warnings."""

from __future__ import annotations

import pytest

from exposure.indicators.catalog import build_catalog
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.indicators.profiles import load_bundled_profiles
from exposure.model import IndicatorRole
from tests.paths import DATA_FEEDS, locate, needs_shared

ECHAP = locate("feeds/stalkerware-indicators/ioc.yaml")  # the package's bundled copy, else ../shared
BUNDLED = ["echap-stalkerware", "echap-watchware", "echap-samples", "isdi-app-flags", "volexity-evilbamboo"]


def imported(catalog: object) -> list[str]:
    """The names of the feeds a catalog uses that the person imported (not the bundled ones)."""
    return [f.name for f in catalog.feeds if not f.bundled]  # type: ignore[attr-defined]


@needs_shared(ECHAP)
def test_echap_c2_matches_itself_and_subdomains_never_the_shared_parent() -> None:
    FeedStore.default().import_file(ECHAP)
    catalog = build_catalog()
    # The very file that is bundled: used and listed once (feeds/choice.py).
    assert imported(catalog) == []
    assert [f.name for f in catalog.feeds] == BUNDLED
    index = catalog.index
    # mSpy's C2, kept across its renames (research/network-detection.md §6); the curated
    # profile lists it too, and its entry is the one kept (docs/profiles.md, "Precedence")
    hits = index.lookup_domain("mobile-gw.thd.cc")
    assert {(h.threat, h.role, h.source) for h in hits} == {("mspy", IndicatorRole.C2, "profile:stalkerware")}
    assert {h.threat for h in index.lookup_domain("Deep.Mobile-GW.thd.cc.")} == {"mspy"}
    # a C2 only the feed lists: the bundled and the imported copy list it, under one feed name
    assert {(h.threat, h.source) for h in index.lookup_domain("phonetracking-dd226.firebaseio.com")} == {
        ("spyadvice", "echap-stalkerware")}
    # a C2 on Firebase: the exact name and its subdomains, never firebaseio.com itself
    assert index.lookup_domain("12d60.firebaseio.com")
    assert index.lookup_domain("x.12d60.firebaseio.com")
    assert not index.lookup_domain("firebaseio.com")
    assert not index.lookup_domain("other-app.firebaseio.com")
    assert not index.lookup_domain("x12d60.firebaseio.com")
    assert catalog.index.threat("mspy") is not None


@needs_shared(ECHAP)
def test_feeds_follow_the_chosen_profiles() -> None:
    store = FeedStore.default()
    store.import_file(ECHAP)  # attached to "stalkerware"
    store.import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")  # attached to none
    bundled = {p.id for p in load_bundled_profiles()}

    none_chosen = build_catalog([])
    assert [f.name for f in none_chosen.feeds] == ["candiru"]  # bundled feeds belong to profiles too
    assert not none_chosen.index.lookup_domain("mobile-gw.thd.cc")
    assert none_chosen.index.lookup_domain("conquerconfess.com")

    if "stalkerware" in bundled:
        chosen = build_catalog(["stalkerware"])
        assert [f.name for f in chosen.feeds] == ["echap-stalkerware", "echap-watchware",  # the bundled file: once
                                                   "echap-samples", "isdi-app-flags", "candiru"]
        assert imported(chosen) == ["candiru"]
        # feed and profile threats share ids: the profile's texts win, the feed adds values
        mspy = chosen.index.threat("mspy")
        assert mspy is not None and mspy.what_it_is.get("en")
    everything = build_catalog()
    assert set(imported(everything)) == {"candiru"}


def test_an_unreadable_feed_is_a_warning_not_a_failure() -> None:
    store = FeedStore.default()
    store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    store.import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")
    (store.root / "cellebrite" / FEED_FILE).write_text('{"schema": "exposure.feed/1", "info": {}}', encoding="utf-8")
    catalog = build_catalog()
    assert imported(catalog) == ["candiru"]
    assert [getattr(w, "text", w) for w in catalog.warnings] == [
        "feed 'cellebrite' could not be read (KeyError); import it again"]


def test_no_data_folder_means_only_the_bundled_feeds() -> None:
    catalog = build_catalog(use_feeds=True)
    assert [f.name for f in catalog.feeds] == BUNDLED and catalog.warnings == []
    assert all(f.bundled and f.dated and f.licence for f in catalog.feeds)


def test_remembered_domain_answers_follow_later_additions() -> None:
    from exposure.indicators.index import IndicatorIndex
    from exposure.model import Indicator, IndicatorType

    index = IndicatorIndex([Indicator(IndicatorType.DOMAIN, "c2.example.net", "t", "", "test")])
    assert index.lookup_domain("a.b.example.net") == ()
    assert index.lookup_domain("x.c2.example.net")
    index.add([Indicator(IndicatorType.DOMAIN, "b.example.net", "u", "", "test")])
    assert [i.threat for i in index.lookup_domain("a.b.example.net")] == ["u"]
    assert [i.threat for i in index.lookup_domain("X.C2.Example.NET.")] == ["t"]
    assert index.lookup_domain("net") == () and index.lookup_domain("") == ()


@pytest.mark.timeout(60)  # a hang guard, not a speed target: the old loop took hours here
def test_hostile_long_names_are_cheap_and_still_match_their_parents() -> None:
    from exposure.indicators.index import IndicatorIndex
    from exposure.model import Indicator, IndicatorType

    index = IndicatorIndex([Indicator(IndicatorType.DOMAIN, "c2.example.net", "t", "", "test")])
    hostile = "a." * 500_000 + "c2.example.net"
    assert [i.threat for i in index.lookup_domain(hostile)] == ["t"]
    assert index.lookup_domain("a" * 1_000_000) == ()
    assert index.lookup_domain("b." * 200 + "example.net") == ()


def test_an_unreadable_feeds_folder_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    FeedStore.default().import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")

    def refuse(self: FeedStore) -> list[str]:
        raise PermissionError(13, "Permission denied")  # as iterdir() on a folder we may not read

    monkeypatch.setattr(FeedStore, "names", refuse)
    catalog = build_catalog()
    assert imported(catalog) == []
    assert len(catalog.warnings) == 1
    assert "could not be read (Permission denied); no feeds used" in getattr(catalog.warnings[0], "text", "")
