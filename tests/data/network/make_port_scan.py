"""Write ``port-scan.pcap``: connection attempts that are not contacts, next to ones that are. Ours,
generated with scapy (same licence as exposure).

    .venv/bin/python tests/data/network/make_port_scan.py

Found on the real sets: nDPI's ``synscan.pcap`` (nmap scanning ``scanme.nmap.org``: 1,000 ports,
nearly all unanswered) was reported as "Tor-like connections", from the SYNs to 9001 and 9050.

- A laptop (which looks a name up, so the capture holds DNS) runs an nmap-like SYN scan of one
  public address on 20 ports, 443, 9001 and 9050 among them: closed ports answer with a reset,
  filtered ones never answer (their SYN is sent twice), open ones (22, 443) answer with a SYN-ACK
  that the laptop resets at once, as nmap's half-open scan does.
- A phone opens a real connection to a Tor relay's port 9001 (SYN, SYN-ACK, ACK, data both
  ways): still Tor-like.
- The phone also tries port 9001 of another address, which never answers (SYN sent 3 times).
- The phone tries an address listed as a stalkerware server in Echap's bundled feed (MobiStealth's
  ``72.167.46.196``, under ``c2.ip``), never answered: the indicator must still be reported.
- The phone tries a dead server by its address, with no lookup, every 60 s, 8 times, never
  answered: still an address without a lookup, and still regular contact.
"""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
ROUTER_MAC, RESOLVER = "02:00:00:00:00:01", "192.168.1.1"
LAPTOP_MAC, LAPTOP = "02:00:00:00:00:50", "192.168.1.50"
PHONE_MAC, PHONE = "02:00:00:00:00:23", "192.168.1.23"
SCANNED = "45.33.32.156"
LOOKED_UP = "93.184.215.14"
RELAY, RELAY_DEAD = "62.210.105.116", "62.210.105.117"
LISTED = "72.167.46.196"  # Echap ioc.yaml, MobiStealth c2.ip
DEAD_C2 = "120.232.51.170"
SCANNED_PORTS = (21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900, 9001,
                 9050)
OPEN_PORTS = frozenset({22, 443})
FILTERED_PORTS = frozenset({135, 139, 445, 1723})
T0 = 1_700_500_000.0


def _out(mac: str, src: str, dst: str) -> Packet:
    return Ether(src=mac, dst=ROUTER_MAC) / IP(src=src, dst=dst)


def _back(mac: str, src: str, dst: str) -> Packet:
    return Ether(src=ROUTER_MAC, dst=mac) / IP(src=src, dst=dst)


def lookup() -> list[tuple[float, Packet]]:
    question = DNSQR(qname="www.example.org")
    return [(0.0, _out(LAPTOP_MAC, LAPTOP, RESOLVER) / UDP(sport=40000, dport=53) / DNS(id=1, rd=1, qd=question)),
            (0.01, _back(LAPTOP_MAC, RESOLVER, LAPTOP) / UDP(sport=53, dport=40000)
             / DNS(id=1, qr=1, rd=1, ra=1, qd=question, an=DNSRR(rrname="www.example.org", rdata=LOOKED_UP)))]


def port_scan() -> list[tuple[float, Packet]]:
    packets: list[tuple[float, Packet]] = []
    for i, port in enumerate(SCANNED_PORTS):
        at = 1.0 + i * 0.01
        syn = _out(LAPTOP_MAC, LAPTOP, SCANNED) / TCP(sport=61000, dport=port, flags="S", seq=7)
        packets.append((at, syn))
        back = _back(LAPTOP_MAC, SCANNED, LAPTOP)
        if port in FILTERED_PORTS:
            packets.append((at + 1.0, syn))  # sent again, never answered
        elif port in OPEN_PORTS:
            packets += [(at + 0.005, back / TCP(sport=port, dport=61000, flags="SA", seq=90, ack=8)),
                        (at + 0.006, _out(LAPTOP_MAC, LAPTOP, SCANNED) / TCP(sport=61000, dport=port, flags="R",
                                                                             seq=8))]
        else:
            packets.append((at + 0.005, back / TCP(sport=port, dport=61000, flags="RA", seq=0, ack=8)))
    return packets


def tor_connection() -> list[tuple[float, Packet]]:
    out, back = _out(PHONE_MAC, PHONE, RELAY), _back(PHONE_MAC, RELAY, PHONE)
    cell = bytes(range(256)) * 2 + bytes(2)  # a 514-byte cell's worth of encrypted-looking bytes
    return [(5.0, out / TCP(sport=42000, dport=9001, flags="S", seq=99)),
            (5.05, back / TCP(sport=9001, dport=42000, flags="SA", seq=499, ack=100)),
            (5.06, out / TCP(sport=42000, dport=9001, flags="A", seq=100, ack=500)),
            (5.07, out / TCP(sport=42000, dport=9001, flags="PA", seq=100, ack=500) / Raw(cell)),
            (5.12, back / TCP(sport=9001, dport=42000, flags="PA", seq=500, ack=614) / Raw(cell))]


def unanswered(server: str, port: int, sport: int, at: float, tries: int) -> list[tuple[float, Packet]]:
    syn = _out(PHONE_MAC, PHONE, server) / TCP(sport=sport, dport=port, flags="S", seq=1)
    return [(at + 1.0 * n, syn) for n in range(tries)]


def packets() -> list[Packet]:
    timed = (lookup() + port_scan() + tor_connection() + unanswered(RELAY_DEAD, 9001, 42001, 6.0, 3)
             + unanswered(LISTED, 443, 42002, 7.0, 2))
    for n in range(8):  # a dead server tried every 60 s, each time a new connection
        timed += unanswered(DEAD_C2, 443, 43000 + n, 10.0 + 60 * n, 2)
    timed.sort(key=lambda item: item[0])
    out = []
    for at, packet in timed:
        packet = packet.copy()
        packet.time = T0 + at
        out.append(packet)
    return out


def main() -> None:
    wrpcap(str(HERE / "port-scan.pcap"), packets())


if __name__ == "__main__":
    main()
