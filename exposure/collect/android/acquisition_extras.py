"""The two large optional files of an androidqf acquisition, opened as streams.

``backup.ab`` (an Android backup, read from start to end once) and ``bugreport.zip`` (a zip
of its own, read by its central directory) can be hundreds of MiB: they are never read into
memory. In an acquisition folder the file is opened as it is (a regular file only: never a
pipe or a device); in an acquisition zip the member is streamed, and for the bugreport
copied into an anonymous temporary file (a zip inside a zip needs to seek), at most
:data:`MAX_EXTRA_FILE` bytes and :data:`MAX_RATIO` times its packed size. Like the other
files, only one at the top of the acquisition or in its one ``<uuid>/`` folder is used.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from exposure.collect.android.acquisition_files import ZIP_ERRORS

BACKUP = "backup.ab"
BUGREPORT = "bugreport.zip"
MAX_EXTRA_FILE = 1024 * 1024 * 1024  # a bugreport.zip is 10-100 MiB, a full backup can be GBs
MAX_RATIO = 200  # a member that unpacks to more than this times its packed size is not real data
_CHUNK = 1 << 20
# What a damaged member can raise; LZMAError was missing here (found by the fuzz suite).
_ZIP_ERRORS = ZIP_ERRORS


class ExtraUnreadable(Exception):
    """The file is there but cannot be used (too large, not a regular file, damaged)."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@contextmanager
def open_stream(acquisition: Path, name: str) -> Iterator[Readable | None]:
    """The file ``name`` of the acquisition, to be read once from start to end, or None
    when the acquisition has none. Raises :class:`ExtraUnreadable` when it is there but
    refused or damaged (also while it is being read)."""
    with _open(acquisition, name, seekable=False) as handle:
        yield handle


@contextmanager
def open_seekable(acquisition: Path, name: str) -> Iterator[IO[bytes] | None]:
    """The same as a seekable file (a zip member is copied to an anonymous temporary file)."""
    with _open(acquisition, name, seekable=True) as handle:
        assert handle is None or hasattr(handle, "seek")
        yield handle  # type: ignore[misc]


@contextmanager
def _open(acquisition: Path, name: str, seekable: bool) -> Iterator[Readable | IO[bytes] | None]:
    found = _locate(acquisition, name)
    if found is None:
        yield None
        return
    archive, where = found
    if archive is None:
        with _open_regular(Path(where)) as handle:
            yield handle
        return
    with archive:
        member = archive.getinfo(where)
        if member.file_size > MAX_EXTRA_FILE or member.file_size > max(member.compress_size, 1) * MAX_RATIO:
            raise ExtraUnreadable(f"{name} is too large to be a real acquisition's file; not read")
        try:
            with archive.open(member) as stream:
                if not seekable:
                    yield _Capped(stream, member.file_size)
                    return
                with tempfile.TemporaryFile() as spool:
                    copied = 0
                    while block := stream.read(_CHUNK):
                        copied += len(block)
                        if copied > member.file_size:
                            raise ExtraUnreadable(f"{name} unpacks to more than it says; not read")
                        spool.write(block)
                    spool.seek(0)
                    yield spool
        except _ZIP_ERRORS as exc:
            raise ExtraUnreadable(f"{name} in the zip could not be read ({str(exc)[:100]})") from None


def _locate(acquisition: Path, name: str) -> tuple[zipfile.ZipFile | None, str] | None:
    if acquisition.is_dir():
        candidates = [acquisition / name, *(sub / name for sub in sorted(acquisition.iterdir()) if sub.is_dir())]
        for path in candidates:
            if path.exists() or path.is_symlink():
                return None, str(path)
        return None
    try:
        archive = zipfile.ZipFile(acquisition)
    except _ZIP_ERRORS:
        return None  # the collector says so already
    for member in archive.infolist():
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.is_dir() or not parts or parts[0] == "/" or ".." in parts or len(parts) > 2:
            continue
        if parts[-1] == name:
            return archive, member.filename
    archive.close()
    return None


@contextmanager
def _open_regular(path: Path) -> Iterator[IO[bytes]]:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise ExtraUnreadable(f"{path.name} could not be opened ({exc.strerror or exc})") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise ExtraUnreadable(f"{path.name} is not a regular file; not read")
    if info.st_size > MAX_EXTRA_FILE:
        os.close(descriptor)
        raise ExtraUnreadable(f"{path.name} is too large to be a real acquisition's file; not read")
    with os.fdopen(descriptor, "rb") as handle:
        yield handle


class _Capped:
    """A stream that stops after ``limit`` bytes (a zip member never unpacks past its size,
    but the check costs nothing)."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(want)
        self._left -= len(data)
        return data
