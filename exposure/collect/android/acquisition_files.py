"""The files of an androidqf acquisition, from its folder or its zip, read within limits.

An acquisition may have been crafted to exhaust memory (a 500 KB zip can unpack to
gigabytes) or to hang the reader (a named pipe in the folder). So:

* a zip is read in place, never extracted; members whose names climb out of the archive
  are ignored; a member is refused before it is unpacked when it claims more than
  ``MAX_ACQUISITION_FILE`` bytes, or unpacks to more than ``MAX_RATIO`` times its packed
  size, and it is streamed with a cap (zipfile never unpacks past the size a member
  claims, so the claim bounds the work);
* a folder's files are opened only when they are regular files, with the same cap;
* all files read from one acquisition together stay under ``MAX_ACQUISITION_TOTAL``.

A refused or damaged file is a warning (its name in ``file``), never an exception: the
rest of the acquisition is still checked.
"""

from __future__ import annotations

import lzma
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from exposure.collect.android.limits import (
    MAX_ACQUISITION_FILE,
    MAX_ACQUISITION_TOTAL,
    MAX_MEMBERS,
    MAX_RATIO,
    RATIO_FLOOR,
)
from exposure.collect.base import CheckNote, WarnCallback
from exposure.errors import UserError
from exposure.untrusted import FileTooLarge, describe_size, read_regular_file

NAMES_LISTED = 10  # of the files not read because they are not regular files

TOO_LARGE = "{file}: this file is too large to be a real acquisition; not read"
_CHUNK = 1 << 20
# What unpacking a damaged or unusual member can raise: a corrupt deflate stream
# (zlib.error), a cut file (EOFError), an encrypted member (RuntimeError), a method zipfile
# does not know (NotImplementedError), a bad CRC (BadZipFile).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, struct.error)


class _TooLarge(Exception):
    """Over a limit; the message says which."""


class AcquisitionFiles:
    """Named files of an acquisition, each read once on demand, within the limits."""

    def __init__(self, names: dict[str, str], read: Callable[[str, int], bytes], warn: WarnCallback) -> None:
        self._names = names  # base name -> member or file name
        self._read = read  # (where, at most this many bytes) -> bytes; raises _TooLarge or OSError
        self._warn = warn
        self.used = 0  # bytes read so far
        self.over_budget = 0  # files not read because all files together passed the budget

    def names(self) -> list[str]:
        return list(self._names)

    def has(self, name: str) -> bool:
        return name in self._names

    def __call__(self, name: str, limit: int = MAX_ACQUISITION_FILE) -> bytes | None:
        """The file's bytes (at most ``limit``); None when it is absent, or refused or
        unreadable (with a warning)."""
        where = self._names.get(name)
        if where is None:
            return None
        allowed = min(limit, MAX_ACQUISITION_TOTAL - self.used)
        try:
            data = self._read(where, allowed)
        except (_TooLarge, FileTooLarge):
            if allowed < limit:  # the budget, not this file, is what ran out: say it once
                if not self.over_budget:
                    mib = MAX_ACQUISITION_TOTAL >> 20
                    self._warn(CheckNote.of("warn.androidqf.over-budget", f"{name} and the files after it were not"
                                            f" read: the acquisition's files together are larger than {mib} MiB",
                                            file=name, mib=mib))
                self.over_budget += 1
                return None
            self._warn(CheckNote.of("warn.androidqf.too-large", TOO_LARGE.format(file=name), file=name))
            return None
        except OSError as exc:
            problem = exc.strerror or str(exc)
            self._warn(CheckNote.of("warn.androidqf.unreadable", f"{name} could not be read ({problem}); skipped",
                                    file=name, problem=problem))
            return None
        self.used += len(data)
        return data


def open_acquisition(path: Path, warn: WarnCallback) -> AcquisitionFiles:
    """The files of the acquisition at ``path`` (a folder or a zip); UserError when it is
    neither."""
    if path.name.endswith(".age"):
        raise UserError(f"{path} is encrypted with age: decrypt it first (androidqf's key.txt holds the key)",
                        key="error.androidqf.age", path=path)
    if path.is_dir():
        return _folder(path, warn)
    if path.is_file():
        return _zip(path, warn)
    if path.exists():
        raise UserError(f"{path} is neither a folder nor a file (give an androidqf folder or its .zip)",
                        key="error.androidqf.not-a-file", path=path)
    raise UserError(f"{path} does not exist (give an androidqf folder or its .zip)", key="error.androidqf.missing",
                    path=path)


def _folder(path: Path, warn: WarnCallback) -> AcquisitionFiles:
    root = path
    if not (root / "packages.json").exists() and not (root / "dumpsys.txt").exists():
        # The zip's folder unpacked as <uuid>/ inside the given folder.
        subs = [p for p in root.iterdir() if p.is_dir() and ((p / "packages.json").exists()
                                                             or (p / "dumpsys.txt").exists())]
        if len(subs) == 1:
            root = subs[0]
    names: dict[str, str] = {}
    skipped: list[str] = []
    for entry in root.iterdir():
        mode = entry.lstat().st_mode
        if stat.S_ISREG(mode):
            names[entry.name] = entry.name
        elif not stat.S_ISDIR(mode):
            skipped.append(entry.name)  # a link, a pipe or a device: never opened
    if skipped:
        # said, so that a part left unchecked because of it is not a mystery
        shown = ", ".join(sorted(skipped)[:NAMES_LISTED]) + (", …" if len(skipped) > NAMES_LISTED else "")
        warn(CheckNote.of("warn.androidqf.not-regular", f"not read, as they are not regular files (links, pipes or "
                          f"devices): {shown}", files=shown))

    def read(name: str, limit: int) -> bytes:
        return read_regular_file(root / name, limit)  # never opens a FIFO or a device

    return AcquisitionFiles(names, read, warn)


def _zip(path: Path, warn: WarnCallback) -> AcquisitionFiles:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except ZIP_ERRORS as exc:  # a zip "version 21.2" raises NotImplementedError, found by the fuzz suite
        why = str(exc)[:100] or type(exc).__name__
        raise UserError(f"{path} is neither an androidqf folder nor a readable zip ({why})",
                        key="error.androidqf.not-a-zip", path=path, problem=why) from None
    if len(members) > MAX_MEMBERS:
        raise UserError(f"{path} has too many files (more than {MAX_MEMBERS}): not an androidqf acquisition",
                        key="error.androidqf.too-many-files", path=path, count=MAX_MEMBERS)
    names: dict[str, str] = {}
    infos: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.is_dir() or not parts or parts[0] == "/" or ".." in parts or len(parts) > 2:
            continue  # files at the top or in one <uuid>/ folder; nothing that climbs out
        names.setdefault(parts[-1], member.filename)
        infos.setdefault(member.filename, member)

    def read(name: str, limit: int) -> bytes:
        member = infos[name]
        check_member(member, limit)
        try:
            with archive.open(member) as handle:
                return _stream(handle, limit)
        except ZIP_ERRORS as exc:
            raise OSError(f"damaged in the zip: {type(exc).__name__}") from None

    return AcquisitionFiles(names, read, warn)


def check_member(member: zipfile.ZipInfo, limit: int) -> None:
    """Refuse a member by what its header claims, before anything is unpacked."""
    if member.file_size > limit:
        raise _TooLarge(f"unpacks to {member.file_size} bytes, over {describe_size(limit)}")
    if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise _TooLarge(f"unpacks to more than {MAX_RATIO} times its packed size")


def _stream(handle: IO[bytes], limit: int) -> bytes:
    """The member, unpacked block by block into one buffer (no copy at the end: the
    bytearray is handed on as it is)."""
    data = bytearray()
    while True:
        block = handle.read(_CHUNK)
        if not block:
            return data  # type: ignore[return-value]  # used only through .decode(), like bytes
        data += block
        if len(data) > limit:
            raise _TooLarge(f"unpacks to more than {describe_size(limit)}")
