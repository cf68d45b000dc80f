"""Write the captures of the false alarms found on the third real set (issue 18). Ours, generated
with scapy (same licence as exposure).

    .venv/bin/python tests/data/network/make_alarm_classes.py

- ``dot-hidden-lookups.pcap``: a phone that looks its names up over DNS-over-TLS (port 853), as
  the phone of wa1kpcap's ``multi.pcap`` does with AliDNS and DNSPod, then opens connections to
  port 80 under IPv4 and IPv6 (one hardware address) with no visible lookup and no Host (the
  server never answers); one plain DNS lookup it also makes (as that phone did for its DoT
  resolver's name) means the capture holds DNS. A second device on the same network, which uses
  no encrypted DNS, opens a connection to an address it never looked up: that one is still
  judged.
- ``port-80-not-http.pcap``: a phone sends more than it receives over TCP port 80 in records that
  are not HTTP (WeChat's mmtls: a TLS-like header ``17 f1 04`` and encrypted bytes, as in
  wa1kpcap's ``multi.pcap``), which was called "data sent without encryption (HTTP)"; and an HTTP
  POST of the same size to another server, which still is.
"""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Packet
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
ROUTER_MAC = "02:00:00:00:00:01"
PHONE_MAC, PHONE, PHONE6 = "02:00:00:00:00:23", "192.168.1.23", "2409:8900:1bf0:5c::23"
LAPTOP_MAC, LAPTOP = "02:00:00:00:00:50", "192.168.1.50"
RESOLVER, DOT_RESOLVER = "192.168.1.1", "223.5.5.5"
NO_LOOKUP, NO_LOOKUP6, LAPTOP_NO_LOOKUP = "120.232.51.154", "2409:8c54:871:100b::17", "45.67.89.10"
LOOKED_UP = "93.184.215.14"


def syn(mac: str, ip: Packet, sport: int, dport: int) -> Packet:
    return Ether(src=mac, dst=ROUTER_MAC) / ip / TCP(sport=sport, dport=dport, flags="S", seq=1000)


def dot_hidden_lookups() -> list[Packet]:
    answer = DNS(id=7, qr=1, rd=1, ra=1, qd=DNSQR(qname="dot.example.org"),
                 an=DNSRR(rrname="dot.example.org", type="A", rdata=DOT_RESOLVER))
    return [
        Ether(src=PHONE_MAC, dst=ROUTER_MAC) / IP(src=PHONE, dst=RESOLVER) / UDP(sport=5353 + 1, dport=53)
        / DNS(id=7, rd=1, qd=DNSQR(qname="dot.example.org")),
        Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src=RESOLVER, dst=PHONE) / UDP(sport=53, dport=5354) / answer,
        syn(PHONE_MAC, IP(src=PHONE, dst=DOT_RESOLVER), 40001, 853),
        Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src=DOT_RESOLVER, dst=PHONE)
        / TCP(sport=853, dport=40001, flags="SA", seq=5000, ack=1001),
        syn(PHONE_MAC, IP(src=PHONE, dst=NO_LOOKUP), 40002, 80),
        syn(PHONE_MAC, IP(src=PHONE, dst=NO_LOOKUP), 40002, 80),  # retried: never answered
        syn(PHONE_MAC, IPv6(src=PHONE6, dst=NO_LOOKUP6), 40003, 80),
        syn(LAPTOP_MAC, IP(src=LAPTOP, dst=LAPTOP_NO_LOOKUP), 50001, 443),
    ]


MMTLS_SERVER, HTTP_SERVER = "120.232.51.155", "45.67.89.11"
MMTLS_RECORD = b"\x17\xf1\x04"  # record type 0x17 (application data), mmtls version 0xf104


def conversation(server: str, sport: int, sent: list[bytes], answers: list[bytes]) -> list[Packet]:
    """A TCP connection to port 80: handshake, then each of ``sent`` answered by one of ``answers``."""
    out = IP(src=PHONE, dst=server)
    back = IP(src=server, dst=PHONE)
    seq, ack = 1000, 9000
    packets: list[Packet] = [Ether(src=PHONE_MAC, dst=ROUTER_MAC) / out / TCP(sport=sport, dport=80, flags="S",
                                                                                 seq=seq - 1),
               Ether(src=ROUTER_MAC, dst=PHONE_MAC) / back / TCP(sport=80, dport=sport, flags="SA", seq=ack - 1,
                                                                 ack=seq),
               Ether(src=PHONE_MAC, dst=ROUTER_MAC) / out / TCP(sport=sport, dport=80, flags="A", seq=seq, ack=ack)]
    for data, answer in zip(sent, answers, strict=True):
        packets.append(Ether(src=PHONE_MAC, dst=ROUTER_MAC) / out
                       / TCP(sport=sport, dport=80, flags="PA", seq=seq, ack=ack) / data)
        seq += len(data)
        packets.append(Ether(src=ROUTER_MAC, dst=PHONE_MAC) / back
                       / TCP(sport=80, dport=sport, flags="PA", seq=ack, ack=seq) / answer)
        ack += len(answer)
    return packets


def port_80_not_http() -> list[Packet]:
    def record(size: int, n: int) -> bytes:
        return MMTLS_RECORD + size.to_bytes(2, "big") + bytes((n * 7 + i * 13) % 256 for i in range(size))

    lookup = [Ether(src=PHONE_MAC, dst=ROUTER_MAC) / IP(src=PHONE, dst=RESOLVER) / UDP(sport=40053, dport=53)
              / DNS(id=9, rd=1, qd=DNSQR(qname="upload.example.net")),
              Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src=RESOLVER, dst=PHONE) / UDP(sport=53, dport=40053)
              / DNS(id=9, qr=1, rd=1, ra=1, qd=DNSQR(qname="upload.example.net"),
                    an=DNSRR(rrname="upload.example.net", type="A", rdata=HTTP_SERVER))]
    body = bytes(i % 251 for i in range(6000))
    post = (b"POST /collect HTTP/1.1\r\nHost: upload.example.net\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 6000\r\n\r\n" + body)
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    return (lookup + conversation(MMTLS_SERVER, 41000, [record(370, n) for n in range(16)],
                                  [record(90, n) for n in range(16)])
            + conversation(HTTP_SERVER, 41001, [post[i:i + 1400] for i in range(0, len(post), 1400)],
                           [ok] + [b""] * (len(range(0, len(post), 1400)) - 1)))


def write(name: str, packets: list[Packet]) -> None:
    for i, packet in enumerate(packets):
        packet.time = 1_700_300_000 + i
    wrpcap(str(HERE / name), packets)


def main() -> None:
    write("dot-hidden-lookups.pcap", dot_hidden_lookups())
    write("port-80-not-http.pcap", port_80_not_http())


if __name__ == "__main__":
    main()
