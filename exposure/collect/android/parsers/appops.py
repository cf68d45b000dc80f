"""``dumpsys appops``: which app used which protected operation, when, for how long, and
in which state (on screen or not).

The service keeps, for each app and operation, the **last** access and the last refusal
in each process state, with the duration of that access. Three print styles exist, all
read here (the indentation varies between them and between vendors, so lines are
recognised by their content):

* Android 10 (AOSP ``AppOpsService.dumpLocked``; MVT's recorded Samsung phone)::

      Uid u0a103:
        Package com.facebook.katana:
          WAKE_LOCK (allow):
              Access: [bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms) duration=+33ms
              Reject: [cch-s]2022-03-29 18:48:02.923 (-4h39m51s164ms)

* Android 11 and later add the attribution tag (AOSP ``core/java/android/app/appops.md``)::

          READ_CONTACTS (allow):
            null=[
              Access: [fgsvc-s] 2020-02-14 14:24:10.559 (-3d23h15m43s642ms)
            ]
          MONITOR_LOCATION (allow / switch COARSE_LOCATION=allow):
            null=[
              Access: [top-s] 2020-06-18 19:22:38.445 (-27s668ms) duration=+27s670ms
              Running start at: +27s669ms
            ]

* Android 9 prints one line per process state and one duration per operation::

          WAKE_LOCK (allow):
              Access: pers  = 2026-08-03 16:52:10.471 (-36s524ms)
                      fg    = 2026-04-11 03:58:41.049 (-114d12h54m5s946ms)
              duration=+24ms

The bracket holds ``<state>-<flags>``: states ``pers`` (persistent system process),
``top`` (the app is on the screen), ``fgsvcl``/``fgsvc`` (a foreground service, shown by a
notification), ``fg``, ``bg``, ``cch`` (not on the screen); flags ``s`` (the app itself),
``tp``/``up`` (it acted for another app), ``tpd``/``upd`` (another app acted for it).
Times are the phone's local time; the ``(-…)`` offset is how long before the dump.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from exposure.collect.android.parsers.durations import parse_duration, parse_local_time

_UID = re.compile(r"^\s*Uid (\S+):\s*$")
_PACKAGE = re.compile(r"^\s*Package (\S+):\s*$")
_OP = re.compile(r"^\s*([A-Z][A-Z0-9_]*) \(([a-z]+)[^)]*\):(.*)$")
_EVENT_NEW = re.compile(
    r"^\s*(Access|Reject):\s*\[([a-z]+)(?:-([a-z]+))?\]\s*"
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s*\(([-+][0-9dhms]+)\)(.*)$")
_EVENT_P = re.compile(
    r"^\s*(?:(Access|Reject):\s*)?(pers|top|fgsvcl|fgsvc|fg|bg|cch)\s*=\s*"
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s*\(([-+][0-9dhms]+)\)\s*$")
_DURATION = re.compile(r"duration=([-+][0-9dhms]+)")
_OP_DURATION = re.compile(r"^\s*duration=([-+][0-9dhms]+)\s*$")
_RUNNING = re.compile(r"^\s*Running start at:\s*([-+][0-9dhms]+)")
_OLD_TIMES = re.compile(r"\btime=([-+][0-9dhms]+) ago(?:.*duration=([-+][0-9dhms]+))?")

# Process states in which the app was not on the screen (AppOpsManager UID_STATE_*).
NOT_ON_SCREEN: frozenset[str] = frozenset({"fgsvcl", "fgsvc", "fg", "bg", "cch"})


@dataclass(frozen=True, slots=True)
class OpEvent:
    """One recorded access (or refusal) of an operation."""

    kind: str  # "access" | "reject"
    state: str  # "top", "bg"... ("" when the dump does not say: Android 8 and older)
    flags: str  # "s", "tp", "up", "tpd", "upd" ("" when not printed)
    time: datetime | None  # the phone's local time
    ago_s: float | None  # how long before the dump
    duration_s: float | None = None

    @property
    def on_screen(self) -> bool:
        return self.state in ("top", "pers")

    @property
    def not_on_screen(self) -> bool:
        return self.state in NOT_ON_SCREEN


@dataclass(slots=True)
class AppOp:
    """One operation of one app, with what the dump recorded for it."""

    uid: str  # as printed: "u0a103", "1000"
    package: str
    op: str  # "RECORD_AUDIO"
    mode: str  # "allow", "ignore", "deny", "foreground", "default"
    events: list[OpEvent] = field(default_factory=list)
    running_s: float | None = None  # in use while the phone was read, for this long


def parse_appops(text: str, ops: Iterable[str] | None = None) -> list[AppOp]:
    """Every (app, operation) the dump lists under a package; only ``ops`` when given."""
    wanted = frozenset(ops) if ops is not None else None
    out: list[AppOp] = []
    uid = ""
    package = ""
    current: AppOp | None = None
    p_kind = "access"  # Android 9: the kind of the lines that continue an Access:/Reject: list
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _UID.match(line)
        if match:
            uid, package, current = match.group(1), "", None
            continue
        match = _PACKAGE.match(line)
        if match:
            package, current = match.group(1), None
            continue
        match = _OP.match(line)
        if match and package:
            name, mode, rest = match.groups()
            current = None
            if wanted is None or name in wanted:
                current = AppOp(uid, package, name, mode)
                out.append(current)
                _old_style(current, rest)
            continue
        if current is None:
            continue
        match = _EVENT_NEW.match(line)
        if match:
            kind, state, flags, when, ago, rest = match.groups()
            duration = _DURATION.search(rest)
            current.events.append(OpEvent(kind.lower(), state, flags or "", parse_local_time(when),
                                          parse_duration(ago),
                                          parse_duration(duration.group(1)) if duration else None))
            continue
        match = _EVENT_P.match(line)
        if match:
            kind, state, when, ago = match.groups()
            if kind:
                p_kind = kind.lower()
            current.events.append(OpEvent(p_kind, state, "", parse_local_time(when), parse_duration(ago)))
            continue
        match = _OP_DURATION.match(line)
        if match:
            _android9_duration(current, parse_duration(match.group(1)))
            continue
        match = _RUNNING.match(line)
        if match:
            current.running_s = parse_duration(match.group(1))
    return out


def _old_style(op: AppOp, rest: str) -> None:
    """Android 8 and older: ``RECORD_AUDIO (allow): time=+3m9s ago; duration=+2s``."""
    match = _OLD_TIMES.search(rest)
    if match:
        op.events.append(OpEvent("access", "", "", None, parse_duration(match.group(1)),
                                 parse_duration(match.group(2)) if match.group(2) else None))


def _android9_duration(op: AppOp, seconds: float | None) -> None:
    """Android 9 prints one duration per operation: it belongs to the latest access."""
    accesses = [i for i, e in enumerate(op.events) if e.kind == "access" and e.time is not None]
    if not accesses or seconds is None:
        return
    latest = max(accesses, key=lambda i: op.events[i].time or datetime.min)
    event = op.events[latest]
    op.events[latest] = OpEvent(event.kind, event.state, event.flags, event.time, event.ago_s, seconds)


def dump_time(ops: Iterable[AppOp]) -> datetime | None:
    """When the phone printed the dump, on its own clock: each event's time plus how long
    before the dump it was (the latest such moment, to the second), or None."""
    best: datetime | None = None
    for op in ops:
        for event in op.events:
            if event.time is None or event.ago_s is None:
                continue
            moment = event.time + timedelta(seconds=event.ago_s)
            if best is None or moment > best:
                best = moment
    return best.replace(microsecond=0) if best is not None else None
