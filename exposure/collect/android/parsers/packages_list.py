"""``pm list packages`` output, with any of the flags ``-f -i -U``.

Lines look like ``package:<id>``, ``package:<id> installer=<pkg|null> uid:<n>``, or with
``-f`` ``package:<apk path>=<id> ...``. APK paths contain ``=`` (``~~V5jud4ex5-…==``), so
the id is what follows the **last** ``=`` of the first token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exposure.collect.android.parsers.lines import lines

_PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$")


@dataclass(frozen=True, slots=True)
class ListedPackage:
    package: str
    installer: str | None = None  # None: not asked; "" : none ("null")
    uid: int | None = None
    apk_path: str = ""


def parse_packages_list(text: str) -> list[ListedPackage]:
    out: list[ListedPackage] = []
    for line in lines(text):
        split = _split(line)
        if split is None:
            continue
        apk_path, package, rest = split
        if not _PACKAGE.match(package):
            continue
        installer: str | None = None
        uid: int | None = None
        for token in rest:
            if token.startswith("installer="):
                installer = normalise_installer(token[len("installer="):])
            elif token.startswith("uid:"):
                uid = _int(token[4:].split(",")[0])
        out.append(ListedPackage(package, installer, uid, apk_path))
    return out


def invalid_ids(text: str) -> int:
    """How many ``package:`` lines name an id that is not a valid Android package id (they
    are never read: such an id cannot be a real app's, and may be crafted)."""
    return sum(1 for line in lines(text) if (split := _split(line)) is not None and not _PACKAGE.match(split[1]))


def _split(line: str) -> tuple[str, str, list[str]] | None:
    """(apk path, id, the words after) of a ``package:`` line; None for any other line."""
    line = line.strip()
    if not line.startswith("package:"):
        return None
    words = line[len("package:"):].split()
    if not words:
        return None  # "package:" and nothing after it (found by the fuzz suite)
    first, *rest = words
    apk_path, sep, package = first.rpartition("=")
    if not sep:
        apk_path, package = "", first
    return apk_path, package, rest


def normalise_installer(value: str | None) -> str:
    """"" for no installer: phones print ``null``, androidqf stores the string "null"."""
    if value is None:
        return ""
    value = value.strip()
    return "" if value in ("null", "None") else value


def package_ids(text: str) -> set[str]:
    """Just the ids (for the ``-s`` / ``-d`` / ``-3`` lists)."""
    return {p.package for p in parse_packages_list(text)}


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
