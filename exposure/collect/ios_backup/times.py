"""The clocks iOS databases use, to UTC times. A value out of range is None, never an error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_MAC_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)  # Core Data / Cocoa "absolute time"
_WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)  # Chrome: microseconds since 1601
_EARLIEST = datetime(2007, 1, 1, tzinfo=UTC)  # no iPhone wrote anything before
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _checked(moment: datetime) -> datetime | None:
    return moment if _EARLIEST <= moment < _LATEST else None


def mac_time(value: object) -> datetime | None:
    """Seconds since 2001 (Core Data); nanoseconds since 2001 (sms.db since iOS 11) too."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    if number > 1e14:
        number /= 1e9
    try:
        return _checked(_MAC_EPOCH + timedelta(seconds=number))
    except OverflowError:
        return None


def unix_time(value: object) -> datetime | None:
    """Seconds, milliseconds or microseconds since 1970, told apart by size."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    if number > 1e14:
        number /= 1e6
    elif number > 1e11:
        number /= 1e3
    try:
        return _checked(datetime.fromtimestamp(number, UTC))
    except (OverflowError, OSError, ValueError):
        return None


def webkit_time(value: object) -> datetime | None:
    """Microseconds since 1601 (Chrome's history)."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    try:
        return _checked(_WEBKIT_EPOCH + timedelta(microseconds=number))
    except OverflowError:
        return None


def any_time(value: object) -> datetime | None:
    """A plist date as it is, or a number read as Mac or Unix time by its size."""
    if isinstance(value, datetime):
        return _checked(value if value.tzinfo else value.replace(tzinfo=UTC))
    number = _number(value)
    if number is None:
        return None
    return unix_time(number) if number > 1.2e9 else mac_time(number)
