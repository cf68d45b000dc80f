"""The fast paths of issue 16 give byte-for-byte the results of the plain path.

- ``Extractor.run`` (the loop that handles bulk TCP itself) against ``packet`` for every frame,
  with and without flows, on every capture we have: every aggregate must be equal;
- names read by several processes (``collect/net/parallel``), with cuts forced into small
  files, against one pass: the same names and the same notes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from exposure.collect.base import CollectorError
from exposure.collect.net import parallel
from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import NotACapture, open_capture
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
        "flows": {k: (v.count, v.bytes_out, v.bytes_in, list(v.starts), v.first, v.last) for k, v in ex.flows.items()},
        "addresses": ex.address_names,
    }


def both_ways(path: Path, **options: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    out = []
    for fast in (False, True):
        ex = Extractor(**options)
        with open_capture(path, hashing=False) as reader:
            if fast:
                ex.run(reader.frames())
            else:
                for frame in reader.frames():
                    ex.packet(*frame)
        ex.finish()
        out.append(state(ex))
    return out[0], out[1]


def _check_loop(paths: list[Path]) -> int:
    checked = 0
    for path in paths:
        for options in ({}, {"flows": False, "certificates": False, "observations": False}):
            try:
                plain, fast = both_ways(path, **options)
            except NotACapture:
                break
            assert fast == plain, (path.name, options)
            checked += 1
    return checked


def test_the_loop_equals_packet_by_packet_on_our_captures() -> None:
    assert _check_loop(OURS) >= 2 * len(OURS) - 2


@needs_shared()
def test_the_loop_equals_packet_by_packet_on_the_shared_captures() -> None:
    assert _check_loop(NAMES + TCPDUMP) > 1500


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
