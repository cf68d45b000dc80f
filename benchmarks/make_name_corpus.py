"""Write many small, varied captures for measuring name agreement with tshark (not tuned on).

    .venv/bin/python benchmarks/make_name_corpus.py OUTDIR [--count 300] [--seed 18]

Each capture mixes, at random: DNS queries and answers over UDP and TCP (IPv4/IPv6, some
cut short), TLS ClientHellos split over 1-3 segments on random ports, HTTP/1.x requests cut
at random places (on port 80 and on other ports), cleartext DNS over HTTP/1.1 (POST), mDNS,
LLMNR and NetBIOS lookups, IP fragments; over Ethernet, 802.1Q, PPPoE, Linux cooked v1 or
raw IP links. Then ``benchmarks/compare_names.py OUTDIR`` compares exposure with tshark-names.
"""

from __future__ import annotations

import argparse
import random
import string
import struct
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP, fragment
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import CookedLinux, Dot1Q, Ether
from scapy.layers.netbios import NBNSHeader, NBNSQueryRequest
from scapy.layers.ppp import PPP, PPPoE
from scapy.packet import Packet, Raw
from scapy.utils import PcapWriter

TLDS = ["com", "net", "org", "example", "io", "cn", "de", "xyz"]


def name(rng: random.Random) -> str:
    labels = ["".join(rng.choices(string.ascii_lowercase + string.digits + "-", k=rng.randint(1, 12))).strip("-")
              or "a" for _ in range(rng.randint(1, 3))]
    return ".".join([*labels, rng.choice(TLDS)])


def client_hello(server: str, rng: random.Random) -> bytes:
    sni = server.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    padding = struct.pack("!HH", 21, rng.randint(0, 600))
    extensions = ext_sni + padding + b"\x00" * int(struct.unpack("!H", padding[2:])[0])
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x00" + b"\x00\x04\x13\x01\x13\x02" + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def cuts(data: bytes, rng: random.Random, most: int) -> list[bytes]:
    points = sorted(rng.sample(range(1, len(data)), min(rng.randint(0, most), len(data) - 1)))
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.link = rng.choice(["eth", "eth", "vlan", "pppoe", "sll", "raw"])
        self.v6 = rng.random() < 0.25
        self.packets: list[Packet] = []
        self.client = "2001:db8::10" if self.v6 else f"192.0.2.{rng.randint(2, 250)}"
        self.server = "2001:db8::20" if self.v6 else f"198.51.100.{rng.randint(2, 250)}"

    def frame(self, l3: Packet) -> Packet:
        if self.link == "eth":
            return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / l3
        if self.link == "vlan":
            return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / Dot1Q(vlan=self.rng.randint(1, 4000)) / l3
        if self.link == "pppoe":
            proto = 0x0057 if self.v6 else 0x0021
            return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / PPPoE(sessionid=3) / PPP(proto=proto) / l3
        if self.link == "sll":
            return CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x01\x00\x00",
                               proto=0x86DD if self.v6 else 0x0800) / l3
        return l3

    def ip(self, src: str, dst: str) -> Packet:
        return IPv6(src=src, dst=dst) if self.v6 else IP(src=src, dst=dst)

    def udp(self, sport: int, dport: int, payload: bytes, src: str | None = None, dst: str | None = None) -> None:
        src, dst = src or self.client, dst or self.server
        pkt = self.ip(src, dst) / UDP(sport=sport, dport=dport) / Raw(payload)
        if not self.v6 and len(payload) > 300 and self.rng.random() < 0.3:
            for piece in fragment(pkt, fragsize=256):  # type: ignore[no-untyped-call]
                self.packets.append(self.frame(piece))
        else:
            self.packets.append(self.frame(pkt))

    def tcp(self, dport: int, pieces: list[bytes], shuffle: bool = False) -> None:
        sport = self.rng.randint(30000, 60000)
        c, s = self.client, self.server
        seq = self.rng.randint(1000, 2**31)
        self.packets.append(self.frame(self.ip(c, s) / TCP(sport=sport, dport=dport, flags="S", seq=seq - 1)))
        self.packets.append(self.frame(self.ip(s, c) / TCP(sport=dport, dport=sport, flags="SA", seq=99, ack=seq)))
        segs = []
        pos = seq
        for piece in pieces:
            segs.append(self.frame(self.ip(c, s) / TCP(sport=sport, dport=dport, flags="PA", seq=pos, ack=100)
                                   / Raw(piece)))
            pos += len(piece)
        if shuffle and len(segs) > 2:
            a, b = self.rng.sample(range(1, len(segs)), 2)
            segs[a], segs[b] = segs[b], segs[a]
        self.packets.extend(segs)
        if self.rng.random() < 0.8:
            self.packets.append(self.frame(self.ip(c, s) / TCP(sport=sport, dport=dport, flags="FA", seq=pos, ack=100)))

    # -- kinds of traffic --------------------------------------------------------------

    def dns(self) -> None:
        rng = self.rng
        q = name(rng)
        query = DNS(id=rng.randint(0, 65535), rd=1, qd=DNSQR(qname=q, qtype=rng.choice(["A", "AAAA", "HTTPS"])))
        resolver = "2001:db8::53" if self.v6 else "192.0.2.53"
        if rng.random() < 0.2:
            msg = bytes(query)
            self.tcp(53, cuts(struct.pack("!H", len(msg)) + msg, rng, 2))
            return
        sport = rng.randint(1024, 65535)
        self.udp(sport, 53, bytes(query), dst=resolver)
        answer = DNS(id=query.id, qr=1, rd=1, ra=1, qd=query.qd,
                     an=DNSRR(rrname=q, type="CNAME", rdata=name(rng)) / DNSRR(rrname=q, rdata="203.0.113.5"))
        raw = bytes(answer)
        if rng.random() < 0.2:
            raw = raw[:rng.randint(12 + len(q) + 6, len(raw) - 1)]  # cut short in the answers
        self.udp(53, sport, raw, src=resolver, dst=self.client)

    def tls(self) -> None:
        hello = client_hello(name(self.rng), self.rng)
        self.tcp(self.rng.choice([443, 443, 8443, 5223, 9001, 31337]), cuts(hello, self.rng, 2))

    def http(self) -> None:
        rng = self.rng
        host = name(rng) + (f":{rng.randint(1, 65535)}" if rng.random() < 0.2 else "")
        method = rng.choice(["GET", "GET", "POST", "HEAD", "PUT"])
        request = (f"{method} /{name(rng)} HTTP/1.{rng.randint(0, 1)}\r\nUser-Agent: x/1\r\nHost: {host}\r\n"
                   f"Accept: */*\r\n\r\n").encode()
        port = rng.choice([80, 80, 8080, 3128, 8000, 5000])
        self.tcp(port, cuts(request, rng, 4))

    def doh(self) -> None:
        body = bytes(DNS(id=0, rd=1, qd=DNSQR(qname=name(self.rng))))
        request = (b"POST /dns-query HTTP/1.1\r\nHost: " + name(self.rng).encode()
                   + b"\r\nContent-Type: application/dns-message\r\nContent-Length: "
                   + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.tcp(80, cuts(request, self.rng, 2))

    def local(self) -> None:
        rng = self.rng
        kind = rng.choice(["mdns", "llmnr", "nbns"])
        if kind == "nbns" and not self.v6:
            payload = bytes(NBNSHeader() / NBNSQueryRequest(QUESTION_NAME=name(rng)[:15].upper(), QUESTION_TYPE="NB"))
            self.udp(137, 137, payload)
        elif kind == "llmnr":
            self.udp(rng.randint(49152, 65535), 5355, bytes(DNS(id=rng.randint(0, 65535), qd=DNSQR(qname=name(rng)))))
        else:
            self.udp(5353, 5353, bytes(DNS(id=0, qd=DNSQR(qname=name(rng) + ".local"))))


def make(path: Path, rng: random.Random) -> None:
    builder = Builder(rng)
    kinds = [builder.dns, builder.dns, builder.tls, builder.http, builder.http, builder.doh, builder.local]
    for _ in range(rng.randint(3, 12)):
        rng.choice(kinds)()
    linktype = {"sll": 113, "raw": 101}.get(builder.link, 1)
    with PcapWriter(str(path), linktype=linktype, sync=True) as writer:
        for i, pkt in enumerate(builder.packets):
            pkt.time = 1_700_000_000 + i * 0.01
            writer.write(pkt)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for i in range(args.count):
        make(args.outdir / f"corpus-{i:04d}.pcap", rng)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
