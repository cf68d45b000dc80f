"""What apps did on an Android phone, and how up to date the phone is.

Rules (each with its thresholds in docs/detections.md, texts in
``exposure/explain/rules/android.yaml``):

* ``android.used-<resource>``: an app recorded by ``dumpsys appops`` using the microphone,
  camera, location, messages, call log, contacts or screen capture while it was **not on
  the screen**. Worth checking (medium) for an app installed outside a store; high when
  the same app also hides its icon or holds a watching power (accessibility, device
  administrator, notification reader); low when the phone does not say who installed it.
  One finding per app and resource.
* ``android.store-apps-background``: apps from a store (or part of the phone) that did the
  same: information, one finding per phone.
* ``android.old-patch`` / ``android.old-patch-unsupported`` / ``android.unsupported-version``:
  a security patch level more than :data:`PATCH_MAX_AGE_DAYS` days older than the day the
  phone was read, and whether Google still fixes that Android version
  (``data/android_versions.txt``). At most one per phone.
* ``android.keyboard-outside-store`` / ``android.keyboard``: a keyboard that is not part of
  the phone, installed outside a store (medium) or from a store (information).
* ``android.overlay``: apps from outside a store allowed to draw over other apps.
* ``android.hidden-icon``: a third-party app with no icon in the app list that holds powers.
* ``android.app-activity`` / ``android.system-like-app-activity``: network and battery use
  of the apps other checks point at, and of apps from outside a store whose name looks like
  part of the phone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

from exposure.detect.android import is_system_like  # the sideloaded-app heuristics' notion of a system-like name
from exposure.detect.base import DetectContext
from exposure.model import Category, Confidence, Finding, IndicatorType, Observation, Severity
from exposure.observations.android import (
    AndroidAppInstall,
    AndroidAppOpUse,
    AndroidAppUsage,
    AndroidComponent,
    AndroidKeyboard,
    AndroidNoIcon,
    AndroidPackage,
    AndroidSoftware,
    installed_outside_store,
)

RESOURCES: tuple[str, ...] = ("microphone", "camera", "location", "sms", "call-log", "contacts", "screen-capture")
RULES: tuple[str, ...] = (
    *(f"android.used-{r}" for r in RESOURCES),
    "android.store-apps-background",
    "android.old-patch",
    "android.old-patch-unsupported",
    "android.unsupported-version",
    "android.keyboard-outside-store",
    "android.keyboard",
    "android.overlay",
    "android.hidden-icon",
    "android.app-activity",
    "android.system-like-app-activity",
)

# A security patch older than this, on the day the phone was read, is old: Android phones
# that still get updates receive one every month or every quarter.
PATCH_MAX_AGE_DAYS = 183
# Powers that let an app watch the person; with a hidden icon they make the background use
# of a sensor by an app from outside a store look like stalkerware.
WATCHING_ROLES = frozenset({"accessibility", "device-admin", "device-owner", "profile-owner", "notification-listener"})
POINTING_ROLES = WATCHING_ROLES | {"always-on-vpn", "vpn", "overlay"}
# Granted permissions that count as powers for an app without an icon.
POWER_PERMISSIONS = frozenset({
    "android.permission.RECORD_AUDIO", "android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_BACKGROUND_LOCATION",
    "android.permission.READ_SMS", "android.permission.RECEIVE_SMS", "android.permission.READ_CALL_LOG",
    "android.permission.READ_CONTACTS",
})
_MAX_LISTED = 15


def today() -> date:
    return datetime.now(UTC).date()


@cache
def android_versions() -> dict[str, tuple[date, date | None]]:
    """Major version ("11", "12L", "8.1") -> (released, support ended or None)."""
    text = resources.files("exposure.detect").joinpath("data", "android_versions.txt").read_text("utf-8")
    out: dict[str, tuple[date, date | None]] = {}
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) == 4:
            out[parts[0]] = (date.fromisoformat(parts[2]), None if parts[3] == "-" else date.fromisoformat(parts[3]))
    return out


def version_line(release: str) -> str | None:
    """The row of ``android_versions.txt`` for a ``ro.build.version.release`` ("11", "8.1.0", "12")."""
    known = android_versions()
    release = release.strip()
    if release in known:
        return release
    parts = release.split(".")
    for candidate in (".".join(parts[:2]), parts[0]):
        if candidate in known:
            return candidate
    return None


def clock(seconds: float | None) -> str:
    """``0:40:00`` (hours:minutes:seconds): a duration as a value, the same in every language."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole == 0 and seconds > 0:
        return f"{seconds:.3f} s"
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def size(count: int | None) -> str:
    if count is None:
        return "—"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


@dataclass(slots=True)
class _Phone:
    packages: dict[str, AndroidPackage] = field(default_factory=dict)
    components: list[AndroidComponent] = field(default_factory=list)
    uses: dict[str, list[AndroidAppOpUse]] = field(default_factory=dict)
    usage: dict[str, AndroidAppUsage] = field(default_factory=dict)
    keyboards: list[AndroidKeyboard] = field(default_factory=list)
    no_icon: dict[str, AndroidNoIcon] = field(default_factory=dict)
    installs: dict[str, AndroidAppInstall] = field(default_factory=dict)
    software: AndroidSoftware | None = None

    def installers_known(self) -> bool:
        return any(p.installer for p in self.packages.values())

    def origin(self, package: str) -> str:
        """"outside" (a store did not install it), "store", "system" or "unknown"."""
        pkg = self.packages.get(package)
        if pkg is None:
            return "unknown"
        if installed_outside_store(pkg.installer, pkg.system) and (pkg.installer or self.installers_known()):
            return "outside"
        if pkg.system:
            return "system"
        return "store" if pkg.installer else "unknown"

    def roles(self, package: str) -> set[str]:
        return {c.role for c in self.components if c.package == package}

    def evidence(self, package: str) -> list[Observation]:
        out: list[Observation] = []
        if package in self.packages:
            out.append(self.packages[package])
        if package in self.installs:
            out.append(self.installs[package])
        return out


class AndroidActivity:
    """The activity and age rules of docs/detections.md, one finding per app or per phone."""

    name = "android-activity"

    def __init__(self) -> None:
        self._phones: dict[str, _Phone] = {}

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        phone = self._phones.setdefault(obs.source, _Phone()) if obs.kind.startswith("android-") else None
        if phone is None:
            return ()
        if isinstance(obs, AndroidPackage):
            phone.packages[obs.package] = obs
        elif isinstance(obs, AndroidComponent):
            phone.components.append(obs)
        elif isinstance(obs, AndroidAppOpUse):
            phone.uses.setdefault(obs.package, []).append(obs)
        elif isinstance(obs, AndroidAppUsage):
            phone.usage[obs.package] = obs
        elif isinstance(obs, AndroidKeyboard):
            phone.keyboards.append(obs)
        elif isinstance(obs, AndroidNoIcon):
            phone.no_icon[obs.package] = obs
        elif isinstance(obs, AndroidAppInstall):
            phone.installs[obs.package] = obs
        elif isinstance(obs, AndroidSoftware):
            phone.software = obs
        return ()

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for source, phone in self._phones.items():
            if not phone.packages and phone.software is None:
                continue
            flagged: set[str] = set()
            for finding in _phone_findings(source, phone):
                if finding.subject != source:
                    flagged.add(finding.subject)
                yield finding
            yield from _activity(source, phone, flagged, ctx)


def _phone_findings(source: str, phone: _Phone) -> Iterator[Finding]:
    yield from _background_uses(source, phone)
    yield from _outdated(source, phone)
    yield from _keyboards(phone)
    yield from _overlays(source, phone)
    yield from _hidden_icons(phone)


def _background_uses(source: str, phone: _Phone) -> Iterator[Finding]:
    store_apps: list[AndroidAppOpUse] = []
    for package in sorted(phone.uses):
        origin = phone.origin(package)
        background = [u for u in phone.uses[package] if u.background_time and u.resource in RESOURCES]
        if not background or package not in phone.packages:
            continue
        if origin in ("store", "system"):
            store_apps += background
            continue
        signs = sorted(phone.roles(package) & WATCHING_ROLES) + (["no-icon"] if package in phone.no_icon else [])
        if origin == "outside":
            severity = Severity.HIGH if signs else Severity.MEDIUM
        else:
            severity = Severity.LOW
        pkg = phone.packages[package]
        for use in sorted(background, key=lambda u: RESOURCES.index(u.resource)):
            yield Finding(
                rule=f"android.used-{use.resource}", severity=severity, category=Category.HEURISTIC,
                title=f"{package} used the {use.resource} while it was not on the screen",
                confidence=Confidence.MEDIUM if severity is Severity.HIGH else Confidence.HIGH,
                evidence=(use, *phone.evidence(package), *[c for c in phone.components if c.package == package]),
                subject=package,
                params=(("app", package), ("when", use.background_time), ("duration", clock(use.background_duration_s)),
                        ("state", use.background_state), ("operations", use.op), ("installer", pkg.installer or "—"),
                        ("signs", ", ".join(signs) or "—"), ("phone", source)))
    if store_apps:
        listed = [f"{u.package} ({u.op} {u.background_time})" for u in store_apps]
        yield Finding(
            rule="android.store-apps-background", severity=Severity.INFO, category=Category.HEURISTIC,
            title="Apps from a store that used sensitive things while not on the screen: "
                  f"{len({u.package for u in store_apps})}",
            confidence=Confidence.HIGH, evidence=tuple(store_apps[:50]), subject=source,
            params=(("apps", "; ".join(listed[:_MAX_LISTED]) + ("; …" if len(listed) > _MAX_LISTED else "")),
                    ("count", str(len({u.package for u in store_apps}))), ("phone", source)))


def patch_age_days(patch: str, read: date) -> int | None:
    try:
        level = date.fromisoformat(patch.strip()[:10])
    except ValueError:
        try:
            level = date.fromisoformat(patch.strip()[:7] + "-01")
        except ValueError:
            return None
    return (read - level).days


def _outdated(source: str, phone: _Phone) -> Iterator[Finding]:
    software = phone.software
    if software is None:
        return
    read = date.fromisoformat(software.read_on) if software.read_on else today()
    age = patch_age_days(software.security_patch, read) if software.security_patch else None
    line = version_line(software.android_version) if software.android_version else None
    ended = android_versions()[line][1] if line else None
    unsupported = ended is not None and ended <= read
    old = age is not None and age > PATCH_MAX_AGE_DAYS
    if old:
        rule = "android.old-patch-unsupported" if unsupported else "android.old-patch"
    elif unsupported:
        rule = "android.unsupported-version"
    else:
        return
    months = str(age // 30) if age is not None else "—"
    yield Finding(
        rule=rule, severity=Severity.LOW, category=Category.HEURISTIC,
        title=f"The phone's security updates are old (patch {software.security_patch or '?'}, "
              f"Android {software.android_version or '?'})",
        confidence=Confidence.HIGH, evidence=(software,), subject=source,
        params=(("patch", software.security_patch or "—"), ("months", months), ("read_on", read.isoformat()),
                ("version", software.android_version or "—"), ("ended", ended.isoformat() if ended else "—"),
                ("phone", source)))


def _keyboards(phone: _Phone) -> Iterator[Finding]:
    done: set[str] = set()
    for keyboard in phone.keyboards:
        # A keyboard that came with the phone is not reported, unless it was replaced from an
        # APK file (origin "outside": an update that did not come from a store).
        if keyboard.package in done or keyboard.package not in phone.packages:
            continue
        if phone.origin(keyboard.package) == "system":
            continue
        done.add(keyboard.package)
        outside = phone.origin(keyboard.package) == "outside"
        same = [k for k in phone.keyboards if k.package == keyboard.package]
        yield Finding(
            rule="android.keyboard-outside-store" if outside else "android.keyboard",
            severity=Severity.MEDIUM if outside else Severity.INFO, category=Category.HEURISTIC,
            title=f"A keyboard that is not part of the phone is switched on: {keyboard.package}",
            confidence=Confidence.HIGH, evidence=(*same, *phone.evidence(keyboard.package)), subject=keyboard.package,
            params=(("app", keyboard.package), ("component", ", ".join(k.component for k in same)),
                    ("in_use", "✓" if any(k.in_use for k in same) else "—"),
                    ("installer", phone.packages[keyboard.package].installer or "—"
                     if keyboard.package in phone.packages else "—")))


def _overlays(source: str, phone: _Phone) -> Iterator[Finding]:
    apps = sorted({c.package for c in phone.components if c.role == "overlay"
                   and phone.origin(c.package) == "outside"})
    if not apps:
        return
    yield Finding(
        rule="android.overlay", severity=Severity.LOW, category=Category.HEURISTIC,
        title=f"Apps from outside a store that may draw over other apps: {len(apps)}",
        confidence=Confidence.HIGH,
        evidence=tuple(c for c in phone.components if c.role == "overlay" and c.package in apps),
        subject=source, params=(("apps", ", ".join(apps[:_MAX_LISTED]) + (", …" if len(apps) > _MAX_LISTED else "")),
                                ("count", str(len(apps))), ("phone", source)))


def _powers(phone: _Phone, package: str) -> list[str]:
    """What an app may do or did, as values: roles, granted permissions, recorded uses."""
    powers = sorted(phone.roles(package) & POINTING_ROLES)
    pkg = phone.packages.get(package)
    if pkg is not None:
        powers += sorted(p.rsplit(".", 1)[-1] for p in set(pkg.granted_permissions) & POWER_PERMISSIONS)
    powers += sorted({u.op for u in phone.uses.get(package, ()) if u.resource in RESOURCES})
    return powers


def _hidden_icons(phone: _Phone) -> Iterator[Finding]:
    for package, hidden in sorted(phone.no_icon.items()):
        powers = _powers(phone, package)
        if not powers or package not in phone.packages:
            continue
        outside = phone.origin(package) == "outside"
        yield Finding(
            rule="android.hidden-icon", severity=Severity.MEDIUM if outside else Severity.LOW,
            category=Category.HEURISTIC, title=f"An app with powers shows no icon in the app list: {package}",
            confidence=Confidence.MEDIUM, evidence=(hidden, *phone.evidence(package)), subject=package,
            params=(("app", package), ("how", hidden.how), ("powers", ", ".join(powers)),
                    ("installer", phone.packages[package].installer or "—")))


def _activity(source: str, phone: _Phone, flagged: set[str], ctx: DetectContext) -> Iterator[Finding]:
    for package, usage in sorted(phone.usage.items()):
        if not _has_use(usage):
            continue
        pointed = (package in flagged or bool(phone.roles(package) & POINTING_ROLES)
                   or _known(ctx, package))
        label = phone.packages[package].label if package in phone.packages else ""
        system_like = phone.origin(package) == "outside" and is_system_like(package, label)
        if not (pointed or system_like):
            continue
        yield Finding(
            rule="android.system-like-app-activity" if system_like else "android.app-activity",
            severity=Severity.LOW if system_like else Severity.INFO, category=Category.HEURISTIC,
            title=f"What {package} did on the phone (network and battery)",
            confidence=Confidence.HIGH, evidence=(usage, *phone.evidence(package)), subject=package,
            params=(("app", package), ("sent_background", size(usage.sent_background)),
                    ("received_background", size(usage.received_background)),
                    ("sent_foreground", size(usage.sent_foreground)),
                    ("days", f"{usage.network_days:.0f}" if usage.network_days is not None else "—"),
                    ("battery_share", f"{usage.battery_share:.1f}%" if usage.battery_share is not None else "—"),
                    ("background_time", clock(usage.not_on_screen_s)),
                    ("battery_sent", size(usage.battery_sent)),
                    ("since_charge", clock(usage.since_charge_s)),
                    ("installer", phone.packages[package].installer or "—" if package in phone.packages else "—"),
                    ("phone", source)))


def _has_use(usage: AndroidAppUsage) -> bool:
    return any(value for value in (usage.sent_background, usage.sent_foreground, usage.received_background,
                                   usage.battery_sent, usage.battery_share, usage.not_on_screen_s))


def _known(ctx: DetectContext, package: str) -> bool:
    """An indicator (not a supporting one) names this app: the indicator check reports it."""
    return any(not ind.supporting for ind in ctx.index.lookup(IndicatorType.PACKAGE, package))
