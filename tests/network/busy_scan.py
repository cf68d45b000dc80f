"""A busy capture for the scan in byte ranges: hundreds of conversations interleaved over forty
minutes, so that any cut falls inside several of them, of every kind the merge has to join.

DNS over UDP (the same names again and again) and TCP, TLS 1.2 handshakes with the server's
certificate (the ClientHello and the certificate cut into segments), HTTP requests cut in pieces
with a second request after a pause, connections closed by FIN or RST and reopened on the same
ports, a late packet after a close, long-lived connections and UDP beacons with pauses around the
idle times (10 s and 2 minutes), ICMP, and a few fragmented DNS answers.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
from functools import cache
from pathlib import Path
from typing import Any

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

from tests.network.test_capture import client_hello

START = 1_700_000_000.0
SPAN = 2400.0
NAMES = [f"host{i}.example" for i in range(40)]


@cache
def certificate_der(name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32))  # the same bytes every time
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(7).not_valid_before(dt.datetime(2024, 1, 1)).not_valid_after(dt.datetime(2034, 1, 1))
            .sign(key, None))
    return cert.public_bytes(serialization.Encoding.DER)


def server_flight(name: str) -> bytes:
    server_hello = b"\x02" + (38).to_bytes(3, "big") + b"\x03\x03" + bytes(32) + b"\x00" + b"\x13\x01" + b"\x00"
    der = certificate_der(name)
    chain = len(der).to_bytes(3, "big") + der
    certificate = b"\x0b" + (len(chain) + 3).to_bytes(3, "big") + len(chain).to_bytes(3, "big") + chain
    return (b"\x16\x03\x03" + struct.pack("!H", len(server_hello)) + server_hello
            + b"\x16\x03\x03" + struct.pack("!H", len(certificate)) + certificate)


class _Conversation:
    """One TCP connection's packets, with times."""

    def __init__(self, out: list[tuple[float, Packet]], client: str, server: str, sport: int, dport: int,
                 t: float) -> None:
        self.out, self.client, self.server, self.sport, self.dport, self.t = out, client, server, sport, dport, t
        self.seq = {True: 1000, False: 5000}

    def send(self, forward: bool, flags: str, payload: bytes = b"", gap: float = 0.01) -> None:
        self.t += gap
        src, dst = (self.client, self.server) if forward else (self.server, self.client)
        sport, dport = (self.sport, self.dport) if forward else (self.dport, self.sport)
        packet = Ether() / IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags, seq=self.seq[forward])
        if payload:
            packet = packet / Raw(payload)
        self.seq[forward] += len(payload) + (1 if "S" in flags or "F" in flags else 0)
        self.out.append((self.t, packet))

    def pieces(self, forward: bool, payload: bytes, rng: random.Random, most: int = 3) -> None:
        cuts = sorted(rng.sample(range(1, len(payload)), min(most - 1, len(payload) - 1)))
        for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True):
            self.send(forward, "PA", payload[a:b], gap=rng.choice((0.001, 0.01, 0.3)))

    def open(self) -> None:
        self.send(True, "S", gap=0)
        self.send(False, "SA")
        self.send(True, "A")

    def close(self, rng: random.Random) -> None:
        if rng.random() < 0.2:
            self.send(True, "R")
            return
        self.send(True, "FA")
        self.send(False, "FA")
        self.send(True, "A")


def _dns(out: list[tuple[float, Packet]], client: str, port: int, name: str, t: float, rng: random.Random) -> None:
    answers = [f"198.51.{rng.randrange(4)}.{rng.randrange(1, 30)}" for _ in range(rng.randint(1, 3))]
    query = Ether() / IP(src=client, dst="10.9.9.9") / UDP(sport=port, dport=53) / DNS(
        id=rng.randrange(65536), qd=DNSQR(qname=name))
    rrs = [DNSRR(rrname=name, rdata=a, ttl=60) for a in answers]
    answer_dns = DNS(id=query[DNS].id, qr=1, qd=DNSQR(qname=name), an=rrs[0] if len(rrs) == 1 else rrs[0] / rrs[1])
    answer = Ether() / IP(src="10.9.9.9", dst=client) / UDP(sport=53, dport=port) / answer_dns
    out.append((t, query))
    if rng.random() < 0.05:  # an answer in IP fragments
        for piece in fragment(IP(src="10.9.9.9", dst=client, id=rng.randrange(65536)) / UDP(sport=53, dport=port)  # type: ignore[no-untyped-call]
                              / DNS(bytes(answer_dns) + bytes(600)), fragsize=256):
            out.append((t + 0.02, Ether() / piece))
    else:
        out.append((t + 0.02, answer))


def _conversation(out: list[tuple[float, Packet]], i: int, rng: random.Random) -> None:  # noqa: C901
    client = f"10.0.{i // 200}.{i % 200 + 1}"
    server = f"93.184.{i % 7}.{rng.randrange(1, 5)}"
    name = rng.choice(NAMES)
    t = START + rng.uniform(0, SPAN)
    kind = i % 9
    if kind == 0:
        _dns(out, client, 20000 + i, name, t, rng)
    elif kind in (1, 2):  # TLS 1.2 with the server's certificate
        c = _Conversation(out, client, server, 30000 + i, 443, t)
        c.open()
        c.pieces(True, client_hello(name), rng)
        c.pieces(False, server_flight(name), rng, most=4)
        for _ in range(rng.randint(0, 4)):
            c.send(rng.random() < 0.5, "PA", b"\x17\x03\x03\x00\x10" + bytes(16), gap=rng.choice((0.05, 4.0)))
        c.close(rng)
        if rng.random() < 0.3:  # the same ports again: a late packet, or a new connection
            if rng.random() < 0.5:
                c.send(False, "A", gap=rng.choice((3.0, 15.0, 70.0)))
            else:
                c.seq = {True: 9000, False: 7000}
                c.t += rng.choice((2.0, 12.0, 130.0))
                c.open()
                c.close(rng)
    elif kind == 3:  # HTTP, a second request after a pause
        c = _Conversation(out, client, server, 31000 + i, rng.choice((80, 8080)), t)
        c.open()
        for n in range(rng.randint(1, 2)):
            c.pieces(True, f"GET /{n} HTTP/1.1\r\nUser-Agent: t\r\nHost: {name}\r\n\r\n".encode(), rng)
            c.send(False, "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            c.t += rng.choice((0.5, 8.0, 40.0))
        c.close(rng)
    elif kind == 4:  # DNS over TCP
        c = _Conversation(out, client, "10.9.9.9", 32000 + i, 53, t)
        c.open()
        for _ in range(rng.randint(1, 2)):
            msg = bytes(DNS(id=rng.randrange(65536), qd=DNSQR(qname=rng.choice(NAMES))))
            c.pieces(True, len(msg).to_bytes(2, "big") + msg, rng)
            c.t += rng.choice((0.1, 5.0))
        c.close(rng)
    elif kind == 5:  # long-lived, quiet for a while now and then
        c = _Conversation(out, client, server, 33000 + i, 5223, t - SPAN / 2)
        c.open()
        while c.t < START + SPAN:
            c.send(rng.random() < 0.6, "PA", bytes(rng.randint(1, 200)), gap=rng.choice((5.0, 30.0, 90.0, 125.0)))
    elif kind == 6:  # UDP beacons on one 5-tuple
        t = t - SPAN / 2
        while t < START + SPAN:
            out.append((t, Ether() / IP(src=client, dst=server) / UDP(sport=34000 + i, dport=4000) / Raw(bytes(40))))
            if rng.random() < 0.5:
                out.append((t + 0.05, Ether() / IP(src=server, dst=client) / UDP(sport=4000, dport=34000 + i)
                            / Raw(bytes(20))))
            t += rng.choice((20.0, 45.0, 130.0))
    elif kind == 7:
        out.append((t, Ether() / IP(src=client, dst=server) / ICMP() / Raw(bytes(32))))
        out.append((t + 0.03, Ether() / IP(src=server, dst=client) / ICMP(type=0) / Raw(bytes(32))))
    else:  # a server's reply arriving first, then the client's packets (who is the client?)
        c = _Conversation(out, client, server, 35000 + i, 8443, t)
        c.send(False, "A", gap=0)
        c.send(True, "PA", b"x" * 30)
        c.send(False, "PA", b"y" * 300, gap=rng.choice((1.0, 11.0)))


def busy_scan_capture(path: Path, conversations: int = 450, seed: int = 16) -> Path:
    rng = random.Random(seed)
    out: list[tuple[float, Any]] = []
    for i in range(conversations):
        _conversation(out, i, rng)
    out.sort(key=lambda item: item[0])
    frames = []
    for t, packet in out:
        packet.time = t
        if IP in packet:  # each address its own hardware address (so the merge of those is tested)
            packet[Ether].src, packet[Ether].dst = _mac(packet[IP].src), _mac(packet[IP].dst)
        frames.append(packet)
    wrpcap(str(path), frames)
    return path


def _mac(address: str) -> str:
    return "02:00:" + ":".join(f"{int(part):02x}" for part in address.split("."))
