"""Every capture of tcpdump's test suite (many malformed on purpose) is read without a
traceback and without hanging; what cannot be decoded ends up in warnings, not exceptions."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from exposure.collect.base import CollectContext, CollectorError
from exposure.collect.net.extract import PARSER_ERROR
from exposure.collect.pcap import PcapCollector
from exposure.observations.network import Flow, ServerName
from tests.paths import FIXTURES, locate, needs_shared
from tests.said import keep_english

TCPDUMP = FIXTURES / "pcaps" / "tcpdump"  # the whole suite: only in ../shared


def tcpdump_files() -> list[Path]:
    return sorted(p for p in TCPDUMP.iterdir() if p.suffix in (".pcap", ".pcapng"))
PER_FILE_SECONDS = 10


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"reading {what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@needs_shared()
def test_there_are_many_captures() -> None:
    assert len(tcpdump_files()) >= 800


@needs_shared()
def test_every_tcpdump_capture_is_read_without_a_traceback() -> None:
    not_captures: list[str] = []
    with_warnings = 0
    packets = 0
    for path in tcpdump_files():
        collector = PcapCollector(str(path))
        warnings: list[str] = []
        with deadline(PER_FILE_SECONDS, path.name):
            try:
                observations = list(collector.collect(CollectContext(warn=keep_english(warnings))))
            except CollectorError as exc:  # a clear one-line refusal is fine; anything else fails the test
                assert "\n" not in str(exc)
                not_captures.append(path.name)
                continue
        packets += collector.info.counts["packets"]
        assert len(collector.info.sha256) == 64
        assert PARSER_ERROR not in collector.info.undecoded, path.name
        # every undecoded reason is reported once, with its count
        assert len(warnings) >= len(collector.info.undecoded)
        for reason, count in collector.info.undecoded.items():
            if not reason.startswith("file: "):
                assert f"{count} packet{'s' if count != 1 else ''} could not be decoded ({reason})" in warnings
        with_warnings += bool(warnings)
        assert all(o.source == str(path) for o in observations)
    assert packets > 10_000
    assert with_warnings > 50  # the suite is full of damaged and exotic packets
    assert len(not_captures) <= 5, not_captures


@pytest.mark.parametrize(("name", "inner"), [
    ("gso-ipv4-vxlan-ipv4.pcap", ("tcp", "192.168.1.2", "192.168.1.1")),
    ("geneve.pcap", ("tcp", "30.0.0.2", "30.0.0.1")),
    ("bigtcp-ipv6-geneve-ipv6.pcap", ("tcp", "fd00::1", "fd00::2")),
])
def test_tunnelled_traffic_gives_inner_flows(name: str, inner: tuple[str, str, str]) -> None:
    collector = PcapCollector(str(locate(f"fixtures/pcaps/tcpdump/{name}")))
    flows = {(o.protocol, o.client, o.server) for o in collector.collect(CollectContext()) if isinstance(o, Flow)}
    assert inner in flows
    assert collector.info.undecoded == {}


def test_quic_after_version_negotiation() -> None:
    """tshark 4.0.17 fails to decrypt this Initial (docs/tshark-differences.md); the GCM tag proves our keys."""
    collector = PcapCollector(str(locate("fixtures/pcaps/tcpdump/quic_vn.pcap")))
    names = {(o.protocol, o.name) for o in collector.collect(CollectContext()) if isinstance(o, ServerName)}
    assert ("quic", "localhost") in names
