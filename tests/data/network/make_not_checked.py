"""Write the captures that hold little or nothing a check can read (the review of the network
captures, items 1, 2 and 4). Ours, generated with scapy (same licence as exposure).

    .venv/bin/python tests/data/network/make_not_checked.py

- ``no-ip-arp.pcap``: ARP requests and replies only (Ethernet), over 15 minutes;
- ``no-ip-wifi-encrypted.pcap``: 802.11 in monitor mode (link type 105): a beacon, and data
  frames whose Protected bit is set (WPA: nothing in them can be read), as a Wi-Fi recording
  made on the air gives;
- ``no-ip-bluetooth.pcap``: Bluetooth HCI packets (link type 201), no IP at all;
- ``few-ip-dhcp.pcap``: ARP, then one DHCP exchange and a few mDNS and SSDP multicasts: a
  handful of IP packets and no name of the internet;
- ``tunnel-esp.pcap``: IPsec ESP (IP protocol 50) to a public gateway, after IKE on UDP 500,
  and a DHCP exchange on the local network: no name anywhere;
- ``tunnel-openvpn.pcap``: OpenVPN over UDP 1194 (its opcodes: hard reset, then data);
- ``tunnel-wireguard.pcap``: WireGuard on UDP 51820 (an initiation, a response, data
  messages) without any key in the capture;
- ``tunnel-and-dns.pcap``: WireGuard as above, and one DNS lookup with its answer outside the
  tunnel: checked, but the tunnel is not opened;
- ``tunnel-wireguard-port.pcap``: WireGuard on UDP 2408 (a provider's own port): an initiation,
  its response naming it, data messages; ``tunnel-wireguard-midway.pcap``: WireGuard on UDP
  443 already under way (no handshake), data messages both ways that count up;
- ``tunnel-openvpn-port.pcap``: OpenVPN over UDP 1197 with ``--tls-auth`` (SHA1): the client's
  and the server's hard resets, then data; ``tunnel-openvpn-tcp443.pcap``: OpenVPN over TCP
  443 without ``--tls-auth``, a 2.6 client (early negotiation) and the server's reset with its TLV;
- ``not-a-tunnel.pcap``: ordinary UDP whose first bytes look like a tunnel's but whose shape is
  not: QUIC short headers beginning 0x40 and 0x50 (OpenVPN's reset opcodes), STUN, a game's
  messages with a little-endian type 1 to 4 (one 148 bytes long, unanswered), RTP, DNS
  whose IDs begin 0x38, 0x40 and 0x04 00 00 00, and a lookup of the root shaped like a reset;
- ``tls-no-names.pcap``: TCP 443 already under way when the capture began (no handshake, no
  lookup): IP traffic without a single name;
- ``short-dns.pcap``: three DNS lookups over 2 seconds; ``long-dns.pcap``: the same lookups
  spread over 12 minutes.

Every capture's packets are ``STEP`` seconds apart unless said otherwise.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.dot11 import Dot11, Dot11Beacon, Dot11Elt, RadioTap
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
START = 1_700_300_000
STEP = 5.0
PHONE, ROUTER, GATEWAY = "192.168.7.20", "192.168.7.1", "198.51.100.9"
PHONE_MAC, ROUTER_MAC = "02:00:00:00:07:20", "02:00:00:00:07:01"
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201
PROTECTED = 0x40  # the 802.11 frame control flag: the body is encrypted


def eth(out: bool = True) -> Ether:
    return Ether(src=PHONE_MAC, dst=ROUTER_MAC) if out else Ether(src=ROUTER_MAC, dst=PHONE_MAC)


def timed(packets: list[Packet], step: float = STEP) -> list[Packet]:
    for i, packet in enumerate(packets):
        packet.time = START + i * step
    return packets


def arp() -> list[Packet]:
    out: list[Packet] = []
    for _ in range(90):  # 15 minutes
        out.append(Ether(src=PHONE_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PHONE_MAC, psrc=PHONE, pdst=ROUTER))
        out.append(eth(False) / ARP(op=2, hwsrc=ROUTER_MAC, psrc=ROUTER, hwdst=PHONE_MAC, pdst=PHONE))
    return timed(out)


def wifi_encrypted() -> list[Packet]:
    beacon = RadioTap() / Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=ROUTER_MAC, addr3=ROUTER_MAC) \
        / Dot11Beacon() / Dot11Elt(ID="SSID", info=b"Home-0000")
    out: list[Packet] = [beacon]
    for i in range(60):
        body = bytes([0x20 + i % 7]) * 8 + bytes(range(i % 50, i % 50 + 80))  # CCMP header + data
        out.append(RadioTap() / Dot11(type=2, subtype=0, FCfield=0x01 | PROTECTED, addr1=ROUTER_MAC, addr2=PHONE_MAC,
                                      addr3=ROUTER_MAC) / Raw(body))
    return timed(out, 15.0)


def bluetooth() -> list[bytes]:
    # an HCI command and an event, each behind the 4-byte direction header (pseudo-header)
    command = struct.pack("!I", 0) + b"\x01\x03\x0c\x00"  # HCI_Reset
    event = struct.pack("!I", 1) + b"\x04\x0e\x04\x01\x03\x0c\x00"  # Command Complete
    return [command, event] * 20


def dhcp() -> list[Packet]:
    mac = bytes.fromhex(PHONE_MAC.replace(":", ""))
    return [
        Ether(src=PHONE_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67) / BOOTP(chaddr=mac, xid=7) / DHCP(options=[("message-type", "discover"), "end"]),
        eth(False) / IP(src=ROUTER, dst=PHONE) / UDP(sport=67, dport=68)
        / BOOTP(op=2, yiaddr=PHONE, chaddr=mac, xid=7) / DHCP(options=[("message-type", "offer"), "end"]),
        Ether(src=PHONE_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67) / BOOTP(chaddr=mac, xid=7) / DHCP(options=[("message-type", "request"), "end"]),
        eth(False) / IP(src=ROUTER, dst=PHONE) / UDP(sport=67, dport=68)
        / BOOTP(op=2, yiaddr=PHONE, chaddr=mac, xid=7) / DHCP(options=[("message-type", "ack"), "end"]),
    ]


def few_ip() -> list[Packet]:
    out = arp()[:20] + dhcp()
    out += [Ether(src=PHONE_MAC, dst="01:00:5e:00:00:fb") / IP(src=PHONE, dst="224.0.0.251")
            / UDP(sport=5353, dport=5353) / DNS(qd=DNSQR(qname="_googlecast._tcp.local", qtype="PTR"))] * 3
    out += [Ether(src=PHONE_MAC, dst="01:00:5e:7f:ff:fa") / IP(src=PHONE, dst="239.255.255.250")
            / UDP(sport=50000, dport=1900) / Raw(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n")] * 2
    return timed(out)


def esp() -> list[Packet]:
    out = dhcp()
    out += [eth() / IP(src=PHONE, dst=GATEWAY) / UDP(sport=500, dport=500) / Raw(bytes(28)),
            eth(False) / IP(src=GATEWAY, dst=PHONE) / UDP(sport=500, dport=500) / Raw(bytes(28))]
    for i in range(120):
        out.append(eth(i % 2 == 0) / IP(src=PHONE if i % 2 == 0 else GATEWAY, dst=GATEWAY if i % 2 == 0 else PHONE,
                                         proto=50) / Raw(struct.pack("!II", 0x1000 + i % 2, i // 2 + 1) + bytes(64)))
    return timed(out)


def openvpn() -> list[Packet]:
    hard_reset_client, hard_reset_server, data = 0x38, 0x40, 0x48  # opcodes 7, 8 and 9 (key id 0), shifted
    out: list[Packet] = [
        eth() / IP(src=PHONE, dst=GATEWAY) / UDP(sport=41000, dport=1194) / Raw(bytes([hard_reset_client]) + bytes(13)),
        eth(False) / IP(src=GATEWAY, dst=PHONE) / UDP(sport=1194, dport=41000)
        / Raw(bytes([hard_reset_server]) + bytes(25))]
    for i in range(100):
        out.append(eth(i % 2 == 0) / IP(src=PHONE if i % 2 == 0 else GATEWAY, dst=GATEWAY if i % 2 == 0 else PHONE)
                   / UDP(sport=41000 if i % 2 == 0 else 1194, dport=1194 if i % 2 == 0 else 41000)
                   / Raw(bytes([data]) + bytes(99)))
    return timed(out)


def wireguard() -> list[Packet]:
    initiation = b"\x01\x00\x00\x00" + bytes(144)
    response = b"\x02\x00\x00\x00" + bytes(88)
    out: list[Packet] = [eth() / IP(src=PHONE, dst=GATEWAY) / UDP(sport=43210, dport=51820) / Raw(initiation),
           eth(False) / IP(src=GATEWAY, dst=PHONE) / UDP(sport=51820, dport=43210) / Raw(response)]
    for i in range(80):
        out.append(eth(i % 2 == 0) / IP(src=PHONE if i % 2 == 0 else GATEWAY, dst=GATEWAY if i % 2 == 0 else PHONE)
                   / UDP(sport=43210 if i % 2 == 0 else 51820, dport=51820 if i % 2 == 0 else 43210)
                   / Raw(b"\x04\x00\x00\x00" + struct.pack("<IQ", 1, i) + bytes(96)))
    return timed(out)


def between(sport: int, dport: int, payloads: list[tuple[bool, bytes]], tcp: bool = False) -> list[Packet]:
    """Datagrams (or TCP segments, one payload each) between the phone's ``sport`` and the gateway's ``dport``."""
    out: list[Packet] = []
    seq = {True: 1000, False: 9000}
    for sent, payload in payloads:
        src, dst = (sport, dport) if sent else (dport, sport)
        layer = TCP(sport=src, dport=dst, flags="PA", seq=seq[sent], ack=seq[not sent]) if tcp else UDP(sport=src,
                                                                                                       dport=dst)
        seq[sent] += len(payload)
        out.append(eth(sent) / IP(src=PHONE if sent else GATEWAY, dst=GATEWAY if sent else PHONE) / layer
                   / Raw(payload))
    return out


def noise(size: int, seed: int) -> bytes:
    """Bytes that look random (what encryption gives), the same on every run."""
    return random.Random(seed).randbytes(size)


def wireguard_data(receiver: bytes, counter: int, size: int) -> bytes:
    return b"\x04\x00\x00\x00" + receiver + struct.pack("<Q", counter) + noise(size - 16, counter)


def wireguard_port() -> list[Packet]:
    """WireGuard's handshake (whitepaper 5.4.2, 5.4.3) and data (5.4.6) on UDP 2408."""
    phone, gateway = b"\x11\x22\x33\x44", b"\xa1\xb2\xc3\xd4"  # each side's index
    payloads = [(True, b"\x01\x00\x00\x00" + phone + noise(140, 1)),
                (False, b"\x02\x00\x00\x00" + gateway + phone + noise(80, 2))]
    for i in range(30):
        payloads.append((True, wireguard_data(gateway, i, 128)))
        payloads.append((False, wireguard_data(phone, i, 400)))
    return timed(between(45000, 2408, payloads))


def wireguard_midway() -> list[Packet]:
    payloads = []
    for i in range(12):
        payloads.append((True, wireguard_data(b"\x05\x06\x07\x08", 5000 + i, 96)))
        payloads.append((False, wireguard_data(b"\x09\x0a\x0b\x0c", 7000 + 2 * i, 1440)))
    return timed(between(45001, 443, payloads))


def openvpn_reset(opcode: int, session: bytes, rest: bytes, hmac: int = 0) -> bytes:
    """An OpenVPN control packet: opcode (key id 0), session id, [HMAC, replay id and time,] ``rest``."""
    replay = noise(hmac, opcode) + struct.pack("!II", 1, START - 60) if hmac else b""
    return bytes([opcode << 3]) + session + replay + rest


CLIENT_V2, SERVER_V2, DATA_V2 = 7, 8, 9
EARLY_NEG_START = b"\x0f\x00\x00\x00"


def openvpn_port() -> list[Packet]:
    """OpenVPN over UDP 1197 with --tls-auth (SHA1, 20 bytes): resets, the client's TLS, data."""
    client, server = noise(8, 3), noise(8, 4)
    payloads = [(True, openvpn_reset(CLIENT_V2, client, b"\x00" + bytes(4), hmac=20)),
                (False, openvpn_reset(SERVER_V2, server, b"\x01" + bytes(4) + client + bytes(4), hmac=20)),
                (True, bytes([4 << 3]) + client + noise(200, 5))]  # P_CONTROL_V1: the TLS ClientHello
    for i in range(40):
        payloads.append((i % 2 == 0, bytes([DATA_V2 << 3]) + b"\x00\x00\x01" + noise(300, 10 + i)))
    return timed(between(41001, 1197, payloads))


def openvpn_tcp443() -> list[Packet]:
    """OpenVPN over TCP 443, each packet after its 2-byte length: a 2.6 client's reset (early
    negotiation), the server's with its TLV (type 1, length 2, flags), then data."""
    client, server = noise(8, 6), noise(8, 7)
    framed = [(True, b"\x00" + EARLY_NEG_START),
              (False, b"\x01" + EARLY_NEG_START + client + bytes(4) + b"\x00\x01\x00\x02\x00\x01")]
    payloads = [(sent, struct.pack("!H", 9 + len(rest)) + openvpn_reset(op, sid, rest))
                for (sent, rest), op, sid in zip(framed, (CLIENT_V2, SERVER_V2), (client, server), strict=True)]
    for i in range(40):
        payloads.append((i % 2 == 0, struct.pack("!H", 404) + bytes([DATA_V2 << 3]) + noise(403, 20 + i)))
    syn = [eth() / IP(src=PHONE, dst=GATEWAY) / TCP(sport=50443, dport=443, flags="S", seq=999),
           eth(False) / IP(src=GATEWAY, dst=PHONE) / TCP(sport=443, dport=50443, flags="SA", seq=8999, ack=1000),
           eth() / IP(src=PHONE, dst=GATEWAY) / TCP(sport=50443, dport=443, flags="A", seq=1000, ack=9000)]
    return timed(syn + between(50443, 443, payloads, tcp=True))


def not_a_tunnel() -> list[Packet]:
    out: list[Packet] = []
    quic = [(i % 2 == 0, bytes([0x40 if i % 3 else 0x50]) + noise(8, 30 + i)[:8] + struct.pack("!II", 1, START - 60)
             + noise(300, 40 + i)) for i in range(60)]  # short headers whose bytes even fit a replay id
    out += between(51000, 443, quic)
    stun = [(True, b"\x00\x01\x00\x00\x21\x12\xa4\x42" + noise(12, 50)),
            (False, b"\x01\x01\x00\x0c\x21\x12\xa4\x42" + noise(24, 51))]
    out += between(52000, 3478, stun)
    game = [(True, b"\x01\x00\x00\x00" + noise(144, 60)),  # a 148-byte "type 1", never answered as WireGuard
            (False, b"\x02\x00\x00\x00" + noise(88, 61))]  # 92 bytes, answering another index
    game += [(i % 2 == 0, bytes([1 + i % 4]) + b"\x00\x00\x00" + noise(60 + 16 * (i % 5), 62 + i)) for i in range(40)]
    game += [(i % 2 == 0, b"\x04\x00\x00\x00" + b"\x01\x00\x00\x00" + noise(8, 100 + i) + noise(48, i))
             for i in range(20)]  # "type 4" whose "counter" does not count up
    out += between(53000, 27015, game)
    rtp = [(i % 2 == 0, b"\x80\x00" + struct.pack("!HI", i, 160 * i) + b"\x01\x02\x03\x04" + noise(160, 70 + i))
           for i in range(30)]
    out += between(54000, 16384, rtp)
    for ident in (0x3811, 0x4022, 0x5033, 0x0400):
        query = DNS(id=ident, rd=0, qd=DNSQR(qname="www.example.org"))
        answer = DNS(id=ident, qr=1, qd=DNSQR(qname="www.example.org"), an=DNSRR(rrname="www.example.org",
                                                                                     rdata="93.184.216.34"))
        out += between(40100 + ident % 7, 53, [(True, bytes(query)), (False, bytes(answer))])
    root = [(True, bytes(DNS(id=0x3812, rd=0, qd=DNSQR(qname=".", qtype="NS")))),
            (False, bytes(DNS(id=0x4013, qr=1, rd=0, qd=DNSQR(qname=".", qtype="NS"))))]
    out += between(40200, 53, root)
    return timed(out, 1.0)


def lookup(name: str, answer: str) -> list[Packet]:
    return [eth() / IP(src=PHONE, dst=ROUTER) / UDP(sport=40000, dport=53) / DNS(id=9, qd=DNSQR(qname=name)),
            eth(False) / IP(src=ROUTER, dst=PHONE) / UDP(sport=53, dport=40000)
            / DNS(id=9, qr=1, qd=DNSQR(qname=name), an=DNSRR(rrname=name, rdata=answer))]


def tunnel_and_dns() -> list[Packet]:
    out = wireguard()
    out[40:40] = lookup("www.example.org", "93.184.216.34")
    return timed(out)


def tls_no_names() -> list[Packet]:
    server = "93.184.216.34"
    out: list[Packet] = []
    for i in range(50):
        out.append(eth(i % 2 == 0) / IP(src=PHONE if i % 2 == 0 else server, dst=server if i % 2 == 0 else PHONE)
                   / TCP(sport=50000 if i % 2 == 0 else 443, dport=443 if i % 2 == 0 else 50000, flags="PA",
                         seq=1000 + i * 100) / Raw(b"\x17\x03\x03\x00\x40" + bytes(64)))
    return timed(out)


def dns_over(seconds: float) -> list[Packet]:
    out = lookup("www.example.org", "93.184.216.34") + lookup("news.example.net", "198.51.100.80")
    out += lookup("mail.example.com", "203.0.113.25")
    return timed(out, seconds / (len(out) - 1))


def main() -> None:
    wrpcap(str(HERE / "no-ip-arp.pcap"), arp())
    wrpcap(str(HERE / "no-ip-wifi-encrypted.pcap"), wifi_encrypted(), linktype=LINKTYPE_IEEE802_11_RADIOTAP)
    with (HERE / "no-ip-bluetooth.pcap").open("wb") as f:  # written by hand: scapy has no layer to build these
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR))
        for i, frame in enumerate(bluetooth()):
            f.write(struct.pack("<IIII", START + i * 30, 0, len(frame), len(frame)) + frame)
    wrpcap(str(HERE / "few-ip-dhcp.pcap"), few_ip())
    wrpcap(str(HERE / "tunnel-esp.pcap"), esp())
    wrpcap(str(HERE / "tunnel-openvpn.pcap"), openvpn())
    wrpcap(str(HERE / "tunnel-wireguard.pcap"), wireguard())
    wrpcap(str(HERE / "tunnel-and-dns.pcap"), tunnel_and_dns())
    wrpcap(str(HERE / "tunnel-wireguard-port.pcap"), wireguard_port())
    wrpcap(str(HERE / "tunnel-wireguard-midway.pcap"), wireguard_midway())
    wrpcap(str(HERE / "tunnel-openvpn-port.pcap"), openvpn_port())
    wrpcap(str(HERE / "tunnel-openvpn-tcp443.pcap"), openvpn_tcp443())
    wrpcap(str(HERE / "not-a-tunnel.pcap"), not_a_tunnel())
    wrpcap(str(HERE / "tls-no-names.pcap"), tls_no_names())
    wrpcap(str(HERE / "short-dns.pcap"), dns_over(2.0))
    wrpcap(str(HERE / "long-dns.pcap"), dns_over(12 * 60.0))


if __name__ == "__main__":
    main()
