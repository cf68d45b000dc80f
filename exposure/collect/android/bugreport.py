"""The dumpsys sections and properties of an Android bug report (``bugreport.zip``, as
``adb bugreport`` and androidqf write it), for an acquisition without its own
``dumpsys.txt``.

The zip holds ``main_entry.txt`` (the name of the main text file) and that text file,
``bugreport-<device>-<build>-<date>.txt``, written by ``dumpstate``: sections start with
``------ TITLE (command) ------``; the properties are the section ``SYSTEM PROPERTIES
(getprop)`` (``[key]: [value]`` lines); the ``DUMPSYS`` sections hold the services, each
starting with ``DUMP OF SERVICE [CRITICAL |HIGH ]<name>:`` as in ``dumpsys.txt``.

The text (often 100-300 MiB) is streamed line by line and only the wanted services and
the properties are kept, each at most :data:`MAX_SECTION` bytes; at most
:data:`MAX_TEXT` bytes are read, and a member that unpacks to more than 200 times its
packed size is refused (zip bombs).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

MAIN_ENTRY = "main_entry.txt"
MAX_TEXT = 1024 * 1024 * 1024
MAX_SECTION = 128 * 1024 * 1024
MAX_RATIO = 200
MAX_LINE = 1024 * 1024  # real lines are under 10 KiB
_SERVICE = re.compile(r"^DUMP OF SERVICE (?:CRITICAL |HIGH |NORMAL )?([A-Za-z0-9_.\-]+):\s*$")
_DUMPSTATE_SECTION = re.compile(r"^------ (.*?) ------\s*$")
_DURATION = re.compile(r"^------ [0-9.]+s was the duration of ")
_GETPROP = "SYSTEM PROPERTIES"
_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError)


class NotABugreport(Exception):
    """Not a bug report zip, or one that cannot be read; the message says why."""


@dataclass(slots=True)
class Bugreport:
    name: str = ""  # the main text file's name
    outputs: dict[str, str] = field(default_factory=dict)  # command name (commands.py) -> section
    getprop: str = ""
    problems: list[str] = field(default_factory=list)


def read_bugreport(handle: IO[bytes], services: Mapping[str, str]) -> Bugreport:
    """The ``services`` (dumpsys name -> command name) and properties of the bug report."""
    try:
        archive = zipfile.ZipFile(handle)
        main = _main_entry(archive)
        member = archive.getinfo(main)
    except (KeyError, *_ERRORS) as exc:
        raise NotABugreport(f"it is not a readable bug report ({str(exc)[:100]})") from None
    if member.file_size > max(member.compress_size, 1) * MAX_RATIO and member.file_size > 1024 * 1024:
        raise NotABugreport(f"{main} unpacks to far more than a real bug report; not read")
    out = Bugreport(name=main)
    kept: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    current: str | None = None  # a command name, "getprop", or None (a part not kept)
    in_dumpsys = False  # inside a dumpstate section "DUMPSYS ..." (services are only read there)
    read = 0
    try:
        with archive.open(member) as raw:
            for line in _lines(raw):
                read += len(line)
                if read > MAX_TEXT:
                    out.problems.append(f"{main}: only its first {MAX_TEXT >> 20} MiB were read")
                    break
                if _is_header(line):
                    in_dumpsys, current = _next_part(line, in_dumpsys, current, services)
                    continue
                if current is None or _DURATION.match(line):
                    continue
                if sizes.get(current, 0) + len(line) > MAX_SECTION:
                    continue
                sizes[current] = sizes.get(current, 0) + len(line)
                kept.setdefault(current, []).append(line)
    except _ERRORS as exc:
        out.problems.append(f"{main} is damaged after {read >> 20} MiB ({str(exc)[:80]}); the rest was not read")
    out.getprop = "".join(kept.pop("getprop", []))
    out.outputs = {name: "".join(lines) for name, lines in kept.items()}
    return out


def _lines(raw: IO[bytes]) -> Iterator[str]:
    """The text's lines, each cut at MAX_LINE bytes (the rest of a longer line is skipped)."""
    while line := raw.readline(MAX_LINE):  # a zip member reads ahead in blocks itself
        if not line.endswith(b"\n"):
            while (rest := raw.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            line += b"\n"
        yield line.decode("utf-8", errors="replace")


def _main_entry(archive: zipfile.ZipFile) -> str:
    names = archive.namelist()
    if MAIN_ENTRY in names:
        with archive.open(MAIN_ENTRY) as handle:
            main = handle.read(4096).decode("utf-8", errors="replace").strip()
        if main in names:
            return main
    found = [n for n in names if n.startswith("bugreport") and n.endswith(".txt") and "/" not in n]
    if not found:
        raise NotABugreport("it has no bugreport-*.txt")
    return max(found, key=lambda n: archive.getinfo(n).file_size)


def _next_part(line: str, in_dumpsys: bool, current: str | None,
               services: Mapping[str, str]) -> tuple[bool, str | None]:
    """After a header line: (inside a DUMPSYS section, the part now being kept)."""
    if line.startswith("DUMP OF SERVICE"):
        match = _SERVICE.match(line)
        # A service printed in two passes (CRITICAL/HIGH, then NORMAL) has both kept.
        return in_dumpsys, services.get(match.group(1)) if match and in_dumpsys else None
    match = _DUMPSTATE_SECTION.match(line)
    if not match:
        return in_dumpsys, current
    title = match.group(1)
    return title.startswith("DUMPSYS"), "getprop" if title.startswith(_GETPROP) else None


def _is_header(line: str) -> bool:
    return line.startswith("DUMP OF SERVICE") or (line.startswith("------ ") and not _DURATION.match(line))
