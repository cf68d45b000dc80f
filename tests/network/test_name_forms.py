"""One name, one text: a name holding a space, a control character or a byte from 0x80 on is
written the same way (``\\xNN``) whether it came in a DNS lookup, a TLS server name or an HTTP
Host, so it is one entry of ``exposure names`` per kind with the same text, and one finding.

Before, DNS names were escaped and TLS server names and HTTP Hosts were not, so the reviewer's
crafted ``markup.pcap`` gave ``x\\x0d\\x0ay.no-ip.org`` twice and ``img onerror...`` next to
``img\\x20onerror...``: 9 dynamic-DNS findings for 7 names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

from exposure.cli import main
from exposure.collect.net.http import host_value
from exposure.collect.net.tls import client_hello_names
from exposure.collect.net.wire_text import name_text, wire_length
from exposure.model import SourceSpec
from exposure.scan import ScanRequest, run_scan
from tests.network.test_capture import client_hello, tcp_segments

PHONE, RESOLVER, SERVER = "192.168.1.23", "192.168.1.1", "5.6.7.8"
# (the name's bytes, as every kind of name is written)
NAMES = (
    (b"img onerror.<img src=x>.duckdns.org", "img\\x20onerror.<img\\x20src=x>.duckdns.org"),
    (b"x\r\ny.no-ip.org", "x\\x0d\\x0ay.no-ip.org"),
    (b"evil\x1b[31mred.ddns.net", "evil\\x1b[31mred.ddns.net"),
    ("\u202emoc.evil.duckdns.org".encode(), "\\xe2\\x80\\xaemoc.evil.duckdns.org"),
    (b"bad\xff.ddns.net", "bad\\xff.ddns.net"),  # not UTF-8 at all: the byte is kept, not replaced
)


def test_every_kind_of_name_is_written_the_same_way() -> None:
    for raw, written in NAMES:
        assert name_text(raw) == written
        assert wire_length(written) == len(raw)
        assert client_hello_names(_hello(raw)[9:]) == [written]
        if b"\r" not in raw:  # a CR LF ends a header line: it never reaches a Host
            assert host_value(b" " + raw + b"\t") == written
    assert name_text(b"plain.example.com") == "plain.example.com"


def _hello(raw: bytes) -> bytes:
    """A ClientHello record whose server name is ``raw``, byte for byte."""
    return client_hello("x" * len(raw)).replace(b"x" * len(raw), raw)


def _capture(path: Path) -> Path:
    packets: list[Packet] = []
    for i, (raw, _written) in enumerate(NAMES):
        packets.append(Ether() / IP(src=PHONE, dst=RESOLVER) / UDP(sport=5000 + i, dport=53)
                       / DNS(id=i, qd=DNSQR(qname=raw)))
        hello = _hello(raw)
        packets.extend(tcp_segments(hello, [len(hello)], src=PHONE, dst=SERVER, seq=1000 + 10_000 * i))
        if b"\r" not in raw:
            request = b"GET / HTTP/1.1\r\nHost: " + raw + b"\r\n\r\n"
            packets.append(Ether() / IP(src=PHONE, dst=SERVER) / TCP(sport=41000 + i, dport=80, flags="PA")
                           / Raw(request))
    for n, packet in enumerate(packets):
        packet.time = 1_700_000_000 + n
    wrpcap(str(path), packets)
    return path


def test_names_lists_one_name_the_same_way_in_every_kind(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    capture = _capture(tmp_path / "forms.pcap")
    assert main(["names", "--json", str(capture)]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = sorted(written.lower() for _raw, written in NAMES)
    assert out["dns"] == expected
    assert out["tls_sni"] == expected
    assert out["http_host"] == sorted(w.lower() for raw, w in NAMES if b"\r" not in raw)


def test_one_name_seen_in_dns_tls_and_http_is_one_finding(tmp_path: Path) -> None:
    capture = _capture(tmp_path / "forms.pcap")
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), use_feeds=False))
    dynamic = sorted(f.subject for f in result.findings if f.rule == "network.dynamic-dns")
    assert dynamic == sorted(written.lower() for _raw, written in NAMES)
    for finding in result.findings:
        if finding.rule == "network.dynamic-dns":
            kinds = {obs.kind for obs in finding.evidence}
            assert kinds == {"dns-query", "server-name"}, (finding.subject, kinds)
