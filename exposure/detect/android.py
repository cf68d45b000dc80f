"""Android heuristics: patterns on a phone that are worth a look but are not proof.

They read the typed Android observations (apps, privileged components, settings, files),
keep a small summary per phone, and decide at the end, when everything about that phone
has been seen. Indicator matches (known package ids, certificates, APK hashes, including
state-monitoring apps such as BXAQ or MFSocket) are not here: they come from
``exposure.detect.indicators``. Each rule is documented in docs/detections.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from exposure.detect.base import DetectContext
from exposure.model import Category, CheckNote, Confidence, Finding, Observation, Severity
from exposure.observations.android import (
    KNOWN_STORES,
    AndroidComponent,
    AndroidFile,
    AndroidPackage,
    AndroidSetting,
    installed_outside_store,
)

RULES: tuple[str, ...] = (
    "android.sideloaded",
    "android.accessibility",
    "android.assistive-app",
    "android.device-admin",
    "android.notification-listener",
    "android.wearable-app",
    "android.play-protect-off",
    "android.dangerous-permissions",
    "android.always-on-vpn",
    "android.developer-options",
    "android.root",
)

# VPN apps published by well-known providers; any other always-on VPN is worth a look.
KNOWN_VPN_APPS: frozenset[str] = frozenset({
    "com.wireguard.android", "de.blinkt.openvpn", "net.openvpn.openvpn", "ch.protonvpn.android",
    "net.mullvad.mullvadvpn", "org.torproject.android", "com.nordvpn.android", "com.expressvpn.vpn",
    "org.outline.android.client", "com.cloudflare.onedotonedotonedotone", "com.psiphon3",
    "com.psiphon3.subscription", "org.getlantern.lantern", "com.mozilla.firefox.vpn",
    "com.google.android.apps.privacy.wildlife", "org.strongswan.android", "com.tailscale.ipn",
})

# Apps from a store whose accessibility service is what they are for: screen readers and
# other assistive tools, and password managers (which fill in passwords in other apps). Their
# service is information, named, not a warning. Ids as in each app's Google Play address.
ASSISTIVE_APPS: dict[str, str] = {
    "com.google.android.marvin.talkback": "TalkBack (screen reader)",
    "com.samsung.android.accessibility.talkback": "Samsung TalkBack (screen reader)",
    "com.google.android.apps.accessibility.voiceaccess": "Voice Access",
    "com.google.android.apps.accessibility.auditor": "Accessibility Scanner",
    "com.google.android.apps.accessibility.reveal": "Lookout by Google",
    "com.google.android.apps.accessibility.maui.actionblocks": "Action Blocks",
    "com.google.audio.hearing.visualization.accessibility.scribe": "Live Transcribe",
    "com.nirenr.talkman": "Jieshuo (screen reader)",
    "com.x8bit.bitwarden": "Bitwarden (password manager)",
    "com.lastpass.lpandroid": "LastPass (password manager)",
    "com.onepassword.android": "1Password (password manager)",
    "com.agilebits.onepassword": "1Password 7 (password manager)",
    "com.dashlane": "Dashlane (password manager)",
    "com.kunzisoft.keepass.free": "KeePassDX (password manager)",
    "com.kunzisoft.keepass.libre": "KeePassDX (password manager)",
    "keepass2android.keepass2android": "Keepass2Android (password manager)",
    "keepass2android.keepass2android_nonet": "Keepass2Android Offline (password manager)",
    "io.enpass.app": "Enpass (password manager)",
    "proton.android.pass": "Proton Pass (password manager)",
    "com.callpod.android_apps.keeper": "Keeper (password manager)",
    "com.siber.roboform": "RoboForm (password manager)",
}
# Smartwatch and fitness-band companion apps from a store: reading notifications is how the
# watch shows them. Information, named.
WEARABLE_APPS: dict[str, str] = {
    "com.google.android.wearable.app": "Wear OS by Google",
    "com.google.android.apps.wear.companion": "Pixel Watch",
    "com.samsung.android.app.watchmanager": "Galaxy Wearable",
    "com.samsung.android.geargplugin": "Galaxy Watch plugin",
    "com.samsung.android.waterplugin": "Galaxy Watch plugin",
    "com.fitbit.FitbitMobile": "Fitbit",
    "com.garmin.android.apps.connectmobile": "Garmin Connect",
    "com.xiaomi.wearable": "Mi Fitness",
    "com.xiaomi.hm.health": "Zepp Life",
    "com.huami.watch.hmwatchmanager": "Zepp",
    "com.huawei.health": "Huawei Health",
}
_KNOWN_HELPERS = {
    "accessibility": ("android.assistive-app", {k.lower(): v for k, v in ASSISTIVE_APPS.items()}),
    "notification-listener": ("android.wearable-app", {k.lower(): v for k, v in WEARABLE_APPS.items()}),
}

# A generic, system-like name: what stalkerware calls itself so that nobody looks twice
# ("System Service", "WiFi", "Update", com.android.core...). Checked in the package id and the
# label, for apps from outside a store only.
SYSTEM_LIKE_WORDS: tuple[str, ...] = ("system", "service", "update", "wifi", "wi-fi", "sync", "setting", "framework",
                                      "security")
PLATFORM_NAMESPACES: tuple[str, ...] = ("android.", "com.android.", "com.google.android.", "com.sec.android.",
                                        "com.samsung.android.", "com.huawei.android.", "com.miui.")

LOCATION = frozenset({"android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION",
                      "android.permission.ACCESS_BACKGROUND_LOCATION"})
MESSAGES_OR_CALLS = frozenset({"android.permission.READ_SMS", "android.permission.RECEIVE_SMS",
                               "android.permission.READ_CALL_LOG"})
MICROPHONE = frozenset({"android.permission.RECORD_AUDIO"})

_MAX_LISTED = 15
_MAX_EVIDENCE = 50
_ROLE_WORDS = {
    "device-admin": "device administrator",
    "device-owner": "device owner",
    "profile-owner": "profile owner (work profile manager)",
}


@dataclass(slots=True)
class _Phone:
    packages: dict[str, AndroidPackage] = field(default_factory=dict)
    components: list[AndroidComponent] = field(default_factory=list)
    settings: dict[str, AndroidSetting] = field(default_factory=dict)
    root_files: list[AndroidFile] = field(default_factory=list)


class AndroidHeuristics:
    """The Android heuristics of docs/detections.md, one finding per app or per phone."""

    name = "android"

    def __init__(self) -> None:
        self._phones: dict[str, _Phone] = {}

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        if isinstance(obs, AndroidPackage):
            self._phone(obs).packages[obs.package] = obs
        elif isinstance(obs, AndroidComponent):
            self._phone(obs).components.append(obs)
        elif isinstance(obs, AndroidSetting):
            self._phone(obs).settings[obs.key] = obs
        elif isinstance(obs, AndroidFile) and obs.note == "root binary":
            self._phone(obs).root_files.append(obs)
        return ()

    def _phone(self, obs: Observation) -> _Phone:
        phone = self._phones.get(obs.source)
        if phone is None:
            phone = self._phones[obs.source] = _Phone()
        return phone

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for source, phone in self._phones.items():
            yield from _phone_findings(source, phone, ctx)


def _phone_findings(source: str, phone: _Phone, ctx: DetectContext) -> Iterator[Finding]:
    yield from _dangerous(phone)
    yield from _components(phone)
    yield from _sideloaded(source, phone, ctx)
    yield from _play_protect(source, phone)
    yield from _developer(source, phone)
    yield from _root(source, phone)


def _is_third_party(phone: _Phone, package: str, owner_is_system: bool | None) -> bool:
    pkg = phone.packages.get(package)
    if pkg is not None:
        return not pkg.system
    return owner_is_system is not True


def _installer(phone: _Phone, package: str) -> str:
    """The installer's package id, or "—" when the phone names none (a value, not words:
    it goes into texts of every language)."""
    pkg = phone.packages.get(package)
    return (pkg.installer if pkg is not None else "") or "—"


def _components(phone: _Phone) -> Iterator[Finding]:
    """One finding per app and power. An app's accessibility or device-admin finding is
    folded into its combination finding, if it has one, after every detector has run
    (exposure/detect/fold.py)."""
    done: set[tuple[str, str]] = set()
    for comp in phone.components:
        if not _is_third_party(phone, comp.package, comp.owner_is_system):
            continue
        known = _known_helper(phone, comp)
        if known:
            rule, known_name = _KNOWN_HELPERS[comp.role][0], known
            severity, words = Severity.INFO, comp.role
            title = f"A known app uses its {comp.role} access for what it is for ({known_name})"
        elif comp.role == "accessibility":
            rule, severity, words = "android.accessibility", Severity.MEDIUM, "accessibility service"
            title = "An app can read the screen and act on it (accessibility service)"
        elif comp.role in _ROLE_WORDS:
            rule, severity, words = "android.device-admin", Severity.MEDIUM, _ROLE_WORDS[comp.role]
            title = f"An app has management powers over the phone ({words})"
        elif comp.role == "notification-listener":
            rule, severity, words = "android.notification-listener", Severity.LOW, "notification reader"
            title = "An app can read your notifications"
        elif comp.role == "always-on-vpn":
            if comp.package in KNOWN_VPN_APPS:
                continue
            rule, severity, words = "android.always-on-vpn", Severity.MEDIUM, "always-on VPN"
            title = "All internet traffic goes through a VPN app"
        else:
            continue
        if (rule, comp.package) in done:
            continue
        done.add((rule, comp.package))
        same = [c for c in phone.components if c.package == comp.package and c.role == comp.role]
        evidence: list[Observation] = list(same)
        if comp.package in phone.packages:
            evidence.append(phone.packages[comp.package])
        params = [("app", comp.package), ("component", ", ".join(c.component or c.package for c in same)),
                  ("role", comp.role), ("installer", _installer(phone, comp.package))]
        if known:
            params.append(("known_as", known))
        yield Finding(
            rule=rule, severity=severity, category=Category.HEURISTIC,
            title=f"{title}: {comp.package}",
            confidence=Confidence.HIGH if known else Confidence.MEDIUM, evidence=tuple(evidence),
            subject=comp.package, params=tuple(params),
        )


def _dangerous(phone: _Phone) -> Iterator[Finding]:
    """The stalkerware toolkit: a watching component plus location, messages or calls and the
    microphone, all granted. Medium on its own (store apps such as caller-id and call-recorder
    apps hold it too); high only with what ordinary apps do not show: installed from outside
    a store, and a system-like name or device-administrator powers (docs/detections.md)."""
    installers_known = any(p.installer for p in phone.packages.values())
    watching: dict[str, list[AndroidComponent]] = {}
    for comp in phone.components:
        if comp.role in _WATCHING_ROLES:
            watching.setdefault(comp.package, []).append(comp)
    for package, comps in watching.items():
        pkg = phone.packages.get(package)
        if pkg is None or pkg.system:
            continue
        granted = set(pkg.granted_permissions)
        if not (granted & LOCATION and granted & MESSAGES_OR_CALLS and granted & MICROPHONE):
            continue
        held = sorted(granted & (LOCATION | MESSAGES_OR_CALLS | MICROPHONE))
        # Only when the phone says which app installed which: otherwise nothing is known.
        outside = installers_known and installed_outside_store(pkg.installer, pkg.system)
        signs = _hiding_signs(pkg, comps)
        high = outside and bool(signs)
        comp = comps[0]
        yield Finding(
            rule="android.dangerous-permissions", severity=Severity.HIGH if high else Severity.MEDIUM,
            category=Category.HEURISTIC,
            title=f"An app can follow location, read messages or calls, listen, and read the screen: {package}",
            confidence=Confidence.MEDIUM, evidence=(pkg, *comps), subject=package,
            params=(("app", package), ("permissions", ", ".join(p.rsplit(".", 1)[-1] for p in held)),
                    ("component", comp.component or package), ("installer", _installer(phone, package)),
                    ("signs", ", ".join(signs) or "—"), ("store", "no" if outside else "yes")),
        )


_WATCHING_ROLES = frozenset({"accessibility", "device-admin", "device-owner", "profile-owner"})
_ADMIN_ROLES = frozenset({"device-admin", "device-owner", "profile-owner"})


def _hiding_signs(pkg: AndroidPackage, comps: list[AndroidComponent]) -> list[str]:
    """What a stalkerware-like app shows and ordinary apps do not (values, not words: they go
    into texts of every language): a system-like name, device-administrator powers."""
    signs: list[str] = []
    if is_system_like(pkg.package, pkg.label):
        signs.append(f"name:{pkg.label or pkg.package}")
    if any(c.role in _ADMIN_ROLES for c in comps):
        signs.append("device-admin")
    return signs


def is_system_like(package: str, label: str = "") -> bool:
    """A package id under a platform namespace, or an id or label with a generic system word."""
    lowered = package.lower()
    if lowered.startswith(PLATFORM_NAMESPACES):
        return True
    text = f"{lowered} {label.lower()}"
    return any(word in text for word in SYSTEM_LIKE_WORDS)


def _known_helper(phone: _Phone, comp: AndroidComponent) -> str:
    """The name of a well-known assistive, password-manager or smartwatch app that holds this
    component and came from a store, else "": a look-alike installed from a file is not known."""
    helpers = _KNOWN_HELPERS.get(comp.role)
    pkg = phone.packages.get(comp.package)
    if helpers is None or pkg is None or comp.package.lower() not in helpers[1]:
        return ""
    if pkg.installer not in KNOWN_STORES and not (pkg.system and not installed_outside_store(pkg.installer, True)):
        return ""
    return helpers[1][comp.package.lower()]


def _sideloaded(source: str, phone: _Phone, ctx: DetectContext) -> Iterator[Finding]:
    third_party = [p for p in phone.packages.values() if not p.system]
    if len(third_party) > 1 and not any(p.installer for p in phone.packages.values()):
        # No app at all has an installer: the phone did not tell, not "all sideloaded".
        ctx.warn(CheckNote.of("warn.android.no-installer", f"{source}: the phone did not say which app installed each "
                              "app; apps installed from outside an app store could not be checked", source=source))
        return
    apps = sorted((p for p in phone.packages.values() if installed_outside_store(p.installer, p.system)),
                  key=lambda p: p.package)
    if not apps:
        return
    names = [p.package for p in apps]
    listed = ", ".join(names[:_MAX_LISTED]) + (", …" if len(names) > _MAX_LISTED else "")
    yield Finding(
        rule="android.sideloaded", severity=Severity.LOW, category=Category.HEURISTIC,
        title=f"Apps installed from outside an app store: {len(apps)}",
        confidence=Confidence.MEDIUM, evidence=tuple(apps[:_MAX_EVIDENCE]), subject=source,
        params=(("count", str(len(apps))), ("apps", listed), ("phone", source)),
    )


def _value(phone: _Phone, key: str) -> str | None:
    setting = phone.settings.get(key)
    return None if setting is None else setting.value.strip()


def _play_protect(source: str, phone: _Phone) -> Iterator[Finding]:
    off = []
    if _value(phone, "package_verifier_enable") == "0":
        off.append("package_verifier_enable=0")
    if _value(phone, "package_verifier_user_consent") == "-1":
        off.append("package_verifier_user_consent=-1")
    if _value(phone, "verifier_verify_adb_installs") == "0":
        off.append("verifier_verify_adb_installs=0")
    if not off:
        return
    evidence = tuple(phone.settings[k] for k in ("package_verifier_enable", "package_verifier_user_consent",
                                                 "verifier_verify_adb_installs") if k in phone.settings)
    yield Finding(
        rule="android.play-protect-off", severity=Severity.MEDIUM, category=Category.HEURISTIC,
        title="Google Play Protect is turned off", confidence=Confidence.HIGH, evidence=evidence,
        subject=source, params=(("settings", "; ".join(off)), ("phone", source)),
    )


def _developer(source: str, phone: _Phone) -> Iterator[Finding]:
    on = [k for k in ("development_settings_enabled", "adb_enabled", "adb_wifi_enabled") if _value(phone, k) == "1"]
    if not on:
        return
    yield Finding(
        rule="android.developer-options", severity=Severity.INFO, category=Category.HEURISTIC,
        title="Developer options and USB debugging are on", confidence=Confidence.HIGH,
        evidence=tuple(phone.settings[k] for k in on), subject=source,
        params=(("settings", ", ".join(f"{k}=1" for k in on)), ("phone", source),
                ("wireless", "yes" if "adb_wifi_enabled" in on else "no")),
    )


def _root(source: str, phone: _Phone) -> Iterator[Finding]:
    if not phone.root_files:
        return
    paths = sorted({f.path for f in phone.root_files})
    yield Finding(
        rule="android.root", severity=Severity.MEDIUM, category=Category.HEURISTIC,
        title="Tools that give full control of the phone (root) were found", confidence=Confidence.MEDIUM,
        evidence=tuple(phone.root_files[:_MAX_EVIDENCE]), subject=source,
        params=(("paths", ", ".join(paths[:_MAX_LISTED])), ("phone", source)),
    )
