"""Full coverage from the first run, and no alarm for ordinary phones (issue: findings a person can trust).

Synthetic androidqf acquisitions and captures are generated here from the feeds bundled in
the package (so these tests run on a fresh clone): every Echap package id, certificate and
samples.csv hash planted among ~300 ordinary apps; a clean phone with the apps that used to
look alarming; captures of every Echap C2 name (as it is, under a subdomain, in upper case),
of look-alikes, shared parents and vendor websites, and of connections to shared CDN
addresses. No ``feeds`` command is run: the per-test data folder is empty.
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from exposure.indicators.datafiles import FEEDS
from exposure.indicators.shared_networks import read_ranges
from exposure.model import Finding, Severity
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.corpora import APK_FILE, App, Phone, benign_apps, connection_capture, dns_capture

ECHAP = FEEDS / "echap"
SERIOUS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM)
P = "android.permission."


def _echap() -> list[dict[str, object]]:
    data = yaml.load((ECHAP / "ioc.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert isinstance(data, list)
    return data


def _values(key: str) -> list[str]:
    out: list[str] = []
    for app in _echap():
        entry = app.get(key) or []
        assert isinstance(entry, list)
        out += [str(v) for v in entry]
    return sorted(set(out))


def _c2(key: str) -> list[str]:
    out: set[str] = set()
    for app in _echap():
        c2 = app.get("c2") or {}
        assert isinstance(c2, dict)
        for sub in (key, "ip") if key == "ips" else (key,):
            out.update(str(v).strip() for v in c2.get(sub) or [])
    return sorted(out)


def _samples() -> list[str]:
    with open(ECHAP / "samples.csv", encoding="utf-8", newline="") as handle:
        return sorted({row["SHA256"].lower() for row in csv.DictReader(handle)})


def _scan(*sources: SourceSpec, profiles: tuple[str, ...] = ()) -> ScanResult:
    return run_scan(ScanRequest(sources=sources, profiles=profiles))


def _androidqf(tmp_path: Path, apps: list[App], name: str = "qf", **extra: object) -> SourceSpec:
    phone = Phone(apps=list(apps), **extra)  # type: ignore[arg-type]
    phone.add_benign()
    return SourceSpec("androidqf", str(phone.write(tmp_path / name)))


def _found(findings: Iterable[Finding], value: str) -> list[Finding]:
    value = value.lower().replace(":", "")
    return [f for f in findings if f.rule.startswith("indicator") and any(i.value == value for i in f.indicators)]


def _no_finding_about_benign_apps(result: ScanResult) -> None:
    benign = set(benign_apps())
    for finding in result.findings:
        about = {o.subject() for o in finding.evidence} | {finding.subject}
        assert not about & benign, (finding.rule, finding.subject, about & benign)


# -- on the phone: every Echap package id, certificate and APK hash ------------------------


def test_the_bundled_echap_snapshot_is_whole() -> None:
    assert len({p.lower() for p in _values("packages")}) >= 600 and len(_values("certificates")) == 471
    assert len(_samples()) == 3228
    assert not set(benign_apps()) & {p.lower() for p in _values("packages")}


def test_a_fresh_install_finds_every_echap_package_id(tmp_path: Path) -> None:
    packages = _values("packages")
    result = _scan(_androidqf(tmp_path, [App(p, installer="null") for p in packages]))
    missed = [p for p in packages if not [f for f in _found(result.findings, p) if f.severity in SERIOUS]]
    assert missed == []
    # An app on the phone is critical for every Echap family, curated or not (docs/severity.md).
    assert {f.severity for f in result.findings if f.rule == "indicator"} == {Severity.CRITICAL}
    _no_finding_about_benign_apps(result)


def test_a_fresh_install_finds_every_echap_certificate(tmp_path: Path) -> None:
    certificates = _values("certificates")
    apps = [App(f"org.planted.cert{n}", installer="null", cert_sha1=c) for n, c in enumerate(certificates)]
    result = _scan(_androidqf(tmp_path, apps))
    assert [c for c in certificates if not [f for f in _found(result.findings, c) if f.severity in SERIOUS]] == []
    _no_finding_about_benign_apps(result)


def test_a_fresh_install_finds_every_samples_csv_hash(tmp_path: Path) -> None:
    hashes = _samples()
    apps = [App(f"org.planted.apk{n}", installer="null", sha256=h) for n, h in enumerate(hashes)]
    result = _scan(_androidqf(tmp_path, apps))
    assert [h for h in hashes if not [f for f in _found(result.findings, h) if f.severity in SERIOUS]] == []
    assert {f.severity for f in result.findings if f.rule == "indicator"} == {Severity.CRITICAL}
    _no_finding_about_benign_apps(result)


def test_the_report_names_the_bundled_feeds_with_their_dates_and_licences(tmp_path: Path) -> None:
    result = _scan(_androidqf(tmp_path, [App("com.wifi0", installer="null")]))
    feeds = {f.name: f for f in result.feeds}
    assert {"echap-stalkerware", "echap-watchware", "echap-samples", "isdi-app-flags"} <= set(feeds)
    assert feeds["echap-stalkerware"].dated == "2026-06-21" and feeds["echap-stalkerware"].bundled
    assert "CC BY 4.0" in feeds["echap-samples"].licence and "MIT" in feeds["isdi-app-flags"].licence


# -- a clean phone --------------------------------------------------------------------------

TOOLKIT = (P + "ACCESS_FINE_LOCATION", P + "READ_SMS", P + "READ_CALL_LOG", P + "RECORD_AUDIO", P + "READ_CONTACTS")
RECORDER = (P + "RECORD_AUDIO", P + "READ_CALL_LOG", P + "READ_CONTACTS", P + "ACCESS_FINE_LOCATION")


def _clean_phone(tmp_path: Path) -> SourceSpec:
    apps = [App("com.truecaller", granted=TOOLKIT), App("com.catalinagroup.callrecorder", granted=RECORDER),
            App("com.x8bit.bitwarden"), App("com.lastpass.lpandroid"), App("com.google.android.marvin.talkback"),
            App("com.samsung.android.app.watchmanager", installer="com.sec.android.app.samsungapps"),
            App("com.whatsapp"), App("org.telegram.messenger"), App("com.viber.voip"),
            App("org.thoughtcrime.securesms", installer=APK_FILE)]  # Signal's APK from signal.org
    return _androidqf(tmp_path, apps, accessibility=[
        "com.truecaller/com.truecaller.callrecording.CallRecorderService",
        "com.catalinagroup.callrecorder/com.catalinagroup.callrecorder.service.RecordingService",
        "com.x8bit.bitwarden/com.x8bit.bitwarden.Accessibility.AccessibilityService",
        "com.lastpass.lpandroid/com.lastpass.lpandroid.service.LPAccessibilityService",
        "com.google.android.marvin.talkback/com.google.android.marvin.talkback.TalkBackService",
    ], listeners=["com.samsung.android.app.watchmanager/com.samsung.android.app.watchmanager.NotificationListener"])


def test_a_clean_phone_has_no_serious_finding_and_no_watch_list_notice(tmp_path: Path) -> None:
    result = _scan(_clean_phone(tmp_path))
    by = {(f.rule, f.subject): f for f in result.findings}
    assert not [f for f in result.findings if f.severity in (Severity.CRITICAL, Severity.HIGH)], by
    assert not [f for f in result.findings if f.rule == "indicator.flagged-app"]
    # Truecaller holds the toolkit but came from a store: a shape worth a look, not an alarm.
    assert by[("android.dangerous-permissions", "com.truecaller")].severity is Severity.MEDIUM
    # The helpers are information, by name; the watch app too.
    for package in ("com.x8bit.bitwarden", "com.lastpass.lpandroid", "com.google.android.marvin.talkback"):
        assert by[("android.assistive-app", package)].severity is Severity.INFO
    assert by[("android.wearable-app", "com.samsung.android.app.watchmanager")].severity is Severity.INFO
    # The call recorder is named as an app that can be used to watch someone; it also follows
    # the location, which a call recorder does not need: medium, and the finding says why.
    recorder = by[("indicator.dual-use", "com.catalinagroup.callrecorder")]
    assert recorder.severity is Severity.MEDIUM and recorder.param("privileges") == "location"
    assert recorder.param("kind") == "call-recorder"
    # Signal from its website: one low "installed from outside a store", nothing else.
    assert [f.rule for f in result.findings if "org.thoughtcrime.securesms" in f.param("apps")] == [
        "android.sideloaded"]
    _no_finding_about_benign_apps(result)


def test_the_watch_list_notice_comes_only_with_the_travel_worry(tmp_path: Path) -> None:
    result = _scan(_clean_phone(tmp_path), profiles=("stalkerware", "flagged-apps-xinjiang"))
    flagged = sorted(f.subject for f in result.findings if f.rule == "indicator.flagged-app")
    assert flagged == ["com.viber.voip", "com.whatsapp", "org.telegram.messenger"]
    assert all(f.severity is Severity.LOW for f in result.findings if f.rule == "indicator.flagged-app")


# -- captures ------------------------------------------------------------------------------


def _listed_names() -> set[str]:
    """Every name a bundled list or profile gives a tool with a role other than website,
    read without exposure's code (for telling a look-alike from a real, listed name)."""
    names = {d.lower() for d in _c2("domains")} | {d.lower() for d in _values("distribution") if "://" not in d}
    for path in (Path(__file__).resolve().parents[2] / "profiles").glob("*.yaml"):
        profile = yaml.safe_load(path.read_text(encoding="utf-8"))
        for threat in profile.get("threats") or []:
            for ind in threat.get("indicators") or []:
                if ind["type"] == "domain" and ind.get("role") != "website" and not ind.get("supporting"):
                    names.add(str(ind["value"]).lower())
    return names


def _listed_suffix(name: str, listed: set[str]) -> bool:
    labels = name.lower().split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))


@pytest.mark.parametrize("variant", ["exact", "subdomain", "upper"])
def test_every_echap_c2_name_is_found_at_medium_or_above(tmp_path: Path, variant: str) -> None:
    domains = [d for d in _c2("domains") if not d.replace(".", "").isdigit()]
    shown = {"exact": lambda d: d, "subdomain": lambda d: f"x1.{d}", "upper": str.upper}[variant]
    capture = dns_capture(tmp_path / f"{variant}.pcap", [shown(d) for d in domains])
    result = _scan(SourceSpec("pcap", str(capture)))
    missed = [d for d in domains if not [f for f in _found(result.findings, d) if f.severity in SERIOUS]]
    assert missed == []


def test_look_alikes_shared_parents_unlisted_parents_and_websites_are_never_serious(tmp_path: Path) -> None:
    listed = _listed_names()
    c2 = [d.lower() for d in _c2("domains") if not d.replace(".", "").isdigit()]
    glued = [f"x{d}" for d in c2]
    parents = [d.split(".", 1)[1] for d in c2 if d.count(".") >= 2]
    shared = ["firebaseio.com", "appspot.com", "herokuapp.com", "web.app", "000webhostapp.com", "cloudfront.net"]
    websites = [w.lower() for w in _values("websites")]
    names = sorted({n for n in glued + parents + shared + websites if not _listed_suffix(n, listed)})
    assert len(names) > 1000  # the check covers a real number of names
    result = _scan(SourceSpec("pcap", str(dns_capture(tmp_path / "lookalikes.pcap", names))))
    serious = [(f.threat, f.subject, f.severity.value) for f in result.findings
               if f.severity in (Severity.CRITICAL, Severity.HIGH)]
    assert serious == []
    # The vendor websites are still named, at low: a visit is not an infection.
    assert {f.severity for f in result.findings if f.rule == "indicator"} <= {Severity.LOW, Severity.INFO,
                                                                              Severity.MEDIUM}


def _shared(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(r) for ranges in read_ranges().values() for r in ranges)


def test_a_shared_cdn_address_alone_is_low_and_says_why(tmp_path: Path) -> None:
    addresses = [a for a in _c2("ips") if _shared(a)]
    assert "104.18.55.129" in addresses  # the Cloudflare address Echap gives iKeyMonitor
    result = _scan(SourceSpec("pcap", str(connection_capture(tmp_path / "cdn.pcap", addresses))))
    found = [f for f in result.findings if f.rule.startswith("indicator")]
    assert found and all(f.severity is Severity.LOW for f in found)
    assert all(f.param("shared") in ("Cloudflare", "Google", "Amazon CloudFront", "Fastly", "Akamai") for f in found)
    for address in addresses:
        assert _found(found, address), address


def test_an_address_alone_is_at_most_medium(tmp_path: Path) -> None:
    addresses = [a for a in _c2("ips") if not _shared(a)]
    result = _scan(SourceSpec("pcap", str(connection_capture(tmp_path / "vps.pcap", addresses))))
    found = [f for f in result.findings if f.rule.startswith("indicator")]
    assert {f.severity for f in found} == {Severity.MEDIUM}
    assert [a for a in addresses if not _found(found, a)] == []
