"""Indicator hits on network observations go through the one indicator detector: DNS names, TLS/QUIC
server names, HTTP Host, certificate names and hashes, and destination addresses (grouped with the
name they were resolved from)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from exposure.detect.base import DetectContext
from exposure.detect.indicators import IndicatorDetector
from exposure.indicators.index import IndicatorIndex
from exposure.indicators.normalize import normalize
from exposure.model import (
    Category,
    Confidence,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Observation,
    Severity,
    Threat,
)
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

SRC = "test.pcap"
PHONE = "192.168.1.23"
SHA1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
SHA256 = "0f" * 32


def ind(kind: IndicatorType, value: str, threat: str = "spyco", role: IndicatorRole = IndicatorRole.C2) -> Indicator:
    return Indicator(type=kind, value=normalize(kind, value), threat=threat, profile="stalkerware", source="test",
                     role=role)


def index() -> IndicatorIndex:
    threats = [Threat(id="spyco", name=LocalText.of(en="SpyCo"), category=Category.STALKERWARE,
                      severity=Severity.HIGH, profile="stalkerware")]
    return IndicatorIndex([
        ind(IndicatorType.DOMAIN, "api.spyco.example"),
        ind(IndicatorType.DOMAIN, "spyco.example", role=IndicatorRole.WEBSITE),
        ind(IndicatorType.DOMAIN, "c2.firebaseio.com"),
        ind(IndicatorType.IPV4, "5.6.7.8"),
        ind(IndicatorType.IPV6, "2a01:4f8::7"),
        ind(IndicatorType.CIDR, "45.9.0.0/16"),
        ind(IndicatorType.CERT_SHA1, SHA1),
        ind(IndicatorType.CERT_SHA256, SHA256),
    ], threats)


def run(observations: Iterable[Observation]) -> list[Finding]:
    detector = IndicatorDetector()
    ctx = DetectContext(index=index())
    out: list[Finding] = []
    for obs in observations:
        out.extend(detector.observe(obs, ctx))
    out.extend(detector.finish(ctx))
    return sorted(out, key=lambda f: f.subject)


def test_dns_sni_quic_and_host_of_one_c2_name_make_one_high_finding() -> None:
    findings = run([
        DnsQuery("pcap", SRC, name="x.api.spyco.example", client=PHONE, answers=("5.6.7.8",)),
        ServerName("pcap", SRC, name="x.api.spyco.example", protocol="tls", server="5.6.7.8", port=443),
        ServerName("pcap", SRC, name="x.api.spyco.example", protocol="quic", server="5.6.7.8", port=443),
        ServerName("pcap", SRC, name="x.api.spyco.example", protocol="http", server="5.6.7.8", port=80),
    ])
    assert len(findings) == 1
    found = findings[0]
    assert (found.rule, found.threat, found.severity, found.confidence) == ("indicator", "spyco", Severity.HIGH,
                                                                            Confidence.HIGH)
    assert [o.kind for o in found.evidence] == ["dns-query", "server-name", "server-name", "server-name"]
    # the SNI also matched the C2 address: both indicators are listed, the name first
    assert [i.type for i in found.indicators][:1] == [IndicatorType.DOMAIN]
    assert {i.type for i in found.indicators} == {IndicatorType.DOMAIN, IndicatorType.IPV4}


def test_address_hit_is_grouped_with_the_name_it_was_resolved_from() -> None:
    findings = run([
        DnsQuery("pcap", SRC, name="api.spyco.example", answers=("5.6.7.8",)),
        Flow("pcap", SRC, protocol="tcp", client=PHONE, client_port=40000, server="5.6.7.8", server_port=443,
             server_names=("api.spyco.example",)),
    ])
    assert [(f.subject, len(f.evidence)) for f in findings] == [("api.spyco.example", 2)]
    assert "(api.spyco.example)" in findings[0].evidence[1].describe()


def test_bare_address_and_cidr_hits_are_medium_confidence() -> None:
    findings = run([
        Flow("pcap", SRC, protocol="tcp", client=PHONE, client_port=1, server="5.6.7.8", server_port=4444),
        Flow("pcap", SRC, protocol="udp", client=PHONE, client_port=1, server="45.9.200.1", server_port=443),
        Flow("pcap", SRC, protocol="tcp", client="fe80::1", client_port=1, server="2a01:04f8:0::7", server_port=443),
    ])
    # One tool, one capture: one finding with the three addresses; an address alone is at
    # most medium (docs/severity.md).
    assert [f.subject for f in findings] == ["2a01:04f8:0::7, 45.9.200.1, 5.6.7.8"]
    assert all(f.confidence is Confidence.MEDIUM and f.severity is Severity.MEDIUM for f in findings)


def test_certificate_hashes_and_names() -> None:
    by_hash = run([TlsCertificate("pcap", SRC, sha1=SHA1.replace(":", "").lower(), sha256="11" * 32,
                                  server="9.9.9.1", server_name="cdn.example.net")])
    assert [(f.subject, f.confidence) for f in by_hash] == [("cdn.example.net", Confidence.HIGH)]
    by_name = run([TlsCertificate("pcap", SRC, sha1="22" * 20, sha256="33" * 32, server="9.9.9.1",
                                  names=("*.api.spyco.example", "other.example"))])
    assert [f.threat for f in by_name] == ["spyco"]
    assert run([TlsCertificate("pcap", SRC, sha1="22" * 20, sha256="33" * 32, names=("*.firebaseio.com",))]) == []


def test_vendor_website_is_low_and_shared_hosting_parent_never_matches() -> None:
    findings = run([
        DnsQuery("pcap", SRC, name="www.spyco.example"),
        DnsQuery("pcap", SRC, name="firebaseio.com"),
        DnsQuery("pcap", SRC, name="other-app.firebaseio.com"),
        DnsQuery("pcap", SRC, name="notapi.spyco.example.org"),
    ])
    assert [(f.subject, f.severity) for f in findings] == [("www.spyco.example", Severity.LOW)]


def test_unresolvable_values_are_ignored() -> None:
    assert run([
        Flow("pcap", SRC, protocol="tcp", client="?", client_port=0, server="not an address", server_port=0),
        DnsQuery("pcap", SRC, name="\x00\x1b[2J"),
        ServerName("pcap", SRC, name="", protocol="tls", server="5.6.7.8.9"),
    ]) == []


def test_through_the_capture_reader_an_address_hit_carries_the_name_it_was_resolved_from(tmp_path: Path) -> None:
    """A real pcap: a DNS answer gives harmless-looking.example.net -> 5.6.7.8 (a known C2 address), then a
    connection to it. The finding is about the name, and its evidence says which address was contacted."""
    from scapy.layers.dns import DNS, DNSQR, DNSRR
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    from exposure.collect.base import CollectContext
    from exposure.collect.pcap import PcapCollector

    name = "harmless-looking.example.net"
    frames = [
        Ether() / IP(src=PHONE, dst="192.168.1.1") / UDP(sport=40001, dport=53) / DNS(id=9, rd=1, qd=DNSQR(qname=name)),
        Ether() / IP(src="192.168.1.1", dst=PHONE) / UDP(sport=53, dport=40001)
        / DNS(id=9, qr=1, qd=DNSQR(qname=name), an=DNSRR(rrname=name, rdata="5.6.7.8")),
        Ether() / IP(src=PHONE, dst="5.6.7.8") / TCP(sport=40002, dport=4444, flags="S"),
        Ether() / IP(src="5.6.7.8", dst=PHONE) / TCP(sport=4444, dport=40002, flags="SA"),
    ]
    for i, frame in enumerate(frames):
        frame.time = 1_700_000_000 + i
    path = tmp_path / "c.pcap"
    wrpcap(str(path), frames)
    findings = run(PcapCollector(str(path)).collect(CollectContext()))
    assert [(f.subject, f.threat, f.confidence) for f in findings] == [(name, "spyco", Confidence.MEDIUM)]
    [flow] = [o for o in findings[0].evidence if isinstance(o, Flow)]
    assert (flow.server, flow.server_port, flow.server_names) == ("5.6.7.8", 4444, (name,))
    assert findings[0].indicators[0].value == "5.6.7.8"
