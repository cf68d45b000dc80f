"""Live capture: record one network interface into a private pcap file while showing what is seen.

The frames go to disk exactly as received (a pcap file created with mode 0600, never
replacing an existing file); the names shown while recording come from the same small
parsers the capture reader uses (:class:`exposure.collect.net.extract.Extractor`), fed
frame by frame, so what the person sees live is what the analysis will read.

Capturing needs privileges (root or CAP_NET_RAW on Linux, /dev/bpf access on macOS,
Npcap on Windows). Without them :func:`record` raises :class:`CapturePermissionError`
(a :class:`~exposure.errors.UserError` whose message says how to fix it) before any file
is created. The loop stops at the deadline, when ``cancel`` is set, or on Ctrl-C (the
KeyboardInterrupt is absorbed: the file is completed and the result returned).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from exposure.collect.net.extract import Extractor, NameSets
from exposure.errors import UserError

SNAPLEN = 262_144
DLT_EN10MB = 1
_POLL = 0.25  # seconds between checks of the deadline and of ``cancel``
_RECORD = struct.Struct("<IIII")
_BATCH = 512  # packets read per wake-up at most, so the deadline and Ctrl-C stay responsive
_RCVBUF = 32 << 20
_SO_RCVBUFFORCE = 33  # Linux


class CapturePermissionError(UserError):
    """No privilege to open a capture socket. The message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class Interface:
    name: str
    up: bool
    addresses: tuple[str, ...]


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
    stopped_by: str = "duration"  # "duration" | "interrupt" | "cancel" | "error"
    error: str = ""  # with "error": why recording stopped early (disk full, interface gone)
    names: NameSets = field(default_factory=NameSets)


def privilege_message() -> str:
    """Why capturing failed for lack of rights, and how to fix it on this system."""
    if sys.platform == "darwin":
        return ("capturing needs administrator rights: run it with sudo, or give your user access to the "
                "capture devices (/dev/bpf*), for example with Wireshark's ChmodBPF helper")
    if sys.platform.startswith("win"):
        return ("capturing needs Npcap (https://npcap.com) and, if Npcap is limited to administrators, "
                "a terminal opened with 'Run as administrator'")
    python = os.path.realpath(sys.executable)
    return ("capturing needs administrator rights: run it with sudo, or allow this Python to capture with: "
            f"sudo setcap cap_net_raw,cap_net_admin=eip {python}")


def list_interfaces() -> list[Interface]:
    """Network interfaces with their state and addresses (psutil: no privileges needed)."""
    import socket

    import psutil

    stats = psutil.net_if_stats()
    out = []
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        addresses = tuple(a.address.split("%", 1)[0] for a in addrs if a.family in (socket.AF_INET, socket.AF_INET6))
        out.append(Interface(name, bool(stats[name].isup) if name in stats else False, addresses))
    return out


def default_interface() -> str:
    """The interface of the default route, as scapy sees it."""
    conf = _scapy()

    return str(getattr(conf.iface, "name", conf.iface))


def default_output(folder: Path | None = None, now: datetime | None = None) -> Path:
    """A timestamped capture file name in ``folder`` (the current folder by default)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return (folder or Path.cwd()) / f"capture-{stamp}.pcap"


def open_private(path: Path) -> BinaryIO:
    """Create ``path`` for writing with mode 0600; never replaces an existing file or follows a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise UserError(f"{path} already exists; choose another name with --out") from None
    except FileNotFoundError:
        raise UserError(f"folder {path.parent} does not exist") from None
    except PermissionError:
        raise UserError(f"cannot create {path}: permission denied") from None
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror or exc}") from None
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o600)  # the umask could only have removed bits; make it exact
        _give_back_to_sudo_user(fd)
    return os.fdopen(fd, "wb")


def _give_back_to_sudo_user(fd: int) -> None:
    """Under sudo, the person who asked should own their capture, so they can analyse it without sudo."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    uid, gid = os.environ.get("SUDO_UID", ""), os.environ.get("SUDO_GID", "")
    if uid.isdigit() and gid.isdigit():
        os.fchown(fd, int(uid), int(gid))


class _PcapFile:
    """A classic little-endian pcap (microsecond timestamps); the header waits for the link type."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._started = False

    def start(self, linktype: int) -> None:
        if not self._started:
            self._handle.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, linktype))
            self._started = True

    def write(self, ts: float, data: bytes) -> None:
        if not 0 <= ts < 2**32:  # the format's range; a clock gone wrong must not stop the recording
            ts = time.time()
        sec = int(ts)
        usec = min(round((ts - sec) * 1_000_000), 999_999)
        wire = len(data)
        data = data[:SNAPLEN]
        # one write call: a Ctrl-C cannot land between a record's header and its data
        self._handle.write(_RECORD.pack(sec, usec, len(data), wire) + data)

    def close(self) -> None:
        try:
            self.start(DLT_EN10MB)  # an empty capture is still a valid file
            self._handle.flush()
            with contextlib.suppress(OSError):
                os.fsync(self._handle.fileno())
        finally:
            with contextlib.suppress(OSError):
                self._handle.close()


def open_socket(iface: str) -> Any:
    """A scapy listening socket on ``iface`` (not promiscuous: this computer's own traffic)."""
    from scapy.error import Scapy_Exception

    conf = _scapy()

    for attempt in range(2):
        try:
            return conf.L2listen(iface=iface, promisc=False)
        except PermissionError:
            raise CapturePermissionError(privilege_message()) from None
        except ValueError as exc:
            if "not found" not in str(exc):
                raise UserError(f"cannot capture on {iface}: {exc}") from None
            if attempt == 0:
                conf.ifaces.reload()  # the interface may have appeared after scapy loaded
                continue
            raise UserError(f"no network interface named {iface!r}; "
                            "see 'exposure capture --list-ifaces'") from None
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise CapturePermissionError(privilege_message()) from None
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                raise UserError(f"no network interface named {iface!r}; "
                                "see 'exposure capture --list-ifaces'") from None
            raise UserError(f"cannot capture on {iface}: {exc.strerror or exc}") from None
        except (Scapy_Exception, ImportError) as exc:
            text = str(exc)
            if "bpf" in text.lower() or "permission" in text.lower():
                raise CapturePermissionError(privilege_message()) from None
            raise UserError(f"cannot capture on {iface}: {text}") from None
    raise AssertionError("unreachable")


def _scapy() -> Any:
    """scapy's configuration with the platform's sockets, routes and link layers loaded
    (a fraction of ``scapy.all``'s import time)."""
    try:
        import scapy.arch
        import scapy.layers.l2
        import scapy.route  # noqa: F401 - fills conf.route and conf.iface
        from scapy.config import conf
    except (ImportError, OSError) as exc:
        raise UserError(f"cannot load the capture library (scapy): {exc}") from None
    return conf


def _tune(sock: Any) -> bool:
    """A large kernel buffer (bursts are not dropped while Python catches up) and, on Linux,
    non-blocking reads, so a burst is drained without a select per packet. Returns whether
    reads are non-blocking."""
    raw = getattr(sock, "ins", None)
    if not isinstance(raw, socket.socket):
        return False
    for option in (_SO_RCVBUFFORCE, socket.SO_RCVBUF):  # FORCE passes the system limit (root/CAP_NET_ADMIN)
        try:
            raw.setsockopt(socket.SOL_SOCKET, option, _RCVBUF)
            break
        except OSError:
            continue
    if not sys.platform.startswith("linux"):
        return False
    raw.setblocking(False)
    return True


def _linktype(sock: Any) -> int:
    layer = getattr(sock, "LL", None)
    found = _scapy().l2types.layer2num.get(layer) if layer is not None else None
    return int(found) if found is not None else DLT_EN10MB


def record(iface: str, out: Path, duration: float | None = None,
           progress: Callable[[LiveProgress], None] | None = None, cancel: threading.Event | None = None,
           report_every: float = 1.0, started: Callable[[], None] | None = None) -> CaptureResult:
    """Capture ``iface`` into ``out`` until ``duration`` seconds pass, ``cancel`` is set or Ctrl-C.

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
    linktype = _linktype(sock)
    extractor = Extractor(flows=False, certificates=False, observations=False)
    result = CaptureResult(path=out, interface=iface, started=datetime.now(UTC), finished=datetime.now(UTC))
    cancel = cancel or threading.Event()
    began = time.monotonic()
    deadline = began + duration if duration is not None else None
    next_report = began + report_every
    shown = _NameTracker()
    drain = _tune(sock)
    behind = False
    try:
        pcap.start(linktype)
        if started is not None:
            started()
        while True:
            now = time.monotonic()
            if cancel.is_set():
                result.stopped_by = "cancel"
                break
            if deadline is not None and now >= deadline:
                result.stopped_by = "duration"
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
                    extractor.packet(linktype, ts, data)
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
