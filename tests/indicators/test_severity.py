"""docs/severity.md, the code and the profiles say the same thing about severity.

The page's tables are read here and compared with ``exposure.indicators.severity``; every
rule every detector can emit is listed there with the severities it may have, and findings
from real and synthetic inputs are checked against that list; every threat and indicator of
every bundled profile is walked against the table.
"""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from exposure.detect import WaitingDetector, default_detectors
from exposure.detect.base import DetectContext
from exposure.detect.indicators import INDICATOR_RULES, IndicatorDetector
from exposure.indicators.catalog import feed_age_warning
from exposure.indicators.index import IndicatorIndex
from exposure.indicators.profiles import load_bundled_profiles
from exposure.indicators.severity import (
    TABLE,
    VALIDITY_DAYS,
    CategoryGroup,
    EvidenceClass,
    evidence_class,
    group_of,
    headline,
    severity_for,
)
from exposure.model import Category, FeedInfo, IndicatorRole, IndicatorType, LocalText, Severity, Threat
from exposure.observations.network import DnsQuery, Flow

DOC = Path(__file__).resolve().parents[2] / "docs" / "severity.md"
DETECTOR_MODULES = ("exposure.detect.android", "exposure.detect.network", "exposure.detect.host",
                    "exposure.detect.ios", "exposure.detect.ios_backup", "exposure.detect.android_activity")


def _rows(header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line starts with ``header``."""
    lines = [line.strip() for line in DOC.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_table_on_the_page_is_the_table_in_the_code() -> None:
    rows = _rows("| evidence class |")
    page = {EvidenceClass(r[0].strip("`")): {CategoryGroup.HARMFUL: Severity(r[2]), CategoryGroup.DUAL_USE:
                                            Severity(r[3]), CategoryGroup.FLAGGED: Severity(r[4])} for r in rows}
    assert list(page) == list(EvidenceClass)  # every class, strongest first, as the code orders them
    for group, column in TABLE.items():
        assert {cls: page[cls][group] for cls in EvidenceClass} == column, group


def test_the_validity_table_on_the_page_is_the_code() -> None:
    rows = _rows("| indicator type |")
    page: dict[IndicatorType, int] = {}
    for names, validity in rows:
        days = int(validity.split()[0]) if validity[0].isdigit() else None
        for name in names.split(", "):
            kind = {"e-mail": "email", "certificate": "cert-sha1", "hash": "file-sha256"}.get(name, name).lower()
            if days is not None:
                page[IndicatorType(kind)] = days
    assert page == VALIDITY_DAYS


def _rule_severities() -> dict[str, set[Severity]]:
    out: dict[str, set[Severity]] = {}
    for rule, severities in _rows("| rule |"):
        out[rule.strip("`")] = {Severity(word) for word in re.findall(r"\b(critical|high|medium|low|info)\b",
                                                                      severities)}
    return out


def test_every_rule_of_every_detector_is_on_the_page_and_nothing_else() -> None:
    emitted = set(INDICATOR_RULES)
    for name in DETECTOR_MODULES:
        emitted.update(importlib.import_module(name).RULES)
    assert set(_rule_severities()) == emitted
    made = [d.detector() if isinstance(d, WaitingDetector) else d for d in default_detectors()]
    assert {type(d).__module__ for d in made} <= {*DETECTOR_MODULES, "exposure.detect.indicators"}


def test_every_bundled_threat_keeps_to_the_table() -> None:
    for profile in load_bundled_profiles():
        for threat in profile.threats:
            most = headline(threat.category)
            assert threat.severity.rank >= most.rank, threat.id
            if threat.severity is not most:
                assert threat.severity_reason.get("en") and threat.severity_reason.get("zh"), threat.id


def test_every_bundled_indicator_has_a_severity_from_the_table() -> None:
    classes: set[EvidenceClass] = set()
    for profile in load_bundled_profiles():
        threats = {t.id: t for t in profile.threats}
        for ind in profile.indicators:
            kind = evidence_class(ind.type, ind.role)
            classes.add(kind)
            severity = severity_for(threats[ind.threat].category, kind)
            assert severity in Severity
            if ind.type in (IndicatorType.PACKAGE, IndicatorType.CERT_SHA1, IndicatorType.FILE_SHA256):
                assert kind is EvidenceClass.APP or ind.role is IndicatorRole.FLAGGED
    assert {EvidenceClass.APP, EvidenceClass.C2_NAME, EvidenceClass.C2_ADDRESS, EvidenceClass.WEBSITE,
            EvidenceClass.FLAGGED} <= classes


def test_the_headline_of_each_category() -> None:
    assert {c: headline(c) for c in Category if group_of(c) is not CategoryGroup.HEURISTIC} == {
        Category.STALKERWARE: Severity.CRITICAL, Category.STATE_MONITORING: Severity.CRITICAL,
        Category.SPYWARE: Severity.CRITICAL, Category.FORENSIC_AGENT: Severity.CRITICAL,
        Category.DUAL_USE: Severity.MEDIUM, Category.FLAGGED_APP: Severity.LOW}


def _spyco(severity: Severity = Severity.CRITICAL) -> Threat:
    return Threat("spyco", LocalText.of(en="SpyCo"), Category.STALKERWARE, severity, "p")


def _one(index: IndicatorIndex, obs: object, today: date = date(2026, 12, 4)) -> object:
    detector, ctx = IndicatorDetector(), DetectContext(index=index, today=today)
    list(detector.observe(obs, ctx))  # type: ignore[arg-type]
    (finding,) = list(detector.finish(ctx))
    return finding


def test_an_old_address_drops_one_level_and_says_so() -> None:
    from exposure.model import Indicator

    old = Indicator(IndicatorType.IPV4, "5.6.7.8", "spyco", "p", "profile:p", IndicatorRole.C2,
                    last_seen="2019-04")
    fresh = Indicator(IndicatorType.IPV4, "5.6.7.9", "spyco", "p", "profile:p", IndicatorRole.C2,
                      last_seen="2026-01")
    index = IndicatorIndex([old, fresh], [_spyco()])
    flow = Flow("pcap", "c.pcap", protocol="tcp", client="10.0.0.2", client_port=1, server="5.6.7.8",
                server_port=443)
    finding = _one(index, flow)
    assert (finding.severity, finding.param("notes"), finding.param("last_seen")) == (  # type: ignore[attr-defined]
        Severity.LOW, "note.old-indicator", "2019-04")
    fresh_flow = Flow("pcap", "c.pcap", protocol="tcp", client="10.0.0.2", client_port=1, server="5.6.7.9",
                      server_port=443)
    assert _one(index, fresh_flow).severity is Severity.MEDIUM  # type: ignore[attr-defined]
    # 730 days after the last sighting still counts fully; one day more does not.
    edge = date(2019, 4, 1) + timedelta(days=730)
    assert _one(index, flow, today=edge).severity is Severity.MEDIUM  # type: ignore[attr-defined]
    assert _one(index, flow, today=edge + timedelta(days=1)).severity is Severity.LOW  # type: ignore[attr-defined]


def test_a_feed_date_stands_in_for_last_seen() -> None:
    from exposure.model import Indicator

    ind = Indicator(IndicatorType.DOMAIN, "c2.example", "spyco", "", "old-feed", IndicatorRole.C2)
    index = IndicatorIndex([ind], [_spyco()])
    index.set_source_dates({"old-feed": "2019-01-01"})
    assert _one(index, DnsQuery("pcap", "c.pcap", name="c2.example")).severity is Severity.MEDIUM  # type: ignore
    index.set_source_dates({"old-feed": "2026-06-21"})
    assert _one(index, DnsQuery("pcap", "c.pcap", name="c2.example")).severity is Severity.HIGH  # type: ignore


def test_caps_only_ever_lower() -> None:
    from exposure.model import Indicator

    capped = Indicator(IndicatorType.PACKAGE, "com.capped", "spyco", "p", "profile:p", max_severity=Severity.LOW)
    plain = Indicator(IndicatorType.PACKAGE, "com.plain", "spyco", "p", "profile:p")
    from exposure.observations.android import AndroidPackage

    index = IndicatorIndex([capped, plain], [_spyco(Severity.MEDIUM)])
    assert _one(index, AndroidPackage("a", "phone", "com.capped")).severity is Severity.LOW  # type: ignore
    assert _one(index, AndroidPackage("a", "phone", "com.plain")).severity is Severity.MEDIUM  # type: ignore


@pytest.mark.parametrize(("newest", "warns"), [("2026-06-21", False), ("2026-06-04", False), ("2026-06-03", True)])
def test_the_scan_warns_when_the_newest_feed_is_older_than_six_months(newest: str, warns: bool) -> None:
    feeds = [FeedInfo("a", "f", "", "", "", dated="2023-09-22"), FeedInfo("b", "f", "", "", "", dated=newest)]
    note = feed_age_warning(feeds, date(2026, 12, 4))
    assert (note is not None) is warns
    if note is not None:
        assert note.key == "warn.feeds.old" and dict(note.params) == {"date": newest}


def test_findings_from_real_and_synthetic_inputs_have_the_severities_the_page_lists(tmp_path: Path) -> None:
    """The demo phone and capture, and the synthetic clean and planted phones, through a full scan."""
    from exposure.demo import __file__ as demo_init
    from exposure.scan import ScanRequest, SourceSpec, run_scan
    from tests.corpora import APK_FILE, App, Phone

    demo = Path(demo_init).parent / "data"
    p = "android.permission."
    toolkit = (p + "ACCESS_FINE_LOCATION", p + "READ_SMS", p + "RECORD_AUDIO")
    planted = Phone(apps=[App("com.wifi0", installer=APK_FILE, granted=toolkit), App("com.truecaller", granted=toolkit),
                          App("com.life360.android.safetymapd", granted=(p + "READ_SMS",)),
                          App("com.x8bit.bitwarden")],
                    accessibility=["com.wifi0/.S", "com.truecaller/.S", "com.x8bit.bitwarden/.S"],
                    settings={"package_verifier_enable": "0", "adb_enabled": "1"}).add_benign()
    sources = (SourceSpec("androidqf", str(demo / "demo-phone")), SourceSpec("pcap", str(demo / "demo-capture.pcap")),
               SourceSpec("androidqf", str(planted.write(tmp_path / "qf"))))
    result = run_scan(ScanRequest(sources=sources))
    allowed = _rule_severities()
    seen_rules = set()
    for finding in result.findings:
        seen_rules.add(finding.rule)
        if finding.rule in INDICATOR_RULES:
            group = group_of(finding.category)
            evidence = EvidenceClass(finding.param("evidence"))
            assert finding.severity.rank >= TABLE[group][evidence].rank, finding.title  # caps only lower
        else:
            assert finding.severity in allowed[finding.rule], (finding.rule, finding.severity)
    assert {"indicator", "indicator.dual-use", "android.dangerous-permissions", "android.assistive-app",
            "android.play-protect-off"} <= seen_rules
