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
- ``dnscrypt-hidden-lookups.pcap``: a phone that resolves its names through DNSCrypt (as the
  clients of nDPI's ``dnscrypt-v1-and-resolver-pings.pcap`` and ``avast_securedns.pcapng`` do). It
  asks each resolver, in plain DNS over UDP on the resolver's port 443, for its certificate: a TXT
  lookup of ``2.dnscrypt-cert.<zone>`` answered with a certificate (``DNSC...``), the same name left
  unanswered, and, as Avast SecureDNS does, a provider name that does not follow the convention
  (``2.SecureDNS.example.com``, mixed case) answered with a certificate. Then come its encrypted
  queries to the same address and port, over UDP (first byte of the client magic >= 0xc0, as a
  QUIC long header) and over TCP, and a connection to an address it never looked up in clear. A
  laptop on the same network uses no DNSCrypt: it looks a certificate up by hand through an
  ordinary resolver on port 53 (its router's, and a public one whose website it then opens over
  TCP 443), asks a server on UDP 5443 for TXT names that only contain ``dnscrypt-cert`` (answered
  with an SPF text, not a certificate) and then reaches that server on UDP 443, and reaches another
  address with no lookup: all three are still judged.
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


TLS_RECORD = b"\x17\x03\x03\x00\x10" + bytes(16)  # a TLS 1.2+ application data record, 16 bytes


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
        # lookups exchanged (TLS application data): a DoT connection in use, not a probe never answered
        Ether(src=PHONE_MAC, dst=ROUTER_MAC) / IP(src=PHONE, dst=DOT_RESOLVER)
        / TCP(sport=40001, dport=853, flags="PA", seq=1001, ack=5001) / TLS_RECORD,
        Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src=DOT_RESOLVER, dst=PHONE)
        / TCP(sport=853, dport=40001, flags="PA", seq=5001, ack=1001 + len(TLS_RECORD)) / TLS_RECORD,
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


DNSCRYPT_UDP, DNSCRYPT_TCP, DNSCRYPT_AVAST = "37.120.182.36", "93.177.65.183", "188.166.206.224"
PHONE_NO_LOOKUP = "120.232.51.160"
PUBLIC_RESOLVER, TXT_SERVER = "84.200.69.80", "45.67.89.40"


def dnscrypt_certificate(serial: int) -> bytes:
    """A DNSCrypt v2 certificate as a resolver sends it: "DNSC", version 2, minor 0, a 64-byte
    signature, the resolver's 32-byte key, the 8-byte client magic, serial, start and end times."""
    return (b"DNSC" + b"\x00\x02\x00\x00" + bytes(range(64)) + bytes(range(100, 132)) + b"\xc3\x9a\x11\x42"
            + serial.to_bytes(4, "big") + serial.to_bytes(4, "big") + (1_700_000_000).to_bytes(4, "big")
            + (1_800_000_000).to_bytes(4, "big"))


def udp(mac: str, src: str, dst: str, sport: int, dport: int, payload: Packet | bytes) -> Packet:
    return Ether(src=mac, dst=ROUTER_MAC) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / payload


def txt_lookup(mac: str, client: str, server: str, port: int, sport: int, ident: int, name: str,
               text: bytes | None) -> list[Packet]:
    """A TXT query from ``client`` and, unless ``text`` is None, the answer carrying ``text``."""
    query = DNS(id=ident, rd=0, qd=DNSQR(qname=name, qtype="TXT"))
    packets = [udp(mac, client, server, sport, port, query)]
    if text is not None:
        answer = DNS(id=ident, qr=1, aa=1, qd=DNSQR(qname=name, qtype="TXT"),
                     an=DNSRR(rrname=name, type="TXT", ttl=86400, rdata=[text]))
        back = Ether(src=ROUTER_MAC, dst=mac) / IP(src=server, dst=client) / UDP(sport=port, dport=sport) / answer
        packets.append(back)
    return packets


def encrypted_query(server: str, sport: int, n: int) -> list[Packet]:
    """A DNSCrypt query over UDP (client magic, client key, nonce, ciphertext) and its answer."""
    query = b"\xc3\x9a\x11\x42" + bytes((n * 11 + i * 7) % 256 for i in range(4 + 32 + 12 + 96))
    answer = b"r6fnvWj8" + bytes((n * 5 + i * 3) % 256 for i in range(24 + 120))
    return [udp(PHONE_MAC, PHONE, server, sport, 443, query),
            Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src=server, dst=PHONE) / UDP(sport=443, dport=sport) / answer]


def dnscrypt_hidden_lookups() -> list[Packet]:
    packets: list[Packet] = []
    # the phone: certificate lookups on each resolver's port 443, then its encrypted queries
    packets += txt_lookup(PHONE_MAC, PHONE, DNSCRYPT_UDP, 443, 40100, 0xC548, "2.dnscrypt-cert.resolver.example.net",
                          dnscrypt_certificate(1))
    packets += txt_lookup(PHONE_MAC, PHONE, DNSCRYPT_TCP, 443, 40101, 0xC549, "2.dnscrypt-cert.tcp.example.org",
                          None)
    packets += txt_lookup(PHONE_MAC, PHONE, DNSCRYPT_AVAST, 443, 40102, 0xD00D, "2.SecureDNS.example.com",
                          dnscrypt_certificate(2))
    packets += encrypted_query(DNSCRYPT_UDP, 40110, 1) + encrypted_query(DNSCRYPT_UDP, 40111, 2)
    packets += encrypted_query(DNSCRYPT_AVAST, 40112, 3)
    # over TCP (a reply too large for UDP is asked again over TCP): a length, then the encrypted query
    out, back = IP(src=PHONE, dst=DNSCRYPT_TCP), IP(src=DNSCRYPT_TCP, dst=PHONE)
    query = (150).to_bytes(2, "big") + b"\xc3\x9a\x11\x42" + bytes(i % 256 for i in range(148))
    packets += [syn(PHONE_MAC, out, 40120, 443),
                Ether(src=ROUTER_MAC, dst=PHONE_MAC) / back / TCP(sport=443, dport=40120, flags="SA", seq=7000,
                                                                  ack=1001),
                Ether(src=PHONE_MAC, dst=ROUTER_MAC) / out / TCP(sport=40120, dport=443, flags="PA", seq=1001,
                                                                 ack=7001) / query]
    packets.append(syn(PHONE_MAC, IP(src=PHONE, dst=PHONE_NO_LOOKUP), 40130, 443))  # resolved through DNSCrypt
    # the laptop: a certificate looked up by hand through ordinary resolvers on port 53 ...
    certificate = dnscrypt_certificate(3)
    packets += txt_lookup(LAPTOP_MAC, LAPTOP, RESOLVER, 53, 50100, 0xC001, "2.dnscrypt-cert.opendns.com", certificate)
    packets += txt_lookup(LAPTOP_MAC, LAPTOP, PUBLIC_RESOLVER, 53, 50101, 0xC002, "2.dnscrypt-cert.opendns.com",
                          certificate)
    packets.append(syn(LAPTOP_MAC, IP(src=LAPTOP, dst=PUBLIC_RESOLVER), 50102, 443))  # the resolver's website
    # ... names that only contain the convention, on an odd port, answered with no certificate ...
    for n, name in enumerate(("dnscrypt-cert.example.net", "www.2.dnscrypt-cert.example.net",
                              "2.dnscrypt-certs.example.net")):
        packets += txt_lookup(LAPTOP_MAC, LAPTOP, TXT_SERVER, 5443, 50110 + n, 0xC010 + n, name, b"v=spf1 -all")
    packets.append(udp(LAPTOP_MAC, LAPTOP, TXT_SERVER, 50120, 443, b"\xc3\x00\xff\xff" + bytes(range(60))))
    # ... and an address it never looked up
    packets.append(syn(LAPTOP_MAC, IP(src=LAPTOP, dst=LAPTOP_NO_LOOKUP), 50130, 443))
    return packets


def write(name: str, packets: list[Packet]) -> None:
    for i, packet in enumerate(packets):
        packet.time = 1_700_300_000 + i
    wrpcap(str(HERE / name), packets)


def main() -> None:
    write("dot-hidden-lookups.pcap", dot_hidden_lookups())
    write("port-80-not-http.pcap", port_80_not_http())
    write("dnscrypt-hidden-lookups.pcap", dnscrypt_hidden_lookups())


if __name__ == "__main__":
    main()
