"""What an iPhone check finds: on ISDi's recorded phone with planted apps, profiles and
settings, read live through the fake phone and re-checked from the saved folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from exposure.detect import ios as detect_ios
from exposure.model import Category, Confidence, Finding, IndicatorType, Severity
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios.catalogs import threat, with_indicators
from tests.ios.fake_iphone import UDID, FakeMux, FakePhone
from tests.ios.phones import (
    ENTERPRISE_PROFILE,
    ISDI_DEVELOPER_SIGNED,
    MANAGED_PROFILES,
    PLANTED_DEVELOPER,
    PLANTED_ENTERPRISE,
    planted_phone,
)
from tests.paths import DATA_FEEDS, locate, needs_shared

ISDI_FLAGS = locate("feeds/isdi/app-flags.csv")  # the package's bundled copy, else ../shared

Plug = Callable[..., FakeMux]
DUAL_USE = [threat("life360", "Life360", Category.DUAL_USE, Severity.MEDIUM),
            threat("qustodio", "Qustodio", Category.DUAL_USE, Severity.MEDIUM),
            threat("trackview", "TrackView", Category.DUAL_USE, Severity.MEDIUM),
            threat("isharing", "iSharing", Category.DUAL_USE, Severity.MEDIUM)]
DUAL_USE_IDS = [(IndicatorType.IOS_BUNDLE, "com.life360.safetymap", "life360"),
                (IndicatorType.IOS_BUNDLE, "com.qustodio.par.qustodio-family-parental-control-app", "qustodio"),
                (IndicatorType.IOS_BUNDLE, "com.TrackView", "trackview"),
                (IndicatorType.IOS_BUNDLE, "com.isharing.iSharing-Lite", "isharing")]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_ios, "today", lambda: date(2026, 12, 1))


def scan(*sources: SourceSpec, catalog: object = None) -> ScanResult:
    return run_scan(ScanRequest(sources=sources, use_feeds=False), catalog=catalog)  # type: ignore[arg-type]


def by_rule(result: ScanResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in result.findings:
        out.setdefault(finding.rule, []).append(finding)
    return out


def test_isdi_phone_with_planted_apps_names_each_live_and_from_the_saved_folder(plug: Plug, tmp_path: Path) -> None:
    plug(planted_phone())
    saved = tmp_path / "saved"
    catalog = with_indicators(DUAL_USE, DUAL_USE_IDS)
    live = scan(SourceSpec("iphone", "", (("save", str(saved)),)), catalog=catalog)
    again = scan(SourceSpec("iphone-dump", str(saved)), catalog=catalog)
    for result in (live, again):
        rules = by_rule(result)
        side = rules["ios.outside-store"]
        assert len(side) == 1 and side[0].severity is Severity.LOW and side[0].subject == UDID
        listed = side[0].param("apps")
        for bundle in (*ISDI_DEVELOPER_SIGNED, PLANTED_DEVELOPER["CFBundleIdentifier"]):
            assert bundle in listed
        assert "Apple Development: Jane Roe" in listed and "com.teamviewer.rc" not in listed  # an App Store app
        assert "SysHelper Dev · Jane Roe (Q1W2E3R4T5) · 2027-03-01" in side[0].param("profiles")
        dual = {f.subject: f for f in result.findings if f.category is Category.DUAL_USE}
        assert set(dual) == {"com.life360.safetymap", "com.qustodio.par.qustodio-family-parental-control-app",
                             "com.TrackView", "com.isharing.iSharing-Lite"}
        assert all(f.confidence is Confidence.HIGH for f in dual.values())
        assert rules["ios.jailbreak"][0].param("signs") == "org.coolstar.electra"
    assert {f.key for f in live.findings if f.rule != "ios.paired"} == {f.key for f in again.findings}
    assert live.sources[0].counts["packages"] == 96 + 3 and live.sources[0].counts["packages-outside-store"] == 4


@needs_shared(ISDI_FLAGS)
def test_isdi_own_dual_use_flags_name_the_apps_on_its_recorded_phone(plug: Plug) -> None:
    import csv

    rows = list(csv.DictReader(ISDI_FLAGS.open(encoding="utf-8")))
    flagged = [r for r in rows if r["store"] == "appstore" and r["flag"] == "dual-use"]
    threats = [threat("isdi-dual-use", "ISDi dual-use app", Category.DUAL_USE, Severity.MEDIUM)]
    ids = [(IndicatorType.IOS_BUNDLE, r["appId"], "isdi-dual-use") for r in flagged if " " not in r["appId"]]
    plug(FakePhone())
    result = scan(SourceSpec("iphone"), catalog=with_indicators(threats, ids))
    # One finding for that one "tool" on this phone, with every app it matched.
    named = {i.value for f in result.findings if f.threat == "isdi-dual-use" for i in f.indicators}
    assert {"com.trackview", "com.isharing.isharing-lite", "com.toyopagroup.picaboo"} <= named


def test_an_app_id_with_its_team_prefix_matches_too(plug: Plug) -> None:
    # ISDi's list writes some App Store ids with their App ID prefix; TeamViewer's is
    # E3NMZFNA2K in ISDi's recorded phone.
    plug(FakePhone())
    catalog = with_indicators([threat("teamviewer-test", "TeamViewer", Category.DUAL_USE, Severity.MEDIUM)],
                              [(IndicatorType.IOS_BUNDLE, "E3NMZFNA2K.com.teamviewer.rc", "teamviewer-test")])
    [hit] = [f for f in scan(SourceSpec("iphone"), catalog=catalog).findings if f.threat == "teamviewer-test"]
    assert hit.subject == "com.teamviewer.rc"


def test_an_enterprise_signed_app_is_one_medium_finding_for_the_phone(plug: Plug) -> None:
    plug(planted_phone(apps=[*planted_phone().apps, PLANTED_ENTERPRISE],
                       provisioning=[planted_phone().provisioning[0], ENTERPRISE_PROFILE]))
    rules = by_rule(scan(SourceSpec("iphone")))
    assert "ios.outside-store" not in rules
    [finding] = rules["ios.enterprise-signed"]
    assert finding.severity is Severity.MEDIUM and finding.param("count") == "5"
    assert "com.devicecare.agent (iPhone Distribution: Device Care Ltd)" in finding.param("apps")
    assert "Device Care In-House · Device Care Ltd (Z9Y8X7W6V5) · 2027-03-01 · ProvisionsAllDevices" in \
        finding.param("profiles")


def test_each_configuration_profile_payload_is_its_own_explained_finding(plug: Plug) -> None:
    plug(FakePhone(profiles=MANAGED_PROFILES))
    result = scan(SourceSpec("iphone"))
    mdm = {f.rule: f for f in result.findings if f.subject == "com.example.mdm"}
    assert set(mdm) == {"ios.profile.mdm", "ios.profile.root-certificate", "ios.profile.proxy",
                        "ios.profile.notifications", "ios.profile.locked"}
    assert all(f.severity is Severity.MEDIUM for f in mdm.values())
    assert mdm["ios.profile.mdm"].param("organization") == "Example Holdings"
    assert mdm["ios.profile.proxy"].param("payload") == "com.apple.proxy.http.global"
    [wifi] = [f for f in result.findings if f.subject == "com.cafe.wifi"]
    assert wifi.rule == "ios.profile.other" and wifi.severity is Severity.LOW
    assert result.sources[0].counts["profiles"] == 2


def test_a_known_profile_uuid_is_an_indicator_match(plug: Plug) -> None:
    # The configuration-profile:id in Amnesty's Cytrox/Predator indicators.
    uuid = "76DAB334-7E17-475D-A5D6-0794EB5818A5"
    from tests.ios.fake_iphone import config_profile

    plug(FakePhone(profiles={"com.apple.settings": config_profile("com.apple.settings", "Settings", "Apple",
                                                                  uuid, [("com.apple.notificationsettings", "N")])}))
    catalog = with_indicators([threat("predator", "Predator", Category.SPYWARE, Severity.CRITICAL)],
                              [(IndicatorType.CONFIG_PROFILE, uuid.lower(), "predator")])
    hit = next(f for f in scan(SourceSpec("iphone"), catalog=catalog).findings if f.threat == "predator")
    assert hit.subject == "com.apple.settings" and hit.severity is Severity.CRITICAL


def test_cytrox_stix2_profile_uuid_is_imported_and_matched(plug: Plug, capsys: pytest.CaptureFixture[str]) -> None:
    from exposure.cli import main
    from tests.ios.fake_iphone import config_profile

    assert main(["feeds", "import", str(DATA_FEEDS / "amnesty" / "cytrox.stix2"), "--profile", ""]) == 0
    capsys.readouterr()
    uuid = "76DAB334-7E17-475D-A5D6-0794EB5818A5"
    plug(FakePhone(profiles={"x.y": config_profile("x.y", "Preferences", "", uuid, [("com.apple.defaults", "d")])}))
    result = run_scan(ScanRequest(sources=(SourceSpec("iphone"),), use_feeds=True))
    assert any(f.subject == "x.y" and f.rule == "indicator" for f in result.findings)


def test_supervision_wifi_sync_developer_mode_and_old_ios(plug: Plug) -> None:
    plug(FakePhone(cloud={"IsSupervised": True, "OrganizationName": "Example Holdings", "IsMDMUnremovable": True},
                   wifi_sync=True, developer_mode=True, values={"ProductVersion": "16.7.2"}))
    rules = by_rule(scan(SourceSpec("iphone")))
    assert rules["ios.supervised"][0].param("organization") == "Example Holdings"
    assert rules["ios.supervised"][0].severity is Severity.MEDIUM
    assert rules["ios.wifi-sync"][0].severity is Severity.LOW
    assert rules["ios.developer-mode"][0].severity is Severity.LOW
    old = rules["ios.outdated"][0]
    assert (old.param("version"), old.param("released"), old.param("years")) == ("16.7.2", "2022-09", "4")


def test_a_current_phone_with_nothing_on_gives_only_the_pairing_note(plug: Plug) -> None:
    plug(FakePhone(apps=[a for a in planted_phone().apps if a.get("ApplicationType") == "System"],
                   values={"ProductVersion": "26.1"}))
    result = scan(SourceSpec("iphone"))
    assert [f.rule for f in result.findings] == ["ios.paired"]
    paired = result.findings[0]
    assert paired.severity is Severity.INFO and paired.param("record").endswith(f"{UDID}.plist")


def test_process_names_match_process_indicators_with_medium_confidence(plug: Plug) -> None:
    plug(FakePhone(processes={1: "launchd", 77: "bh"}, crash_files=["msgacntd-2024-05-01-101010.ips"]))
    catalog = with_indicators([threat("pegasus-test", "Pegasus", Category.SPYWARE, Severity.CRITICAL)],
                              [(IndicatorType.PROCESS, "bh", "pegasus-test"),
                               (IndicatorType.PROCESS, "msgacntd", "pegasus-test")])
    # Both names belong to one tool: one finding on this phone, with both.
    [hit] = [f for f in scan(SourceSpec("iphone"), catalog=catalog).findings if f.threat]
    assert {i.value for i in hit.indicators} == {"bh", "msgacntd"}
    assert hit.confidence is Confidence.MEDIUM
    assert any("crash report of msgacntd" in e.describe() for e in hit.evidence)


def test_reports_render_iphone_findings_in_chinese_and_keep_profile_text_literal(plug: Plug, tmp_path: Path) -> None:
    from exposure.cli import main

    plug(FakePhone(profiles=MANAGED_PROFILES, wifi_sync=True))
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    assert main(["scan", "--iphone", "--no-feeds", "--md", str(md), "--html", str(html), "--lang", "zh",
                 "--quiet"]) == 0
    text = md.read_text(encoding="utf-8")
    assert "这台 iPhone 可以通过 Wi-Fi 被读取" in text and "还原位置与隐私" in text
    assert "无法通过 USB 读取" in text  # what USB cannot see, listed as not checked
    assert "Cafe [bold]Bar[/bold]" in text
    assert "<bold>" not in html.read_text(encoding="utf-8")
