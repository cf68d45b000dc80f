"""Write the DNS captures of issue 18's real-corpus classes (ours, generated with scapy; same
licence as exposure).

    .venv/bin/python tests/data/network/make_dns_classes.py

Each capture reproduces a way DNS names hid from ``exposure names`` in real captures
(nDPI 4.2's test captures) while tshark found them, or where the two differ on purpose.
``expected/<name>.json`` beside them is what ``../shared/tools/tshark-names`` (TShark 4.0.17)
printed for each when they were made.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
CLIENT, RESOLVER = "192.0.2.10", "192.0.2.53"
CLIENT6, RESOLVER6 = "2001:db8::10", "2001:db8::53"
MAC = {"src": "02:00:00:00:00:01", "dst": "02:00:00:00:00:02"}
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)  # pcap, Ethernet


def eth() -> Ether:
    return Ether(src=MAC["src"], dst=MAC["dst"])


def big_answer(name: str, ident: int, records: int = 40) -> bytes:
    """A response too big for one packet (it is sent in IP fragments)."""
    an = DNSRR(rrname=name, type="A", rdata="203.0.113.1")
    for i in range(2, records + 1):
        an = an / DNSRR(rrname=name, type="A", rdata=f"203.0.113.{i}")
    return bytes(DNS(id=ident, qr=1, rd=1, ra=1, qd=DNSQR(qname=name), an=an))


def write(name: str, packets: list[Packet]) -> None:
    for i, p in enumerate(packets):
        p.time = 1_700_000_000 + i
    wrpcap(str(HERE / name), packets)


# -- IP fragments cut short ----------------------------------------------------------------

def fragments_cut_short() -> None:
    """First fragments of big DNS answers whose frame holds less than the IP header says: the
    datagram cannot be put together, and Wireshark reads the first fragment as far as it goes.
    nDPI's badpackets.pcap holds ~90 such frames (IP total length 1500, frames of 60-300 bytes)."""
    records: list[tuple[bytes, int | None]] = []
    # IPv4, the frame cut after the question and two answers (frame length = captured length)
    dns4 = big_answer("frag-cut-v4.example", 1)
    udp4 = UDP(sport=53, dport=40001, len=8 + len(dns4), chksum=0x1234) / Raw(dns4)
    ip4 = IP(src=RESOLVER, dst=CLIENT, id=0x4242, flags="MF", frag=0, proto=17, len=1500) / Raw(bytes(udp4)[:100])
    records.append((bytes(eth() / ip4), None))
    # the same, written by a capture with a small snapshot length (captured < original length)
    dns4b = big_answer("frag-snapped.example", 2)
    udp4b = UDP(sport=53, dport=40002, len=8 + len(dns4b), chksum=0x1234) / Raw(dns4b)
    ip4b = IP(src=RESOLVER, dst=CLIENT, id=0x4243, flags="MF", frag=0, proto=17, len=1500) / Raw(bytes(udp4b)[:1480])
    frame = bytes(eth() / ip4b)
    records.append((frame[:96], len(frame)))
    # a later fragment cut short carries no UDP header: neither tool reads it (its bytes would
    # look like a DNS question at offset 0 to a careless reader)
    later = IP(src=RESOLVER, dst=CLIENT, id=0x4244, flags="MF", frag=185, proto=17, len=1500) / \
        Raw(bytes(UDP(sport=53, dport=40003) / DNS(id=3, qd=DNSQR(qname="frag-later.example"))))
    records.append((bytes(eth() / later), None))
    # IPv6: a fragment header, payload length larger than the frame
    dns6 = big_answer("frag-cut-v6.example", 4)
    udp6 = UDP(sport=53, dport=40004, len=8 + len(dns6), chksum=0x1234) / Raw(dns6)
    ip6 = IPv6(src=RESOLVER6, dst=CLIENT6, nh=44, plen=1456) / \
        IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x4245) / Raw(bytes(udp6)[:100])
    records.append((bytes(eth() / ip6), None))
    out = [PCAP_HEADER]
    for i, (frame, original) in enumerate(records):
        out.append(struct.pack("<IIII", 1_700_000_000 + i, 0, len(frame), original or len(frame)) + frame)
    (HERE / "dns-fragment-cut.pcap").write_bytes(b"".join(out))


# -- DNS on UDP ports below 1024 that Wireshark gives to no protocol ---------------------

def odd_ports() -> None:
    """DNSCrypt resolvers answer plain DNS TXT queries for their certificate
    (``2.dnscrypt-cert.<provider>``) on the port they serve, often 443; Avast's SecureDNS asks
    ``2.securedns.avast.com``. Wireshark reads DNS there by its heuristic; on a port it gives
    to another protocol (NTP's 123, ISAKMP's 500) it does not."""
    packets: list[Packet] = []

    def exchange(name: str, port: int, ident: int, client_port: int) -> None:
        q = DNS(id=ident, rd=1, qd=DNSQR(qname=name, qtype="TXT"))
        r = DNS(id=ident, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="TXT"),
                an=DNSRR(rrname=name, type="TXT", rdata="DNSC certificate"))
        packets.append(eth() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=client_port, dport=port) / q)
        packets.append(eth() / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=port, dport=client_port) / r)

    exchange("2.dnscrypt-cert.port-443.example", 443, 1, 50001)
    exchange("2.securedns.port-443-b.example", 443, 2, 50002)
    exchange("2.dnscrypt-cert.port-553.example", 553, 3, 50003)
    exchange("2.dnscrypt-cert.port-8443.example", 8443, 4, 50004)
    # a low port on both sides, neither given to a protocol
    packets.append(eth() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=156, dport=4)
                   / DNS(id=5, rd=1, qd=DNSQR(qname="both-low.example")))
    # ports Wireshark gives to NTP and ISAKMP: not DNS there, for either tool
    exchange("ntp-port.example", 123, 6, 50006)
    exchange("isakmp-port.example", 500, 7, 50007)
    write("dns-odd-ports.pcap", packets)


# -- labels Wireshark names with a placeholder -------------------------------------------

def extended_label() -> None:
    """A label whose length byte has the bits 01 (an RFC 6891 extended label type; nDPI's
    fuzz-2006-06-26-2594.pcap has a dozen): tshark prints the whole name as
    ``<Unknown extended label>``, which is no host name; exposure reports none."""
    qname = b"\x05ext-a\x4dlabel\x07example\x00"
    msg = struct.pack("!HHHHHH", 8, 0x0100, 1, 0, 0, 0) + qname + b"\x00\x01\x00\x01"
    packets: list[Packet] = [eth() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=50008, dport=53) / Raw(msg),
               eth() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=50009, dport=53)
               / DNS(id=9, rd=1, qd=DNSQR(qname="plain-next.example"))]
    write("dns-extended-label.pcap", packets)


MAKERS = {"fragcut": fragments_cut_short, "ports": odd_ports, "extlabel": extended_label}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
