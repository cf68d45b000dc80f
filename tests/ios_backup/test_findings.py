"""What a backup check finds, on small backups written by make_backup.py: each artefact
against indicators built here (domains on label boundaries, process names, app ids,
profile UUIDs), and each backup heuristic with its threshold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from exposure.collect.ios_backup import links as links_module
from exposure.detect import ios as detect_ios
from exposure.explain.finding import explain_finding
from exposure.explain.lines import plain
from exposure.indicators.catalog import Catalog
from exposure.model import Category, Finding, IndicatorRole, IndicatorType, Severity
from exposure.report.document import from_result
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios.catalogs import threat, with_indicators
from tests.ios_backup.make_backup import Spec, write_backup

WHEN = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
SPY = threat("spytool", "SpyTool", Category.STALKERWARE, Severity.CRITICAL)
LOCATOR = threat("locator", "FamilyLocator", Category.DUAL_USE, Severity.MEDIUM)
PREDATOR = threat("predator", "Predator", Category.SPYWARE, Severity.CRITICAL)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_ios, "today", lambda: date(2026, 12, 1))


def catalog() -> Catalog:
    c2 = with_indicators([SPY, LOCATOR, PREDATOR], [
        (IndicatorType.DOMAIN, "c2.spytool.test", "spytool"),
        (IndicatorType.IPV4, "203.0.113.7", "spytool"),
        (IndicatorType.PROCESS, "spytoold", "spytool"),
        (IndicatorType.IOS_BUNDLE, "com.spytool.agent", "spytool"),
        (IndicatorType.IOS_BUNDLE, "com.locator.family", "locator"),
        (IndicatorType.CONFIG_PROFILE, "e32b5b16-2cc8-4b61-9a1a-0de2b2ab1a38", "predator"),
        (IndicatorType.PROCESS, "predatorservicehelper", "predator"),
    ], role=IndicatorRole.C2)
    return c2


def scan(folder: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False), catalog=catalog())


def by_subject(result: ScanResult) -> dict[str, list[Finding]]:
    """Findings by each subject they are about (one finding per tool per device may name several)."""
    out: dict[str, list[Finding]] = {}
    for finding in result.findings:
        for subject in finding.subject.split(", "):
            out.setdefault(subject, []).append(finding)
    return out


@pytest.mark.parametrize(("field", "artefact"), [
    ("messages", "sms"), ("whatsapp", "whatsapp"), ("safari_history", "safari-history"),
    ("safari_tabs", "safari-tab"), ("chrome_history", "chrome-history"), ("firefox_history", "firefox-history"),
])
def test_a_link_to_a_c2_is_found_in_every_artefact_on_label_boundaries(tmp_path: Path, field: str,
                                                                      artefact: str) -> None:
    urls = ["https://x.c2.spytool.test/a?b=1", "https://notc2.spytool.test/", "http://c2.spytool.test.evil.example/",
            "HTTPS://user@C2.SpyTool.Test:8443/login"]
    if field == "messages":
        rows: list[object] = [(f"see {u}.", "SMS", "+15550100", WHEN) for u in urls]
    elif field == "whatsapp":
        rows = [(f"see {u}", "15550100@s.whatsapp.net", WHEN) for u in urls]
    else:
        rows = [(u, WHEN) for u in urls]
    result = scan(write_backup(tmp_path / "b", Spec(**{field: rows})))  # type: ignore[arg-type]
    found = by_subject(result)
    assert set(found) & {"x.c2.spytool.test", "c2.spytool.test"} == {"x.c2.spytool.test", "c2.spytool.test"}
    assert "notc2.spytool.test" not in found and "c2.spytool.test.evil.example" not in found
    (finding,) = found["x.c2.spytool.test"]
    assert finding.threat == "spytool" and finding.category is Category.STALKERWARE
    assert found["c2.spytool.test"] == [finding]  # one finding for the tool on this phone
    seen = next(o for o in finding.evidence if o.facts()["host"] == "x.c2.spytool.test")
    assert seen.facts()["artefact"] == artefact and seen.first_seen is not None
    assert abs((seen.first_seen - WHEN).total_seconds()) < 1


@pytest.mark.parametrize("host", ["203.0.113.7", "3405803783", "0xcb.0x0.0x71.0x7"])
def test_a_link_to_a_listed_address_is_found_however_it_is_written(tmp_path: Path, host: str) -> None:
    # iPhone links gave only domain keys: a message linking to a listed server by its address was never matched
    rows: list[object] = [(f"install it from http://{host}/app.ipa", "SMS", "+15550100", WHEN)]
    result = scan(write_backup(tmp_path / "b", Spec(messages=rows)))  # type: ignore[arg-type]
    (finding,) = by_subject(result)[host]
    assert finding.threat == "spytool" and finding.rule == "indicator"
    (seen,) = finding.evidence
    assert seen.describe().startswith(f"link to {host}" if host == "203.0.113.7" else f"link to {host} (= 203.0.113.7)")


@pytest.mark.parametrize("before", [" ".join(f"https://site{i}.example.org/" for i in range(50)), "hello " * 11_000])
def test_a_link_after_decoys_in_a_message_is_found(tmp_path: Path, before: str) -> None:
    # 50 decoy links, or 64 KiB of text, before the link hid it once (the sender writes the message)
    rows: list[object] = [(f"{before} install https://c2.spytool.test/x", "SMS", "+15550100", WHEN)]
    result = scan(write_backup(tmp_path / "b", Spec(messages=rows)))  # type: ignore[arg-type]
    assert [f.threat for f in by_subject(result)["c2.spytool.test"]] == ["spytool"]
    assert result.warnings == []


def test_a_message_past_what_is_read_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links_module, "MAX_LINKS", 2)
    rows: list[object] = [("https://a.test/ https://b.test/ https://c.test/", "SMS", "+15550100", WHEN),
                          ("one https://a.test/", "SMS", "+15550100", WHEN)]
    result = scan(write_backup(tmp_path / "b", Spec(messages=rows)))  # type: ignore[arg-type]
    assert [(w.key, dict(w.params)["count"]) for w in result.warnings] == [("warn.ios-backup.links-cut", "1")]


def test_processes_apps_and_profiles_match_their_indicators(tmp_path: Path) -> None:
    spec = Spec(installed=["com.example.notes", "com.spytool.agent"],
                processes=[("spytoold", "com.spytool.agent", WHEN), ("predatorserviceh", "", WHEN)],
                profiles=[{"PayloadIdentifier": "com.example.sneaky",
                           "PayloadUUID": "E32B5B16-2CC8-4B61-9A1A-0DE2B2AB1A38",
                           "PayloadDisplayName": "Sneaky", "PayloadContent": [
                               {"PayloadType": "com.apple.notificationsettings", "PayloadDisplayName": "N"}],
                           "InstallDate": WHEN.replace(tzinfo=None)}])
    result = scan(write_backup(tmp_path / "b", spec))
    found = by_subject(result)
    assert {f.threat for f in found["com.spytool.agent"]} == {"spytool"}  # the app and its process: one subject
    evidence = {o.kind for f in found["com.spytool.agent"] for o in f.evidence}
    assert evidence == {"ios-app", "ios-process"}
    profile = {f.rule for f in found["com.example.sneaky"]}
    assert profile == {"indicator", "ios.profile.notifications"}  # the UUID indicator and the payload rule
    # A 16-character process name from data usage starts a known longer one.
    cut = found["predatorserviceh"]
    assert cut[0].rule == "ios.backup.process-prefix" and cut[0].threat == "predator"
    assert cut[0].param("full") == "predatorservicehelper" and cut[0].severity is Severity.MEDIUM


def test_permissions_for_apps_outside_the_store_or_on_a_list(tmp_path: Path) -> None:
    spec = Spec(installed=["com.example.notes", "com.sideloaded.app", "com.locator.family"],
                store_records=["com.example.notes", "com.locator.family"],
                grants=[("kTCCServiceMicrophone", "com.sideloaded.app", 2, WHEN),
                        ("kTCCServiceCamera", "com.sideloaded.app", 0, WHEN),  # denied: not a grant
                        ("kTCCServiceMicrophone", "com.example.notes", 2, WHEN),  # from the store, not listed
                        ("kTCCServiceAddressBook", "com.locator.family", 2, WHEN)],
                location={"com.locator.family": 3, "com.sideloaded.app": 2})
    result = scan(write_backup(tmp_path / "b", spec))
    rules = {(f.rule, f.subject): f for f in result.findings}
    side = rules[("ios.backup.permission", "com.sideloaded.app")]
    assert side.severity is Severity.MEDIUM and side.param("services") == "kTCCServiceMicrophone"
    listed = rules[("ios.backup.permission-listed", "com.locator.family")]
    assert listed.severity is Severity.LOW and listed.param("services") == "kTCCServiceAddressBook, location"
    # Each language names the services in its own words.
    report = from_result(result)
    index = next(i for i, f in enumerate(result.findings) if f.rule == "ios.backup.permission-listed")
    assert plain(explain_finding(report.findings[index], report, "en").title) == (
        "FamilyLocator may use the contacts and location (com.locator.family)")
    assert plain(explain_finding(report.findings[index], report, "zh").title) == (
        "FamilyLocator 可以使用通讯录和定位（com.locator.family）")
    assert not [f for f in result.findings if f.subject == "com.example.notes"]
    store = rules[("ios.backup.no-store-record", str(tmp_path / "b"))]
    assert store.param("apps") == "com.sideloaded.app"


def test_threat_notifications_real_words_and_imitations_with_a_link(tmp_path: Path) -> None:
    spec = Spec(messages=[
        ("ALERT: State-sponsored attackers may be targeting your iPhone", "iMessage", "apple", WHEN),
        ("Apple detected that you are being targeted by a mercenary spyware attack. Verify: https://apple-id.test/x",
         "SMS", "+15550199", WHEN),
        ("Lunch tomorrow?", "SMS", "+15550100", WHEN)])
    result = scan(write_backup(tmp_path / "b", spec))
    rules = {f.rule: f for f in result.findings}
    real = rules["ios.backup.threat-notification"]
    assert real.severity is Severity.HIGH and real.param("senders") == "apple" and real.param("dates") == "2026-03-02"
    fake = rules["ios.backup.threat-notification-link"]
    assert fake.severity is Severity.MEDIUM and fake.param("senders") == "+15550199"


def test_lockdown_mode_ios_age_and_profile_history(tmp_path: Path) -> None:
    spec = Spec(ios_version="16.1", lockdown=False, profile_events=[
        ("com.stranger.mdm", "install", "/usr/libexec/mdmd", WHEN),
        ("com.stranger.mdm", "remove", "/Applications/Preferences.app", datetime(2026, 3, 4, 8, 0, tzinfo=UTC)),
        ("com.example.kept", "install", "x", WHEN)],
        profiles=[{"PayloadIdentifier": "com.example.kept", "PayloadDisplayName": "Kept", "PayloadContent": []}])
    result = scan(write_backup(tmp_path / "b", spec))
    rules = {f.rule: f for f in result.findings}
    assert rules["ios.backup.lockdown-off"].severity is Severity.INFO
    assert rules["ios.outdated"].param("version") == "16.1"  # the USB rule, on the backup's facts
    removed = [f for f in result.findings if f.rule == "ios.backup.profile-removed"]
    assert [f.subject for f in removed] == ["com.stranger.mdm"]
    assert removed[0].param("history") == "install 2026-03-02 10:15, remove 2026-03-04 08:00"
    kept = next(f for f in result.findings if f.rule == "ios.profile.other")
    assert kept.evidence[0].first_seen == WHEN  # the stub has no date: its install event gives it
    on = scan(write_backup(tmp_path / "c", Spec(ios_version="18.2", lockdown=True)))
    assert "ios.backup.lockdown-off" not in {f.rule for f in on.findings}
    old = scan(write_backup(tmp_path / "d", Spec(ios_version="15.8", lockdown=False)))
    assert "ios.backup.lockdown-off" not in {f.rule for f in old.findings}  # no Lockdown Mode before iOS 16


def test_a_clean_backup_has_no_finding_above_info(tmp_path: Path) -> None:
    spec = Spec(ios_version="26.1", messages=[("see https://example.org/news", "SMS", "+15550100", WHEN)],
                safari_history=[("https://www.wikipedia.org/", WHEN)],
                grants=[("kTCCServiceMicrophone", "net.whatsapp.WhatsApp", 2, WHEN)],
                processes=[("WhatsApp", "net.whatsapp.WhatsApp", WHEN)])
    result = scan(write_backup(tmp_path / "b", spec))
    assert [f.rule for f in result.findings if f.severity is not Severity.INFO] == []
    assert result.sources[0].counts["links"] == 2


def test_apple_apps_in_data_usage_are_not_judged_as_installed_apps(tmp_path: Path) -> None:
    """Apple's Find My is on ISDi's dual-use list (bundled); its data-usage record, on every
    iPhone, is not a finding. A third-party app's record is."""
    from exposure.indicators.catalog import build_catalog

    bundled = build_catalog(None)
    assert bundled.index.lookup(IndicatorType.IOS_BUNDLE, "com.apple.mobileme.fmip1")  # the list does hold it
    spec = Spec(processes=[("1FB47783-A2FE-47D9-B256-DF50EF44BBA4", "com.apple.mobileme.fmip1", WHEN),
                           ("locatord", "com.life360.safetymap", WHEN)])
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(write_backup(tmp_path / "b", spec))),)),
                      catalog=bundled)
    subjects = {s for f in result.findings if f.rule.startswith("indicator") for s in f.subject.split(", ")}
    assert "com.life360.safetymap" in subjects and "com.apple.mobileme.fmip1" not in subjects
