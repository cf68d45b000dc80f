"""``dumpsys package`` (whole or for one id): the ``Packages:`` section.

Each app is a block ``  Package [<id>] (<hash>):`` with ``key=value`` lines indented by
four spaces, then lists: ``requested permissions:``, ``install permissions:``
(``perm: granted=true``), and per user ``User N: ... installed=true ... enabled=N`` with
``runtime permissions:`` below. Only user 0 (the phone's owner) counts for enabled state
and runtime grants. Other sections (resolver tables, "Hidden system packages",
"Dexopt state") are skipped: only ``Packages:`` blocks are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exposure.collect.android.parsers.lines import lines

_BLOCK = re.compile(r"^  Package \[([^\]]+)\] \(")
_USER = re.compile(r"^User (\d+):(.*)$")
# COMPONENT_ENABLED_STATE_*: 0 default, 1 enabled, 2 disabled, 3 disabled by user,
# 4 disabled until used.
_DISABLED_STATES = frozenset({"2", "3", "4"})


@dataclass(slots=True)
class DumpedPackage:
    package: str
    uid: int | None = None
    version_name: str = ""
    version_code: str = ""
    first_install: str = ""
    last_update: str = ""
    installer: str | None = None  # None when the dump does not say
    code_path: str = ""
    system: bool = False
    enabled: bool = True
    installed: bool = True
    requested: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)


def parse_dumpsys_package(text: str) -> dict[str, DumpedPackage]:  # noqa: C901 - one branch per kind of line
    out: dict[str, DumpedPackage] = {}
    in_section = False
    current: DumpedPackage | None = None
    listing = ""  # "requested" | "install" | "runtime" | ""
    user = -1
    for raw in lines(text):
        if not raw:
            continue
        if raw[0] != " ":
            in_section = raw.rstrip() == "Packages:"
            current = None
            continue
        if not in_section:
            continue  # most of a whole dump: resolver tables, queries, dexopt state
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 2:
            match = _BLOCK.match(raw)
            current = None
            if match:
                current = out.setdefault(match.group(1), DumpedPackage(match.group(1)))
                listing, user = "", -1
            continue
        if current is None:
            continue
        line = raw.strip()
        if indent == 4:
            listing = ""
            user_match = _USER.match(line)
            if user_match:
                user = int(user_match.group(1))
                if user == 0:
                    _user_state(current, user_match.group(2))
            elif line == "requested permissions:":
                listing = "requested"
            elif line == "install permissions:":
                listing = "install"
            else:
                _key_value(current, line)
        elif indent == 6 and listing == "requested":
            current.requested.append(line.split(":", 1)[0].strip())
        elif indent == 6 and listing == "install":
            name, _, rest = line.partition(":")
            if "granted=true" in rest:
                current.granted.append(name.strip())
        elif indent == 6 and user == 0:
            listing = "runtime" if line == "runtime permissions:" else ""
        elif indent == 8 and listing == "runtime" and user == 0:
            name, _, rest = line.partition(":")
            if "granted=true" in rest:
                current.granted.append(name.strip())
    return out


def _user_state(pkg: DumpedPackage, rest: str) -> None:
    for token in rest.split():
        key, _, value = token.partition("=")
        if key == "installed":
            pkg.installed = value == "true"
        elif key == "enabled":
            pkg.enabled = value not in _DISABLED_STATES


def _key_value(pkg: DumpedPackage, line: str) -> None:
    key, sep, value = line.partition("=")
    if not sep:
        return
    if key == "userId":
        try:
            pkg.uid = int(value.split()[0])
        except (ValueError, IndexError):
            pass
    elif key == "versionName":
        pkg.version_name = value
    elif key == "versionCode":
        pkg.version_code = value.split()[0] if value else ""
    elif key == "firstInstallTime":
        pkg.first_install = value
    elif key == "lastUpdateTime":
        pkg.last_update = value
    elif key == "installerPackageName":
        pkg.installer = "" if value == "null" else value
    elif key == "codePath":
        pkg.code_path = value
    elif key in ("flags", "pkgFlags"):
        if " SYSTEM " in f" {value.strip('[] ')} ":
            pkg.system = True
