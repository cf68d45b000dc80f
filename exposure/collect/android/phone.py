"""Raw outputs of a phone → observations, the same way for every Android source.

A live adb scan and a saved dump hand in the outputs of the commands in ``commands.py``
by name; an androidqf acquisition hands in its files mapped to the same names plus its
own ``packages.json`` and ``processes.json`` records. Everything is parsed here, merged per
app, and turned into typed observations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from exposure.collect.android import commands as cmd
from exposure.collect.android.activity import activity_observations, phone_time
from exposure.collect.android.limits import MAX_OUTPUT_LINES
from exposure.collect.android.parsers.accessibility import parse_accessibility
from exposure.collect.android.parsers.components import parse_component_list, split_component
from exposure.collect.android.parsers.device_policy import parse_device_policy
from exposure.collect.android.parsers.dumpsys_package import DumpedPackage, parse_dumpsys_package
from exposure.collect.android.parsers.getprop import basics, parse_getprop
from exposure.collect.android.parsers.lines import lines, too_many_lines
from exposure.collect.android.parsers.packages_list import (
    ListedPackage,
    invalid_ids,
    package_ids,
    parse_packages_list,
)
from exposure.collect.android.parsers.ps import ProcessRow, parse_ps
from exposure.collect.android.parsers.settings import parse_settings
from exposure.collect.android.parsers.vpn import parse_vpn_owner_uids
from exposure.collect.base import WarnCallback
from exposure.model import CheckNote, Observation, SourceInfo
from exposure.observations.android import (
    AndroidComponent,
    AndroidFile,
    AndroidPackage,
    AndroidProcess,
    AndroidSetting,
)

# Settings the detectors read (facts about Play Protect, developer options, VPN); source:
# MVT's and spytrap-adb's settings checks (formats.md §6) and AOSP Settings.Global/Secure.
WATCHED_SETTINGS: frozenset[str] = frozenset({
    "package_verifier_enable", "package_verifier_user_consent", "upload_apk_enable",
    "verifier_verify_adb_installs", "install_non_market_apps", "development_settings_enabled",
    "adb_enabled", "adb_wifi_enabled", "always_on_vpn_app", "always_on_vpn_lockdown",
})
SETTINGS_OUTPUTS: tuple[tuple[str, str], ...] = (
    (cmd.SETTINGS_GLOBAL.name, "global"), (cmd.SETTINGS_SECURE.name, "secure"), ("settings_system", "system"),
    ("settings_other", "unknown"),
)


@dataclass(frozen=True, slots=True)
class QfPackage:
    """One entry of androidqf's packages.json, already checked."""

    package: str
    installer: str
    uid: int | None
    system: bool
    disabled: bool
    apk_paths: tuple[str, ...] = ()
    apk_sha256: tuple[str, ...] = ()
    cert_md5: tuple[str, ...] = ()
    cert_sha1: tuple[str, ...] = ()
    cert_sha256: tuple[str, ...] = ()


@dataclass(slots=True)
class Extras:
    """What only an androidqf acquisition has."""

    packages: list[QfPackage] | None = None
    processes: list[ProcessRow] | None = None
    files: list[AndroidFile] = field(default_factory=list)


def parse_certificates(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """The ``apk_certificates`` output: ``path<TAB>sha256<TAB>sha1<TAB>md5`` per line."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for line in lines(text):
        parts = line.strip().split("\t")
        if len(parts) == 4 and [len(x) for x in parts[1:]] == [64, 40, 32] and all(
                c in "0123456789abcdef" for c in "".join(parts[1:])):
            out.setdefault(parts[0], []).append((parts[1], parts[2], parts[3]))
    return out


def assemble(outputs: Mapping[str, str], info: SourceInfo, collector: str,
             extras: Extras | None = None, apk_hashes: Mapping[str, str] | None = None,
             source: str = "", warn: WarnCallback | None = None) -> Iterator[Observation]:
    """Observations from raw outputs; fills ``info`` (details, counts, checked).

    ``source`` names the phone in observations (default: ``info.name``); a saved dump
    passes the serial it was read from, so its findings match the live scan's.
    """
    extras = extras or Extras()
    source = source or info.name
    for name, text in sorted(outputs.items()):
        if too_many_lines(text):
            info.add_not_checked(CheckNote.of("android.output-cut", f"{name}: the lines after the first "
                                              f"{MAX_OUTPUT_LINES:,} (more than any phone prints)", output=name,
                                              count=f"{MAX_OUTPUT_LINES:,}"))
    props = parse_getprop(outputs.get(cmd.GETPROP.name, ""))
    info.details.update(basics(props))

    packages = _packages(outputs, extras, apk_hashes or {})
    _invalid_ids(outputs, info, warn)
    system_of = {p.package: p.system for p in packages}
    info.counts["packages"] = len(packages)
    info.counts["third-party apps"] = sum(1 for p in packages if not p.system)
    for pkg in packages:
        yield AndroidPackage(collector, source, pkg.package, installer=pkg.installer, uid=pkg.uid,
                             system=pkg.system, enabled=pkg.enabled, version=pkg.version,
                             first_install=pkg.first_install,
                             requested_permissions=tuple(pkg.requested),
                             granted_permissions=tuple(pkg.granted), cert_md5=pkg.cert_md5,
                             cert_sha1=pkg.cert_sha1, cert_sha256=pkg.cert_sha256,
                             apk_sha256=pkg.apk_sha256, apk_paths=pkg.apk_paths,
                             first_seen=phone_time(pkg.first_install, props),
                             last_seen=phone_time(pkg.last_update, props) if pkg.last_update != pkg.first_install
                             else None)

    settings = _settings(outputs)
    for (namespace, key), value in sorted(settings.items()):
        if key in WATCHED_SETTINGS:
            yield AndroidSetting(collector, source, namespace, key, value)
    for key, label in (("ro.build.version.release", "android_version"),
                       ("ro.build.version.security_patch", "security_patch"),
                       ("ro.product.model", "model")):
        if props.get(key):
            yield AndroidSetting(collector, source, "getprop", label, props[key])

    components = list(_components(outputs, settings, packages))
    counts: dict[str, int] = {}
    for role, package, component in components:
        counts[role] = counts.get(role, 0) + 1
        yield AndroidComponent(collector, source, role, package, component,
                               owner_is_system=system_of.get(package))
    for role, label in (("accessibility", "accessibility services on"), ("device-admin", "device administrators"),
                        ("notification-listener", "notification readers")):
        info.counts[label] = counts.get(role, 0)

    processes = extras.processes
    if processes is None:
        processes = parse_ps(outputs.get(cmd.PROCESSES.name) or outputs.get(cmd.PROCESSES_OLD.name, ""))
    info.counts["processes"] = len(processes)
    for row in processes:
        yield AndroidProcess(collector, source, row.name, pid=row.pid, user=row.user, path=row.path)
    yield from extras.files
    if extras.files:
        info.counts["files"] = len(extras.files)
    yield from activity_observations(outputs, info, collector, source, packages,
                                     {key: value for (_, key), value in settings.items()}, props)
    if not packages:
        _apps_not_checked(info, read_otherwise=bool(settings or components or processes or extras.files))


def _invalid_ids(outputs: Mapping[str, str], info: SourceInfo, warn: WarnCallback | None) -> None:
    """App list lines whose id is not a valid Android id are not read: counted and said, never dropped in silence."""
    listing = outputs.get(cmd.PACKAGES.name) or outputs.get(cmd.PACKAGES_NO_INSTALLER.name, "")
    count = invalid_ids(listing)
    if not count:
        return
    info.add_not_checked(CheckNote.of("android.packages.invalid-ids", f"apps listed under an id that is not a valid"
                                      f" Android app id: {count}", count=count))
    if warn is not None:
        warn(CheckNote.of("warn.android.invalid-package-ids", f"the list of installed apps has lines whose app id is"
                          f" not a valid Android id; those apps were not checked: {count}", count=count))


# The "checked" keys of a phone's app list (adb and a saved dump; androidqf's packages.json).
APP_LIST_KEYS = (cmd.PACKAGES.check, "androidqf.packages")
APPS_UNREAD = CheckNote.of("error.source.apps-unread", "its list of installed apps could not be read, so its apps"
                           " were not checked; the other parts read from it (listed in the report) were checked")
APPS_REFUSED = CheckNote.of("error.source.apps-refused", "its saved list of installed apps was changed after the "
                            "phone was read, so it was not used and its apps were not checked; the other parts read "
                            "from it (listed in the report) were checked")


def _apps_not_checked(info: SourceInfo, read_otherwise: bool) -> None:
    """No app could be read: the app list is never "checked" (an empty output is not a list),
    it comes first among what was not checked, and a phone whose settings, processes or
    services were read is PARTLY checked (its findings stand); one that gave nothing else is
    left for the scan to call not checked."""
    app_list = [n for n in (*info.checked, *info.not_checked) if n.key in APP_LIST_KEYS] or [cmd.PACKAGES.note]
    info.checked[:] = [n for n in info.checked if n.key not in APP_LIST_KEYS]
    info.not_checked[:] = list(dict.fromkeys(app_list)) + [n for n in info.not_checked if n.key not in APP_LIST_KEYS]
    if read_otherwise:
        info.partly = APPS_UNREAD
        for count in ("packages", "third-party apps"):  # "0 apps" would read as a phone without apps
            info.counts.pop(count, None)


@dataclass(slots=True)
class _Merged:
    package: str
    installer: str = ""
    uid: int | None = None
    system: bool = False
    enabled: bool = True
    version: str = ""
    first_install: str = ""
    last_update: str = ""
    requested: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)
    apk_paths: tuple[str, ...] = ()
    apk_sha256: tuple[str, ...] = ()
    cert_md5: tuple[str, ...] = ()
    cert_sha1: tuple[str, ...] = ()
    cert_sha256: tuple[str, ...] = ()


def _packages(outputs: Mapping[str, str], extras: Extras, apk_hashes: Mapping[str, str]) -> list[_Merged]:
    dumped: dict[str, DumpedPackage] = parse_dumpsys_package(outputs.get(cmd.DUMPSYS_PACKAGE.name, ""))
    certs = parse_certificates(outputs.get(cmd.CERTS_NAME, ""))
    listed: dict[str, ListedPackage] = {}
    for name in (cmd.PACKAGES.name, cmd.PACKAGES_NO_INSTALLER.name):
        if outputs.get(name):
            listed = {p.package: p for p in parse_packages_list(outputs[name])}
            break
    system_ids = package_ids(outputs[cmd.SYSTEM_PACKAGES.name]) if cmd.SYSTEM_PACKAGES.name in outputs else None
    disabled_ids = (package_ids(outputs[cmd.DISABLED_PACKAGES.name])
                    if cmd.DISABLED_PACKAGES.name in outputs else None)
    qf = {p.package: p for p in extras.packages or ()}
    names = list(dict.fromkeys([*qf, *listed, *dumped]))
    out = []
    for name in names:
        m = _Merged(name)
        d, lp, q = dumped.get(name), listed.get(name), qf.get(name)
        if d is not None:
            m.uid, m.system, m.enabled = d.uid, d.system, d.enabled and d.installed
            m.version = d.version_name or d.version_code
            m.first_install, m.requested, m.granted = d.first_install, d.requested, d.granted
            m.last_update = d.last_update
            m.installer = d.installer or ""
            if d.code_path:
                m.apk_paths = (d.code_path,)
        if lp is not None:
            if lp.installer is not None:
                m.installer = lp.installer
            m.uid = lp.uid if lp.uid is not None else m.uid
            if lp.apk_path:
                m.apk_paths = (lp.apk_path,)
                if apk_hashes.get(lp.apk_path):
                    m.apk_sha256 = (apk_hashes[lp.apk_path],)
                found = certs.get(lp.apk_path, [])
                m.cert_sha256 = tuple(c[0] for c in found)
                m.cert_sha1 = tuple(c[1] for c in found)
                m.cert_md5 = tuple(c[2] for c in found)
        if system_ids is not None:
            m.system = name in system_ids
        if disabled_ids is not None and name in disabled_ids:
            m.enabled = False
        if q is not None:
            m.installer, m.system = q.installer, q.system
            m.uid = q.uid if q.uid is not None else m.uid
            m.enabled = m.enabled and not q.disabled
            m.apk_paths = q.apk_paths or m.apk_paths
            m.apk_sha256, m.cert_md5, m.cert_sha1, m.cert_sha256 = q.apk_sha256, q.cert_md5, q.cert_sha1, q.cert_sha256
        out.append(m)
    return out


def _settings(outputs: Mapping[str, str]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for name, namespace in SETTINGS_OUTPUTS:
        for key, value in parse_settings(outputs.get(name, "")).items():
            found[(namespace, key)] = value
    return found


def setting(settings: Mapping[tuple[str, str], str], key: str) -> str | None:
    for (_, name), value in settings.items():
        if name == key:
            return value
    return None


def _components(outputs: Mapping[str, str], settings: Mapping[tuple[str, str], str],
                packages: Sequence[_Merged]) -> Iterator[tuple[str, str, str]]:
    seen: set[tuple[str, str]] = set()

    def once(role: str, package: str, component: str) -> Iterator[tuple[str, str, str]]:
        if (role, component or package) not in seen:
            seen.add((role, component or package))
            yield role, package, component

    a11y = parse_accessibility(outputs.get(cmd.DUMPSYS_ACCESSIBILITY.name, ""))
    a11y += parse_component_list(setting(settings, "enabled_accessibility_services") or "")
    for package, component in a11y:
        yield from once("accessibility", package, component)
    for entry in parse_device_policy(outputs.get(cmd.DUMPSYS_DEVICE_POLICY.name, "")):
        if entry.user == 0 or entry.role != "device-admin":
            yield from once(entry.role, entry.package, entry.component)
    for package, component in parse_component_list(setting(settings, "enabled_notification_listeners") or ""):
        yield from once("notification-listener", package, component)
    by_uid: dict[int, list[str]] = {}
    for pkg in packages:
        if pkg.uid is not None:
            by_uid.setdefault(pkg.uid, []).append(pkg.package)
    for uid in parse_vpn_owner_uids(outputs.get(cmd.DUMPSYS_CONNECTIVITY.name, "")):
        for package in by_uid.get(uid, []):
            yield from once("vpn", package, "")
    always_on = (setting(settings, "always_on_vpn_app") or "").strip()
    if always_on and always_on != "null":
        found = split_component(always_on + "/.x")
        if found:
            yield from once("always-on-vpn", found[0], "")
