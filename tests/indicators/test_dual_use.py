"""Dual-use apps: named when installed, low on their own, medium with powers beyond their use.

The well-known apps below are the ones clinics and guides name (family locators, phone
finders, parental control, call recorders), by their Google Play ids.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from exposure.detect import dual_use
from exposure.explain.finding import explain_finding
from exposure.indicators.datafiles import FEEDS
from exposure.model import Category, LocalText, Severity, Threat
from exposure.report.document import from_result
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.corpora import App, Phone

WELL_KNOWN = {
    # family locators and phone finders
    "com.life360.android.safetymapd": "Life360",
    "com.geozilla.family": "GeoZilla",
    "com.isharing.isharing": "iSharing",
    "org.findmykids.app": "Find My Kids",
    "com.glympse.android.glympse": "Glympse",
    "com.fsp.android.c": "Family Locator",
    "com.google.android.apps.adm": "Google Find My Device",
    "com.samsung.android.fmm": "Samsung Find My Mobile",
    "com.prey": "Prey",
    # parental control
    "com.google.android.apps.kids.familylink": "Google Family Link",
    "com.google.android.apps.kids.familylinkhelper": "Google Family Link (child)",
    "com.qustodio.qustodioapp": "Qustodio",
    "com.wondershare.famisafe": "FamiSafe",
    "com.wondershare.famisafe.kids": "FamiSafe Kids",
    "com.kaspersky.safekids": "Kaspersky Safe Kids",
    "com.symantec.familysafety": "Norton Family",
    "com.microsoft.familysafety": "Microsoft Family Safety",
    "com.mmguardian.parentapp": "MMGuardian",
    "com.screentime.rc": "Screen Time",
    "com.eset.parental": "ESET Parental Control",
    "com.bitdefender.parental2013": "Bitdefender Parental Control",
    "com.safekiddo.kid": "SafeKiddo",
    "com.sand.airdroidkidp": "AirDroid Parental Control",
    # call recorders and remote access
    "com.appstar.callrecorder": "Automatic Call Recorder",
    "com.nll.acr": "ACR Call Recorder",
    "com.catalinagroup.callrecorder": "Cube ACR",
    "com.smsrobot.callrecorder": "Call Recorder (SMS Robot)",
    "com.sand.airdroid": "AirDroid",
    "com.anydesk.anydeskandroid": "AnyDesk",
    "com.teamviewer.quicksupport.market": "TeamViewer QuickSupport",
    "com.lookout": "Lookout",
    "com.trackview": "TrackView",
}


def test_at_least_80_percent_of_well_known_dual_use_apps_are_named(tmp_path: Path) -> None:
    phone = Phone(apps=[App(p) for p in WELL_KNOWN]).add_benign()
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(phone.write(tmp_path / "qf"))),)))
    named = {i.value for f in result.findings if f.rule.startswith("indicator") for i in f.indicators}
    found = [p for p in WELL_KNOWN if p in named]
    assert len(found) / len(WELL_KNOWN) >= 0.8, sorted(set(WELL_KNOWN) - set(found))
    # From a store, holding nothing more: low, with a dual-use text (never "found spyware").
    life360 = next(f for f in result.findings if f.subject == "com.life360.android.safetymapd")
    assert (life360.rule, life360.severity, life360.category) == ("indicator.dual-use", Severity.LOW,
                                                                  Category.DUAL_USE)
    report = from_result(result)
    finding = next(f for f in report.findings if f.subject == "com.life360.android.safetymapd")
    for lang, words in (("en", ("legitimate", "Did you install it yourself")), ("zh", ("正当", "是你自己安装的吗"))):
        explained = explain_finding(finding, report, lang)
        text = " ".join(piece.text for line in (explained.title, *explained.meaning, *explained.advice)
                        for piece in line)
        assert all(w in text for w in words), (lang, text)
        assert ("location sharing" in text) if lang == "en" else ("位置共享" in text)


def test_a_dual_use_app_with_powers_beyond_its_use_is_medium(tmp_path: Path) -> None:
    sms = ("android.permission.READ_SMS", "android.permission.ACCESS_FINE_LOCATION")
    phone = Phone(apps=[App("com.life360.android.safetymapd", granted=sms), App("com.glympse.android.glympse",
                                                                                 granted=sms[1:])],
                  listeners=["com.glympse.android.glympse/.Listener"])
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(phone.write(tmp_path / "qf"))),)))
    by = {f.subject: f for f in result.findings if f.rule == "indicator.dual-use"}
    # A family locator needs the location, not the text messages; nor the notifications.
    assert by["com.life360.android.safetymapd"].severity is Severity.MEDIUM
    assert by["com.life360.android.safetymapd"].param("privileges") == "sms"
    assert by["com.glympse.android.glympse"].param("privileges") == "notifications"


def test_each_kind_and_what_it_needs() -> None:
    def kind(name: str) -> dual_use.Kind:
        return dual_use.kind_of(Threat("t", LocalText.of(en=name), Category.DUAL_USE, Severity.MEDIUM, "p"))

    assert kind("Automatic Call Recorder") is dual_use.Kind.CALL_RECORDER
    assert kind("AirDroid: Remote access & File") is dual_use.Kind.REMOTE_ACCESS
    assert kind("Family Locator - GPS Tracker") is dual_use.Kind.LOCATOR
    assert kind("Qustodio Parental Control") is dual_use.Kind.PARENTAL
    assert kind("Dropbox") is dual_use.Kind.OTHER
    p = dual_use.Privilege
    assert dual_use.NEEDS[dual_use.Kind.LOCATOR] == {p.LOCATION, p.DEVICE_ADMIN}
    assert dual_use.NEEDS[dual_use.Kind.CALL_RECORDER] == {p.MICROPHONE, p.CALL_LOG, p.ACCESSIBILITY}
    assert dual_use.NEEDS[dual_use.Kind.REMOTE_ACCESS] == {p.ACCESSIBILITY}
    assert dual_use.NEEDS[dual_use.Kind.PARENTAL] == {p.LOCATION, p.DEVICE_ADMIN, p.ACCESSIBILITY}


def test_isdi_rows_become_what_docs_feeds_md_says() -> None:
    with open(FEEDS / "isdi" / "app-flags.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    echap = yaml.load((FEEDS / "echap" / "ioc.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    with open(FEEDS / "echap" / "samples.csv", encoding="utf-8", newline="") as handle:
        sampled = {r["Package Name"].lower() for r in csv.DictReader(handle)}
    known = {p.lower() for app in echap for p in app.get("packages") or []} | sampled
    # Every row ISDi flags as stalkerware is also in Echap's lists, which name the family.
    assert [r["appId"] for r in rows if r["flag"] == "stalkerware" and r["appId"].lower() not in known] == []
    from exposure.indicators.bundled import load_bundled

    (isdi,) = [f for f in load_bundled(lambda _: None) if f.info.name == "isdi-app-flags"]
    threats = {t.id: t for t in isdi.threats}
    by_value = {i.value: threats[i.threat] for i in isdi.indicators}
    assert by_value["com.life360.android.safetymapd"].category is Category.DUAL_USE
    assert by_value["com.microsoft.familysafety"].category is Category.DUAL_USE  # flagged "spyware", from a store
    assert by_value["sys.framework"].category is Category.SPYWARE  # "spyware" sold outside any store
    # iPhone bundle ids lose their developer team prefix: the phone reports the id alone.
    assert "com.trailbehind.gaiagps" in by_value and "5zpn38g6ge.com.trailbehind.gaiagps" not in by_value
    assert not any(r["flag"] == "safe" and r["appId"].lower() in by_value for r in rows)
    assert len(isdi.indicators) > 5000


def test_a_dual_use_app_that_came_with_the_phone_is_not_named(tmp_path: Path) -> None:
    """Find My Device preinstalled as a system app was installed by nobody; from a store it is named."""
    adm = "com.google.android.apps.adm"
    preinstalled = Phone(apps=[App(adm, installer="null", system=True)])
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(preinstalled.write(tmp_path / "a"))),)))
    assert [f for f in result.findings if f.rule == "indicator.dual-use"] == []
    installed = Phone(apps=[App(adm)])
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(installed.write(tmp_path / "b"))),)))
    assert [f.subject for f in result.findings if f.rule == "indicator.dual-use"] == [adm]
