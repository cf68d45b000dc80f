"""DNSCrypt: a device that resolves its names through DNSCrypt (dnscrypt-proxy, AdGuard, Avast
SecureDNS) was said to have "contacted addresses without a name lookup" for its resolvers and for
whatever it reached after resolving through them (nDPI's dnscrypt-v1-and-resolver-pings.pcap and
avast_securedns.pcapng, issue 18's real sets). Its lookups were only hidden.

The capture is made by ``tests/data/network/make_alarm_classes.py`` (scapy); no ../shared needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exposure.cli import main
from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import open_capture
from exposure.detect.network.dnscrypt import is_dnscrypt_cert_name
from exposure.model import Observation
from exposure.observations.network import DnsQuery, Flow
from tests.network.test_alarm_classes import OTHER, OTHER_MAC, PHONE, PHONE_MAC, flow, no_lookup, run
from tests.network.test_capture import collect
from tests.network.test_scan_ranges import in_ranges, record_offsets

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
CAPTURE = DATA / "dnscrypt-hidden-lookups.pcap"
RESOLVER_UDP, RESOLVER_TCP, RESOLVER_AVAST = "37.120.182.36", "93.177.65.183", "188.166.206.224"


def scan(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    assert main(["scan", "--no-feeds", "--quiet", "--json", str(out), *args, "--pcap", str(CAPTURE)]) == 0
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def test_a_device_resolving_through_dnscrypt_is_not_said_to_reach_addresses_without_lookup(tmp_path: Path) -> None:
    report = scan(tmp_path)
    found = {f["rule"]: f["params"] for f in report["findings"]}
    assert sorted(found) == ["network.encrypted-dns", "network.no-dns-lookup"]
    # the laptop uses no DNSCrypt: a certificate looked up by hand through ordinary resolvers on port
    # 53, TXT names that only contain "dnscrypt-cert", an SPF text on an odd port: all still judged
    assert sorted(found["network.no-dns-lookup"]["addresses"].split(", ")) == [
        "45.67.89.10 (port 443)", "45.67.89.40 (port 443)", "84.200.69.80 (port 443)"]
    # the phone's three resolvers: by the name convention (answered or not, encrypted traffic over
    # UDP and TCP) and by the certificate in the answer to a name that does not follow it (Avast)
    encrypted = found["network.encrypted-dns"]
    assert encrypted["how"] == "DNSCrypt"
    assert encrypted["resolvers"] == ", ".join(sorted([RESOLVER_UDP, RESOLVER_TCP, RESOLVER_AVAST]))
    # the one address the phone reached after resolving through DNSCrypt is said as not judged
    assert report["warnings"] == []
    notes = [(n["key"], n["params"]) for n in report["sources"][0]["not_checked"]]
    assert [n for n in notes if n[0] != "pcap.tls13-certificates" and "pcap.short" not in n[0]] \
        == [("pcap.dns-hidden", {"count": "1"})]
    evidence = [e for f in report["findings"] if f["rule"] == "network.encrypted-dns" for e in f["evidence"]]
    assert sorted((e["facts"]["name"], e["facts"].get("certificate", "")) for e in evidence) == [
        ("2.dnscrypt-cert.resolver.example.net", "DNSCrypt"), ("2.dnscrypt-cert.tcp.example.org", ""),
        ("2.securedns.example.com", "DNSCrypt")]


@pytest.mark.parametrize(("lang", "said"), [("en", "Encrypted DNS was used (`DNSCrypt`)"),
                                            ("zh", "使用了加密 DNS（`DNSCrypt`）")])
def test_the_report_says_how_in_each_language(tmp_path: Path, lang: str, said: str) -> None:
    out = tmp_path / f"report.{lang}.md"
    assert main(["scan", "--no-feeds", "--quiet", "--lang", lang, "--md", str(out), "--pcap", str(CAPTURE)]) == 0
    text = out.read_text()
    assert said in text
    assert "AdGuard、Avast SecureDNS、dnscrypt-proxy" in text if lang == "zh" else "AdGuard, Avast SecureDNS" in text


def test_the_collector_says_which_txt_answers_carried_a_dnscrypt_certificate() -> None:
    _collector, observations, warnings = collect(CAPTURE)
    assert warnings == []
    certified = {(o.name, o.resolver): o.certificate for o in observations if isinstance(o, DnsQuery)}
    assert certified == {
        ("2.dnscrypt-cert.resolver.example.net", RESOLVER_UDP): "DNSCrypt",
        ("2.dnscrypt-cert.tcp.example.org", RESOLVER_TCP): "",  # never answered
        ("2.securedns.example.com", RESOLVER_AVAST): "DNSCrypt",
        ("2.dnscrypt-cert.opendns.com", "192.168.1.1"): "DNSCrypt",
        ("2.dnscrypt-cert.opendns.com", "84.200.69.80"): "DNSCrypt",
        ("dnscrypt-cert.example.net", "45.67.89.40"): "",  # an SPF text, not a certificate
        ("www.2.dnscrypt-cert.example.net", "45.67.89.40"): "",
        ("2.dnscrypt-certs.example.net", "45.67.89.40"): "",
    }


def certificates(aggregates: Any) -> dict[Any, bool]:
    return {key: seen.dnscrypt_cert for key, seen in aggregates.dns_obs.items()}


def test_read_in_byte_ranges_the_certificates_are_those_of_the_one_pass() -> None:
    ex = Extractor()
    with open_capture(CAPTURE, hashing=False) as reader:
        ex.run(reader)
        ex.finish()
    expected = certificates(ex)
    assert sum(expected.values()) == 4
    for cut in record_offsets(CAPTURE)[1:]:
        joined = in_ranges(CAPTURE, [cut])
        assert not isinstance(joined, str), joined
        assert certificates(joined) == expected, cut


@pytest.mark.parametrize(("name", "convention"), [
    ("2.dnscrypt-cert.opendns.com", True),
    ("2.dnscrypt-cert.dnscrypt.ca-2", True),
    ("2.dnscrypt-cert.", False),
    ("2.dnscrypt-cert", False),
    ("dnscrypt-cert.example.net", False),
    ("1.dnscrypt-cert.example.net", False),
    ("www.2.dnscrypt-cert.example.net", False),
    ("2.dnscrypt-certs.example.net", False),
    ("2.dnscrypt.example.net", False),
    ("dnscrypt.info", False),
])
def test_the_certificate_name_convention_is_its_first_two_labels(name: str, convention: bool) -> None:
    assert is_dnscrypt_cert_name(name) is convention


def cert_lookup(resolver: str, name: str = "2.dnscrypt-cert.example.net", transport: str = "udp",
                certificate: str = "") -> DnsQuery:
    return DnsQuery("pcap", "t.pcap", name=name, client=PHONE, resolver=resolver, transport=transport,
                    client_mac=PHONE_MAC, certificate=certificate)


def udp_flow(server: str, port: int, starts: tuple[float, ...] = (1000.0,)) -> Flow:
    return Flow("pcap", "t.pcap", protocol="udp", client=PHONE, client_port=40000, server=server, server_port=port,
                bytes_out=300, bytes_in=600, packets=2 * len(starts), starts=starts, client_mac=PHONE_MAC, opened=1)


LOOKUP = DnsQuery("pcap", "t.pcap", name="www.example.com", client=OTHER, answers=("151.101.1.69",),
                  client_mac=OTHER_MAC)


def test_dnscrypt_counts_wherever_its_lookup_shows_and_for_that_device_only() -> None:
    resolver = "37.120.182.36"
    laptop = flow("45.67.89.10", 443, client=OTHER, mac=OTHER_MAC)
    for order in ("lookup first", "flows first"):
        seen: list[Observation] = [udp_flow(resolver, 443), flow(resolver, 443), flow("5.6.7.8", 80), laptop]
        lookup = cert_lookup(resolver)
        observations = [LOOKUP, lookup, *seen] if order == "lookup first" else [LOOKUP, *seen, lookup]
        findings, warnings = run(observations)
        assert no_lookup(findings) == "45.67.89.10 (port 443)", order
        assert [(f.param("how"), f.param("resolvers")) for f in findings if f.rule == "network.encrypted-dns"] == [
            ("DNSCrypt", resolver)]
        assert warnings == ["whether addresses were contacted without a name lookup, by a device that used "
                            "encrypted DNS, which hides its lookups (addresses not judged: 1)"]


def test_a_certificate_lookup_counts_only_with_udp_traffic_to_that_resolver_off_port_53() -> None:
    resolver = "84.200.69.80"
    judged = ["45.67.89.10 (port 443)", "84.200.69.80 (port 443)"]
    cases: list[list[Observation]] = [
        [cert_lookup(resolver)],  # asked on port 53: only DNS traffic to it
        [cert_lookup(resolver, certificate="DNSCrypt")],
        [cert_lookup(resolver, transport="tcp"), udp_flow(resolver, 443)],  # over TCP: port 53 only
        [cert_lookup(resolver, name="www.2.dnscrypt-cert.example.net"), udp_flow(resolver, 443)],
        [cert_lookup("192.168.1.1"), udp_flow(resolver, 443)],  # another resolver
    ]
    for case in cases:
        findings, _warnings = run([LOOKUP, *case, flow(resolver, 443), flow("45.67.89.10", 443)])
        listed = no_lookup(findings)
        assert listed is not None and sorted(listed.split(", ")) == judged, case
        assert not any(f.rule == "network.encrypted-dns" for f in findings), case
    # on an odd UDP port (5353 is mDNS's on the local network, never judged) the lookup's traffic is enough
    findings, _warnings = run([LOOKUP, cert_lookup(resolver), udp_flow(resolver, 5353), flow(resolver, 443)])
    assert no_lookup(findings) is None
    # the certificate in the answer is enough without the name convention (Avast SecureDNS)
    findings, _warnings = run([LOOKUP, cert_lookup(resolver, name="2.securedns.example.com", certificate="DNSCrypt"),
                               udp_flow(resolver, 443), flow(resolver, 443)])
    assert no_lookup(findings) is None


def test_a_dnscrypt_client_asking_its_resolver_at_its_own_pace_is_not_beaconing() -> None:
    resolver = "37.120.182.36"
    steady = tuple(1000.0 + 60 * i for i in range(12))
    findings, _warnings = run([LOOKUP, udp_flow(resolver, 443, steady)])
    assert [f.subject for f in findings if f.rule == "network.beaconing"] == [resolver]  # without its lookup
    findings, _warnings = run([LOOKUP, cert_lookup(resolver), udp_flow(resolver, 443, steady)])
    assert not any(f.rule == "network.beaconing" for f in findings)
