"""Hostile input: mutated packets and damaged files never raise, never hang, and never reach
the parsers' last-resort error count (which would mean a parser bug)."""

from __future__ import annotations

import random
from pathlib import Path

from exposure.collect.base import CollectContext, CollectorError
from exposure.collect.net.extract import PARSER_ERROR, Extractor
from exposure.collect.net.reader import open_capture
from exposure.collect.pcap import PcapCollector
from tests.paths import NAME_CAPTURES

NAMES = NAME_CAPTURES


def _captures() -> list[Path]:
    return sorted(p for d in NAMES.iterdir() if d.is_dir() for p in d.iterdir() if p.name.startswith("capture"))


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        if op < 0.6 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.8:
            b = b[:rng.randrange(len(b) + 1)]
        else:
            b += rng.randbytes(rng.randint(1, 50))
    return bytes(b)


def test_mutated_packets_are_counted_not_raised() -> None:
    rng = random.Random(20261126)
    frames = []
    for path in _captures():
        with open_capture(path, hashing=False) as reader:
            frames += list(reader.frames())
    extractor = Extractor()
    for _ in range(30_000):
        link, ts, data = rng.choice(frames)
        extractor.packet(link, ts, _mutate(rng, data))
    extractor.finish()
    assert extractor.packets == 30_000
    assert sum(extractor.undecoded.values()) > 1_000  # the mutations did reach the parsers
    assert PARSER_ERROR not in extractor.undecoded


def test_damaged_files_are_read_or_refused_in_one_line(tmp_path: Path) -> None:
    rng = random.Random(7)
    captures = _captures()
    for i in range(150):
        raw = rng.choice(captures).read_bytes()
        damaged = _mutate(rng, raw[:24]) + raw[24:] if i % 3 == 0 else _mutate(rng, raw)
        path = tmp_path / f"damaged-{i}.pcap"
        path.write_bytes(damaged)
        collector = PcapCollector(str(path))
        try:
            list(collector.collect(CollectContext()))
        except CollectorError as exc:
            assert "\n" not in str(exc)
            continue
        assert PARSER_ERROR not in collector.info.undecoded
