"""iPhone heuristics: what on an iPhone is worth a look, though not proof.

They read the typed iPhone observations (apps and who signed them, provisioning and
configuration profiles, facts such as supervision or Wi-Fi sync), keep a small summary per
phone and decide at the end. Indicator matches (known bundle ids, profile UUIDs, process
names, dual-use apps) are not here: they come from ``exposure.detect.indicators``. Each
rule is documented in docs/detections.md, its texts are in explain/rules/ios.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from exposure.detect.base import DetectContext
from exposure.model import Category, Confidence, Finding, Observation, Severity
from exposure.observations.ios import (
    ENTERPRISE,
    NOT_FROM_STORE,
    IosApp,
    IosConfigProfile,
    IosFact,
    IosProcess,
    IosProvisioningProfile,
)

# Configuration profile payloads that give power over the phone, strongest first:
# (rule, severity, payload types). Source: Apple's Configuration Profile Reference.
PROFILE_PAYLOADS: tuple[tuple[str, Severity, frozenset[str]], ...] = (
    ("ios.profile.mdm", Severity.MEDIUM, frozenset({"com.apple.mdm"})),
    ("ios.profile.root-certificate", Severity.MEDIUM,
     frozenset({"com.apple.security.root", "com.apple.security.pem", "com.apple.security.pkcs1"})),
    ("ios.profile.vpn", Severity.MEDIUM, frozenset({"com.apple.vpn.managed", "com.apple.vpn.managed.applayer",
                                                    "com.apple.vpn.managed.appmapping"})),
    ("ios.profile.proxy", Severity.MEDIUM, frozenset({"com.apple.proxy.http.global"})),
    ("ios.profile.dns", Severity.MEDIUM, frozenset({"com.apple.dnsSettings.managed", "com.apple.dnsProxy.managed"})),
    ("ios.profile.content-filter", Severity.MEDIUM, frozenset({"com.apple.webcontent-filter"})),
    # Predator's profile hid notifications with this payload (MVT checks it, research/iphone.md).
    ("ios.profile.notifications", Severity.MEDIUM, frozenset({"com.apple.notificationsettings"})),
)
# Jailbreak tools and the package managers they install (research/iphone.md; the tools'
# own published bundle ids). Electra is in ISDi's recorded phone.
JAILBREAK_APPS: frozenset[str] = frozenset({
    "com.saurik.cydia", "org.coolstar.sileostore", "org.coolstar.sileo", "xyz.willy.zebra",
    "com.tigisoftware.filza", "org.coolstar.electra", "science.xnu.undecimus", "kjc.loader",
    "com.opa334.dopamine", "com.opa334.trollstore", "org.coolstar.odyssey", "org.coolstar.taurine",
})
JAILBREAK_PROCESSES: frozenset[str] = frozenset({"Cydia", "Sileo", "Zebra", "Filza", "unc0ver", "checkra1n",
                                                 "Dopamine", "TrollStore"})
# First release of each iOS line (Apple's release notes). A line older than OUTDATED_YEARS
# no longer gets every security fix.
IOS_LINES: dict[int, date] = {
    9: date(2015, 9, 16), 10: date(2016, 9, 13), 11: date(2017, 9, 19), 12: date(2018, 9, 17),
    13: date(2019, 9, 19), 14: date(2020, 9, 16), 15: date(2021, 9, 20), 16: date(2022, 9, 12),
    17: date(2023, 9, 18), 18: date(2024, 9, 16), 26: date(2025, 9, 15),
}
OUTDATED_YEARS = 2

RULES: tuple[str, ...] = (
    "ios.outside-store", "ios.enterprise-signed", "ios.provisioning-profile",
    *(rule for rule, _, _ in PROFILE_PAYLOADS), "ios.profile.locked", "ios.profile.other",
    "ios.supervised", "ios.wifi-sync", "ios.developer-mode", "ios.jailbreak", "ios.outdated", "ios.paired",
)
_MAX_LISTED = 15


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(slots=True)
class _Phone:
    apps: dict[str, IosApp] = field(default_factory=dict)
    provisioning: list[IosProvisioningProfile] = field(default_factory=list)
    profiles: list[IosConfigProfile] = field(default_factory=list)
    facts: dict[str, IosFact] = field(default_factory=dict)
    processes: dict[str, IosProcess] = field(default_factory=dict)


class IosHeuristics:
    """The iPhone heuristics of docs/detections.md: one finding per phone, or per profile."""

    name = "ios"

    def __init__(self) -> None:
        self._phones: dict[str, _Phone] = {}

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        if isinstance(obs, IosApp):
            self._phone(obs).apps[obs.bundle_id] = obs
        elif isinstance(obs, IosProvisioningProfile):
            self._phone(obs).provisioning.append(obs)
        elif isinstance(obs, IosConfigProfile):
            self._phone(obs).profiles.append(obs)
        elif isinstance(obs, IosFact):
            self._phone(obs).facts[obs.key] = obs
        elif isinstance(obs, IosProcess):
            self._phone(obs).processes.setdefault(obs.name, obs)
        return ()

    def _phone(self, obs: Observation) -> _Phone:
        return self._phones.setdefault(obs.source, _Phone())

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for source, phone in self._phones.items():
            yield from _outside_store(source, phone)
            for profile in phone.profiles:
                yield from _profile(profile)
            yield from _facts(source, phone)
            yield from _jailbreak(source, phone)
            yield from _outdated(source, phone)


def _listed(values: list[str]) -> str:
    return ", ".join(values[:_MAX_LISTED]) + (", …" if len(values) > _MAX_LISTED else "")


def _matches(app: IosApp, profile: IosProvisioningProfile) -> bool:
    wanted = profile.app_identifier
    if wanted and app.app_identifier:
        return app.app_identifier == wanted or (wanted.endswith("*") and app.app_identifier.startswith(wanted[:-1]))
    return bool(profile.team_id) and profile.team_id == app.team_id


def _outside_store(source: str, phone: _Phone) -> Iterator[Finding]:
    apps = sorted((a for a in phone.apps.values() if a.signing in NOT_FROM_STORE), key=lambda a: a.bundle_id)
    if not apps and not phone.provisioning:
        return
    used = [p for p in phone.provisioning if any(_matches(a, p) for a in apps)] or list(phone.provisioning)
    enterprise = any(a.signing == ENTERPRISE for a in apps) or any(p.all_devices for p in used)
    names = [f"{a.bundle_id} ({a.signer or a.team_id or '?'})" for a in apps]
    profiles = [f"{p.name or p.uuid} · {p.team or '?'} ({p.team_id or '?'}) · {p.expires or '?'}"
                + (" · ProvisionsAllDevices" if p.all_devices else "") for p in used]
    rule = "ios.enterprise-signed" if enterprise else "ios.outside-store"
    if not apps:
        rule = "ios.provisioning-profile"  # a profile with no app seen (or the app list was not read)
    yield Finding(
        rule=rule, severity=Severity.MEDIUM if enterprise and apps else Severity.LOW, category=Category.HEURISTIC,
        title=f"Apps not from the App Store: {len(apps)}" if apps else "A provisioning profile is installed",
        confidence=Confidence.HIGH if apps else Confidence.MEDIUM,
        evidence=(*apps[:50], *used[:20]), subject=source,
        params=(("count", str(len(apps))), ("apps", _listed(names) or "—"), ("profiles", _listed(profiles) or "—"),
                ("phone", source)),
    )


def _profile(profile: IosConfigProfile) -> Iterator[Finding]:
    types = set(profile.payload_types)
    shown = profile.name or profile.identifier
    common = (("profile", shown), ("identifier", profile.identifier), ("organization", profile.organization or "—"),
              ("payloads", ", ".join(profile.payload_types) or "—"))
    strong = False
    for rule, severity, kinds in PROFILE_PAYLOADS:
        found = sorted(types & kinds)
        if found:
            strong = True
            yield Finding(rule=rule, severity=severity, category=Category.HEURISTIC,
                          title=f"A configuration profile sets {found[0]}: {shown}", confidence=Confidence.HIGH,
                          evidence=(profile,), subject=profile.identifier, params=(*common, ("payload", found[0])))
    if profile.removal_disallowed:
        yield Finding(rule="ios.profile.locked", severity=Severity.MEDIUM, category=Category.HEURISTIC,
                      title=f"A configuration profile cannot be removed: {shown}", confidence=Confidence.HIGH,
                      evidence=(profile,), subject=profile.identifier, params=common)
    elif not strong:
        yield Finding(rule="ios.profile.other", severity=Severity.LOW, category=Category.HEURISTIC,
                      title=f"A configuration profile is installed: {shown}", confidence=Confidence.HIGH,
                      evidence=(profile,), subject=profile.identifier, params=common)


def _fact(phone: _Phone, key: str) -> str:
    found = phone.facts.get(key)
    return found.value if found is not None else ""


def _facts(source: str, phone: _Phone) -> Iterator[Finding]:
    if _fact(phone, "supervised") == "true":
        evidence = tuple(phone.facts[k] for k in ("supervised", "organization", "mdm_unremovable") if k in phone.facts)
        yield Finding(rule="ios.supervised", severity=Severity.MEDIUM, category=Category.HEURISTIC,
                      title="The iPhone is supervised (managed by an organisation)", confidence=Confidence.HIGH,
                      evidence=evidence, subject=source,
                      params=(("organization", _fact(phone, "organization") or "—"), ("phone", source)))
    for key, rule, title in (("wifi_sync", "ios.wifi-sync", "The iPhone can be read over Wi-Fi (Wi-Fi sync is on)"),
                             ("developer_mode", "ios.developer-mode", "Developer Mode is on")):
        if _fact(phone, key) == "true":
            yield Finding(rule=rule, severity=Severity.LOW, category=Category.HEURISTIC, title=title,
                          confidence=Confidence.HIGH, evidence=(phone.facts[key],), subject=source,
                          params=(("phone", source),))
    paired = phone.facts.get("paired_with_this_computer")
    if paired is not None:
        yield Finding(rule="ios.paired", severity=Severity.INFO, category=Category.HEURISTIC,
                      title="This computer is now trusted by the iPhone", confidence=Confidence.HIGH,
                      evidence=(paired,), subject=source, params=(("record", paired.value), ("phone", source)))


def _jailbreak(source: str, phone: _Phone) -> Iterator[Finding]:
    signs: list[str] = []
    evidence: list[Observation] = []
    if _fact(phone, "afc2") == "true":
        signs.append("com.apple.afc2")
        evidence.append(phone.facts["afc2"])
    for app in sorted(phone.apps.values(), key=lambda a: a.bundle_id):
        if app.bundle_id.lower() in JAILBREAK_APPS:
            signs.append(app.bundle_id)
            evidence.append(app)
    for name, process in sorted(phone.processes.items()):
        if name in JAILBREAK_PROCESSES:
            signs.append(name)
            evidence.append(process)
    if signs:
        yield Finding(rule="ios.jailbreak", severity=Severity.MEDIUM, category=Category.HEURISTIC,
                      title="Signs that the iPhone is jailbroken", confidence=Confidence.MEDIUM,
                      evidence=tuple(evidence), subject=source, params=(("signs", _listed(signs)), ("phone", source)))


def _outdated(source: str, phone: _Phone) -> Iterator[Finding]:
    version = phone.facts.get("ios_version")
    head = version.value.split(".", 1)[0] if version is not None else ""
    if version is None or not head.isdigit() or int(head) not in IOS_LINES:
        return
    released = IOS_LINES[int(head)]
    years = (today() - released).days // 365
    if years < OUTDATED_YEARS:
        return
    yield Finding(rule="ios.outdated", severity=Severity.LOW, category=Category.HEURISTIC,
                  title=f"iOS {version.value} is old", confidence=Confidence.HIGH, evidence=(version,),
                  subject=source, params=(("version", version.value), ("released", released.strftime("%Y-%m")),
                                          ("years", str(years)), ("phone", source)))
