"""Read pcap and pcapng files (any byte order, micro- or nanosecond times, gzip) frame by frame.

``open_capture`` checks the file type and returns a :class:`CaptureReader` whose
``frames()`` yields ``(link_type, timestamp, bytes)``. Reading is streamed in large
chunks, so memory stays flat whatever the file size. A damaged record stops the reading
and is recorded in ``problems``; frames read before it are kept. The TLS keys of pcapng
Decryption Secrets Blocks are kept in ``secrets`` as they are read (``keylog``).

Two back ends exist: this struct-based block reader (the default) and scapy's
``RawPcapReader``/``RawPcapNgReader`` (``backend="scapy"``); BENCHMARKS.md compares them.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from exposure.collect.net.keylog import DAMAGED_BLOCK, KeyLog

CHUNK = 1 << 20
MAX_RECORD = 1 << 18  # 256 KiB: larger than any real snapshot length; more means a damaged file
MAX_INTERFACES = 1024  # interface descriptions per pcapng section; real captures have a handful
# a Decryption Secrets Block may be larger than a packet: PCAPdroid writes up to ~500 KB of keys at once
MAX_SECRETS_BLOCK = 4 << 20
SECRETS_BLOCK = 10  # pcapng Decryption Secrets Block
# Bytes a frame's original length may exceed its captured length by without the capture having
# cut it: some capture drivers give the length with the frame check sequence (Ethernet, 802.11)
# and leave the sequence itself out
FCS_BYTES = 4

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6, 16),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6, 16),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9, 16),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9, 16),
    b"\x34\xcd\xb2\xa1": ("<", 1e-6, 24),  # Kuznetzov's modified pcap (extra fields per record)
    b"\xa1\xb2\xcd\x34": (">", 1e-6, 24),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

Frame = tuple[int, float, bytes]
Interface = tuple[int, float, float, int]  # pcapng link type, time unit, time offset, snapshot length
Section = tuple[str, list[Interface]]  # pcapng byte order and interfaces
NO_CUT = 1 << 62
CUT = (-1, 0.0, b"")  # yielded once by ``frames_between`` where its range ends
READ_ERRORS = (OSError, EOFError, gzip.BadGzipFile)


class PcapLayout(NamedTuple):
    """How the records of a pcap file are read: their header's unpacker and length, the time
    unit, the link type, and the file offset of the first record to read."""

    unpack: Callable[[bytes, int], tuple[int, int, int, int]]
    rec_len: int
    unit: float
    link: int
    start: int


@dataclass(slots=True)
class SnapCut:
    """Packets the capture kept only the first bytes of (recorded with a small snapshot length,
    ``tcpdump -s 96``): what was in the rest of them (a name, a certificate) could not be read."""

    packets: int = 0
    kept: int = 0  # the most bytes kept of one: the snapshot length, when the capture cut them

    def note(self, caplen: int, wire: int, snap: int) -> None:
        """A record of ``caplen`` bytes of a ``wire``-byte frame (``caplen < wire``; ``snap``: the
        capture's snapshot length, 0 for none): counted unless only a frame check sequence is missing."""
        if wire - caplen > FCS_BYTES or 0 < snap <= caplen:
            self.packets += 1
            if caplen > self.kept:
                self.kept = caplen

    def add(self, other: SnapCut) -> None:
        self.packets += other.packets
        self.kept = max(self.kept, other.kept)

    def copy(self) -> SnapCut:
        return SnapCut(self.packets, self.kept)


class NotACapture(Exception):
    """The file is neither pcap nor pcapng (possibly gzip-compressed)."""


class CaptureReader:
    """One open capture file. Use as a context manager; iterate ``frames()`` once."""

    def __init__(self, path: Path, backend: str = "native", hashing: bool = True) -> None:
        self.path = path
        self.backend = backend
        self.compressed = False
        self.format = ""
        self.problems: dict[str, int] = {}
        self.dropped: dict[str, int] = {}  # cut off by limits against oversized (hostile) files
        self.cut_offset = -1  # where ``frames_between`` passed its stop (a record boundary)
        self.late_headers = 0  # pcapng section or interface blocks after packets (mid-file)
        self.snap_cut = SnapCut()  # records captured shorter than their frame
        self.snap_length = 0  # a pcap file's snapshot length (0: none)
        self.secrets = KeyLog()  # TLS keys stored in the capture (pcapng Decryption Secrets Blocks)
        # With ``keep_comments`` set, ``comment`` holds the current pcapng packet's comment
        # (an iPhone capture names the process behind each packet there); "" when it has none.
        self.keep_comments = False
        self.comment = ""
        self._plain: IO[bytes] = open(path, "rb")  # closed by close()
        self._raw: IO[bytes] = _HashingFile(self._plain) if hashing else self._plain  # type: ignore[assignment]
        self._file: IO[bytes] = self._raw
        try:
            head = self._raw.read(4)
            self._raw.seek(0)
            if head[:2] == b"\x1f\x8b":
                self.compressed = True
                self._file = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
                try:
                    head = self._file.read(4)
                except (OSError, EOFError) as exc:
                    raise NotACapture("damaged gzip file") from exc
                self._file.seek(0)
            if head in PCAP_MAGICS:
                self.format = "pcap"
            elif head == PCAPNG_MAGIC:
                self.format = "pcapng"
            else:
                raise NotACapture("not a capture file (pcap or pcapng)")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> CaptureReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not self._raw:
            self._file.close()
        self._plain.close()

    def sha256(self) -> str:
        """The SHA-256 of the whole file (reads whatever the frames did not)."""
        hashing = self._raw
        if not isinstance(hashing, _HashingFile):
            return ""
        while hashing.read(CHUNK):
            pass
        return hashing.hash.hexdigest()

    def position(self) -> int:
        """Bytes of the (compressed) file read so far, for progress."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def _problem(self, reason: str) -> None:
        self.problems[reason] = self.problems.get(reason, 0) + 1

    def frames(self) -> Iterator[Frame]:
        """The frames in file order (each generator handles read errors itself: one level of
        generator per frame is measurably cheaper than two)."""
        if self.backend == "scapy":
            return self._scapy_frames()
        if self.format == "pcap":
            return self._pcap_frames()
        return self._pcapng_frames()

    def frames_between(self, start: int, stop: int, section: Section | None = None) -> Iterator[Frame]:
        """The frames of an uncompressed capture from the record or block at ``start`` on, with
        ``CUT`` yielded once before the first record at or past ``stop`` (then the rest, for a
        reader that follows what crosses the cut). pcapng from the middle needs the ``section``
        in force there (its byte order and interfaces)."""
        if self.format == "pcap":
            return self._pcap_frames(start, stop)
        return self._pcapng_frames(start, stop, section)

    def _drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def _read_error(self) -> None:
        self._problem("damaged or truncated compressed data")

    # -- pcap -------------------------------------------------------------------------

    def pcap_layout(self, start: int = 0) -> PcapLayout | None:
        """The file header of a pcap file, the file positioned at the first record to read (at
        ``start`` when past the header); None, with the problem noted, when the header is cut short."""
        f = self._file
        f.seek(0)
        header = f.read(24)
        if len(header) < 24:
            self._problem("truncated file header")
            return None
        order, unit, rec_len = PCAP_MAGICS[header[:4]]
        snap, link_type = struct.unpack(order + "II", header[16:24])
        link_type &= 0xFFFF  # upper bits: FCS length
        self.snap_length = snap
        base = 24
        if start > base:
            f.seek(start)
            base = start
        return PcapLayout(struct.Struct(order + "IIII").unpack_from, rec_len, unit, link_type, base)

    def problem(self, reason: str) -> None:
        """Damage found while reading records (the reading loop of ``loop.py`` reports here)."""
        self._problem(reason)

    def read_error(self) -> None:
        self._read_error()

    def read_chunk(self, size: int) -> bytes:
        """Up to ``size`` more bytes of the (decompressed) file."""
        return self._file.read(size)

    def _pcap_frames(self, start: int = 0, stop: int = NO_CUT) -> Iterator[Frame]:
        try:
            f = self._file
            layout = self.pcap_layout(start)
            if layout is None:
                return
            unpack, rec_len, unit, link_type, base = layout  # base: the file offset of buf[0]
            snap = self.snap_length
            buf = b""
            pos = 0
            end = 0
            read = f.read
            while True:
                if end - pos < rec_len:
                    more = read(CHUNK)
                    base += pos
                    buf = buf[pos:] + more
                    pos, end = 0, len(buf)
                    if end < rec_len:
                        if end:
                            self._problem("truncated last packet")
                        return
                if base + pos >= stop:
                    self.cut_offset = base + pos
                    stop = NO_CUT
                    yield CUT
                sec, frac, caplen, wire = unpack(buf, pos)
                if caplen > MAX_RECORD:
                    self._problem("damaged packet record (impossible length)")
                    return
                first = pos + rec_len
                last = first + caplen
                if last > end:
                    more = read(max(CHUNK, caplen))
                    if not more:
                        self._problem("truncated last packet")
                        return
                    base += pos
                    buf = buf[pos:] + more
                    pos, end = 0, len(buf)
                    continue
                if caplen < wire:
                    self.snap_cut.note(caplen, wire, snap)
                yield link_type, sec + frac * unit, buf[first:last]
                pos = last
        except READ_ERRORS:
            self._read_error()

    # -- pcapng -----------------------------------------------------------------------

    # One branch per block type and per way a block can be damaged, in the loop over every
    # block (noqa: C901): split, each frame would pay a call.
    def _pcapng_frames(self, start: int = 0, stop: int = NO_CUT,  # noqa: C901
                       section: Section | None = None) -> Iterator[Frame]:
        try:
            f = self._file
            order = "<"
            interfaces: list[Interface] = []
            if section is not None:  # reading from the middle: the section's header and interfaces
                order, interfaces = section[0], list(section[1])
                f.seek(start)
            declared = len(interfaces)  # interface descriptions in this section, kept or not
            base = start  # the file offset of buf[0]
            packets_seen = False
            buf = b""
            pos = 0
            end = 0
            while True:
                if end - pos < 12:
                    base += pos
                    buf = buf[pos:] + f.read(CHUNK)
                    pos, end = 0, len(buf)
                    if end < 12:
                        if end:
                            self._problem("truncated last block")
                        return
                if base + pos >= stop:
                    self.cut_offset = base + pos
                    stop = NO_CUT
                    yield CUT
                btype_raw = buf[pos:pos + 4]
                if btype_raw == PCAPNG_MAGIC:
                    self.late_headers += packets_seen
                    bom = buf[pos + 8:pos + 12]
                    if bom == b"\x4d\x3c\x2b\x1a":
                        order = "<"
                    elif bom == b"\x1a\x2b\x3c\x4d":
                        order = ">"
                    else:
                        self._problem("damaged section header")
                        return
                    interfaces = []
                    declared = 0
                btype, blen = struct.unpack_from(order + "II", buf, pos)
                if blen < 12 or blen % 4 or (blen > MAX_RECORD + 64 and (btype != SECRETS_BLOCK
                                                                         or blen > MAX_SECRETS_BLOCK)):
                    self._problem("damaged block (impossible length)")
                    return
                if end - pos < blen:
                    more = f.read(max(CHUNK, blen))
                    if not more:
                        self._problem("truncated last block")
                        return
                    base += pos
                    buf = buf[pos:] + more
                    pos, end = 0, len(buf)
                    continue
                body = pos + 8
                bend = pos + blen - 4
                pos += blen
                if btype == 6 or btype == 2:  # enhanced / obsolete packet block
                    packets_seen = True
                    if bend - body < 20:
                        self._problem("damaged packet block")
                        continue
                    if btype == 6:
                        ifid, hi, lo, caplen, wire = struct.unpack_from(order + "IIIII", buf, body)
                    else:
                        ifid, _drops, hi, lo, caplen, wire = struct.unpack_from(order + "HHIIII", buf, body)
                    data_start = body + 20
                    if ifid >= len(interfaces) or data_start + caplen > bend:
                        if len(interfaces) <= ifid < declared and data_start + caplen <= bend:
                            self._drop(f"packets on interfaces beyond the first {MAX_INTERFACES}")
                        else:
                            self._problem("damaged packet block")
                        continue
                    link, unit, offset, snap = interfaces[ifid]
                    if caplen < wire:
                        self.snap_cut.note(caplen, wire, snap)
                    if self.keep_comments:
                        self.comment = _packet_comment(buf, data_start + ((caplen + 3) & ~3), bend, order)
                    yield link, ((hi << 32) | lo) * unit + offset, buf[data_start:data_start + caplen]
                elif btype == 3:  # simple packet block: interface 0, no time stamp
                    if not interfaces or bend - body < 4:
                        self._problem("damaged packet block")
                        continue
                    wire = struct.unpack_from(order + "I", buf, body)[0]
                    caplen = min(wire, bend - body - 4)
                    if caplen < wire:
                        self.snap_cut.note(caplen, wire, interfaces[0][3])
                    self.comment = ""
                    yield interfaces[0][0], 0.0, buf[body + 4:body + 4 + caplen]
                elif btype == 1:  # interface description
                    self.late_headers += packets_seen
                    declared += 1
                    if len(interfaces) >= MAX_INTERFACES:
                        self._drop(f"interface descriptions beyond the first {MAX_INTERFACES}")
                        continue
                    if bend - body < 8:
                        self._problem("damaged interface block")
                        interfaces.append((-1, 1e-6, 0.0, 0))
                        continue
                    link, _reserved, snap = struct.unpack_from(order + "HHI", buf, body)
                    unit, offset = interface_options(buf, body + 8, bend, order)
                    interfaces.append((link, unit, offset, snap))
                elif btype == SECRETS_BLOCK:
                    # keys change what is found from here on: a capture that has them is read in
                    # one pass, not in byte ranges (collect/net/parallel and merge see late_headers)
                    self.late_headers += 1
                    if bend - body < 8:
                        self.secrets.problem(DAMAGED_BLOCK)
                        continue
                    kind, size = struct.unpack_from(order + "II", buf, body)
                    if size > bend - body - 8:
                        self.secrets.problem(DAMAGED_BLOCK)
                        continue
                    self.secrets.block(kind, buf[body + 8:body + 8 + size], packets_seen)
        except READ_ERRORS:
            self._read_error()

    # -- scapy ------------------------------------------------------------------------

    def _scapy_frames(self) -> Iterator[Frame]:
        try:
            yield from self._scapy_records()
        except READ_ERRORS:
            self._read_error()
        except Exception:  # scapy's reader raises its own types on damaged records
            self._problem("damaged record (scapy reader)")

    def _scapy_records(self) -> Iterator[Frame]:
        from scapy.utils import RawPcapNgReader, RawPcapReader

        self._file.seek(0)
        reader: Any
        if self.format == "pcap":
            reader = RawPcapReader(self._file)  # type: ignore[arg-type]
            link = int(reader.linktype)
            for data, meta in reader:
                if len(data) < meta.wirelen:
                    self.snap_cut.note(len(data), meta.wirelen, int(reader.snaplen))
                yield link, meta.sec + meta.usec * 1e-6, data
        else:
            reader = RawPcapNgReader(self._file)  # type: ignore[arg-type]
            snaps = reader.interfaces  # (link type, snapshot length, time unit) as they are read
            for data, meta in reader:
                if len(data) < meta.wirelen:
                    self.snap_cut.note(len(data), meta.wirelen, int(snaps[-1][1]) if len(snaps) == 1 else 0)
                ts = ((meta.tshigh << 32) | meta.tslow) / meta.tsresol
                yield int(meta.linktype), ts, data


class _HashingFile:
    """A read-only file wrapper that hashes what is read (reading from the start once)."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.hash = hashlib.sha256()
        self._pos = 0
        self._hashed = 0

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        if self._pos == self._hashed:
            self.hash.update(data)
            self._hashed += len(data)
        elif self._pos < self._hashed < self._pos + len(data):
            self.hash.update(data[self._hashed - self._pos:])
            self._hashed = self._pos + len(data)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = self._f.seek(offset, whence)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._f.close()

    @property
    def closed(self) -> bool:
        return self._f.closed


def interface_options(buf: bytes, pos: int, end: int, order: str) -> tuple[float, float]:
    unit, offset = 1e-6, 0.0
    while pos + 4 <= end:
        code, length = struct.unpack_from(order + "HH", buf, pos)
        value = buf[pos + 4:pos + 4 + length]
        if code == 0:
            break
        if code == 9 and length >= 1:
            res = value[0]
            unit = 2.0 ** -(res & 0x7F) if res & 0x80 else 10.0 ** -res
        elif code == 14 and length == 8:
            offset = float(struct.unpack(order + "q", value)[0])
        pos += 4 + ((length + 3) & ~3)
    return unit, offset


def _packet_comment(buf: bytes, pos: int, end: int, order: str) -> str:
    """The first ``opt_comment`` (code 1) among a packet block's options, or ""."""
    while pos + 4 <= end:
        code, length = struct.unpack_from(order + "HH", buf, pos)
        if code == 0:
            break
        if code == 1:
            return buf[pos + 4:min(pos + 4 + length, end)].decode("utf-8", errors="replace")
        pos += 4 + ((length + 3) & ~3)
    return ""


def open_capture(path: str | Path, backend: str = "native", hashing: bool = True) -> CaptureReader:
    """Open a capture, raising NotACapture if it is not one and OSError if unreadable.

    With ``hashing`` the file's SHA-256 is computed as it is read (see ``sha256()``)."""
    return CaptureReader(Path(path), backend, hashing)
