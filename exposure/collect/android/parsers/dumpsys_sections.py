"""A combined ``dumpsys`` output (androidqf ``dumpsys.txt``): split into services.

Each service starts with ``DUMP OF SERVICE <name>:``; the next header (or the end) closes
it. The pieces go to the same parsers as a live ``dumpsys <name>``.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^DUMP OF SERVICE (?:CRITICAL |HIGH )?([A-Za-z0-9_.\-]+):\s*$")


def split_dumpsys(text: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADER.match(line) if line.startswith("DUMP OF SERVICE") else None
        if match:
            current = out.setdefault(match.group(1), [])
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in out.items()}
