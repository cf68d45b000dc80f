"""``getprop`` output: ``[key]: [value]`` per line (values may span lines; we keep one)."""

from __future__ import annotations

import re

from exposure.collect.android.parsers.lines import lines

_LINE = re.compile(r"^\[([^\]]*)\]:\s*\[(.*)\]\s*$")

# The properties a report shows, and the words for them.
BASICS: tuple[tuple[str, str], ...] = (
    ("ro.product.manufacturer", "manufacturer"),
    ("ro.product.model", "model"),
    ("ro.build.version.release", "Android version"),
    ("ro.build.version.sdk", "API level"),
    ("ro.build.version.security_patch", "security patch level"),
    ("ro.build.fingerprint", "build"),
)


def parse_getprop(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines(text):
        match = _LINE.match(line.strip())
        if match:
            out[match.group(1)] = match.group(2)
    return out


def basics(props: dict[str, str]) -> dict[str, str]:
    """The device facts a report names: model, Android version, patch level..."""
    return {label: props[key] for key, label in BASICS if props.get(key)}
