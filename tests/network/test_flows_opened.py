"""A flow knows whether any of its connections opened in the capture (a TCP SYN, a QUIC long
header), so that a connection already under way when the capture began is not taken for an
address contacted without a name lookup: its lookup came before the capture too.

Found on the second real set of issue 18: in ja4plus's latest.pcapng, ssh2.pcapng and
tls3.pcapng, 38 addresses were reported "contacted without a name lookup", every one a TCP
connection without its SYN in the capture or QUIC without a long-header packet."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

from exposure.observations.network import Flow
from tests.network.test_capture import collect
from tests.network.test_capture_scan import scan

PHONE, RESOLVER = "192.168.1.23", "192.168.1.1"
LOOKED_UP, UNDER_WAY, OPENED, QUIC_UNDER_WAY, QUIC_OPENED = (
    "151.101.1.69", "5.6.7.8", "31.13.64.35", "80.80.80.80", "81.81.81.81")


def _eth(src: str, dst: str) -> Ether:
    return Ether(src="02:00:00:00:00:07", dst="02:00:00:00:00:08") / IP(src=src, dst=dst)


def capture(path: Path) -> Path:
    lookup = DNS(id=1, qr=1, qd=DNSQR(qname="www.example.com"), an=DNSRR(rrname="www.example.com", rdata=LOOKED_UP))
    packets: list[Packet] = [_eth(RESOLVER, PHONE) / UDP(sport=53, dport=40000) / lookup]
    for server, sport, opened in ((LOOKED_UP, 41000, True), (UNDER_WAY, 41001, False), (OPENED, 41002, True)):
        if opened:
            packets += [_eth(PHONE, server) / TCP(sport=sport, dport=443, flags="S", seq=99),
                        _eth(server, PHONE) / TCP(sport=443, dport=sport, flags="SA", seq=499, ack=100)]
        packets += [_eth(PHONE, server) / TCP(sport=sport, dport=443, flags="PA", seq=100, ack=500) / Raw(b"\x17" * 40),
                    _eth(server, PHONE) / TCP(sport=443, dport=sport, flags="A", seq=500, ack=140)]
    short_header = b"\x41" + bytes(8) + b"\x00" * 30  # QUIC 1-RTT: the connection began before
    long_header = b"\xc3\x00\x00\x00\x01\x08" + bytes(8) + b"\x00" + b"\x00" * 40  # an Initial (not decryptable)
    packets += [_eth(PHONE, QUIC_UNDER_WAY) / UDP(sport=42000, dport=443) / Raw(short_header),
                _eth(QUIC_UNDER_WAY, PHONE) / UDP(sport=443, dport=42000) / Raw(short_header),
                _eth(PHONE, QUIC_OPENED) / UDP(sport=42001, dport=443) / Raw(long_header),
                _eth(PHONE, QUIC_OPENED) / UDP(sport=42001, dport=443) / Raw(short_header)]
    for i, packet in enumerate(packets):
        packet.time = 1_700_300_000 + i
    wrpcap(str(path), packets)
    return path


def test_flows_count_the_packets_that_opened_a_connection(tmp_path: Path) -> None:
    _, observations, _ = collect(capture(tmp_path / "opened.pcap"))
    opened = {obs.server: obs.opened for obs in observations if isinstance(obs, Flow) and obs.server_port == 443}
    assert opened == {LOOKED_UP: 1, UNDER_WAY: 0, OPENED: 1, QUIC_UNDER_WAY: 0, QUIC_OPENED: 1}


def test_a_connection_under_way_when_the_capture_began_is_not_an_address_without_lookup(tmp_path: Path) -> None:
    report = scan(tmp_path, capture(tmp_path / "opened.pcap"))
    findings = report["findings"]
    assert isinstance(findings, list)
    (found,) = [f for f in findings if f["rule"] == "network.no-dns-lookup"]
    listed = found["params"]["addresses"]
    assert OPENED in listed and QUIC_OPENED in listed
    assert UNDER_WAY not in listed and QUIC_UNDER_WAY not in listed and LOOKED_UP not in listed
