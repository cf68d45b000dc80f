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

_ENTRY = re.compile(r"^\s+[0-9a-f]+ ([A-Za-z0-9_.]+)/([A-Za-z0-9_.$]+)(?: filter [0-9a-f]+)?\s*$")
_CATEGORY = re.compile(r'^\s+Category: "([^"]+)"')
_ACTION = re.compile(r'^\s+Action: "([^"]+)"')
_PACKAGE = re.compile(r"^  Package \[([^\]]+)\] \(")
_USER = re.compile(r"^\s+User (\d+):")
LAUNCHER = "android.intent.category.LAUNCHER"
MAIN = "android.intent.action.MAIN"


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
    out = Launchers()
    seen_table = False
    section = ""
    entry: tuple[str, str] | None = None
    actions: set[str] = set()
    package = ""
    user = -1
    in_disabled = False
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.strip()
            entry, package, in_disabled = None, "", False
            seen_table = seen_table or section == "Activity Resolver Table:"
            continue
        if section == "Activity Resolver Table:":
            match = _ENTRY.match(line)
            if match:
                entry, actions = _full(match.group(1), match.group(2)), set()
                continue
            match = _ACTION.match(line)
            if match:
                actions.add(match.group(1))
                continue
            match = _CATEGORY.match(line)
            if match and entry is not None and match.group(1) == LAUNCHER and (not actions or MAIN in actions):
                out.activities.setdefault(entry[0], set()).add(entry[1])
        elif section == "Packages:":
            package, user, in_disabled = _package_line(out, line, package, user, in_disabled)
    return out if seen_table else None


def _package_line(out: Launchers, line: str, package: str, user: int, in_disabled: bool) -> tuple[str, int, bool]:
    match = _PACKAGE.match(line)
    if match:
        return match.group(1), -1, False
    match = _USER.match(line)
    if match:
        return package, int(match.group(1)), False
    stripped = line.strip()
    if stripped.endswith(":"):
        return package, user, stripped == "disabledComponents:" and user == 0
    if in_disabled and package and stripped and " " not in stripped:
        out.disabled.setdefault(package, set()).add(stripped)
        return package, user, True
    return package, user, False if stripped else in_disabled


def _full(package: str, cls: str) -> tuple[str, str]:
    return package, package + cls if cls.startswith(".") else cls
