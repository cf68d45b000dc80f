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


def main() -> None:
    packets = dot_hidden_lookups()
    for i, packet in enumerate(packets):
        packet.time = 1_700_300_000 + i
    wrpcap(str(HERE / "dot-hidden-lookups.pcap"), packets)


if __name__ == "__main__":
    main()
