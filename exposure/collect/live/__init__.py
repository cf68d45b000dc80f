"""Live capture: record one network interface into a private pcap file while showing what is seen.

The frames go to disk exactly as received (see :mod:`.pcapfile`); the names shown while
recording come from the same small parsers the capture reader uses
(:class:`exposure.collect.net.extract.Extractor`), fed frame by frame, so what the person
sees live is what the analysis will read. :mod:`.collector` makes this a source like any
other for :func:`exposure.scan.run_scan` (kind "live"): watch, then check what was seen.

Capturing needs privileges (see :mod:`.sniffer`). Without them :func:`record` raises
:class:`CapturePermissionError` before any file is created. The loop stops at the
deadline, when ``cancel`` or ``stop`` is set, or on Ctrl-C (the KeyboardInterrupt is
absorbed: the file is completed and the result returned).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from exposure.collect.live.pcapfile import SNAPLEN, default_output, open_private
from exposure.collect.live.pcapfile import PcapFile as _PcapFile
from exposure.collect.live.sniffer import (
    DLT_EN10MB,
    CapturePermissionError,
    Interface,
    can_capture,
    default_interface,
    linktype,
    list_interfaces,
    open_socket,
    privilege_error,
    privilege_message,
    tune,
)
from exposure.collect.net.extract import Extractor, NameSets
from exposure.errors import UserError

__all__ = [
    "DLT_EN10MB",
    "SNAPLEN",
    "CapturePermissionError",
    "CaptureResult",
    "Interface",
    "LiveProgress",
    "UserError",
    "_PcapFile",
    "can_capture",
    "default_interface",
    "default_output",
    "list_interfaces",
    "open_private",
    "open_socket",
    "privilege_error",
    "privilege_message",
    "record",
]

_POLL = 0.25  # seconds between checks of the deadline and of ``cancel``
_BATCH = 512  # packets read per wake-up at most, so the deadline and Ctrl-C stay responsive


@dataclass(frozen=True, slots=True)
class LiveProgress:
    """What the capture has seen so far; ``new_names`` are (kind, name) first seen since the last report."""

    elapsed: float
    packets: int
    bytes: int
    names: int
    new_names: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class CaptureResult:
    path: Path
    interface: str
    started: datetime
    finished: datetime
    packets: int = 0
    bytes: int = 0
    stopped_by: str = "duration"  # "duration" | "interrupt" | "cancel" | "stop" | "error"
    error: str = ""  # with "error": why recording stopped early (disk full, interface gone)
    names: NameSets = field(default_factory=NameSets)


def record(iface: str, out: Path, duration: float | None = None,
           progress: Callable[[LiveProgress], None] | None = None, cancel: threading.Event | None = None,
           report_every: float = 1.0, started: Callable[[], None] | None = None,
           stop: threading.Event | None = None) -> CaptureResult:
    """Capture ``iface`` into ``out`` until ``duration`` seconds pass, ``cancel`` or ``stop``
    is set, or Ctrl-C. (Both events end the recording; the file is complete either way:
    ``stop`` means "check what was seen", ``cancel`` that the caller drops it.)

    The socket is opened first, so a missing privilege leaves no empty file behind.
    ``started`` is called once the socket and the file are open and recording begins.
    """
    sock = open_socket(iface)
    try:
        handle = open_private(out)
    except BaseException:
        sock.close()
        raise
    pcap = _PcapFile(handle)
    link = linktype(sock)
    extractor = Extractor(flows=False, certificates=False, observations=False)
    result = CaptureResult(path=out, interface=iface, started=datetime.now(UTC), finished=datetime.now(UTC))
    cancel = cancel or threading.Event()
    stop = stop or threading.Event()
    began = time.monotonic()
    deadline = began + duration if duration is not None else None
    next_report = began + report_every
    shown = _NameTracker()
    drain = tune(sock)
    behind = False
    try:
        pcap.start(link)
        if started is not None:
            started()
        while True:
            now = time.monotonic()
            why = _why_stop(cancel, stop, deadline, now)
            if why:
                result.stopped_by = why
                break
            if progress is not None and now >= next_report:
                next_report = now + report_every
                progress(_progress(now - began, result, extractor, shown))
            wait = _POLL if deadline is None else max(0.0, min(_POLL, deadline - now))
            if not sock.select([sock], wait):
                continue
            # Drain what is queued before looking at the clock again: one select per burst.
            # When the previous burst filled a whole batch we are behind: the packets still
            # all go to the file, but names are not parsed live until we catch up (the
            # analysis afterwards reads them from the file).
            parse = not behind
            read = 0
            for _ in range(_BATCH if drain else 1):
                try:
                    _cls, data, ts = sock.recv_raw(SNAPLEN)
                except BlockingIOError:
                    break
                if not data:
                    continue
                read += 1
                ts = float(ts) if ts else time.time()
                pcap.write(ts, data)
                result.packets += 1
                result.bytes += len(data)
                if parse:
                    extractor.packet(link, ts, data)
            behind = drain and read >= _BATCH
    except KeyboardInterrupt:
        result.stopped_by = "interrupt"
    except OSError as exc:  # the disk filled up, the interface went away...
        result.stopped_by = "error"
        result.error = exc.strerror or str(exc)
    finally:
        sock.close()
        try:
            pcap.close()
        except OSError as exc:
            result.stopped_by = "error"
            result.error = result.error or exc.strerror or str(exc)
        result.finished = datetime.now(UTC)
    extractor.finish()
    result.names = extractor.names
    if progress is not None:
        progress(_progress(time.monotonic() - began, result, extractor, shown))
    return result


def _why_stop(cancel: threading.Event, stop: threading.Event, deadline: float | None, now: float) -> str:
    """Why the recording ends now ("cancel", "stop", "duration"), or "" to go on."""
    if cancel.is_set():
        return "cancel"
    if stop.is_set():
        return "stop"
    if deadline is not None and now >= deadline:
        return "duration"
    return ""


class _NameTracker:
    """Which names were already reported, so each progress report carries only new ones."""

    def __init__(self) -> None:
        self.reported: dict[str, set[str]] = {"dns": set(), "tls": set(), "quic": set(), "http": set()}

    def new(self, names: NameSets) -> tuple[tuple[str, str], ...]:
        out = []
        for kind, current in (("dns", names.dns), ("tls", names.tls_sni), ("quic", names.quic_sni),
                              ("http", names.http_host)):
            seen = self.reported[kind]
            if len(current) > len(seen):
                fresh = sorted(current - seen)
                seen.update(fresh)
                out += [(kind, name) for name in fresh]
        return tuple(out)


def _progress(elapsed: float, result: CaptureResult, extractor: Extractor, shown: _NameTracker) -> LiveProgress:
    names = extractor.names
    total = len(names.dns | names.tls_sni | names.quic_sni | names.http_host)
    return LiveProgress(elapsed, result.packets, result.bytes, total, shown.new(names))
