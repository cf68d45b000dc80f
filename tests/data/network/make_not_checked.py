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
- ``tls-no-names.pcap``: TCP 443 already under way when the capture began (no handshake, no
  lookup): IP traffic without a single name;
- ``short-dns.pcap``: three DNS lookups over 2 seconds; ``long-dns.pcap``: the same lookups
  spread over 12 minutes.

Every capture's packets are ``STEP`` seconds apart unless said otherwise.
"""

from __future__ import annotations

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
    wrpcap(str(HERE / "tls-no-names.pcap"), tls_no_names())
    wrpcap(str(HERE / "short-dns.pcap"), dns_over(2.0))
    wrpcap(str(HERE / "long-dns.pcap"), dns_over(12 * 60.0))


if __name__ == "__main__":
    main()
