"""``dumpsys device_policy``: device administrators, the device owner and profile owners.

AOSP (``DevicePolicyManagerService.dump``) prints, per user, a header
``Enabled Device Admins (User N, provisioningState: P):`` followed by one line per admin,
``pkg/.Cls:``, with the admin's fields indented below. ``Device Owner:`` and
``Profile Owner (User N):`` blocks carry ``admin=ComponentInfo{pkg/cls}`` and
``package=pkg``. Package names are read only from those lines, never by searching the
whole dump.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exposure.collect.android.parsers.components import split_component
from exposure.collect.android.parsers.lines import lines

_ADMINS_HEADER = re.compile(r"^Enabled Device Admins \(User (\d+)")
_OWNER_HEADER = re.compile(r"^(Device Owner|Profile Owner \(User (\d+)\))\s*:")
_ADMIN_FIELD = re.compile(r"^admin=ComponentInfo\{([^{}]+)\}$")
_PACKAGE_FIELD = re.compile(r"^package=(\S+)$")


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    role: str  # "device-admin" | "device-owner" | "profile-owner"
    package: str
    component: str = ""
    user: int = 0


def parse_device_policy(text: str) -> list[PolicyEntry]:
    out: list[PolicyEntry] = []
    header_indent = -1
    mode = ""  # "admins" | "device-owner" | "profile-owner"
    user = 0
    owner_component = ""
    for raw in lines(text):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if mode and indent <= header_indent:
            mode = ""
        if not mode:
            admins = _ADMINS_HEADER.match(line)
            owner = _OWNER_HEADER.match(line)
            if admins:
                mode, user, header_indent = "admins", int(admins.group(1)), indent
            elif owner:
                mode = "device-owner" if owner.group(1) == "Device Owner" else "profile-owner"
                user = int(owner.group(2) or 0)
                header_indent, owner_component = indent, ""
            continue
        if mode == "admins":
            # Admin lines sit one level below the header; their fields sit deeper.
            if indent == header_indent + 2 and line.endswith(":"):
                found = split_component(line[:-1])
                if found:
                    _add(out, PolicyEntry("device-admin", found[0], found[1], user))
            continue
        admin = _ADMIN_FIELD.match(line)
        if admin:
            found = split_component(admin.group(1))
            if found:
                owner_component = found[1]
                _add(out, PolicyEntry(mode, found[0], owner_component, user))
            continue
        package = _PACKAGE_FIELD.match(line)
        if package and not owner_component:
            found = split_component(package.group(1) + "/.x")
            if found:
                _add(out, PolicyEntry(mode, found[0], "", user))
    return out


def _add(out: list[PolicyEntry], entry: PolicyEntry) -> None:
    if not any(e.role == entry.role and e.package == entry.package and e.user == entry.user for e in out):
        out.append(entry)
