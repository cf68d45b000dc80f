"""Write the captures of the classes found on the fourth real set (issue 18): names inside IPsec
AH and IP compression, and 802.11 behind a PPI header. Ours, generated with scapy and zlib (same
licence as exposure).

    .venv/bin/python tests/data/network/make_fourth_set_classes.py [ipsec ppi]

Each reproduces, with made-up names, one way a capture of the fourth real set
(``benchmarks/fetch_real_captures.py --set fourth``) read differently in ``exposure names`` and
tshark. ``expected/<name>.json`` beside them is what ``../shared/tools/tshark-names``
(TShark 4.0.17) printed for each when they were made.

- ``ah-ipcomp.pcap``: IPsec with an Authentication Header (protocol 51, which signs but does not
  encrypt) and IP Payload Compression (protocol 108, RFC 3173: the datagram DEFLATEd, RFC 2394),
  as libpcap's ``AH-IPcomp-IPv4.pcap`` and ``AH-IPcomp-IPv6.pcap`` carry an HTTP request: AH
  then IPComp then a whole IPv4 packet (tunnel mode), AH then TCP (transport mode), AH then UDP
  DNS, IPComp alone with TCP, the same over IPv6 (where AH is an extension header), and what
  gives no name: IPComp whose payload does not inflate, and an AH header cut short;
- ``wifi-ppi.pcap``: 802.11 data in clear behind a PPI header (Per-Packet Information, link type
  192, as Windows capture tools and Kismet wrote them; libpcap's ``http_PPI.pcap``): PPI with an
  802.11-common field, PPI carrying Ethernet, PPI inside PPI and a PPI length below the 8 bytes
  of its header (both read by Wireshark, the second as if it said 8), and a PPI length past the
  frame's end, which is damaged.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.dot11 import Dot11
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import LLC, SNAP, Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
GW_A, GW_B = "192.0.2.30", "198.51.100.40"  # the IPsec gateways (tunnel mode) or hosts (transport)
CLIENT, SERVER = "10.50.0.1", "203.0.113.150"  # inside the tunnel
GW_A6, GW_B6 = "2001:db8:30::1", "2001:db8:40::1"
MAC_SRC, MAC_DST = "02:00:00:00:00:07", "02:00:00:00:00:08"
PROTO_AH, PROTO_IPCOMP, PROTO_IPIP, PROTO_TCP, PROTO_UDP = 51, 108, 4, 6, 17
LINKTYPE_PPI = 192
LINKTYPE_ETHERNET, LINKTYPE_IEEE802_11 = 1, 105


def request(host: str) -> bytes:
    return f"GET /4k.html HTTP/1.0\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode()


def tcp_get(host: str, sport: int) -> bytes:
    """A TCP segment (no IP header) carrying an HTTP request; its checksum left at 0."""
    return bytes(TCP(sport=sport, dport=80, flags="PA", seq=1000, ack=2000, chksum=0) / Raw(request(host)))


def ah(next_header: int, payload: bytes, spi: int = 0x1000, sequence: int = 1) -> bytes:
    """An Authentication Header (RFC 4302) with a 12-byte ICV: its length field counts 32-bit
    words minus 2."""
    icv = bytes(range(12))
    return struct.pack("!BBHII", next_header, (12 + len(icv)) // 4 - 2, 0, spi, sequence) + icv + payload


def ipcomp(next_header: int, payload: bytes, cpi: int = 0xEED1, deflate: bool = True) -> bytes:
    """An IPComp header (RFC 3173): next header, flags, a CPI (negotiated, any value), then the
    payload DEFLATEd without zlib's header (RFC 2394)."""
    if deflate:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        payload = packer.compress(payload) + packer.flush()
    return struct.pack("!BBH", next_header, 0, cpi) + payload


def ipv4(proto: int, payload: bytes, src: str = GW_A, dst: str = GW_B) -> Packet:
    return Ether(src=MAC_SRC, dst=MAC_DST) / IP(src=src, dst=dst, proto=proto) / Raw(payload)


def ipv6(nh: int, payload: bytes) -> Packet:
    return Ether(src=MAC_SRC, dst=MAC_DST) / IPv6(src=GW_A6, dst=GW_B6, nh=nh) / Raw(payload)


def write(name: str, packets: list[Packet], **kwargs: int) -> None:
    for i, packet in enumerate(packets):
        packet.time = 1_700_300_000 + i
    wrpcap(str(HERE / name), packets, **kwargs)


def ah_ipcomp() -> None:
    inner = bytes(IP(src=CLIENT, dst=SERVER) / TCP(sport=1026, dport=80, flags="PA", seq=1000, ack=2000)
                  / Raw(request("ah-ipcomp-tunnel.example")))
    dns = bytes(UDP(sport=33000, dport=53, chksum=0) / DNS(id=7, rd=1, qd=DNSQR(qname="ah-dns.example")))
    packets = [
        ipv4(PROTO_AH, ah(PROTO_IPCOMP, ipcomp(PROTO_IPIP, inner))),  # libpcap's capture: tunnel mode
        ipv4(PROTO_AH, ah(PROTO_TCP, tcp_get("ah-transport.example", 1027))),
        ipv4(PROTO_AH, ah(PROTO_UDP, dns)),
        ipv4(PROTO_IPCOMP, ipcomp(PROTO_TCP, tcp_get("ipcomp-only.example", 1028))),
        ipv6(PROTO_AH, ah(PROTO_IPCOMP, ipcomp(PROTO_TCP, tcp_get("ah-ipcomp-v6.example", 1029)))),
        ipv6(PROTO_IPCOMP, ipcomp(PROTO_TCP, tcp_get("ipcomp-v6.example", 1030))),
        # no name: an IPComp payload that does not inflate, an AH header cut short
        ipv4(PROTO_IPCOMP, struct.pack("!BBH", PROTO_TCP, 0, 0x2000) + b"\xff" * 40),
        ipv4(PROTO_AH, ah(PROTO_TCP, tcp_get("ah-cut.example", 1031))[:10]),
    ]
    write("ah-ipcomp.pcap", packets)


def wifi_ppi() -> None:
    def dns(name: str, ident: int) -> bytes:
        return bytes(IP(src="192.168.1.132", dst="192.168.1.1") / UDP(sport=40000 + ident, dport=53)
                     / DNS(id=ident, rd=1, qd=DNSQR(qname=name)))

    def wifi(name: str, ident: int) -> bytes:
        """An 802.11 data frame to the access point of an open network: LLC/SNAP, IPv4, DNS."""
        frame = Dot11(type=2, subtype=0, FCfield=0x01, addr1="02:00:00:00:00:1a", addr2="02:00:00:00:00:1b",
                      addr3="02:00:00:00:00:1c")
        return bytes(frame / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) / Raw(dns(name, ident)))

    def ppi(dlt: int, fields: bytes = b"", length: int | None = None) -> bytes:
        """A PPI header (version 0, flags, its length with its fields, the link type that follows)."""
        size = 8 + len(fields) if length is None else length
        return struct.pack("<BBHI", 0, 0, size, dlt) + fields

    # an 802.11-common field (type 2, 20 bytes): TSF timer, flags, rate, channel, FHSS, signal, noise
    common = struct.pack("<HHQHHHHBBbb", 2, 20, 0, 0, 2, 2437, 0x00A0, 0, 0, -40, -95)
    frames = [
        ppi(LINKTYPE_IEEE802_11, common) + wifi("ppi-wifi.example", 1),
        ppi(LINKTYPE_IEEE802_11) + wifi("ppi-no-fields.example", 2),
        ppi(LINKTYPE_ETHERNET) + bytes(Ether(src=MAC_SRC, dst=MAC_DST, type=0x0800)
                                       / Raw(dns("ppi-ethernet.example", 3))),
        ppi(LINKTYPE_PPI) + ppi(LINKTYPE_IEEE802_11) + wifi("ppi-in-ppi.example", 5),  # read, as Wireshark does
        ppi(LINKTYPE_IEEE802_11, length=4) + wifi("ppi-too-short.example", 6),  # read after 8 bytes
        ppi(LINKTYPE_IEEE802_11, length=4000) + wifi("ppi-too-long.example", 4),  # damaged
    ]
    write("wifi-ppi.pcap", [Raw(f) for f in frames], linktype=LINKTYPE_PPI)


MAKERS = {"ipsec": ah_ipcomp, "ppi": wifi_ppi}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
