"""IP fragments from an adversary (security review r3, item 8): a datagram with a gap followed by
many duplicates of one piece must not be put together again at each duplicate (a 10 MB capture
took 23 s against 2.2 s for as many ordinary packets), and a capture of nothing but such pieces
is "not checked" saying what it holds, not "no internet traffic ... e.g. Wi-Fi, Bluetooth"."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from exposure.collect.net import fragments
from exposure.collect.net.fragments import FRAGMENTS_UNJOINED, FragmentTable
from exposure.model import SourceSpec
from exposure.scan import ScanRequest, run_scan

PIECE = 256
PIECES = 20
DUPLICATES = 500
ETHERNET = bytes.fromhex("020000000002020000000001" + "0800")


def fragment(offset: int, more: bool, payload: bytes) -> bytes:
    flags = (0x2000 if more else 0) | offset // 8
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, flags, 64, 17, 0,
                       bytes([192, 168, 1, 50]), bytes([8, 8, 8, 8])) + payload


def gapped_then_duplicates() -> list[tuple[int, bool, bytes]]:
    """The last piece, every piece but the one before it, then duplicates of the first 8 bytes."""
    out = [(PIECES * PIECE, False, b"L" * PIECE)]
    out += [(i * PIECE, True, b"A" * PIECE) for i in range(PIECES - 1)]
    return out + [(0, True, b"D" * 8)] * DUPLICATES


def test_a_piece_that_adds_nothing_does_not_put_the_datagram_together_again(monkeypatch: pytest.MonkeyPatch) -> None:
    joins = []

    def counted_sorted(pieces: dict[int, bytes]) -> list[int]:
        joins.append(len(pieces))
        return sorted(pieces)

    monkeypatch.setattr(fragments, "sorted", counted_sorted, raising=False)
    table = FragmentTable(lambda _reason: None, lambda _reason: None)
    for offset, more, payload in gapped_then_duplicates():
        assert table.piece(("k",), offset, more, payload, 0.0) is None
    assert len(joins) <= 1, len(joins)  # was once per piece after the last: 520
    assert table.given_up() == {FRAGMENTS_UNJOINED: PIECES + DUPLICATES}
    # the missing piece completes it, once
    whole = table.piece(("k",), (PIECES - 1) * PIECE, True, b"B" * PIECE, 0.0)
    assert whole == b"A" * (PIECES - 1) * PIECE + b"B" * PIECE + b"L" * PIECE
    assert table.given_up() == {}


def test_a_capture_of_pieces_that_never_come_together_says_so(tmp_path: Path) -> None:
    capture = tmp_path / "fragments.pcap"
    records = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for k, (offset, more, payload) in enumerate(gapped_then_duplicates()):
        frame = ETHERNET + fragment(offset, more, payload)
        records.append(struct.pack("<IIII", 1_700_000_000, k, len(frame), len(frame)) + frame)
    capture.write_bytes(b"".join(records))
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), profiles=("stalkerware",)))
    unread = result.sources[0].unread
    assert unread is not None and unread.key == "error.source.only-fragments", unread
    assert dict(unread.params) == {"count": str(PIECES + DUPLICATES), "pieces": str(PIECES + DUPLICATES)}
    assert "Bluetooth" not in unread.text
