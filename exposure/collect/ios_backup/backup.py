"""Opening a backup folder and reading the files a check needs from it.

Everything in a backup is untrusted: sizes are capped, file ids checked, SQLite opened
read-only (``mode=ro&immutable=1`` for files, or from memory for decrypted ones) with a
time budget per database, plists parsed only below a size limit. ``Manifest.db`` maps a
file of the phone (domain, relative path) to its stored file id; without it, the id is
worked out as Apple defines it (SHA-1 of ``domain-relativePath``), so an unencrypted
backup whose Manifest.db is missing or damaged can still be read.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from exposure.collect.ios_backup.crypto import BadKeyBag, Keys
from exposure.model import CheckNote

MAX_FILE = 512 * 1024 * 1024  # one stored file read into memory (a big sms.db is ~1 GiB: said as a warning)
MAX_PLIST = 64 * 1024 * 1024
MAX_RECORD = 100 * 1024  # one Manifest.db file record (Apple's are 0.4-3 KiB)
DATABASE_SECONDS = 120.0  # time budget of one database (a crafted one must not hang the scan)
SQLITE_HEADER = b"SQLite format 3\x00"
_FILE_ID = re.compile(r"^[0-9a-f]{40}$")


class BackupError(Exception):
    """This folder cannot be read as a backup (one plain line). ``key`` and ``params`` say
    the same in any language (``exposure/explain/errors.yaml``), as a UserError's do."""

    def __init__(self, message: str, *, key: str, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params: dict[str, object] = params


class NeedPassword(Exception):
    """The backup is encrypted and no password was given."""


class ArtefactError(Exception):
    """One stored file cannot be read (damaged, too large, does not decrypt)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One file of the phone in the backup: where it is stored and what Manifest.db says of it."""

    file_id: str
    domain: str
    path: str
    created: datetime | None = None
    modified: datetime | None = None
    size: int = -1
    protection_class: int = 0
    wrapped_key: bytes = b""


def file_id(domain: str, path: str) -> str:
    """Apple's id of a stored file: SHA-1 of ``domain-relativePath`` (the name on disk)."""
    return hashlib.sha1(f"{domain}-{path}".encode(), usedforsecurity=False).hexdigest()


def looks_like_backup(folder: Path) -> bool:
    return (folder / "Manifest.db").is_file() or ((folder / "Info.plist").is_file() and (
        (folder / "Manifest.plist").is_file()))


class Backup:
    """An open backup folder. ``close()`` frees what was decrypted (it only lives in memory)."""

    def __init__(self, folder: str | Path, password: str | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.folder = Path(folder)
        self.cancel = cancel or threading.Event()
        if not self.folder.is_dir():
            raise BackupError(f"{self.folder} is not a folder", key="error.ios-backup.not-a-folder", folder=self.folder)
        if not looks_like_backup(self.folder):
            raise BackupError(f"{self.folder} is not an iPhone backup (no Manifest.db or Info.plist + Manifest.plist)",
                              key="error.ios-backup.not-a-backup", folder=self.folder)
        self.problems: list[CheckNote] = []  # parts of the backup that could not be used
        self.info = self._plist_or_empty("Info.plist")
        self.manifest = self._plist_or_empty("Manifest.plist")
        self.encrypted = self.manifest.get("IsEncrypted") is True or self._manifest_db_encrypted()
        self._keys: Keys | None = None
        if self.encrypted:
            if not self.manifest:
                raise BackupError(f"{self.folder} is an encrypted backup but its Manifest.plist is missing or damaged;"
                                  " it cannot be opened", key="error.ios-backup.no-manifest-plist", folder=self.folder)
            if password is None:
                raise NeedPassword
            try:
                self._keys = Keys(self.manifest, password)
            except BadKeyBag as exc:
                raise BackupError(f"{self.folder}: {exc}", key="error.ios-backup.key-bag", folder=self.folder,
                                  problem=exc) from None
        self._index = self._open_index()

    # -- the plists at the top ------------------------------------------------------------

    def _plist_or_empty(self, name: str) -> dict[str, Any]:
        path = self.folder / name
        if not path.is_file():
            return {}
        try:
            data = _read_regular(path, MAX_PLIST)
            found = plistlib.loads(data)
        except (OSError, ArtefactError, ValueError, plistlib.InvalidFileException, ExpatError, RecursionError,
                OverflowError) as exc:
            self.problems.append(CheckNote.of("warn.ios-backup.plist-unreadable", f"{name} could not be read "
                                              f"({type(exc).__name__})", file=name, problem=type(exc).__name__))
            return {}
        return found if isinstance(found, dict) else {}

    def _manifest_db_encrypted(self) -> bool:
        path = self.folder / "Manifest.db"
        try:
            _check_regular(path, MAX_FILE)  # a named pipe here hung the check (found by the fuzz suite)
            with path.open("rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
        except (OSError, ArtefactError):
            return False
        return len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER

    # -- Manifest.db ----------------------------------------------------------------------

    def _open_index(self) -> sqlite3.Connection | None:
        path = self.folder / "Manifest.db"
        if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            # a link (to /dev/zero, say), a device or a pipe: there, but not read, and said so
            if self.encrypted:
                raise BackupError(f"{self.folder}: Manifest.db is not a regular file (a link or a device); it "
                                  "cannot be opened", key="error.ios-backup.manifest-db-not-regular",
                                  folder=self.folder)
            self.problems.append(CheckNote.of("warn.ios-backup.manifest-db-not-regular", "Manifest.db is not a "
                                              "regular file (a link or a device), so it was not read: files were "
                                              "looked up by their computed names"))
            return None
        if not path.is_file():
            if self.encrypted:
                raise BackupError(f"{self.folder} is encrypted but has no Manifest.db; it cannot be opened",
                                  key="error.ios-backup.no-manifest-db", folder=self.folder)
            self.problems.append(CheckNote.of("warn.ios-backup.no-manifest-db", "Manifest.db is missing: files were "
                                              "looked up by their computed names"))
            return None
        try:
            if self._keys is not None:
                key = self._keys.manifest_key(self.manifest)
                plain = self._keys.decrypt(_read_regular(path, MAX_FILE), key)
                if not plain.startswith(SQLITE_HEADER):
                    raise BackupError(f"{self.folder}: Manifest.db does not decrypt to a database",
                                      key="error.ios-backup.manifest-db-no-decrypt", folder=self.folder)
                db = memory_database(plain)
            else:
                db = file_database(path)
            db.execute("SELECT fileID, domain, relativePath, flags, file FROM Files LIMIT 1").fetchall()
        except (BadKeyBag, ArtefactError, OSError, sqlite3.Error, UnicodeDecodeError) as exc:
            if self.encrypted:
                raise BackupError(f"{self.folder}: Manifest.db cannot be read ({exc})",
                                  key="error.ios-backup.manifest-db-unreadable", folder=self.folder,
                                  problem=exc) from None
            self.problems.append(CheckNote.of("warn.ios-backup.manifest-db-damaged", f"Manifest.db is damaged "
                                              f"({type(exc).__name__}): files were looked up by their computed names",
                                              problem=type(exc).__name__))
            return None
        return db

    @property
    def has_index(self) -> bool:
        return self._index is not None

    def find(self, domain: str, path: str) -> StoredFile | None:
        """The stored file for ``domain``/``path``, or None when the backup does not hold it."""
        if self._index is None:
            fid = file_id(domain, path)
            return StoredFile(fid, domain, path) if self._stored_path(fid).is_file() else None
        try:
            row = self._index.execute("SELECT fileID, domain, relativePath, file FROM Files WHERE domain = ? AND "
                                      "relativePath = ? AND flags = 1 LIMIT 1", (domain, path)).fetchone()
        except (sqlite3.Error, UnicodeDecodeError):
            return None
        return _stored(row) if row else None

    def find_under(self, domain: str, folder: str, limit: int = 500) -> list[StoredFile]:
        """Regular files directly or deeper under ``folder`` of ``domain`` (needs Manifest.db)."""
        if self._index is None:
            return []
        prefix = folder.rstrip("/") + "/"
        try:
            rows = self._index.execute(
                "SELECT fileID, domain, relativePath, file FROM Files WHERE domain = ? AND flags = 1 AND "
                "substr(relativePath, 1, ?) = ? LIMIT ?", (domain, len(prefix), prefix, limit)).fetchall()
        except (sqlite3.Error, UnicodeDecodeError):
            return []
        return [found for row in rows if (found := _stored(row)) is not None]

    def find_everywhere(self, path_suffix: str, domain_prefix: str, limit: int = 200) -> list[StoredFile]:
        """Files whose relative path ends with ``path_suffix`` in domains starting with ``domain_prefix``."""
        if self._index is None:
            return []
        try:
            rows = self._index.execute(
                "SELECT fileID, domain, relativePath, file FROM Files WHERE flags = 1 AND substr(domain, 1, ?) = ? "
                "AND substr(relativePath, -?) = ? LIMIT ?",
                (len(domain_prefix), domain_prefix, len(path_suffix), path_suffix, limit)).fetchall()
        except (sqlite3.Error, UnicodeDecodeError):
            return []
        return [found for row in rows if (found := _stored(row)) is not None]

    def domains(self, prefix: str, limit: int = 5000) -> list[str]:
        if self._index is None:
            return []
        try:
            rows = self._index.execute("SELECT DISTINCT domain FROM Files WHERE substr(domain, 1, ?) = ? LIMIT ?",
                                       (len(prefix), prefix, limit)).fetchall()
        except (sqlite3.Error, UnicodeDecodeError):
            return []
        return [str(r[0]) for r in rows if isinstance(r[0], str)]

    def folder_record(self, domain: str, path: str = "") -> StoredFile | None:
        """The record of a folder (flags 2), for its creation time."""
        if self._index is None:
            return None
        try:
            row = self._index.execute("SELECT fileID, domain, relativePath, file FROM Files WHERE domain = ? AND "
                                      "relativePath = ? AND flags = 2 LIMIT 1", (domain, path)).fetchone()
        except (sqlite3.Error, UnicodeDecodeError):
            return None
        return _stored(row) if row else None

    def relative_paths(self, pattern: str, limit: int = 5000) -> Iterator[tuple[str, str]]:
        """(domain, relative path) of records whose path is LIKE ``pattern``."""
        if self._index is None:
            return
        try:
            rows = self._index.execute("SELECT domain, relativePath FROM Files WHERE relativePath LIKE ? LIMIT ?",
                                       (pattern, limit)).fetchall()
        except (sqlite3.Error, UnicodeDecodeError):
            return
        for domain, path in rows:
            if isinstance(domain, str) and isinstance(path, str):
                yield domain, path

    # -- stored files -----------------------------------------------------------------------

    def _stored_path(self, fid: str) -> Path:
        return self.folder / fid[:2] / fid

    def read(self, found: StoredFile, limit: int = MAX_FILE) -> bytes:
        """The body of a stored file (decrypted in memory for an encrypted backup)."""
        if not _FILE_ID.match(found.file_id):
            raise ArtefactError("its file id in Manifest.db is not valid")
        path = self._stored_path(found.file_id)
        if not path.exists():
            path = self.folder / found.file_id  # very old backups keep files flat
        try:
            data = _read_regular(path, limit)
        except FileNotFoundError:
            raise ArtefactError("it is listed in Manifest.db but missing from the folder") from None
        except OSError as exc:
            raise ArtefactError(f"it cannot be read ({exc.strerror or exc})") from None
        if self._keys is None:
            return data
        if not found.wrapped_key:
            raise ArtefactError("Manifest.db gives no key for it")
        try:
            return self._keys.decrypt(data, self._keys.unwrap(found.protection_class, found.wrapped_key))
        except BadKeyBag as exc:
            raise ArtefactError(str(exc)) from None

    def plist(self, found: StoredFile) -> object:
        data = self.read(found, MAX_PLIST)
        try:
            return plistlib.loads(data)
        except (ValueError, plistlib.InvalidFileException, ExpatError, RecursionError, OverflowError) as exc:
            raise ArtefactError(f"it is not a valid plist ({type(exc).__name__})") from None

    def database(self, found: StoredFile) -> sqlite3.Connection:
        """A read-only connection to a stored SQLite database, with a time budget."""
        if self._keys is None and _FILE_ID.match(found.file_id):
            path = self._stored_path(found.file_id)
            if not path.exists():
                path = self.folder / found.file_id
            try:
                _check_regular(path, MAX_FILE)
                with path.open("rb") as handle:
                    head = handle.read(len(SQLITE_HEADER))
            except FileNotFoundError:
                raise ArtefactError("it is listed in Manifest.db but missing from the folder") from None
            except OSError as exc:
                raise ArtefactError(f"it cannot be read ({exc.strerror or exc})") from None
            if head != SQLITE_HEADER:
                raise ArtefactError("it is not an SQLite database")
            db = file_database(path)
        else:
            data = self.read(found)
            if not data.startswith(SQLITE_HEADER):
                raise ArtefactError("it is not an SQLite database")
            db = memory_database(data)
        _time_budget(db, self.cancel)
        return db

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self._keys = None


def file_database(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        db.text_factory = _text
        db.execute("PRAGMA query_only = 1")
        db.execute("PRAGMA temp_store = MEMORY")
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise ArtefactError(f"it cannot be opened as a database ({exc})") from None
    return db


def _text(value: bytes) -> str:
    """Text from a stored database, damaged bytes replaced: a damaged name in a table made
    sqlite3 raise UnicodeDecodeError (found by the fuzz suite)."""
    return value.decode("utf-8", errors="replace")


def memory_database(data: bytes) -> sqlite3.Connection:
    """A database from bytes, in memory only (decrypted data never touches the disk)."""
    if data[18:20] == b"\x02\x02":
        # A database in WAL mode cannot be opened from memory; its bytes here are already a
        # whole database (the backup holds any -wal file apart), so read it as a plain one.
        data = data[:18] + b"\x01\x01" + data[20:]
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.text_factory = _text
    try:
        db.deserialize(data)
        db.execute("PRAGMA query_only = 1")
        db.execute("PRAGMA temp_store = MEMORY")
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        db.close()
        raise ArtefactError(f"it cannot be opened as a database ({exc})") from None
    return db


def _time_budget(db: sqlite3.Connection, cancel: threading.Event, seconds: float = DATABASE_SECONDS) -> None:
    deadline = time.monotonic() + seconds

    def stop() -> int:
        return 1 if cancel.is_set() or time.monotonic() > deadline else 0

    db.set_progress_handler(stop, 20_000)


def _check_regular(path: Path, limit: int) -> int:
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ArtefactError("it is not a regular file (a link or a device)")
    if info.st_size > limit:
        raise ArtefactError(f"it is larger than {limit // (1024 * 1024)} MiB; skipped")
    return info.st_size


def _read_regular(path: Path, limit: int) -> bytes:
    """Read a regular file (never through a link) of at most ``limit`` bytes."""
    _check_regular(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ArtefactError(f"it is larger than {limit // (1024 * 1024)} MiB; skipped")
    return data


def _stored(row: tuple[Any, ...]) -> StoredFile | None:
    fid, domain, path, blob = row
    if not isinstance(fid, str) or not isinstance(domain, str) or not isinstance(path, str):
        return None
    return StoredFile(fid.lower(), domain, path, **record_facts(blob))


def record_facts(blob: object) -> dict[str, Any]:
    """Times, size and key of a Manifest.db file record (an archived MBFile plist)."""
    if not isinstance(blob, bytes) or len(blob) > MAX_RECORD:
        return {}
    try:
        archive = plistlib.loads(blob)
        objects = archive["$objects"]
        top = objects[archive["$top"]["root"].data]
    except (ValueError, plistlib.InvalidFileException, ExpatError, KeyError, IndexError, TypeError, AttributeError,
            RecursionError, OverflowError):
        return {}
    if not isinstance(top, Mapping):
        return {}
    out: dict[str, Any] = {"created": unix_time(top.get("Birth")), "modified": unix_time(top.get("LastModified"))}
    size = top.get("Size")
    if isinstance(size, int) and not isinstance(size, bool):
        out["size"] = size
    protection = top.get("ProtectionClass")
    if isinstance(protection, int) and not isinstance(protection, bool):
        out["protection_class"] = protection
    ref = top.get("EncryptionKey")
    try:
        holder = objects[ref.data] if isinstance(ref, plistlib.UID) else None
        data = holder.get("NS.data") if isinstance(holder, Mapping) else None
    except IndexError:
        data = None
    if isinstance(data, bytes) and len(data) > 4:
        out["wrapped_key"] = data[4:]
    return out


def unix_time(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 4_102_444_800:
        return None
    return datetime.fromtimestamp(value, UTC)

