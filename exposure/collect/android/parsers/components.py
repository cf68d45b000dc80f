"""Component lists in settings: ``pkg/cls:pkg/cls`` (enabled accessibility services,
notification listeners). ``pkg/.Cls`` is short for ``pkg/pkg.Cls``."""

from __future__ import annotations

import re

_COMPONENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)/([A-Za-z0-9_.$]+)$")


def split_component(text: str) -> tuple[str, str] | None:
    """(package, full component) for ``pkg/cls``, or None when it is not one."""
    match = _COMPONENT.match(text.strip())
    if not match:
        return None
    package, cls = match.groups()
    if cls.startswith("."):
        cls = package + cls
    return package, f"{package}/{cls}"


def parse_component_list(value: str) -> list[tuple[str, str]]:
    """The (package, component) pairs of a colon-separated settings value."""
    out = []
    for part in value.split(":"):
        found = split_component(part)
        if found and found not in out:
            out.append(found)
    return out
