"""Durations, byte counts and times as Android's dump services print them.

* ``TimeUtils.formatDuration``: ``+1d2h3m4s5ms``, ``-4h50m23s772ms``, ``+33ms``, ``0``
  (appops, the times in ``dumpsys package``);
* ``BatteryStats.formatTimeMs``: ``1d 2h 3m 4s 5ms `` (spaces between the parts);
* ``BatteryStats.formatBytesLocked``: ``512B``, ``1.23KB``, ``4.56MB``, ``7.89GB`` (powers of 1024);
* wall-clock times: ``2022-03-29 18:37:30.315`` in the phone's own time zone.
"""

from __future__ import annotations

import re
from datetime import datetime

_PART = re.compile(r"(\d+)(ms|d|h|m|s)")
_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_DURATION = re.compile(r"^[+-]?(?:\d+(?:ms|d|h|m|s)\s*)+$|^[+-]?0$")
_BYTES = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)(B|KB|MB|GB|TB)$")
_BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?")


def parse_duration(text: str) -> float | None:
    """Seconds in a duration (its sign dropped), or None when it is not one."""
    text = text.strip()
    if not text or not _DURATION.match(text):
        return None
    return sum(int(number) * _SECONDS[unit] for number, unit in _PART.findall(text))


def parse_bytes(text: str) -> int | None:
    """Bytes in ``4.56MB`` (1024-based, as Android prints them), or None."""
    match = _BYTES.match(text.strip())
    if not match:
        return None
    return round(float(match.group(1).replace(",", ".")) * _BYTE_UNITS[match.group(2)])


def parse_local_time(text: str) -> datetime | None:
    """The first ``YYYY-MM-DD HH:MM:SS[.fff]`` in ``text`` as a naive datetime (the phone's
    own clock and zone), or None."""
    match = _TIME.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(x) for x in match.groups()[:6])
    fraction = (match.group(7) or "0").ljust(6, "0")
    try:
        return datetime(year, month, day, hour, minute, second, int(fraction))
    except ValueError:
        return None


def plain_time(moment: datetime | None) -> str:
    """``2022-03-29 18:37:30``: a phone time as a person reads it (no fractions)."""
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
