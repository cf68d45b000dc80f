"""Android application ids and iPhone bundle ids are kept apart (docs/profiles.md, "Matching").

The two share their look: Echap lists ``com.trackview`` (TrackView's Android stalkerware)
under ``packages``, and ``com.TrackView`` is TrackView's App Store app, which ISDi lists
as dual-use. An iPhone app is looked up among iPhone ids only, an Android app among
Android ids only; within one platform case does not count (normalize.package says why).
"""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from exposure.collect.ios.dump import write_dump
from exposure.indicators.catalog import build_catalog
from exposure.indicators.feeds.parsed import FeedBuilder
from exposure.model import Category, IndicatorType, Severity
from exposure.observations.android import AndroidPackage
from exposure.observations.ios import APP_STORE, IosApp
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.indicators.matching import bundled, findings
from tests.paths import FIXTURES, needs_shared

ISDI_PHONE = FIXTURES / "ios" / "isdi" / "ios_apps.plist"
UDID = "00008030-001A2B3C4D5E6F70"
HARMFUL = {Category.STALKERWARE, Category.SPYWARE, Category.STATE_MONITORING, Category.FORENSIC_AGENT}


def iphone_app(bundle_id: str, name: str) -> IosApp:
    return IosApp("ios", UDID, bundle_id=bundle_id, name=name, app_type="User", signing=APP_STORE)


def android_app(package: str) -> AndroidPackage:
    return AndroidPackage("adb", "pixel", package=package, installer="com.android.vending")


def test_an_app_store_trackview_is_dual_use_and_android_trackview_is_stalkerware() -> None:
    [iphone] = findings(iphone_app("com.TrackView", "TrackView"))
    assert (iphone.category, iphone.severity, iphone.rule) == (Category.DUAL_USE, Severity.LOW, "indicator.dual-use")
    assert {i.type for i in iphone.indicators} == {IndicatorType.IOS_BUNDLE}
    assert {i.source for i in iphone.indicators} == {"isdi-app-flags"}
    [android] = findings(android_app("com.trackview"))
    assert (android.threat, android.category, android.severity) == ("trackview", Category.STALKERWARE,
                                                                      Severity.CRITICAL)


def test_com_screentime_is_webwatcher_on_android_and_screentime_on_an_iphone() -> None:
    """Echap has ``com.screentime`` as WebWatcher's Android id and as ScreenTime's iPhone id
    (watchware): each phone gets the one finding its platform's list gives."""
    [iphone] = findings(iphone_app("com.screentime", "ScreenTime"))
    assert (iphone.threat, iphone.category, iphone.severity) == ("screentime", Category.DUAL_USE, Severity.LOW)
    [android] = findings(android_app("com.screentime"))
    assert (android.threat, android.category, android.severity) == ("webwatcher", Category.STALKERWARE,
                                                                    Severity.CRITICAL)


def test_echap_ios_bundles_still_match_iphones_and_not_android_phones() -> None:
    [life360] = findings(iphone_app("com.life360.safetymap", "Life360"))
    assert life360.threat == "life360" and life360.category is Category.DUAL_USE
    assert {i.source for i in life360.indicators} >= {"echap-watchware"}
    assert findings(android_app("com.life360.safetymap")) == []
    # Findings of the travel check name the iPhone and the Android app of the same messenger.
    travel = build_catalog(["flagged-apps-xinjiang"], use_feeds=False).index
    assert travel.lookup(IndicatorType.IOS_BUNDLE, "ph.telegra.Telegraph")
    assert travel.lookup(IndicatorType.PACKAGE, "org.telegram.messenger")
    assert not travel.lookup(IndicatorType.PACKAGE, "ph.telegra.Telegraph")


def test_the_feeds_say_which_platform_an_id_is_for() -> None:
    from exposure.indicators.feeds import echap, isdi

    builder = FeedBuilder("echap-watchware", "stalkerware")
    echap.parse(echap.load_yaml("- name: Kid Watch\n  type: watchware\n  packages: [com.Kid.Watch]\n"
                                "  ios_bundles: [com.Kid.WatchApp]\n"), builder)
    builder2 = FeedBuilder("isdi-app-flags", "stalkerware")
    isdi.parse("appId,store,flag,title\nE3NMZFNA2K.com.teamviewer.rc,appstore,dual-use,TeamViewer\n"
               "com.teamviewer.quicksupport.market,playstore,dual-use,TeamViewer QuickSupport\n", builder2)
    made = {(i.type, i.value) for b in (builder, builder2) for i in b.indicators}
    assert made == {(IndicatorType.PACKAGE, "com.kid.watch"), (IndicatorType.IOS_BUNDLE, "com.kid.watchapp"),
                    (IndicatorType.IOS_BUNDLE, "com.teamviewer.rc"),  # the team prefix dropped
                    (IndicatorType.PACKAGE, "com.teamviewer.quicksupport.market")}


@needs_shared()
def test_isdi_recorded_iphone_shows_trackview_as_dual_use_and_no_stalkerware(tmp_path: Path) -> None:
    """ISDi's real iPhone app list, saved as an ``--iphone-dump`` folder: its App Store
    TrackView (``com.TrackView``, dual-use in ISDi's list) is a low dual-use finding, and no
    Android stalkerware id matches any of its apps."""
    apps = plistlib.loads(ISDI_PHONE.read_bytes())
    assert any(a.get("CFBundleIdentifier") == "com.TrackView" for a in apps)
    (tmp_path / "dump").mkdir()
    write_dump(tmp_path / "dump", UDID, {"apps.plist": ISDI_PHONE.read_bytes()}, {})
    result = run_scan(ScanRequest(sources=(SourceSpec("iphone-dump", str(tmp_path / "dump")),), use_feeds=False),
                      catalog=bundled())
    listed = [f for f in result.findings if f.rule.startswith("indicator")]
    assert [f for f in listed if f.category in HARMFUL] == []
    [trackview] = [f for f in listed if f.subject == "com.TrackView"]
    assert (trackview.category, trackview.severity) == (Category.DUAL_USE, Severity.LOW)
    assert trackview.threat != "trackview"  # not Echap's Android stalkerware


@pytest.mark.parametrize("kind", [IndicatorType.PACKAGE, IndicatorType.IOS_BUNDLE])
def test_no_iphone_id_of_a_harmful_tool_comes_from_an_android_list(kind: IndicatorType) -> None:
    """Every bundled iPhone id of a harmful tool comes from a list that says it is an iPhone
    id; the two Android ids that collided with App Store apps stay Android ids."""
    index = bundled().index
    for value in ("com.trackview", "com.screentime"):
        hits = index.lookup(kind, value)
        categories = {index.threat(i.threat).category for i in hits if index.threat(i.threat)}  # type: ignore[union-attr]
        if kind is IndicatorType.PACKAGE:
            assert Category.STALKERWARE in categories
        else:
            assert not categories & HARMFUL


def test_a_feed_imported_before_iphone_ids_had_their_type_is_read_again(tmp_path: Path) -> None:
    """A stored feed of the first format typed Echap's ``ios_bundles`` as Android ids: it is
    parsed again from its original file (in memory), so its iPhone ids match iPhones."""
    import json

    from exposure.indicators.feeds.store import FEED_FILE, FeedStore

    store = FeedStore(tmp_path / "feeds")
    path = tmp_path / "watchware.yaml"
    path.write_text("- name: Kid Watch\n  type: watchware\n  packages: [com.kid.watch]\n"
                    "  ios_bundles: [com.kid.watchapp]\n", encoding="utf-8")
    store.import_file(path)
    stored = tmp_path / "feeds" / "echap-watchware" / FEED_FILE
    old = json.loads(stored.read_text(encoding="utf-8"))
    old["schema"] = "exposure.feed/1"
    old["indicators"] = [["package", *row[1:]] for row in old["indicators"]]  # as version 1 wrote them
    stored.write_text(json.dumps(old), encoding="utf-8")
    warnings: list[object] = []
    [feed] = store.load_all(warnings.append)
    assert warnings == []
    assert {(i.type, i.value) for i in feed.indicators} == {(IndicatorType.PACKAGE, "com.kid.watch"),
                                                            (IndicatorType.IOS_BUNDLE, "com.kid.watchapp")}
    assert json.loads(stored.read_text(encoding="utf-8"))["schema"] == "exposure.feed/1"  # nothing written
