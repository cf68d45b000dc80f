"""What apps did on a phone, and how up to date it is: observations for the activity checks.

Every Android source hands in the same raw outputs (``commands.py`` names; an androidqf
``dumpsys.txt`` or a bugreport split into the same names): ``dumpsys appops`` (the last use
of the microphone, camera, location... per app and process state), ``batterystats`` and
``netstats`` (network and battery use per app), ``input_method`` and the secure settings
(keyboards), the whole ``dumpsys package`` (launcher icons, install and update times) and
``getprop`` (Android version, security patch level, time zone). ``phone.assemble`` calls
:func:`activity_observations` once per phone with what it already merged per app.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exposure.collect.android import commands as cmd
from exposure.collect.android.parsers.appops import AppOp, OpEvent, dump_time, parse_appops
from exposure.collect.android.parsers.batterystats import parse_batterystats
from exposure.collect.android.parsers.durations import parse_local_time, plain_time
from exposure.collect.android.parsers.input_method import parse_input_methods
from exposure.collect.android.parsers.launcher import parse_launchers
from exposure.collect.android.parsers.netstats import parse_netstats
from exposure.model import CheckNote, Observation, SourceInfo
from exposure.observations.android import (
    APK_INSTALLERS,
    AndroidAppInstall,
    AndroidAppOpUse,
    AndroidAppUsage,
    AndroidComponent,
    AndroidKeyboard,
    AndroidNoIcon,
    AndroidSoftware,
)

# App operations that say an app watched someone, by what they reach. Source: AOSP
# AppOpsManager op names (``dumpsys appops`` prints them); RECORD_AUDIO_HOTWORD (a voice
# assistant listening for its wake word) is left out on purpose.
SENSITIVE_OPS: dict[str, str] = {
    "RECORD_AUDIO": "microphone", "PHONE_CALL_MICROPHONE": "microphone",
    "CAMERA": "camera", "PHONE_CALL_CAMERA": "camera",
    "FINE_LOCATION": "location", "COARSE_LOCATION": "location", "MONITOR_LOCATION": "location",
    "MONITOR_HIGH_POWER_LOCATION": "location",
    "READ_SMS": "sms", "RECEIVE_SMS": "sms", "SEND_SMS": "sms", "RECEIVE_MMS": "sms", "READ_ICC_SMS": "sms",
    "RECEIVE_WAP_PUSH": "sms",
    "READ_CALL_LOG": "call-log", "PROCESS_OUTGOING_CALLS": "call-log",
    "READ_CONTACTS": "contacts",
    "PROJECT_MEDIA": "screen-capture",
}
OVERLAY_OP = "SYSTEM_ALERT_WINDOW"  # "draw over other apps"
# The outputs this module reads beyond the package list (commands.py names).
DUMPSYS_APPOPS = cmd.DUMPSYS_APPOPS.name
DUMPSYS_BATTERYSTATS = cmd.DUMPSYS_BATTERYSTATS.name
DUMPSYS_NETSTATS = cmd.DUMPSYS_NETSTATS.name
DUMPSYS_INPUT_METHOD = cmd.DUMPSYS_INPUT_METHOD.name


LAUNCHER_ICONS = CheckNote.of("android.launcher-icons", "which apps show an icon in the app list")


class AppFacts(Protocol):
    """What ``phone.assemble`` knows of each app (its merged record)."""

    package: str
    uid: int | None
    system: bool
    installer: str
    first_install: str
    last_update: str


def activity_observations(outputs: Mapping[str, str], info: SourceInfo, collector: str, source: str,
                          packages: Sequence[AppFacts], settings: Mapping[str, str],
                          props: Mapping[str, str]) -> Iterator[Observation]:
    zone = _zone(props.get("persist.sys.timezone", ""))
    by_uid: dict[int, list[AppFacts]] = {}
    for pkg in packages:
        if pkg.uid is not None:
            by_uid.setdefault(pkg.uid, []).append(pkg)
    by_name = {p.package: p for p in packages}

    ops = parse_appops(outputs.get(DUMPSYS_APPOPS, ""), [*SENSITIVE_OPS, OVERLAY_OP])
    read_at = dump_time(ops) or _saved_time(info)
    yield AndroidSoftware(collector, source, android_version=props.get("ro.build.version.release", ""),
                          sdk=props.get("ro.build.version.sdk", ""),
                          security_patch=props.get("ro.build.version.security_patch", ""),
                          read_on=read_at.date().isoformat() if read_at else "")
    uses = list(_op_uses(ops, collector, source, zone))
    if DUMPSYS_APPOPS in outputs:
        info.counts["app-uses"] = len(uses)
    yield from uses
    for op in ops:
        owner = by_name.get(op.package)
        if op.op == OVERLAY_OP and op.mode == "allow" and owner is not None and not owner.system:
            yield AndroidComponent(collector, source, "overlay", op.package, "", owner_is_system=False)
    yield from _usage(outputs, collector, source, by_uid)
    yield from _keyboards(outputs, settings, collector, source, by_name)
    yield from _installs_and_icons(outputs, collector, source, packages, zone, info)


@cache
def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _utc(moment: datetime | None, zone: ZoneInfo | None) -> datetime | None:
    """A phone-clock time in UTC, when the phone's zone is known (else None: a time without
    its zone would be read as UTC and be wrong by hours)."""
    if moment is None or zone is None:
        return None
    try:
        return moment.replace(tzinfo=zone).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def phone_time(text: str, props: Mapping[str, str]) -> datetime | None:
    """A time printed by the phone ("2021-12-15 17:51:52", its own clock) in UTC, when the
    phone says its time zone (``persist.sys.timezone``); else None."""
    return _utc(parse_local_time(text), _zone(props.get("persist.sys.timezone", ""))) if text else None


def _saved_time(info: SourceInfo) -> datetime | None:
    for key in ("androidqf started", "saved time"):
        value = info.details.get(key, "")
        moment = parse_local_time(value)
        if moment is not None:
            return moment
    return None


def _op_uses(ops: Sequence[AppOp], collector: str, source: str, zone: ZoneInfo | None) -> Iterator[AndroidAppOpUse]:
    grouped: dict[tuple[str, str], list[AppOp]] = {}
    for op in ops:
        resource = SENSITIVE_OPS.get(op.op)
        if resource is not None:
            grouped.setdefault((op.package, resource), []).append(op)
    for (package, resource), group in sorted(grouped.items()):
        accesses = [(op, e) for op in group for e in op.events if e.kind == "access" and e.time is not None]
        running = max((op.running_s for op in group if op.running_s is not None), default=None)
        if not accesses and running is None:
            continue
        last = _latest(accesses)
        background = _latest([(op, e) for op, e in accesses if e.not_on_screen])
        shown = background or last
        start = _utc(shown[1].time, zone) if shown else None
        end = start + timedelta(seconds=shown[1].duration_s) if start and shown and shown[1].duration_s else None
        modes = {op.mode for op in group}
        yield AndroidAppOpUse(
            collector, source, package, ", ".join(sorted({op.op for op in group})), resource,
            mode="allow" if "allow" in modes else sorted(modes)[0],
            last_time=plain_time(last[1].time) if last else "", last_state=last[1].state if last else "",
            last_duration_s=last[1].duration_s if last else None,
            background_time=plain_time(background[1].time) if background else "",
            background_state=background[1].state if background else "",
            background_duration_s=background[1].duration_s if background else None,
            running_s=running, uses=len(accesses), first_seen=start, last_seen=end)


def _latest(events: list[tuple[AppOp, OpEvent]]) -> tuple[AppOp, OpEvent] | None:
    return max(events, key=lambda pair: pair[1].time or datetime.min, default=None)


def _usage(outputs: Mapping[str, str], collector: str, source: str,
           by_uid: Mapping[int, list[AppFacts]]) -> Iterator[AndroidAppUsage]:
    traffic = parse_netstats(outputs.get(DUMPSYS_NETSTATS, ""))
    battery = parse_batterystats(outputs.get(DUMPSYS_BATTERYSTATS, ""))
    uids = battery.uids or {}
    drain = battery.computed_drain_mah
    for uid in sorted(set(traffic) | set(uids)):
        for pkg in by_uid.get(uid, []):
            if pkg.system:
                continue
            net, bat = traffic.get(uid), uids.get(uid)
            days = (net.last - net.first) / 86400 if net and net.first is not None and net.last is not None else None
            share = (100 * bat.power_mah / drain if bat and bat.power_mah is not None and drain else None)
            yield AndroidAppUsage(
                collector, source, pkg.package, uid,
                sent_background=net.sent_background if net else None,
                received_background=net.received_background if net else None,
                sent_foreground=net.sent_foreground if net else None,
                received_foreground=net.received_foreground if net else None,
                network_days=round(days, 1) if days is not None else None,
                battery_sent=bat.sent if bat else None, battery_received=bat.received if bat else None,
                battery_share=round(share, 1) if share is not None else None,
                not_on_screen_s=bat.not_on_screen_s if bat else None,
                foreground_service_s=bat.foreground_service_s if bat else None,
                audio_s=bat.audio_s if bat else None, camera_s=bat.camera_s if bat else None,
                gps_background_s=bat.gps_background_s if bat else None,
                since_charge_s=battery.since_charge_s if bat else None)


def _keyboards(outputs: Mapping[str, str], settings: Mapping[str, str], collector: str, source: str,
               by_name: Mapping[str, AppFacts]) -> Iterator[AndroidKeyboard]:
    found = parse_input_methods(outputs.get(DUMPSYS_INPUT_METHOD, ""), settings)
    for package, component in found.enabled:
        pkg = by_name.get(package)
        yield AndroidKeyboard(collector, source, package, component, in_use=found.current == (package, component),
                              system=pkg.system if pkg is not None else None,
                              installer=pkg.installer if pkg is not None else "")


def _installs_and_icons(outputs: Mapping[str, str], collector: str, source: str, packages: Sequence[AppFacts],
                        zone: ZoneInfo | None, info: SourceInfo) -> Iterator[Observation]:
    launchers = parse_launchers(outputs.get(cmd.DUMPSYS_PACKAGE.name, ""))
    if cmd.DUMPSYS_PACKAGE.name in outputs:
        # Some acquisitions keep only parts of the package dump: then icons are not known.
        (info.add_checked if launchers is not None else info.add_not_checked)(LAUNCHER_ICONS)
    for pkg in packages:
        if pkg.system and pkg.installer not in APK_INSTALLERS:
            continue
        if pkg.first_install:
            installed = parse_local_time(pkg.first_install)
            updated = parse_local_time(pkg.last_update) if pkg.last_update else None
            yield AndroidAppInstall(collector, source, pkg.package, installer=pkg.installer, system=pkg.system,
                                    installed_time=plain_time(installed) or pkg.first_install[:32],
                                    updated_time=plain_time(updated), first_seen=_utc(installed, zone),
                                    last_seen=_utc(updated, zone) if updated and updated != installed else None)
        if launchers is not None and not pkg.system and not launchers.has_icon(pkg.package):
            how = "switched-off" if launchers.icon_switched_off(pkg.package) else "none"
            yield AndroidNoIcon(collector, source, pkg.package, how)
