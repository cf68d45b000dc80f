"""The names in a big capture read by several processes at once, exactly as one pass would find them.

The file is cut into byte ranges, one per process. Each cut is moved forward to the next
record (pcap) or block (pcapng) boundary, found by checking that several records in a row
are well formed. Each process reads its range with its own extractor and then keeps reading
past its end in *follow* mode (``Extractor.follow``): only the TCP streams, IP fragments and
QUIC Initials already under way are fed, until none is left, so whatever crosses a cut is
completed by the range where it began. The next range starts fresh at the cut.

Names are merged as sets, counts of undecoded packets are added. The result is checked to be
the one pass's: every range must end exactly where the next one starts (the record chain
lands on the cut), a pcapng file must not declare sections or interfaces after its first
packets, and no range may stop early on damage; otherwise ``None`` tells the caller to read
the file in one pass. Small files, gzip files and scapy's reader are always read in one pass.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from exposure.collect.net.extract import Extractor
from exposure.collect.net.flows import IDLE
from exposure.collect.net.reader import (
    CUT,
    MAX_RECORD,
    NO_CUT,
    PCAP_MAGICS,
    PCAPNG_MAGIC,
    SECRETS_BLOCK,
    CaptureReader,
    Frame,
    Interface,
    Section,
    SnapCut,
    interface_options,
    open_capture,
)
from exposure.collect.net.results import NameSets
from exposure.collect.net.streams import RESUME_WINDOW, StreamKey
from exposure.collect.net.udp import MAX_AWAITED, REPLIES_FROM_BEFORE_SECONDS

TICK_EVERY = 20_000  # frames between progress reports of a range
MIN_PARALLEL_BYTES = 64 << 20  # below this, starting processes costs more than it saves
SYNC_WINDOW = 1 << 20  # how far past a cut a record boundary is looked for
SYNC_RECORDS = 8  # well-formed records in a row that make a boundary
MAX_TIME_SPREAD = 366 * 86400.0  # record times this far from the first record's are not a capture's
TAIL_SECONDS = 2 * IDLE  # capture time a range follows past its end at most
# ... and packets it reads past its end while nothing under way gets more data: what is still
# waiting then (a request whose headers never end, a connection that stays open) is parsed as
# it stands, as one pass does when it sweeps it away after IDLE seconds
TAIL_QUIET = 20_000


@dataclass(slots=True)
class RangeResult:
    names: NameSets
    packets: int = 0
    undecoded: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    end_offset: int = -1  # where the range's records ended (-1: the file's end, or damage)
    late_headers: int = 0
    snap_cut: SnapCut = field(default_factory=SnapCut)  # records of the range the capture cut short
    under_way: set[StreamKey] = field(default_factory=set)  # TCP directions followed at the cut
    # what streams begun early in the range found, per direction: theirs unless the range
    # before had that direction under way at the cut (then it was the rest of that stream)
    window: dict[StreamKey, tuple[NameSets, dict[str, int]]] = field(default_factory=dict)
    # DNS queries on unusual ports (udp.AwaitedReplies): replies early in the range whose query was
    # not seen (it may be before the cut), and the most queries awaited at once
    unknown_replies: int = 0
    awaited_peak: int = 0
    ip_packets: int = 0  # (zero or not: whether the capture held any IP at all)


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def names_in_parallel(path: str, workers: int, min_bytes: int = MIN_PARALLEL_BYTES) -> RangeResult | None:
    """The names of ``path`` read by ``workers`` processes; None when it must be read in one pass."""
    planned = plan_ranges(path, workers, min_bytes)
    if planned is None:
        return None
    ranges, section = planned
    try:
        with ProcessPoolExecutor(len(ranges), mp_context=pool_context()) as pool:
            results = list(pool.map(_read_range, [path] * len(ranges), [r[0] for r in ranges],
                                    [r[1] for r in ranges], [section] * len(ranges)))
    except Exception:  # a process that failed or could not start: one pass is always right
        return None
    if any(result.unknown_replies for result in results) \
            or sum(result.awaited_peak for result in results) > MAX_AWAITED:
        return None  # replies to DNS queries on unusual ports that one pass reads otherwise (see ``udp``)
    merged = RangeResult(NameSets())
    before: set[StreamKey] = set()
    for i, (result, (_start, stop)) in enumerate(zip(results, ranges, strict=True)):
        last = i == len(ranges) - 1
        if result.late_headers or (not last and result.end_offset != stop):
            return None  # a boundary was not a real one, a range stopped on damage, or sections change
        merged.names.update(result.names)
        merged.packets += result.packets
        merged.ip_packets += result.ip_packets
        merged.snap_cut.add(result.snap_cut)
        tables = [result.undecoded, result.dropped, result.problems]
        for key, (names, undecoded) in result.window.items():
            if key not in before:  # a stream of its own, not the rest of the previous range's
                merged.names.update(names)
                tables.append(undecoded)
        for table, into in zip(tables, [merged.undecoded, merged.dropped, merged.problems]
                               + [merged.undecoded] * (len(tables) - 3), strict=True):
            for reason, count in table.items():
                into[reason] = into.get(reason, 0) + count
        before |= result.under_way  # a stream can stay under way across a whole range it has no packet in
    return merged


def plan_ranges(path: str, workers: int, min_bytes: int) -> tuple[list[tuple[int, int]], Section | None] | None:
    """The byte ranges (start, stop) to read ``path`` in, one per worker, and the pcapng section in
    force at the cuts; None when the file is to be read in one pass (small, gzip, no cut found)."""
    size = Path(path).stat().st_size
    if workers < 2 or size < min_bytes:
        return None
    with open_capture(path, hashing=False) as reader:
        if reader.compressed:
            return None
        found, section = cuts(reader, path, size, workers)
    if found is None or len(found) < 2:
        return None
    return list(zip(found, [*found[1:], size], strict=True)), section


def pool_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _read_range(path: str, start: int, stop: int, section: Section | None) -> RangeResult:
    extractor = Extractor(flows=False, certificates=False, observations=False)
    with open_capture(path, hashing=False) as reader:
        first_ts, frames = open_range(reader, start, stop, section)
        if first_ts is not None and start:
            extractor.tcp.resumed_until = first_ts + RESUME_WINDOW
            extractor._awaited.unknown_until = first_ts + REPLIES_FROM_BEFORE_SECONDS
        rest = read_range(reader, extractor, start, stop, frames)
        packets, problems, end = extractor.packets, dict(reader.problems), reader.cut_offset
        ip_packets = extractor.ip_packets
        dropped, snap_cut = dict(reader.dropped), reader.snap_cut.copy()  # the range's own, before following
        under_way = set(extractor.tcp.active)
        _follow(extractor, rest or iter(()))
        for reason, count in extractor.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + count
        window = {key: (out.tables.names, out.undecoded) for key, out in extractor.tcp.window.items()}
        return RangeResult(extractor.names, packets, dict(extractor.undecoded), dropped, problems, end,
                           reader.late_headers, snap_cut, under_way, window, extractor._awaited.unknown_replies,
                           extractor._awaited.peak, ip_packets)


def open_range(reader: CaptureReader, start: int, stop: int,
               section: Section | None) -> tuple[float | None, Iterator[Frame] | None]:
    """The time of the first packet from byte ``start`` on (None: none), and for pcapng the
    frames from there (pcap ranges are read by the loop itself, see ``read_range``)."""
    if reader.format == "pcap":
        return _pcap_first_time(reader, start), None
    frames = reader.frames_between(start, stop, section)
    first = next(frames, CUT)
    return (first[1] if first is not CUT else None), itertools.chain([first], frames)


def read_range(reader: CaptureReader, extractor: Extractor, start: int, stop: int, frames: Iterator[Frame] | None,
               tick: Callable[[], bool] | None = None) -> Iterator[Frame] | None:
    """Feed the range to ``extractor``; the frames after its end (None when the file ended first)."""
    if frames is None:
        if extractor.run(reader, tick, TICK_EVERY, start, stop):
            return reader.frames_between(reader.cut_offset, NO_CUT)
        return None
    return frames if extractor.run(frames, tick, TICK_EVERY) else None  # pcapng: returns at CUT


def _pcap_first_time(reader: CaptureReader, start: int) -> float | None:
    layout = reader.pcap_layout(start)
    if layout is None:
        return None
    head = reader.read_chunk(layout.rec_len)
    if len(head) < layout.rec_len:
        return None
    sec, frac, _caplen, _wire = layout.unpack(head, 0)
    return sec + frac * layout.unit


def _follow(extractor: Extractor, frames: Iterator[Frame]) -> None:
    """Past the range's end: complete what is under way, then stop (packets that cannot be
    decoded there are the next range's to count; the extractor leaves them out)."""
    extractor.follow()
    limit = (extractor.last_time or 0.0) + TAIL_SECONDS
    packet = extractor.packet
    countdown = 0
    fed, quiet = 0, 0
    for link, ts, data in frames:
        if not countdown:
            if extractor.fed != fed:
                fed, quiet = extractor.fed, 0
            else:
                quiet += 256
            if not extractor.under_way() or ts > limit or quiet >= TAIL_QUIET:
                break
            countdown = 256
        countdown -= 1
        packet(link, ts, data)
    extractor.finish()


# -- where to cut --------------------------------------------------------------------------------


def cuts(reader: CaptureReader, path: str, size: int, workers: int) -> tuple[list[int] | None, Section | None]:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        if reader.format == "pcap":
            order, _unit, rec_len = PCAP_MAGICS[head[:4]]
            if rec_len != 16 or len(head) < 24 + 16:
                return None, None
            first_sec = struct.unpack_from(order + "I", head, 24)[0]
            cuts = [0]
            for k in range(1, workers):
                found = _sync(f, size * k // workers, lambda buf, pos: _pcap_chain(buf, pos, order, first_sec))
                if found is None or found <= cuts[-1]:
                    return None, None
                cuts.append(found)
            return cuts, None
        section = _pcapng_section(head)
        if section is None:
            return None, None
        cuts = [0]
        for k in range(1, workers):
            found = _sync(f, size * k // workers, lambda buf, pos: _pcapng_chain(buf, pos, section[0]))
            if found is None or found <= cuts[-1]:
                return None, None
            cuts.append(found)
        return cuts, section


def _sync(f: BinaryIO, offset: int, chain: Callable[[bytes, int], bool]) -> int | None:
    f.seek(offset)
    buf = f.read(SYNC_WINDOW + SYNC_RECORDS * (MAX_RECORD + 64))
    for pos in range(min(SYNC_WINDOW, len(buf))):
        if chain(buf, pos):
            return offset + pos
    return None


def _pcap_chain(buf: bytes, pos: int, order: str, first_sec: int) -> bool:
    for _ in range(SYNC_RECORDS):
        if pos + 16 > len(buf):
            return False
        sec, frac, caplen, wire = struct.unpack_from(order + "IIII", buf, pos)
        if caplen > MAX_RECORD or caplen > wire or wire > 1 << 24 or frac >= 1_000_000_000 \
                or abs(sec - first_sec) > MAX_TIME_SPREAD:
            return False
        pos += 16 + caplen
    return True


def _pcapng_chain(buf: bytes, pos: int, order: str) -> bool:
    for _ in range(SYNC_RECORDS):
        if pos + 12 > len(buf):
            return False
        btype, blen = struct.unpack_from(order + "II", buf, pos)
        if btype not in (2, 3, 5, 6) or blen < 12 or blen % 4 or blen > MAX_RECORD + 64 or pos + blen > len(buf):
            return False
        if struct.unpack_from(order + "I", buf, pos + blen - 4)[0] != blen:
            return False
        pos += blen
    return True


def _pcapng_section(head: bytes) -> Section | None:
    """The byte order and interfaces declared at the start of a pcapng file (the section header
    and the interface blocks before the first packet)."""
    if head[:4] != PCAPNG_MAGIC or len(head) < 28:
        return None
    order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    interfaces: list[Interface] = []
    pos = 0
    while pos + 12 <= len(head):
        btype, blen = struct.unpack_from(order + "II", head, pos)
        if blen < 12 or pos + blen > len(head):
            return None
        if btype == 1:
            if blen < 20:
                return None
            link, _reserved, snap = struct.unpack_from(order + "HHI", head, pos + 8)
            unit, offset = interface_options(head, pos + 16, pos + blen - 4, order)
            interfaces.append((link, unit, offset, snap))
        elif btype == SECRETS_BLOCK:  # TLS keys: read in one pass (what they decrypt crosses any cut)
            return None
        elif btype not in (0x0A0D0D0A, 4):  # anything but section header / name resolution ends the header
            return order, interfaces
        pos += blen
    return None
