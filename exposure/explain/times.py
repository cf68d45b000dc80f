"""Times as a person reads them: a report's ISO 8601 times in local time, with the zone.

A time that cannot be read (a saved report may hold anything) is shown as nothing."""

from __future__ import annotations

from datetime import datetime


def format_time(iso: str | None) -> str:
    """An ISO time as local time with the zone, e.g. ``2026-11-26 10:02 UTC``."""
    moment = _parse_time(iso)
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d %H:%M} {_zone(moment)}"


def format_span(first: str | None, last: str | None) -> tuple[str, str]:
    """First and last times in local time; the date and zone are not repeated needlessly."""
    start, end = _parse_time(first), _parse_time(last)
    if start is None:
        return ("", "")
    if end is None or f"{end:%Y-%m-%d %H:%M:%S}" == f"{start:%Y-%m-%d %H:%M:%S}":
        return (f"{start:%Y-%m-%d %H:%M:%S} {_zone(start)}", "")
    if end.date() == start.date():
        return (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%H:%M:%S} {_zone(end)}")
    return (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S} {_zone(end)}")


def _parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone()
    except (ValueError, OverflowError, OSError):
        return None


def _zone(moment: datetime) -> str:
    zone = moment.tzname() or ""
    if zone and zone.isalpha():
        return zone
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
