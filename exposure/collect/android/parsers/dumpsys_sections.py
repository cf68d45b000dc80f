"""A combined ``dumpsys`` output (androidqf ``dumpsys.txt``): split into services.

Each service starts with ``DUMP OF SERVICE <name>:``; the next header (or the end) closes
it. The pieces go to the same parsers as a live ``dumpsys <name>``. The text is cut at the
headers rather than split into lines, so a large dump costs about twice its size in
memory, not five times.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_HEADER = re.compile(r"^DUMP OF SERVICE (?:CRITICAL |HIGH )?([A-Za-z0-9_.\-]+):[^\S\n]*\r?$", re.MULTILINE)
_HEADER_BYTES = re.compile(rb"^DUMP OF SERVICE (?:CRITICAL |HIGH )?([A-Za-z0-9_.\-]+):[ \t\r\x0b\x0c]*$", re.MULTILINE)


def split_dumpsys(text: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    headers = list(_HEADER.finditer(text))
    for number, header in enumerate(headers):
        start = header.end() + 1  # after the header's line end
        end = headers[number + 1].start() if number + 1 < len(headers) else len(text)
        out.setdefault(header.group(1), []).append(text[start:end].rstrip("\r\n") if start < end else "")
    return {name: "\n".join(parts) for name, parts in out.items()}


def split_dumpsys_bytes(data: bytes, wanted: Collection[str]) -> dict[str, bytes]:
    """The ``wanted`` services of a dump still in bytes, cut the same way as
    :func:`split_dumpsys`: only what is kept is ever decoded."""
    out: dict[str, list[bytes]] = {}
    headers = list(_HEADER_BYTES.finditer(data))
    for number, header in enumerate(headers):
        name = header.group(1).decode("ascii")
        if name not in wanted:
            continue
        start = header.end() + 1
        end = headers[number + 1].start() if number + 1 < len(headers) else len(data)
        out.setdefault(name, []).append(data[start:end].rstrip(b"\r\n") if start < end else b"")
    return {name: b"\n".join(parts) for name, parts in out.items()}
