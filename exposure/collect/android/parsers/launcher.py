"""Which apps have an icon in the app list: read from a whole ``dumpsys package``.

An app shows an icon when one of its activities answers ``android.intent.action.MAIN`` in
the category ``android.intent.category.LAUNCHER`` and that activity is not switched off.
Both are in the dump (spytrap-adb's recorded SpyLive360 phone shows the shape)::

    Activity Resolver Table:
      Non-Data Actions:
          android.intent.action.MAIN:
            6e6b31 com.wifi0/.activities.WelcomeActivity filter c92c216
              Action: "android.intent.action.MAIN"
              Category: "android.intent.category.LAUNCHER"
    ...
    Packages:
      Package [com.wifi0] (5de2c5f):
        ...
        User 0: ceDataInode=261852 installed=true hidden=false ...
          disabledComponents:
            com.wifi0.activities.WelcomeActivity

A dump without an ``Activity Resolver Table`` (some acquisitions keep only parts) says
nothing about icons: :func:`parse_launchers` then returns None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# An activity line of the resolver table (its filter's Action:/Category: lines follow it).
_ENTRY_LINE = re.compile(r"^ +[0-9a-f]+ ([A-Za-z0-9_.]+)/([A-Za-z0-9_.$]+)(?: filter [0-9a-f]+)?\s*$")
_PACKAGE = re.compile(r"^  Package \[([^\]]+)\] \(", re.MULTILINE)
_USER = re.compile(r"^ +User (\d+):", re.MULTILINE)
_DISABLED = "disabledComponents:\n"
_TABLE = "Activity Resolver Table:\n"
_SECTION_END = re.compile(r"\n(?=\S)")
LAUNCHER = "android.intent.category.LAUNCHER"
MAIN = "android.intent.action.MAIN"
_LAUNCHER_LINE = f'"{LAUNCHER}"'


@dataclass(slots=True)
class Launchers:
    # package -> its launcher activities, full class names
    activities: dict[str, set[str]] = field(default_factory=dict)
    # package -> components switched off for user 0, full class names
    disabled: dict[str, set[str]] = field(default_factory=dict)

    def has_icon(self, package: str) -> bool:
        return bool(self.activities.get(package, set()) - self.disabled.get(package, set()))

    def icon_switched_off(self, package: str) -> bool:
        """It has launcher activities, and every one of them is switched off."""
        found = self.activities.get(package, set())
        return bool(found) and not (found - self.disabled.get(package, set()))


def parse_launchers(text: str) -> Launchers | None:
    """The launcher activities and switched-off components per app, or None when the dump
    has no activity resolver table. Text searches for the few lines of interest, not a
    pass over every line: a real dump is tens of MiB."""
    out = Launchers()
    start = text.find(_TABLE)
    if start < 0:
        return None
    while start >= 0:
        if start == 0 or text[start - 1] == "\n":
            end_match = _SECTION_END.search(text, start + len(_TABLE))
            _launchers_in(text, start, end_match.end() if end_match else len(text), out)
        start = text.find(_TABLE, start + len(_TABLE))
    at = text.find(_DISABLED)
    while at >= 0:
        _disabled_at(text, at, out)
        at = text.find(_DISABLED, at + len(_DISABLED))
    return out


def _launchers_in(text: str, start: int, end: int, out: Launchers) -> None:
    """Each ``Category: "...LAUNCHER"`` line of a resolver table, and the activity above it."""
    at = text.find(_LAUNCHER_LINE, start, end)
    while at >= 0:
        line_start = text.rfind("\n", start, at) + 1
        if text[line_start:at].strip() == "Category:":
            above = text[max(start, at - 16384):line_start].splitlines()
            for i in range(len(above) - 1, -1, -1):
                match = _ENTRY_LINE.match(above[i])
                if match:
                    body = "\n".join(above[i + 1:])
                    if MAIN in body or "Action:" not in body:
                        package, cls = _full(match.group(1), match.group(2))
                        out.activities.setdefault(package, set()).add(cls)
                    break
        at = text.find(_LAUNCHER_LINE, at + len(_LAUNCHER_LINE), end)


def _disabled_at(text: str, at: int, out: Launchers) -> None:
    """The components listed under the ``disabledComponents:`` at ``at``, for user 0 only."""
    line_start = text.rfind("\n", 0, at) + 1
    indent = at - line_start
    if text[line_start:at].strip():
        return
    owner = _last(_PACKAGE, text, at)
    user = _last(_USER, text, at)
    if owner is None or user is None or user[1] < owner[1] or user[0] != "0":
        return
    pos = at + len(_DISABLED)
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if len(line) - len(line.lstrip(" ")) <= indent or not line.strip() or " " in line.strip():
            break
        out.disabled.setdefault(owner[0], set()).add(line.strip())
        pos = end + 1


def _last(pattern: re.Pattern[str], text: str, before: int) -> tuple[str, int] | None:
    """The last match of ``pattern`` before ``before`` (its group and position), looking back
    at most 64 KiB (a package block's user part is a few KiB)."""
    found = None
    for match in pattern.finditer(text, max(0, before - 65536), before):
        found = (match.group(1), match.start())
    return found


def _full(package: str, cls: str) -> tuple[str, str]:
    return package, package + cls if cls.startswith(".") else cls
