"""A phone's process names and a computer's program names are kept apart (docs/profiles.md,
"Matching").

mvt-indicators' STIX2 bundles list the process names of iPhone spyware (KingSpawn's
``com.apple.avcapture``, Operation Triangulation's ``BackupAgent``) and say nothing of their
platform; MVT checks them on phones only. exposure does the same: they are ``process``
indicators, compared with an iPhone's and an Android phone's processes, never with this
computer's running programs (``desktop-process``: the remote-access profile's program
names). A bundle whose malware object states its platforms is typed by them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from exposure.detect.base import DetectContext
from exposure.detect.indicators import IndicatorDetector
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.indicators.feeds import stix2
from exposure.indicators.feeds.parsed import FeedBuilder
from exposure.indicators.feeds.sources import SourceDefaults
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.indicators.index import IndicatorIndex
from exposure.model import Category, Finding, IndicatorRole, IndicatorType, Observation
from exposure.observations.android import AndroidProcess
from exposure.observations.host import HostProcess, InstalledSoftware
from exposure.observations.ios import IosProcess
from tests.indicators.matching import bundled
from tests.paths import DATA_FEEDS

MVT = DATA_FEEDS / "mvt-indicators"
KINGSPAWN = MVT / "2023-04-11_quadream" / "kingspawn.stix2"
TRIANGULATION = MVT / "2023-06_01_operation_triangulation" / "operation_triangulation.stix2"
UDID = "00008030-001A2B3C4D5E6F70"


def on_this_computer(name: str) -> HostProcess:
    return HostProcess("host", "this computer", name=name, pid=4242, exe=f"/usr/bin/{name}")


def on_an_iphone(name: str) -> IosProcess:
    return IosProcess("ios", UDID, name=name, pid=77)


def on_an_android_phone(name: str) -> AndroidProcess:
    return AndroidProcess("adb", "pixel", name=name, pid=1234)


def findings(index: IndicatorIndex, *observations: Observation) -> list[Finding]:
    detector = IndicatorDetector()
    ctx = DetectContext(index, today=date(2026, 12, 1))
    for obs in observations:
        list(detector.observe(obs, ctx))
    return list(detector.finish(ctx))


def with_imported(*paths: Path) -> Catalog:
    store = FeedStore.default()
    for path in paths:
        store.import_file(path)
    return build_catalog(["remote-access"])


@pytest.mark.parametrize(("feed", "name", "threat"), [
    (KINGSPAWN, "com.apple.avcapture", "kingspawn"),
    (TRIANGULATION, "BackupAgent", "operationtriangulation"),
])
def test_mvt_indicators_process_names_match_phones_and_never_this_computer(feed: Path, name: str,
                                                                             threat: str) -> None:
    bundle = json.loads(feed.read_text(encoding="utf-8"))
    assert f"[process:name='{name}']" in {o.get("pattern") for o in bundle["objects"]}
    assert not any("x_mitre_platforms" in o or "operating_system_refs" in o for o in bundle["objects"])
    index = with_imported(feed).index
    assert {(i.type, i.threat) for i in index.lookup(IndicatorType.PROCESS, name)} == {
        (IndicatorType.PROCESS, threat)}
    assert index.lookup(IndicatorType.DESKTOP_PROCESS, name) == ()
    # a program of that name on this computer (a macOS program may carry it) is not reported
    assert findings(index, on_this_computer(name)) == []
    assert findings(index, InstalledSoftware("host", "this computer", name="avcapture", manager="desktop-entry",
                                             executable=name)) == []
    # on an iPhone and on an Android phone it is, as MVT does
    for phone in (on_an_iphone(name), on_an_android_phone(name)):
        [found] = findings(index, phone)
        assert found.threat == threat and found.category is Category.SPYWARE


def test_the_bundled_program_names_still_match_this_computer_and_no_phone() -> None:
    index = bundled().index
    [teamviewer] = findings(index, on_this_computer("teamviewerd"))
    assert (teamviewer.threat, teamviewer.category) == ("teamviewer", Category.DUAL_USE)
    assert {i.type for i in teamviewer.indicators} == {IndicatorType.DESKTOP_PROCESS}
    [anydesk] = findings(index, on_this_computer("AnyDesk.exe"))  # Windows names ignore case
    assert anydesk.threat == "anydesk"
    assert [f for f in findings(index, on_an_iphone("teamviewerd"), on_an_android_phone("x11vnc"))
            if f.threat in ("teamviewer", "vnc-server")] == []
    assert index.lookup(IndicatorType.PROCESS, "teamviewerd") == ()


def test_a_truncated_program_name_still_matches_within_its_platform() -> None:
    """The kernel cuts process names at 15 characters, on a computer and on an Android phone."""
    index = bundled().index
    assert [i.value for i in index.lookup(IndicatorType.DESKTOP_PROCESS, "teamviewer_serv")] == [
        "teamviewer_service.exe"]
    assert index.lookup(IndicatorType.PROCESS, "teamviewer_serv") == ()


def _bundle(malware: dict[str, object], *extra: dict[str, object]) -> dict[str, object]:
    return {"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "malware", "id": "malware--1", "name": "Test Tool", "modified": "2024-01-01T00:00:00Z", **malware},
        {"type": "indicator", "id": "indicator--1", "pattern": "[process:name='svchelper']"},
        {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates",
         "source_ref": "indicator--1", "target_ref": "malware--1"},
        *extra]}


def _types(bundle: dict[str, object]) -> set[IndicatorType]:
    builder = FeedBuilder("test", "")
    stix2.parse(bundle, builder, SourceDefaults("", Category.SPYWARE, IndicatorRole.C2))
    return {i.type for i in builder.indicators if i.value == "svchelper"}


@pytest.mark.parametrize(("malware", "extra", "expected"), [
    ({}, (), {IndicatorType.PROCESS}),  # no platform stated: a phone's, as MVT reads it
    ({"x_mitre_platforms": ["Windows", "macOS"]}, (), {IndicatorType.DESKTOP_PROCESS}),
    ({"x_mitre_platforms": ["Android"]}, (), {IndicatorType.PROCESS}),
    ({"x_mitre_platforms": ["iOS", "Linux"]}, (), {IndicatorType.PROCESS, IndicatorType.DESKTOP_PROCESS}),
    ({"operating_system_refs": ["software--1"]},
     ({"type": "software", "id": "software--1", "name": "iPhone OS", "cpe": "cpe:2.3:o:apple:iphone_os:16.0"},),
     {IndicatorType.PROCESS}),
    ({"operating_system_refs": ["software--2"]},
     ({"type": "software", "id": "software--2", "name": "Microsoft Windows"},), {IndicatorType.DESKTOP_PROCESS}),
    ({"x_mitre_platforms": ["PRE", 7, None]}, (), {IndicatorType.PROCESS}),  # nothing known: as unstated
])
def test_a_stated_platform_types_the_process_names(malware: dict[str, object], extra: tuple[dict[str, object], ...],
                                                   expected: set[IndicatorType]) -> None:
    assert _types(_bundle(malware, *extra)) == expected


def test_a_computer_tool_from_a_feed_matches_this_computer_only(tmp_path: Path) -> None:
    path = tmp_path / "desktop-tool.stix2"
    path.write_text(json.dumps(_bundle({"x_mitre_platforms": ["Windows"]})), encoding="utf-8")
    index = with_imported(path).index
    [found] = findings(index, on_this_computer("svchelper"))
    assert found.threat == "test-tool"
    assert findings(index, on_an_iphone("svchelper"), on_an_android_phone("svchelper")) == []


@pytest.mark.parametrize("schema", ["exposure.feed/1", "exposure.feed/2"])
def test_a_stix2_feed_stored_before_platforms_counted_is_read_again(tmp_path: Path, schema: str) -> None:
    """A feed stored by an earlier version typed every process name as a phone's: it is parsed
    again from its original file (in memory), so a computer tool's names match computers."""
    store = FeedStore(tmp_path / "feeds")
    path = tmp_path / "desktop-tool.stix2"
    path.write_text(json.dumps(_bundle({"x_mitre_platforms": ["Windows"]})), encoding="utf-8")
    store.import_file(path)
    stored = tmp_path / "feeds" / "desktop-tool" / FEED_FILE
    old = json.loads(stored.read_text(encoding="utf-8"))
    old["schema"] = schema
    old["indicators"] = [["process", *row[1:]] for row in old["indicators"]]  # as those versions wrote them
    stored.write_text(json.dumps(old), encoding="utf-8")
    warnings: list[object] = []
    [feed] = store.load_all(warnings.append)
    assert warnings == []
    assert {(i.type, i.value) for i in feed.indicators} == {(IndicatorType.DESKTOP_PROCESS, "svchelper")}
    assert json.loads(stored.read_text(encoding="utf-8"))["schema"] == schema  # nothing written
