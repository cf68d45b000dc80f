"""``dumpsys accessibility``: which accessibility services are switched on.

Two styles exist. AOSP prints one line per list, ``Enabled services:{{pkg/cls}, {...}}``.
Some vendor builds (Samsung) print lower-case blocks::

    enabled services: {
      0 : pkg/cls
    }

Both are read; only *enabled* services count (installed ones are just available).
"""

from __future__ import annotations

import re

from exposure.collect.android.parsers.components import split_component
from exposure.collect.android.parsers.lines import lines

_INLINE = re.compile(r"^\s*Enabled services:\s*\{(.*)\}\s*\]?\s*$")
_BRACED = re.compile(r"\{([^{}]*)\}")
_BLOCK_START = re.compile(r"^\s*enabled services:\s*\{\s*$")
_BLOCK_ITEM = re.compile(r"^\s*\d+\s*:\s*(\S+)\s*$")


def parse_accessibility(text: str) -> list[tuple[str, str]]:
    """(package, component) of each enabled service, in order, without repeats."""
    out: list[tuple[str, str]] = []
    in_block = False
    for line in lines(text):
        if in_block:
            if line.strip().startswith("}"):
                in_block = False
                continue
            item = _BLOCK_ITEM.match(line)
            if item:
                _add(out, item.group(1))
            continue
        if _BLOCK_START.match(line):
            in_block = True
            continue
        inline = _INLINE.match(line)
        if inline:
            for part in _BRACED.findall(inline.group(1)):
                _add(out, part)
    return out


def _add(out: list[tuple[str, str]], text: str) -> None:
    found = split_component(text)
    if found and found not in out:
        out.append(found)
