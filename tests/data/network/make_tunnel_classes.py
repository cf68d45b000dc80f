"""Write the captures of the classes found on the second real set (issue 18): names inside L2TP,
DNS quoted by ICMP messages, 802.11 behind monitor-mode headers. Ours, generated with scapy (same
licence as exposure).

    .venv/bin/python tests/data/network/make_tunnel_classes.py [l2tp icmp comma radio]

Each reproduces, with made-up names, one way a capture of the second real set
(``benchmarks/fetch_real_captures.py --set second``) read differently in ``exposure names`` and
tshark. ``expected/<name>.json`` beside them is what ``../shared/tools/tshark-names``
(TShark 4.0.17) printed for each when they were made.

- ``l2tp-ppp.pcap``: PPP sessions carried in L2TP version 2 over UDP 1701, as a French DSL box
  carries its IPv6 inside its PPPoE session (dpkt's ``nb6-http.pcap``): every optional header
  field, PPP with and without its address and control bytes, both directions; and what carries
  no user traffic (a control message, L2TPv3) or is damaged (a length below the header's, an
  offset past the end);
- ``icmp-quoted-dns.pcap``: DNS queries quoted by ICMP and ICMPv6 messages: Wireshark reads those
  quoted by errors (unreachable, time exceeded, ...), not one quoted by a redirect
  (python-libtrace's ``icmp-sample.pcap``);
- ``dns-comma-label.pcap``: a DNS label holding a comma (dnsjit's ``sll2.pcap`` asks for ``,.``):
  tshark-names joins a packet's names with commas and splits them again, so it prints the pieces;
- ``wifi-prism.pcap`` and ``wifi-avs.pcap``: 802.11 data in clear (an open network) behind the
  Prism and AVS headers of monitor-mode captures (link types 119 and 163; aircrack-ng's ``wpa.cap``
  is one, which exposure could not read at all): a Prism header in either byte order (always 144
  bytes, whatever length it says), an AVS header in link type 119 (as Wireshark reads it), an
  unknown Prism message code, an AVS length past the frame's end, a protected frame, an ACK (a
  control frame: 10 bytes) and a data frame cut inside its header.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.dot11 import Dot11
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6DestUnreach, ICMPv6TimeExceeded, IPv6
from scapy.layers.l2 import LLC, SNAP, Ether
from scapy.layers.ppp import PPPoE
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
LAC, LNS = "192.0.2.70", "198.51.100.71"  # the L2TP tunnel's ends
CLIENT, SERVER = "10.64.0.2", "203.0.113.80"  # inside the PPP session
CLIENT6, SERVER6 = "2001:db8:64::2", "2001:db8:80::80"
MAC_SRC, MAC_DST = "02:00:00:00:00:05", "02:00:00:00:00:06"
PPP_ADDRESS_CONTROL = b"\xff\x03"
PPP_IPV4, PPP_IPV6 = b"\x00\x21", b"\x00\x57"


def eth() -> Ether:
    return Ether(src=MAC_SRC, dst=MAC_DST)


def write(name: str, packets: list[Packet]) -> None:
    for i, packet in enumerate(packets):
        packet.time = 1_700_200_000 + i
    wrpcap(str(HERE / name), packets)


def http_get(host: str, sport: int, v6: bool = False) -> bytes:
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n\r\n".encode()
    ip = IPv6(src=CLIENT6, dst=SERVER6) if v6 else IP(src=CLIENT, dst=SERVER)
    return bytes(ip / TCP(sport=sport, dport=80, flags="PA", seq=1000, ack=2000) / Raw(request))


def dns_query(name: str, ident: int, src: str = CLIENT, dst: str = SERVER) -> bytes:
    return bytes(IP(src=src, dst=dst) / UDP(sport=30000 + ident, dport=53) / DNS(id=ident, rd=1, qd=DNSQR(qname=name)))


def l2tp(ppp: bytes, *, length: bool = False, sequence: bool = False, offset: bytes | None = None,
         control: bool = False, version: int = 2, length_value: int | None = None) -> bytes:
    """An L2TP header (RFC 2661 3.1) with the fields the flags ask for, then ``ppp``."""
    flags = version | (0x8000 if control else 0) | (0x4000 if length else 0) | (0x0800 if sequence else 0)
    flags |= 0x0200 if offset is not None else 0
    rest = struct.pack("!HH", 0x1234, 0x0042)  # tunnel and session IDs
    if sequence:
        rest += struct.pack("!HH", 7, 3)
    if offset is not None:
        rest += struct.pack("!H", len(offset)) + offset
    size = 2 + (2 if length else 0) + len(rest) + len(ppp)
    head = struct.pack("!H", flags) + (struct.pack("!H", size if length_value is None else length_value)
                                       if length else b"")
    return head + rest + ppp


def over_udp(message: bytes, sport: int = 1701, dport: int = 1701, src: str = LAC, dst: str = LNS) -> Packet:
    return eth() / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(message)


def l2tp_ppp() -> None:
    packets = [
        # the DSL box: PPPoE session, then L2TP (Length and Sequence fields) carrying IPv6
        eth() / PPPoE(sessionid=0x11) / Raw(PPP_IPV4 + bytes(
            IP(src=LAC, dst=LNS) / UDP(sport=1701, dport=1701)
            / Raw(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV6 + http_get("l2tp-v6.example", 40000, v6=True),
                       length=True, sequence=True)))),
        # the smallest header, IPv4 inside, a DNS query
        over_udp(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV4 + dns_query("l2tp-dns.example", 1))),
        # an Offset field with padding, PPP without address and control, its protocol compressed
        over_udp(l2tp(b"\x21" + http_get("l2tp-offset.example", 40001), offset=b"\x00\x00\x00\x00")),
        # from the server's end (source port 1701 only), every optional field
        over_udp(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV4 + http_get("l2tp-reply-side.example", 40002),
                      length=True, sequence=True, offset=b""), sport=1701, dport=50000, src=LNS, dst=LAC),
        # no user traffic: a control message, and L2TPv3 (its sessions need their set-up)
        over_udp(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV4 + http_get("l2tp-control.example", 40003), control=True,
                      length=True, sequence=True)),
        over_udp(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV4 + http_get("l2tp-v3.example", 40004), version=3)),
        # damaged: a Length below the header's own, an Offset past the end of the message
        over_udp(l2tp(PPP_ADDRESS_CONTROL + PPP_IPV4 + http_get("l2tp-short-length.example", 40005),
                      length=True, length_value=3)),
        over_udp(l2tp(b"", offset=b"")[:-2] + b"\xff\xf0" + PPP_ADDRESS_CONTROL + PPP_IPV4
                 + http_get("l2tp-offset-past-end.example", 40006)),
    ]
    write("l2tp-ppp.pcap", packets)


def icmp_quoted_dns() -> None:
    router, router6 = "192.0.2.1", "2001:db8:64::1"
    packets: list[Packet] = []
    for icmp_type, code, name in ((3, 3, "unreachable.example"), (11, 0, "time-exceeded.example"),
                                  (4, 0, "source-quench.example"), (12, 0, "parameter-problem.example"),
                                  (5, 1, "redirect.example")):
        quoted = dns_query(name, icmp_type)
        packets.append(eth() / IP(src=router, dst=CLIENT) / ICMP(type=icmp_type, code=code) / Raw(quoted))
    quoted6 = bytes(IPv6(src=CLIENT6, dst=SERVER6) / UDP(sport=30100, dport=53)
                    / DNS(id=7, rd=1, qd=DNSQR(qname="unreachable-v6.example")))
    packets.append(eth() / IPv6(src=router6, dst=CLIENT6) / ICMPv6DestUnreach(code=4) / Raw(quoted6))
    quoted6 = bytes(IPv6(src=CLIENT6, dst=SERVER6) / UDP(sport=30101, dport=53)
                    / DNS(id=8, rd=1, qd=DNSQR(qname="time-exceeded-v6.example")))
    packets.append(eth() / IPv6(src=router6, dst=CLIENT6) / ICMPv6TimeExceeded() / Raw(quoted6))
    write("icmp-quoted-dns.pcap", packets)


def dns_comma_label() -> None:
    """Labels holding commas: ``,.`` (one label of a comma and a dot, as in dnsjit's sll2.pcap)
    and ``a,b.comma.example``."""
    def query(labels: list[bytes], ident: int) -> bytes:
        name = b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"
        return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"

    packets: list[Packet] = [
        eth() / IP(src=CLIENT, dst=SERVER) / UDP(sport=30200 + i, dport=53) / Raw(query(labels, i))
        for i, labels in enumerate(([b",."], [b"a,b", b"comma", b"example"], [b"plain", b"example"]))]
    write("dns-comma-label.pcap", packets)


def radio_headers() -> None:
    def frame(name: str, protected: bool = False) -> bytes:
        """An 802.11 data frame to the access point (open network): LLC/SNAP, IPv4, a DNS query."""
        wifi = Dot11(type=2, subtype=0, FCfield=0x41 if protected else 0x01, addr1="02:00:00:00:00:0a",
                     addr2="02:00:00:00:00:0b", addr3="02:00:00:00:00:0c")
        return bytes(wifi / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) / Raw(dns_query(name, 9)))

    def prism(little: bool, size: int = 144) -> bytes:
        order = "<" if little else ">"
        return struct.pack(order + "II", 0x44, size) + b"wlan0".ljust(16, b"\x00") + bytes(120)

    def avs(size: int = 64) -> bytes:
        return struct.pack("!II", 0x80211001, size) + bytes(56)

    stamp = 1_700_200_100
    prism_frames = [prism(True) + frame("prism-le.example"), prism(False) + frame("prism-be.example"),
                    avs() + frame("avs-in-prism.example"), prism(True, 4000) + frame("prism-length-ignored.example"),
                    prism(True) + frame("prism-protected.example", protected=True),
                    struct.pack("<II", 0x99, 144) + bytes(136) + frame("prism-unknown-code.example"),
                    avs(4000) + frame("avs-too-long.example")]
    wrpcap(str(HERE / "wifi-prism.pcap"), [_stamped(Raw(f), stamp + i) for i, f in enumerate(prism_frames)],
           linktype=119)
    ack = b"\xd4\x00\x00\x00" + bytes.fromhex("02000000000b")  # a control frame: 10 bytes
    avs_frames = [avs() + frame("avs.example"), avs(72) + bytes(8) + frame("avs-v2.example"), avs() + ack,
                  avs() + frame("avs-cut.example")[:20]]
    wrpcap(str(HERE / "wifi-avs.pcap"), [_stamped(Raw(f), stamp + i) for i, f in enumerate(avs_frames)],
           linktype=163)


def _stamped(packet: Packet, when: int) -> Packet:
    packet.time = when
    return packet


MAKERS = {"l2tp": l2tp_ppp, "icmp": icmp_quoted_dns, "comma": dns_comma_label, "radio": radio_headers}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
