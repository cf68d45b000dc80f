"""The capture file a live watch writes: a classic pcap, created private (mode 0600, never
replacing a file or following a link), and under sudo handed back to the person who asked."""

from __future__ import annotations

import contextlib
import os
import struct
import time
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from exposure.collect.live.sniffer import DLT_EN10MB
from exposure.errors import UserError

SNAPLEN = 262_144
_RECORD = struct.Struct("<IIII")


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
        raise UserError(f"{path} already exists; choose another name with --out", key="error.capture.exists",
                        path=path) from None
    except FileNotFoundError:
        raise UserError(f"folder {path.parent} does not exist", key="error.capture.no-folder",
                        path=path.parent) from None
    except PermissionError:
        raise UserError(f"cannot create {path}: permission denied", key="error.capture.denied", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror or exc}", key="error.capture.cannot-create",
                        path=path, problem=exc.strerror or exc) from None
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


class PcapFile:
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
