"""network.combined ("N different signs point to one destination"): each finding holds only the
evidence about its own destination (in its details and in the timeline), and says its signs in
plain words, in English and Chinese, never by their rule ids; and the no-lookup finding it sums up
has a title that reads right for one address.

The shape is that of zeek-mcp's Sample.pcap (a real capture, test input only): two public
addresses reached without a name lookup, each with a self-signed certificate, one of them on an
unusual port. ``network.no-dns-lookup`` is one finding for both addresses, and its evidence used
to be copied whole into both combined findings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from exposure.explain.finding import explain_finding
from exposure.explain.lines import plain
from exposure.explain.timeline import timeline_rows
from exposure.model import Finding, Observation, SourceInfo, SourceSpec
from exposure.observations.network import Flow, TlsCertificate
from exposure.report.document import from_result
from exposure.scan import ScanRequest, ScanResult
from tests.network.test_detect_heuristics import C2, CDN, OTHER, PHONE, SRC, cert, dns, flow, run, sni

T0 = datetime(2020, 9, 29, 20, 12, tzinfo=UTC)
RULE_IDS = ("no-dns-lookup", "self-signed-cert", "tls-unusual-port", "network.")


def sample_shape() -> list[Finding]:
    """C2 on 8443 (no lookup, self-signed) and OTHER on 3786 (no lookup, self-signed, odd port)."""
    def timed(obs: Observation, minute: int) -> Observation:
        at = T0 + timedelta(minutes=minute)
        return replace(obs, first_seen=at, last_seen=at + timedelta(seconds=30))

    return run([timed(dns("www.example.com", CDN), 0), timed(flow(CDN, 443, names=("www.example.com",)), 1),
                timed(flow(OTHER, 3786, out=27_000, inn=990_000), 2),
                timed(cert(OTHER, self_signed=True, port=3786, subject="CN=other"), 3),
                timed(flow(C2, 8443, out=67_000, inn=2_700_000), 4),
                timed(cert(C2, self_signed=True, port=8443, subject="CN=c2"), 5)])


def combined(findings: list[Finding]) -> dict[str, Finding]:
    return {f.param("address"): f for f in findings if f.rule == "network.combined"}


def servers(finding: Finding) -> set[str]:
    return {obs.server for obs in finding.evidence if isinstance(obs, Flow | TlsCertificate)}


def test_each_combined_finding_holds_only_its_own_destinations_evidence() -> None:
    findings = sample_shape()
    by_address = combined(findings)
    assert set(by_address) == {C2, OTHER}
    assert by_address[C2].param("signs") == "no-dns-lookup, self-signed-cert"
    assert by_address[OTHER].param("signs") == "no-dns-lookup, self-signed-cert, tls-unusual-port"
    for address, found in by_address.items():
        assert servers(found) == {address}
        kinds = sorted(obs.kind for obs in found.evidence)
        assert kinds == ["flow", "tls-certificate"], (address, kinds)
    # the finding the combined ones sum up still lists both addresses
    no_lookup = next(f for f in findings if f.rule == "network.no-dns-lookup")
    assert servers(no_lookup) == {C2, OTHER}


def test_a_name_on_several_addresses_keeps_the_evidence_of_that_name() -> None:
    """A destination known by name: what concerns the name counts, even at its other addresses;
    a flow to an unrelated address without a lookup does not."""
    name = "c2.example.top"
    findings = run([dns(name, C2), flow(C2, 4444, names=(name,)), flow(CDN, 4444, names=(name,)),
                    cert(C2, self_signed=True, server_name=name, port=4444), flow(OTHER, 4444)])
    found = [f for f in findings if f.rule == "network.combined"]
    assert len(found) == 1 and found[0].subject == name
    assert OTHER not in servers(found[0])
    assert {obs.kind for obs in found[0].evidence} >= {"dns-query", "tls-certificate"}


def _report(findings: list[Finding]) -> ScanResult:
    source = SourceInfo("pcap", SRC, sha256="12" * 32, started=T0, finished=T0, first_time=T0,
                        last_time=T0 + timedelta(minutes=6), counts={"packets": 100})
    return ScanResult(request=ScanRequest(sources=(SourceSpec("pcap", SRC),)), started=T0, finished=T0,
                      findings=findings, warnings=[], sources=[source], profiles=[], feeds=[])


def test_the_timeline_credits_each_flow_to_its_own_destinations_finding() -> None:
    document = from_result(_report(sample_shape()))
    for lang in ("en", "zh"):
        rows = [row for row in timeline_rows(document, lang) if "3786" in plain(row.what)
                or "8443" in plain(row.what)]
        assert rows
        for row in rows:
            credited = document.findings[row.number - 1]
            if credited.rule != "network.combined":
                continue
            assert credited.param("address") in plain(row.what), (lang, plain(row.what), plain(row.finding))


def test_the_signs_are_said_in_plain_words_in_both_languages() -> None:
    document = from_result(_report(sample_shape()))
    record = next(f for f in document.findings if f.rule == "network.combined" and f.param("address") == OTHER)
    said = {}
    for lang in ("en", "zh"):
        explanation = explain_finding(record, document, lang)
        meaning = " ".join(plain(line) for line in explanation.meaning)
        assert not any(rule_id in meaning for rule_id in RULE_IDS), (lang, meaning)
        said[lang] = meaning
        # the count is exposure's own number, not a value read from the capture
        assert explanation.title[0].kind == "text" and explanation.title[0].text.startswith("3 ")
        assert all(piece.text != "3" for piece in explanation.title)
    assert ("contact without a name lookup, a self-signed certificate and encryption (TLS) on an unusual port"
            in said["en"])
    assert "未经域名查询的联系、自签名证书和在不常见端口上的加密（TLS）连接" in said["zh"]


def test_the_no_lookup_title_reads_right_for_one_address() -> None:
    """Reviewer: "Addresses contacted without a name lookup: 1" (tests/data/network/dot-hidden-lookups.pcap)."""
    findings = run([dns("www.example.com", CDN), flow(C2, 443)])
    document = from_result(_report(findings))
    record = next(f for f in document.findings if f.rule == "network.no-dns-lookup")
    assert record.param("count") == "1"
    english = plain(explain_finding(record, document, "en").title)
    assert english == "Contacted without a name lookup (addresses: 1)"
    assert not english.startswith("Addresses")
    assert plain(explain_finding(record, document, "zh").title) == "未经域名查询就联系的地址：1 个"


def test_the_technical_details_of_capture_evidence_are_in_the_persons_language() -> None:
    """Reviewer: "TCP traffic from … to … port 8443", "DNS lookup of …", "server certificate for …"
    stayed English in the Chinese app and reports."""
    from exposure.explain.finding import evidence_item

    findings = [*sample_shape(), *run([dns("c2.example.top", C2), sni("c2.example.top", C2, port=4444),
                                       sni("c2.example.top", C2, port=80, protocol="http")])]
    document = from_result(_report(findings))
    records = [obs for finding in document.findings for obs in finding.evidence]
    assert {obs.kind for obs in records} == {"flow", "tls-certificate", "dns-query", "server-name"}
    english = ("traffic from", "DNS lookup of", "server certificate for", "connection to", "request to")
    for obs in records:
        assert evidence_item(obs, "en", document).description == obs.description  # the record's own English
        chinese = evidence_item(obs, "zh", document).description
        assert not any(words in chinese for words in english), chinese
    flows = [evidence_item(obs, "zh", document).description for obs in records if obs.kind == "flow"]
    assert f"地址为 {PHONE} 的设备与 {OTHER} 的 3786 端口交换了数据" in flows
