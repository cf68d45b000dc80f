"""Links in the text messages of an Android backup (``backup.ab``, as ``adb backup`` and
androidqf write it).

Format (AOSP ``BackupManagerService``/``PerformAdbBackupTask``): four text lines, then the
data::

    ANDROID BACKUP
    5                 (format version, 1-5)
    1                 (1: the data is zlib-deflated, 0: stored)
    none              ("AES-256" when a password was set: then four more lines of key data)
    <a tar archive, deflated with zlib when the third line says 1>

The telephony provider backs messages up as tar members
``apps/com.android.providers.telephony/d_f/<n>_sms_backup`` (and ``_mms_backup``), each
a zlib-deflated JSON list of messages (AOSP ``TelephonyBackupAgent``: ``address``,
``body``, ``date`` in Unix milliseconds, ``type``...). Only the web links in ``body`` and
the message's date are kept, never the text, the number or anything else.

Everything is streamed: the backup is read once from start to end, at most
:data:`MAX_UNPACKED` bytes unpacked, each message file at most :data:`MAX_SMS_FILE`.
An encrypted backup is not read (no password is asked for): the check says so.
"""

from __future__ import annotations

import json
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from exposure.collect.android.acquisition_extras import Readable
from exposure.observations.web_host import link_address

MAGIC = b"ANDROID BACKUP\n"
MAX_HEADER_LINE = 1024
MAX_UNPACKED = 4 * 1024 * 1024 * 1024  # what the tar stream may unpack to in all
MAX_SMS_FILE = 64 * 1024 * 1024  # one message file, unpacked
# Different links kept of one backup: the text of a message is its sender's choice, so a link
# after many decoys must still be read; a repeated link is kept once (with its first date).
MAX_LINKS = 100_000
_TELEPHONY = "apps/com.android.providers.telephony/"
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'{}|\\^`\[\]]{1,2000}", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_CHUNK = 1 << 20
_STEP = 64 * 1024  # packed bytes read, and unpacked bytes made, at a time


class NotABackup(Exception):
    """Not an Android backup, or one that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class SmsLink:
    url: str
    host: str
    sent: datetime | None  # UTC


@dataclass(slots=True)
class BackupContents:
    encrypted: bool = False
    version: str = ""
    sms_files: int = 0
    messages: int = 0
    links: list[SmsLink] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # English lines (member names are values)
    links_cut: int = 0  # different links past MAX_LINKS, not kept
    seen_urls: set[str] = field(default_factory=set, repr=False)


def read_backup(stream: Readable) -> BackupContents:
    """The links in the messages of the backup read from ``stream``."""
    out = BackupContents()
    header = _header(stream)
    out.version = header[1]
    if header[3].upper() != "NONE":
        out.encrypted = True
        return out
    data: Readable = _Inflating(stream) if header[2] == "1" else _Counting(stream)
    try:
        with tarfile.open(fileobj=data, mode="r|") as archive:  # type: ignore[call-overload]
            for member in archive:
                if not member.isfile() or not member.name.startswith(_TELEPHONY):
                    continue
                if member.name.endswith("_sms_backup") or member.name.endswith("_mms_backup"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        _messages(handle.read(min(member.size, MAX_SMS_FILE)), member.name, out)
    except (tarfile.TarError, zlib.error, EOFError, OSError, ValueError) as exc:
        out.problems.append(f"the backup's data is damaged ({str(exc)[:80]}); message files read before it: "
                            f"{out.sms_files}")
    return out


def _header(stream: Readable) -> list[str]:
    first = stream.read(len(MAGIC))
    if first != MAGIC:
        raise NotABackup("it does not start with 'ANDROID BACKUP'")
    lines = [MAGIC.decode().strip()]
    for _ in range(3):
        lines.append(_line(stream))
    if not lines[1].isdigit() or lines[2] not in ("0", "1"):
        raise NotABackup("its header is not that of an Android backup")
    return lines


def _line(stream: Readable) -> str:
    raw = bytearray()
    while len(raw) <= MAX_HEADER_LINE:
        byte = stream.read(1)
        if not byte:
            raise NotABackup("it ends inside its header")
        if byte == b"\n":
            return raw.decode("ascii", errors="replace").strip()
        raw += byte
    raise NotABackup("its header is not that of an Android backup")


def _messages(packed: bytes, name: str, out: BackupContents) -> None:
    out.sms_files += 1
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_SMS_FILE)
        if inflater.unconsumed_tail:
            out.problems.append(f"{name} is larger than {MAX_SMS_FILE >> 20} MiB unpacked; only its start was read")
        data = json.loads(text.decode("utf-8", errors="replace"))
    except (zlib.error, ValueError, RecursionError) as exc:
        out.problems.append(f"{name} could not be read ({str(exc)[:80]})")
        return
    if not isinstance(data, list):
        return
    for message in data:
        if not isinstance(message, dict):
            continue
        out.messages += 1
        body = message.get("body")
        if isinstance(body, str):
            sent = _time(message.get("date"))
            for url, host in links_in(body):
                if url in out.seen_urls:
                    continue
                if len(out.seen_urls) >= MAX_LINKS:
                    out.links_cut += 1
                    continue
                out.seen_urls.add(url)
                out.links.append(SmsLink(url, host, sent))


def links_in(text: str) -> Iterator[tuple[str, str]]:
    """(link, host) of each web link in a text; ``www.`` links get ``http://``."""
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url.lower().startswith("www."):
            url = "http://" + url
        try:
            host = (urlsplit(url).hostname or "").rstrip(".")
        except ValueError:
            continue
        if host and (("." in host and len(host) <= 253) or _is_address(host)):
            yield url, host.lower()


def _is_address(host: str) -> bool:
    """Whether a browser would read ``host`` as an address (``69.64.74.239``, ``1161841391``)."""
    return link_address(host) is not None


def _time(raw: object) -> datetime | None:
    try:
        millis = int(str(raw))
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


class _Counting:
    """The stored (not deflated) data, at most MAX_UNPACKED bytes."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        if self._read >= MAX_UNPACKED:
            raise ValueError(f"more than {MAX_UNPACKED >> 30} GiB of data")
        want = _CHUNK if size is None or size < 0 else min(size, MAX_UNPACKED - self._read)
        data = self._stream.read(want)
        self._read += len(data)
        return data


class _Inflating:
    """The zlib-deflated data unpacked as it is read, at most MAX_UNPACKED bytes."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self._inflater = zlib.decompressobj()
        self._buffer = b""
        self._pos = 0
        self._unpacked = 0
        self._done = False

    def read(self, size: int = -1) -> bytes:
        want = _CHUNK if size is None or size < 0 else size
        while len(self._buffer) - self._pos < want and not self._done:
            block = self._more()
            self._buffer = self._buffer[self._pos:] + block
            self._pos = 0
        data = self._buffer[self._pos:self._pos + want]
        self._pos += len(data)
        return data

    def _more(self) -> bytes:
        packed = self._inflater.unconsumed_tail or self._stream.read(_STEP)
        if not packed:
            self._done = True
            return self._inflater.flush()
        block = self._inflater.decompress(packed, _STEP)
        self._unpacked += len(block)
        if self._unpacked > MAX_UNPACKED:
            raise ValueError(f"more than {MAX_UNPACKED >> 30} GiB unpacked")
        if self._inflater.eof:
            self._done = True
        return block
