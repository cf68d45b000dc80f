"""Write the captures of DNS queries and replies on unusual UDP ports (ours, generated with scapy;
same licence as exposure).

    .venv/bin/python tests/data/network/make_dns_conversations.py

``dns-odd-port-answers.pcap``: a device asks a resolver on an unusual port, then connects to the
addresses it was given (and to one it was not). Wireshark's ``dns_port.pcap`` (its test suite)
was the model: a query to port 65333 and a reply of 15 answers, 6 authority and 2 additional
records from it, which exposure read no answers of (its heuristic allowed 12 answers; tshark
4.0.17 allows 100). ``expected/dns-odd-port-answers.json`` beside it is what
``../shared/tools/tshark-names`` (TShark 4.0.17) printed when it was made.

``dns-odd-port-many.pcap``: more queries on unusual ports awaiting their reply at once than
exposure follows (``udp.MAX_AWAITED``), and a reply that comes too late.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
CLIENT, RESOLVER = "192.0.2.10", "192.0.2.53"
MAC = {"src": "02:00:00:00:00:01", "dst": "02:00:00:00:00:02"}
T0 = 1_700_000_000
RESOLVER_PORT = 5300  # a local DNS forwarder's port (dnscrypt-proxy and others listen on such ports)

# the heuristic's reply, as in dns_port.pcap: 15 answers, 6 authority, 2 additional records
POOL = "pool.odd-port.example"
POOL_ADDRESSES = [f"67.129.68.{i}" for i in range(1, 16)]
# at the heuristic's bound: 100 answers
HUNDRED = "hundred.odd-port.example"
HUNDRED_ADDRESSES = [f"104.16.{i // 250}.{i % 250 + 1}" for i in range(100)]
# past it (11 additional records): tshark does not read it as DNS; exposure reads it as the reply
# to the query it saw
GLUE = "glue.odd-port.example"
GLUE_ADDRESS = "151.101.1.10"
# cut short after two of its 15 answers: the heuristic takes it (tshark reads it, damaged)
DAMAGED = "damaged.odd-port.example"
DAMAGED_ADDRESSES = [f"185.199.108.{i}" for i in range(1, 16)]
# replies the heuristic turns down that answer no query seen: not read
UNASKED = "unasked.odd-port.example"
UNASKED_ADDRESS = "162.159.1.1"
OTHER_ID = "other-id.odd-port.example"
OTHER_ID_ADDRESS = "162.159.1.2"
NOT_LOOKED_UP = "93.184.216.34"  # contacted without any lookup: the rule must still see it
NOT_DNS = b"NOT DNS: a game server's status text on a port that carried a DNS query\n"


def eth() -> Ether:
    return Ether(src=MAC["src"], dst=MAC["dst"])


def query(name: str, ident: int, sport: int, dport: int = RESOLVER_PORT) -> Packet:
    return eth() / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=sport, dport=dport) / DNS(
        id=ident, rd=1, qd=DNSQR(qname=name))


def reply(name: str, ident: int, dport: int, addresses: list[str], authority: int = 0, additional: int = 0,
          sport: int = RESOLVER_PORT) -> Packet:
    an = [DNSRR(rrname=name, type="A", ttl=300, rdata=a) for a in addresses]
    ns = [DNSRR(rrname="odd-port.example", type="NS", ttl=300, rdata=f"ns{i}.odd-port.example")
          for i in range(authority)]
    ar = [DNSRR(rrname=f"ns{i}.odd-port.example", type="A", ttl=300, rdata=f"192.0.2.{100 + i}")
          for i in range(additional)]
    dns = DNS(id=ident, qr=1, rd=1, ra=1, qd=DNSQR(qname=name), an=an or None, ns=ns or None, ar=ar or None)
    return eth() / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=sport, dport=dport) / dns


def connection(server: str, sport: int) -> list[Packet]:
    """A TCP connection from the client (a handshake, some bytes each way, no name in them)."""
    c2s = eth() / IP(src=CLIENT, dst=server)
    s2c = Ether(src=MAC["dst"], dst=MAC["src"]) / IP(src=server, dst=CLIENT)
    return [
        c2s / TCP(sport=sport, dport=8443, flags="S", seq=1000),
        s2c / TCP(sport=8443, dport=sport, flags="SA", seq=5000, ack=1001),
        c2s / TCP(sport=sport, dport=8443, flags="A", seq=1001, ack=5001),
        c2s / TCP(sport=sport, dport=8443, flags="PA", seq=1001, ack=5001) / Raw(b"\x00\x01" * 40),
        s2c / TCP(sport=8443, dport=sport, flags="PA", seq=5001, ack=1081) / Raw(b"\x02\x03" * 200),
    ]


def answers_capture() -> None:
    damaged = bytes(reply(DAMAGED, 4, 40012, DAMAGED_ADDRESSES)[DNS])
    cut = len(bytes(reply(DAMAGED, 4, 40012, DAMAGED_ADDRESSES[:2])[DNS]))  # header, question, 2 answers
    packets = [
        query(POOL, 0x2A, 65282, 65333),
        reply(POOL, 0x2A, 65282, POOL_ADDRESSES, authority=6, additional=2, sport=65333),
        eth() / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=65333, dport=65282) / Raw(NOT_DNS),
        query(HUNDRED, 2, 40010),
        reply(HUNDRED, 2, 40010, HUNDRED_ADDRESSES),
        query(GLUE, 3, 40011),
        reply(GLUE, 3, 40011, [GLUE_ADDRESS], additional=11),
        query(DAMAGED, 4, 40012),
        eth() / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=RESOLVER_PORT, dport=40012) / Raw(damaged[:cut]),
        reply(UNASKED, 5, 40013, [UNASKED_ADDRESS], additional=11),
        query(OTHER_ID, 6, 40014),
        reply(OTHER_ID, 7, 40014, [OTHER_ID_ADDRESS], additional=11),
    ]
    for n, server in enumerate([POOL_ADDRESSES[4], HUNDRED_ADDRESSES[99], GLUE_ADDRESS, DAMAGED_ADDRESSES[1],
                                UNASKED_ADDRESS, OTHER_ID_ADDRESS, NOT_LOOKED_UP]):
        packets += connection(server, 50001 + n)
    write("dns-odd-port-answers.pcap", packets)


def many_capture(awaited: int) -> None:
    """``awaited`` + 2 queries within a second, none answered yet; then replies (past the heuristic)
    to the first and the last query; then a query whose reply comes 100 s later."""
    packets = [query(f"q{i}.odd-port.example", i & 0xFFFF, 20000 + i) for i in range(awaited + 2)]
    for i, p in enumerate(packets):
        p.time = T0 + i / (awaited + 2)
    last = awaited + 1
    tail = [
        reply("q0.odd-port.example", 0, 20000, ["203.0.113.1"], additional=11),
        reply(f"q{last}.odd-port.example", last, 20000 + last, ["203.0.113.2"], additional=11),
        query("late.odd-port.example", 9999, 30000),
        reply("late.odd-port.example", 9999, 30000, ["203.0.113.3"], additional=11),
    ]
    for p, ts in zip(tail, [T0 + 2, T0 + 2.5, T0 + 3, T0 + 103], strict=True):
        p.time = ts
    wrpcap(str(HERE / "dns-odd-port-many.pcap"), packets + tail)


def write(name: str, packets: list[Packet]) -> None:
    for i, p in enumerate(packets):
        p.time = T0 + i * 0.25
    wrpcap(str(HERE / name), packets)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    from exposure.collect.net.udp import MAX_AWAITED

    answers_capture()
    many_capture(MAX_AWAITED)
