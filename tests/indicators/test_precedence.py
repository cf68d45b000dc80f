"""One precedence rule for a value that several sources list (docs/profiles.md, "Precedence")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure.detect.base import DetectContext
from exposure.detect.indicators import IndicatorDetector
from exposure.indicators.catalog import build_catalog
from exposure.indicators.feeds.store import FeedStore
from exposure.indicators.index import IndicatorIndex
from exposure.indicators.precedence import FeedValues, merge, shared_certificates
from exposure.model import (
    Category,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Observation,
    Severity,
    Threat,
)
from exposure.observations.android import AndroidPackage
from exposure.observations.network import DnsQuery
from tests.paths import FEEDS

RESIDENTBAT_LOOKALIKE = "com.google.android.service"  # imitates a Google app: supporting in the profile


def _stix(tmp_path: Path, name: str, patterns: list[str], malware: str = "ResidentBat",
          description: str = "Spyware") -> Path:
    objects: list[dict[str, object]] = [{"type": "malware", "id": "malware--1", "name": malware,
                                         "description": description, "is_family": True}]
    for n, pattern in enumerate(patterns):
        objects.append({"type": "indicator", "id": f"indicator--{n}", "pattern": pattern, "pattern_type": "stix"})
        objects.append({"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                        "source_ref": f"indicator--{n}", "target_ref": "malware--1"})
    path = tmp_path / name
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects}), encoding="utf-8")
    return path


def _findings(catalog_index: IndicatorIndex, observations: list[Observation]) -> list[Finding]:
    detector, ctx = IndicatorDetector(), DetectContext(index=catalog_index)
    for obs in observations:
        list(detector.observe(obs, ctx))
    return list(detector.finish(ctx))


def test_a_feed_never_undoes_a_profile_supporting_mark(tmp_path: Path) -> None:
    stix = _stix(tmp_path, "residentbat.stix2", [f"[app:id='{RESIDENTBAT_LOOKALIKE}']"])
    FeedStore.default().import_file(stix)
    catalog = build_catalog()
    hits = catalog.index.lookup(IndicatorType.PACKAGE, RESIDENTBAT_LOOKALIKE)
    assert hits and all(h.supporting for h in hits)
    phone = AndroidPackage("android", "R58", RESIDENTBAT_LOOKALIKE, installer="com.android.vending")
    assert _findings(catalog.index, [phone]) == []  # an id alone that imitates Google: never a finding
    # Under another threat name the feed's entry is kept, with the profile's mark.
    FeedStore.default().import_file(_stix(tmp_path, "other.stix2", [f"[app:id='{RESIDENTBAT_LOOKALIKE}']"],
                                          malware="Some Other Family"))
    hits = build_catalog().index.lookup(IndicatorType.PACKAGE, RESIDENTBAT_LOOKALIKE)
    assert {h.threat for h in hits} == {"residentbat", "some-other-family"} and all(h.supporting for h in hits)


def _ind(value: str, threat: str, role: IndicatorRole, source: str, kind: IndicatorType = IndicatorType.DOMAIN,
         **marks: object) -> Indicator:
    return Indicator(kind, value, threat, "", source, role, **marks)  # type: ignore[arg-type]


def test_merge_tiers_roles_and_marks() -> None:
    curated = [_ind("c2.example", "spyco", IndicatorRole.WEBSITE, "profile:p", max_severity=Severity.MEDIUM,
                    note="why")]
    yaml_feed = FeedValues("echap-yaml", [_ind("c2.example", "spyco", IndicatorRole.C2, "echap"),
                                          _ind("c2.example", "spyco", IndicatorRole.WEBSITE, "echap"),
                                          _ind("only.example", "spyco", IndicatorRole.WEBSITE, "echap")])
    stix_feed = FeedValues("stix2", [_ind("only.example", "spyco", IndicatorRole.OTHER, "stalkerware"),
                                     _ind("new.example", "spyco", IndicatorRole.OTHER, "stalkerware")])
    hosts = FeedValues("hosts", [_ind("c2.example", "hosts", IndicatorRole.C2, "hosts"),
                                 _ind("unknown.example", "hosts", IndicatorRole.C2, "hosts")])
    merged = merge(curated, [yaml_feed, stix_feed, hosts])
    got = {(i.value, i.threat, i.role, i.source) for i in merged.indicators}
    assert got == {
        ("c2.example", "spyco", IndicatorRole.C2, "echap"),  # another role than the profile's: kept, with marks
        ("only.example", "spyco", IndicatorRole.WEBSITE, "echap"),  # the documented role beats "other"
        ("new.example", "spyco", IndicatorRole.OTHER, "stalkerware"),  # only the STIX2 has it
        ("unknown.example", "hosts", IndicatorRole.C2, "hosts"),  # a list's own value
    }
    kept = next(i for i in merged.indicators if i.value == "c2.example")
    assert (kept.max_severity, kept.note) == (Severity.MEDIUM, "why")
    # dropped: the YAML's website copy of the curated entry, the STIX2's "other", the hosts repeat
    assert merged.dropped == 3


def test_a_value_listed_as_both_c2_and_website_is_c2() -> None:
    threat = Threat("spyco", LocalText.of(en="SpyCo"), Category.STALKERWARE, Severity.CRITICAL, "p")
    index = IndicatorIndex([_ind("both.example", "spyco", IndicatorRole.WEBSITE, "echap"),
                            _ind("both.example", "spyco", IndicatorRole.C2, "echap")], [threat])
    (finding,) = _findings(index, [DnsQuery("pcap", "c.pcap", name="both.example")])
    assert (finding.severity, finding.param("role"), finding.indicators[0].role) == (
        Severity.HIGH, "c2", IndicatorRole.C2)


def test_two_names_of_one_tool_are_one_finding_with_both() -> None:
    threat = Threat("spyco", LocalText.of(en="SpyCo"), Category.STALKERWARE, Severity.CRITICAL, "p")
    index = IndicatorIndex([_ind("a.example", "spyco", IndicatorRole.C2, "echap"),
                            _ind("b.example", "spyco", IndicatorRole.C2, "echap")], [threat])
    found = _findings(index, [DnsQuery("pcap", "c.pcap", name="a.example"),
                              DnsQuery("pcap", "c.pcap", name="x.b.example"),
                              DnsQuery("pcap", "other.pcap", name="a.example")])
    by_device = {f.param("device"): f for f in found}
    assert set(by_device) == {"c.pcap", "other.pcap"}  # one finding per tool per device
    assert by_device["c.pcap"].subject == "a.example, x.b.example"
    assert {i.value for i in by_device["c.pcap"].indicators} == {"a.example", "b.example"}


def test_a_certificate_the_feeds_give_three_tools_is_supporting() -> None:
    cert = "ab" * 20
    feed = FeedValues("echap-samples", [_ind(cert, t, IndicatorRole.APP, "s", IndicatorType.CERT_SHA1)
                                        for t in ("one", "two", "three")]
                      + [_ind("cd" * 20, "one", IndicatorRole.APP, "s", IndicatorType.CERT_SHA1)])
    merged = merge([], [feed])
    assert {i.value: i.supporting for i in merged.indicators} == {cert: True, "cd" * 20: False}
    # The public AOSP test key Echap's samples give nine families, and the listed platform keys.
    assert (IndicatorType.CERT_SHA1, "61ed377e85d386a8dfee6b864bd85b0bfaa5af81") in shared_certificates()
    index = build_catalog().index
    assert all(h.supporting for h in index.lookup(IndicatorType.CERT_SHA1, "61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81"))


def test_roles_come_from_the_content_never_the_file_name(tmp_path: Path) -> None:
    """Echap's STIX2 export, imported under any name, keeps network values as "other" (the export
    does not say website or C2), and the bundled YAML's roles win for the values both have."""
    website = "thetruthspy.com"  # a TheTruthSpy vendor website in ioc.yaml
    pattern = f"[domain-name:value='{website}']"
    for name in ("stalkerware.stix2", "renamed-export.json"):
        path = _stix(tmp_path, name, [pattern, "[domain-name:value='only-in-the-export.example']"],
                     malware="TheTruthSpy", description="Stalkerware applications")
        result = FeedStore.default().import_file(path)
        assert result.info.profile == "stalkerware" and result.info.licence.startswith("CC BY 4.0")
    index = build_catalog().index
    assert {(h.role, h.source) for h in index.lookup_domain(website)} == {(IndicatorRole.WEBSITE, "echap-stalkerware")}
    assert {h.role for h in index.lookup_domain("only-in-the-export.example")} == {IndicatorRole.OTHER}
    (finding,) = _findings(index, [DnsQuery("pcap", "c.pcap", name="only-in-the-export.example")])
    assert finding.severity is Severity.MEDIUM  # a role nobody documented: never high


@pytest.mark.skipif(not FEEDS.exists(), reason="needs ../shared/feeds (Echap's hosts list and STIX2)")
def test_echap_yaml_hosts_and_stix2_are_one_source() -> None:
    store = FeedStore.default()
    store.import_file(FEEDS / "stalkerware-indicators" / "ioc.yaml")
    store.import_file(FEEDS / "stalkerware-indicators" / "generated" / "hosts")
    store.import_file(FEEDS / "stalkerware-indicators" / "generated" / "stalkerware.stix2")
    index = build_catalog().index
    name = "mobile-gw.thd.cc"  # mSpy's C2: in the YAML, the hosts list and the STIX2
    hits = index.lookup_domain(name)
    assert {h.threat for h in hits} == {"mspy"} and {h.role for h in hits} == {IndicatorRole.C2}
    (finding,) = _findings(index, [DnsQuery("pcap", "c.pcap", name=name)])
    assert (finding.threat, finding.severity) == ("mspy", Severity.HIGH)  # never "a hosts server"
