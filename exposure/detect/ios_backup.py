"""Heuristics on what an iPhone backup adds: permission grants to apps from outside the
App Store or on a watch list, Apple's threat notifications (and imitations), Lockdown Mode
off, profiles installed then removed, apps without an App Store record, and process names
that data-usage records cut at 16 characters.

Apps, configuration profiles, iOS version and process names seen in a backup are the
same observations as over USB: ``exposure.detect.ios`` and the indicator detector judge
them alike. Each rule is in docs/detections.md; its texts are in explain/rules/ios_backup.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from exposure.detect.base import DetectContext
from exposure.indicators.severity import EvidenceClass, lower, severity_for
from exposure.model import (
    Category,
    Confidence,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    Observation,
    Severity,
)
from exposure.observations.ios import NO_STORE_RECORD, NOT_FROM_STORE, IosApp, IosFact, IosProcess
from exposure.observations.ios_backup import (
    SENSITIVE_SERVICES,
    IosPermission,
    IosProfileEvent,
    IosThreatNotification,
)

RULES: tuple[str, ...] = (
    "ios.backup.permission", "ios.backup.permission-listed", "ios.backup.threat-notification",
    "ios.backup.threat-notification-link", "ios.backup.lockdown-off", "ios.backup.profile-removed",
    "ios.backup.no-store-record", "ios.backup.process-prefix",
)
# What lets an app watch a person: the list (microphone, camera, location, contacts, screen).
WATCHING = frozenset({"kTCCServiceMicrophone", "kTCCServiceCamera", "location", "kTCCServiceAddressBook",
                      "kTCCServiceScreenCapture"})
LISTED_CATEGORIES = frozenset({Category.DUAL_USE, Category.STALKERWARE, Category.SPYWARE,
                               Category.STATE_MONITORING, Category.FORENSIC_AGENT})
LOCKDOWN_FROM = 16  # Lockdown Mode came with iOS 16
TRUNCATED = 16  # DataUsage keeps the first 16 characters of a process name
_MAX_LISTED = 15


@dataclass(slots=True)
class _Backup:
    apps: dict[str, IosApp] = field(default_factory=dict)
    grants: dict[str, list[IosPermission]] = field(default_factory=dict)
    notifications: list[IosThreatNotification] = field(default_factory=list)
    facts: dict[str, IosFact] = field(default_factory=dict)
    events: dict[str, list[IosProfileEvent]] = field(default_factory=dict)
    cut: dict[str, IosProcess] = field(default_factory=dict)


class IosBackupHeuristics:
    name = "ios-backup"

    def __init__(self) -> None:
        self._backups: dict[str, _Backup] = {}

    def _of(self, obs: Observation) -> _Backup:
        return self._backups.setdefault(obs.source, _Backup())

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        if isinstance(obs, IosPermission):
            self._of(obs).grants.setdefault(obs.client, []).append(obs)
        elif isinstance(obs, IosThreatNotification):
            self._of(obs).notifications.append(obs)
        elif isinstance(obs, IosProfileEvent):
            self._of(obs).events.setdefault(obs.identifier, []).append(obs)
        elif obs.collector == "ios-backup":
            if isinstance(obs, IosApp):
                self._of(obs).apps[obs.bundle_id] = obs
            elif isinstance(obs, IosFact):
                self._of(obs).facts[obs.key] = obs
            elif isinstance(obs, IosProcess) and len(obs.name) == TRUNCATED:
                self._of(obs).cut.setdefault(obs.name, obs)
        return ()

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for source, seen in self._backups.items():
            yield from _permissions(source, seen, ctx)
            yield from _notifications(source, seen)
            yield from _lockdown(source, seen)
            yield from _removed_profiles(seen)
            yield from _no_store_record(source, seen)
            yield from _cut_processes(seen, ctx)


def _listed(values: list[str]) -> str:
    return ", ".join(values[:_MAX_LISTED]) + (", …" if len(values) > _MAX_LISTED else "")


def _watch_listed(client: str, ctx: DetectContext) -> str:
    """The name of the threat whose app id is ``client``, when it is a tool that can watch."""
    for ind in ctx.index.lookup(IndicatorType.IOS_BUNDLE, client):
        threat = ctx.index.threat(ind.threat)
        if threat is not None and threat.category in LISTED_CATEGORIES and not ind.supporting:
            return threat.name.get("en")
    return ""


def _permissions(source: str, seen: _Backup, ctx: DetectContext) -> Iterator[Finding]:
    for client, grants in sorted(seen.grants.items()):
        watching = [g for g in grants if g.service in WATCHING]
        if not watching:
            continue
        app = seen.apps.get(client)
        outside = app is not None and (app.signing in NOT_FROM_STORE or app.signing == NO_STORE_RECORD)
        listed = _watch_listed(client, ctx)
        if not outside and not listed:
            continue
        keys = sorted({g.service for g in watching}, key=lambda k: SENSITIVE_SERVICES[k])
        services = [SENSITIVE_SERVICES[k] for k in keys]
        # "services" holds text keys (service.<key> in texts.yaml): each language names them.
        params = (("app", client), ("services", ", ".join(keys)), ("listed", listed or "—"), ("backup", source))
        evidence: tuple[Observation, ...] = (*watching[:20], *((app,) if app is not None else ()))
        if outside:
            yield Finding(rule="ios.backup.permission", severity=Severity.MEDIUM, category=Category.HEURISTIC,
                          title=f"An app from outside the App Store may use: {', '.join(services)} ({client})",
                          confidence=Confidence.MEDIUM, evidence=evidence, subject=client, params=params)
        else:
            yield Finding(rule="ios.backup.permission-listed", severity=Severity.LOW, category=Category.HEURISTIC,
                          title=f"{listed} may use: {', '.join(services)} ({client})", confidence=Confidence.HIGH,
                          evidence=evidence, subject=client, params=params)


def _notifications(source: str, seen: _Backup) -> Iterator[Finding]:
    for with_link in (False, True):
        found = [n for n in seen.notifications if n.has_link is with_link]
        if not found:
            continue
        times = sorted(n.first_seen.strftime("%Y-%m-%d") for n in found if n.first_seen is not None)
        params = (("dates", _listed(list(dict.fromkeys(times))) or "—"),
                  ("senders", _listed(sorted({n.sender for n in found if n.sender})) or "—"), ("backup", source))
        if with_link:
            yield Finding(rule="ios.backup.threat-notification-link", severity=Severity.MEDIUM,
                          category=Category.HEURISTIC, confidence=Confidence.MEDIUM,
                          title="A message imitates Apple's threat notification and carries a link",
                          evidence=tuple(found[:20]), subject=f"{source}:threat-notification-link", params=params)
        else:
            yield Finding(rule="ios.backup.threat-notification", severity=Severity.HIGH, category=Category.HEURISTIC,
                          confidence=Confidence.MEDIUM, title="A message with the words of Apple's threat notification",
                          evidence=tuple(found[:20]), subject=f"{source}:threat-notification", params=params)


def _lockdown(source: str, seen: _Backup) -> Iterator[Finding]:
    fact, version = seen.facts.get("lockdown_mode"), seen.facts.get("ios_version")
    head = version.value.split(".", 1)[0] if version is not None else ""
    if fact is None or fact.value != "false" or not head.isdigit() or int(head) < LOCKDOWN_FROM:
        return
    yield Finding(rule="ios.backup.lockdown-off", severity=Severity.INFO, category=Category.HEURISTIC,
                  title="Lockdown Mode is off", confidence=Confidence.HIGH, evidence=(fact,), subject=source,
                  params=(("backup", source), ("version", version.value if version else "?")))


def _removed_profiles(seen: _Backup) -> Iterator[Finding]:
    for identifier, events in sorted(seen.events.items()):
        removed = [e for e in events if e.operation.lower().startswith("remov")]
        if not removed or any(e.installed_now for e in events):
            continue
        ordered = sorted(events, key=lambda e: (e.first_seen is None, e.first_seen))
        history = [f"{e.operation} {e.first_seen:%Y-%m-%d %H:%M}" if e.first_seen else e.operation
                   for e in ordered]
        yield Finding(rule="ios.backup.profile-removed", severity=Severity.LOW, category=Category.HEURISTIC,
                      title=f"A configuration profile was installed and later removed: {identifier}",
                      confidence=Confidence.HIGH, evidence=tuple(ordered[:20]), subject=identifier,
                      params=(("identifier", identifier), ("history", _listed(history)),
                              ("process", _listed(sorted({e.process for e in events if e.process})) or "—")))


def _no_store_record(source: str, seen: _Backup) -> Iterator[Finding]:
    apps = sorted((a for a in seen.apps.values() if a.signing == NO_STORE_RECORD), key=lambda a: a.bundle_id)
    if apps:
        yield Finding(rule="ios.backup.no-store-record", severity=Severity.LOW, category=Category.HEURISTIC,
                      title=f"Apps with no App Store record in the backup: {len(apps)}", confidence=Confidence.LOW,
                      evidence=tuple(apps[:50]), subject=source,
                      params=(("count", str(len(apps))), ("apps", _listed([a.bundle_id for a in apps])),
                              ("backup", source)))


def _cut_processes(seen: _Backup, ctx: DetectContext) -> Iterator[Finding]:
    """A 16-character name from DataUsage that starts a known process name: the record cut it."""
    for name, process in sorted(seen.cut.items()):
        hits: list[Indicator] = [ind for value in ctx.index.values(IndicatorType.PROCESS)
                                 if value != name and value.startswith(name)
                                 for ind in ctx.index.lookup(IndicatorType.PROCESS, value) if not ind.supporting]
        if not hits:
            continue
        threat = ctx.index.threat(hits[0].threat)
        shown = threat.name.get("en") if threat else hits[0].threat
        # docs/severity.md: a process name is `app-name` evidence; a cut one is one level weaker.
        try:
            severity = lower(severity_for(threat.category if threat else Category.SPYWARE, EvidenceClass.APP_NAME))
        except ValueError:
            severity = Severity.MEDIUM
        yield Finding(rule="ios.backup.process-prefix", severity=severity,
                      category=threat.category if threat else Category.SPYWARE, confidence=Confidence.MEDIUM,
                      title=f"{shown}: a process named like it used the network ({name}…)", evidence=(process,),
                      indicators=tuple(hits[:10]), threat=hits[0].threat, subject=name,
                      params=(("name", shown), ("process", name), ("full", hits[0].value),
                              ("role", hits[0].role.value if hits[0].role is not IndicatorRole.OTHER else "app")))
