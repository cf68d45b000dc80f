"""``settings list <namespace>`` and androidqf ``settings_*.txt``: ``key=value`` per line.

The value may be empty and may contain ``=``: split on the first one only.
"""

from __future__ import annotations

import re

from exposure.collect.android.parsers.lines import lines

_KEY = re.compile(r"^[A-Za-z0-9_.:\-]+$")


def parse_settings(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines(text):
        key, sep, value = line.strip().partition("=")
        if sep and _KEY.match(key):
            out[key] = value.strip()
    return out
