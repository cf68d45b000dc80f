"""The fast paths of issue 16 give byte-for-byte the results of the plain path.

- ``Extractor.run`` (the loop that handles bulk TCP itself) against ``packet`` for every frame,
  with and without flows, on every capture we have: every aggregate must be equal;
- names read by several processes (``collect/net/parallel``), with cuts forced into small
  files, against one pass: the same names and the same notes.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP, IPOption
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from exposure.collect.base import CollectorError
from exposure.collect.net import parallel
from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import NotACapture, open_capture
from exposure.collect.net.results import tunnel_counts
from exposure.collect.net.tls import client_hello_names
from exposure.commands.names import names_of
from tests.network.test_capture import client_hello
from tests.paths import FIXTURES, needs_shared

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
OURS = sorted(p for p in DATA.iterdir() if p.suffix in (".pcap", ".gz", ".pcapng"))
NAMES = sorted((FIXTURES / "pcaps" / "names").glob("*/capture*")) if FIXTURES.exists() else []
TCPDUMP = sorted((FIXTURES / "pcaps" / "tcpdump").glob("*.pcap*")) if FIXTURES.exists() else []


def state(ex: Extractor) -> dict[str, Any]:
    return {
        "names": ex.names.as_json(), "packets": ex.packets, "ip": ex.ip_packets, "undecoded": ex.undecoded,
        "overflow": ex.overflow, "dropped": ex.dropped, "first": ex.first_time, "last": ex.last_time,
        "dns": {k: (v.count, v.first, v.last, sorted(v.answers)) for k, v in ex.dns_obs.items()},
        "servers": {k: (v.count, v.first, v.last) for k, v in ex.server_obs.items()},
        "certs": {k: (v.count, v.sni) for k, v in ex.cert_obs.items()},
        "flows": {k: (v.count, v.bytes_out, v.bytes_in, v.opened, list(v.starts), v.first, v.last)
                  for k, v in ex.flows.items()},
        "addresses": ex.address_names,
        # what flows showed of VPN tunnels (collect/net/vpn.py), which the loop checks as the packet path does
        "tunnels": tunnel_counts(ex.flows),
        "vpn": {k: (v.vpn.kind(), v.vpn.steps, v.vpn.resets, sorted(v.vpn.initiated), sorted(v.vpn.answered))
                for k, v in ex.flows.items() if v.vpn is not None},
        # the order things were first seen in, which the observations keep
        "order": [list(table) for table in (ex.dns_obs, ex.server_obs, ex.cert_obs, ex.flows, ex.address_names)],
    }


def three_ways(path: Path, **options: bool) -> list[dict[str, Any]]:
    """Packet by packet; the loop over frames; the loop reading the file itself (pcap records)."""
    out = []
    for way in ("plain", "frames", "file"):
        ex = Extractor(**options)
        with open_capture(path, hashing=False) as reader:
            ex.tcp.keys = reader.secrets  # TLS keys in the capture, as ``run`` takes them from a reader
            if way == "file":
                ex.run(reader)
            elif way == "frames":
                ex.run(reader.frames())
            else:
                for frame in reader.frames():
                    ex.packet(*frame)
            problems = dict(reader.problems)
        ex.finish()
        out.append({**state(ex), "problems": problems})
    return out


def _check_loop(paths: list[Path]) -> int:
    checked = 0
    for path in paths:
        for options in ({}, {"flows": False, "certificates": False, "observations": False}):
            try:
                plain, frames, file = three_ways(path, **options)
            except NotACapture:
                break
            assert frames == plain, (path.name, options)
            assert file == plain, (path.name, options)
            checked += 1
    return checked


def test_the_loop_equals_packet_by_packet_on_our_captures() -> None:
    assert _check_loop(OURS) >= 2 * len(OURS) - 2


@needs_shared()
def test_the_loop_equals_packet_by_packet_on_the_shared_captures() -> None:
    assert _check_loop(NAMES + TCPDUMP) > 1500


def test_the_loop_reads_dns_datagrams_and_payloads_as_the_packet_path(tmp_path: Path) -> None:
    """The loop's own paths for DNS datagrams and for TCP payloads that may begin a name, at their
    edges: UDP lengths that disagree with IP's, port 53 beside the mDNS and LLMNR ports, a damaged
    message, VLAN tags, IPv4 options, a SYN with data, times that go back or are zero."""
    query = bytes(DNS(id=7, qd=DNSQR(qname="edge.example")))
    answer = bytes(DNS(id=7, qr=1, qd=DNSQR(qname="edge.example")))
    frames: list[Any] = []

    def udp(payload: bytes, sport: int = 40000, dport: int = 53, length: int | None = None, **ip: Any) -> Any:
        return Ether() / IP(src="10.0.0.2", dst="10.0.0.1", **ip) / UDP(sport=sport, dport=dport, len=length) \
            / Raw(payload)

    frames += [udp(query), Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=40000) / Raw(answer)]
    frames += [udp(query, length=len(query) + 8 + 40), udp(query, length=4), udp(query, length=0),
               udp(query, length=len(query)), udp(query, sport=5353), udp(query, sport=5355), udp(query, dport=5353),
               udp(query[:9]), udp(b"\xff" * 40), udp(query, options=[IPOption(b"\x01" * 4)])]
    frames.append(Ether() / Dot1Q(vlan=5) / IP(src="10.0.0.3", dst="10.0.0.1") / UDP(sport=40001, dport=53)
                  / Raw(query))
    hello = client_hello("edge-tls.example")
    frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=41000, dport=443, flags="S", seq=9)
                  / Raw(hello))
    frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=41001, dport=443, flags="PA", seq=5)
                  / Raw(hello[:40]))
    frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=41001, dport=443, flags="PA", seq=45)
                  / Raw(hello[40:]))
    frames.append(Ether() / IPv6(src="fd00::2", dst="fd00::9") / TCP(sport=41002, dport=80, flags="PA")
                  / Raw(b"GET / HTTP/1.1\r\nHost: edge-http.example\r\n\r\n"))
    frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=41003, dport=53, flags="PA")
                  / Raw(len(query).to_bytes(2, "big") + query))
    frames.append(Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=41004, dport=443, flags="PA", dataofs=15)
                  / Raw(hello[:30]))  # a header longer than the segment
    times = [1_700_000_000 + i * 7.5 for i in range(len(frames))]
    times[5], times[9] = times[2], 0  # back in time, and no time
    for frame, when in zip(frames, times, strict=True):
        frame.time = when
    path = tmp_path / "edges.pcap"
    wrpcap(str(path), frames)
    for options in ({}, {"flows": False, "certificates": False, "observations": False}):
        plain, by_frames, by_file = three_ways(path, **options)
        assert by_frames == plain and by_file == plain, options
    assert {"edge.example"} <= set(plain["names"]["dns"])
    assert plain["names"]["tls_sni"] == ["edge-tls.example"] and plain["names"]["http_host"] == ["edge-http.example"]
    seen: list[int] = []

    class Counting(Extractor):
        def packet(self, link: int, ts: float, data: bytes) -> None:
            seen.append(link)
            super().packet(link, ts, data)

    with open_capture(path, hashing=False) as reader:
        Counting().run(reader)
    assert len(seen) < len(frames) - 5  # the loop read the plain datagrams and payloads itself


# -- both cores ----------------------------------------------------------------------------------


def _same_in_parallel(path: Path, workers: int) -> bool:
    try:
        one: list[str] = []
        expected = names_of(str(path), notes=one, workers=1)
    except CollectorError:
        return False
    many: list[str] = []
    assert names_of(str(path), notes=many, workers=workers, min_bytes=0).as_json() == expected.as_json(), path
    assert many == one, path
    return True


def busy_capture(path: Path, conversations: int = 600, seed: int = 16) -> Path:
    """Many interleaved conversations (DNS over UDP and TCP, split ClientHellos, HTTP requests cut
    in pieces), so that any cut falls inside several of them."""
    rng = random.Random(seed)
    pending: list[list[Any]] = []
    for i in range(conversations):
        client, port = f"10.0.{i // 250}.{i % 250 + 1}", 20000 + i
        kind = i % 4
        if kind == 0:
            pending.append([Ether() / IP(src=client, dst="10.9.9.9") / UDP(sport=port, dport=53)
                            / DNS(id=i, qd=DNSQR(qname=f"udp{i}.example"))])
            continue
        if kind == 1:
            msg = bytes(DNS(id=i, qd=DNSQR(qname=f"tcp{i}.example")))
            payload, dport = len(msg).to_bytes(2, "big") + msg, 53
        elif kind == 2:
            payload, dport = client_hello(f"tls{i}.example", padding=rng.randint(0, 3000)), 443
        else:
            payload, dport = f"GET /{i} HTTP/1.1\r\nUser-Agent: t\r\nHost: http{i}.example\r\n\r\n".encode(), 80
        cuts = sorted(rng.sample(range(1, len(payload)), 2))
        pieces = [payload[:cuts[0]], payload[cuts[0]:cuts[1]], payload[cuts[1]:]]
        seq = 1000
        packets = [Ether() / IP(src=client, dst="10.9.9.8") / TCP(sport=port, dport=dport, flags="S", seq=seq - 1)]
        for piece in pieces:
            packets.append(Ether() / IP(src=client, dst="10.9.9.8") / TCP(sport=port, dport=dport, flags="PA", seq=seq)
                           / Raw(piece))
            seq += len(piece)
        packets.append(Ether() / IP(src=client, dst="10.9.9.8") / TCP(sport=port, dport=dport, flags="FA", seq=seq))
        pending.append(packets)
    frames = []
    while pending:  # interleave the conversations
        conv = rng.choice(pending)
        frames.append(conv.pop(0))
        if not conv:
            pending.remove(conv)
    for i, frame in enumerate(frames):
        frame.time = 1_700_000_000 + i * 0.01
    wrpcap(str(path), frames)
    return path


@pytest.mark.parametrize("workers", [2, 3, 7])
def test_a_busy_capture_cut_into_ranges_gives_the_one_pass_names(tmp_path: Path, workers: int) -> None:
    path = busy_capture(tmp_path / "busy.pcap")
    split = parallel.names_in_parallel(str(path), workers, 0)
    assert split is not None  # really read in ranges
    assert split.names.as_json() == names_of(str(path), workers=1).as_json()
    assert len(split.names.dns) == 300 and len(split.names.tls_sni) > 140 and len(split.names.http_host) == 150


def test_ranges_fall_back_to_one_pass_for_gzip_and_small_files(tmp_path: Path) -> None:
    assert parallel.names_in_parallel(str(DATA / "bomb-long-names.pcap.gz"), 2, 0) is None
    path = busy_capture(tmp_path / "busy.pcap", conversations=40)
    assert parallel.names_in_parallel(str(path), 2) is None  # under MIN_PARALLEL_BYTES


def test_parallel_names_on_our_captures() -> None:
    assert sum(_same_in_parallel(path, workers) for path in OURS for workers in (2, 3)) >= 2 * len(OURS) - 2


@needs_shared()
def test_parallel_names_on_the_shared_captures() -> None:
    assert sum(_same_in_parallel(path, 2) for path in NAMES + TCPDUMP) > 800


@pytest.mark.parametrize("first", [1, 2, 5, 6, 7, 8, 9, 10, 60])
def test_a_client_hello_cut_anywhere_in_its_first_bytes_is_found(tmp_path: Path, first: int) -> None:
    """The whole-ClientHello fast path must leave a cut one to the stream (a first segment of 6
    bytes once raised inside it and lost the name)."""
    from tests.network.test_capture import tcp_segments

    hello = client_hello("cut-hello.example")
    path = tmp_path / "cut.pcap"
    wrpcap(str(path), tcp_segments(hello, [first, len(hello)]))
    assert names_of(str(path)).tls_sni == {"cut-hello.example"}


def _hello_body(extensions: bytes, ext_len: int | None = None) -> bytes:
    size = len(extensions) if ext_len is None else ext_len
    return b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + struct.pack("!H", size) + extensions


def _extension(kind: int, data: bytes) -> bytes:
    return struct.pack("!HH", kind, len(data)) + data


def _sni(*names: str) -> bytes:
    entries = b"".join(struct.pack("!BH", 0, len(n)) + n.encode() for n in names)
    return _extension(0, struct.pack("!H", len(entries)) + entries)


def test_client_hello_names_walk_every_extension() -> None:
    """The extension walk reads headers by index: every server_name extension, wherever it is
    among others (type 0x0100 is not server_name), and extensions cut off by the body's end."""
    others = _extension(0x0100, b"x" * 5) + _extension(0x000A, b"\x00\x02\x00\x1d") + _extension(0x0010, b"")
    assert client_hello_names(_hello_body(others + _sni("a.example") + others + _sni("b.example", "c.example"))) \
        == ["a.example", "b.example", "c.example"]
    assert client_hello_names(_hello_body(others)) == []
    assert client_hello_names(_hello_body(_extension(0x0100, _sni("not.example")[4:]))) == []
    whole = _hello_body(others + _sni("cut.example"))
    assert client_hello_names(whole[:-4]) == ["cut.exa"]  # the name cut by the end of the body
    assert client_hello_names(_hello_body(others + _sni("long.example"), ext_len=1000)) == ["long.example"]
    assert client_hello_names(_hello_body(others + b"\x00\x00\x00")) == []  # a header cut short
    assert client_hello_names(b"\x03\x03" + bytes(10)) is None
