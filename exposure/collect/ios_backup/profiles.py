"""Configuration profiles in a backup (the configurationprofiles system group): each
installed profile (``profile-*.stub``), supervision (``CloudConfigurationDetails.plist``)
and the history of installs and removals (``MCProfileEvents.plist``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from exposure.collect.ios_backup.messages import Where
from exposure.collect.ios_backup.times import any_time
from exposure.model import Observation
from exposure.observations.ios import IosConfigProfile, IosFact
from exposure.observations.ios_backup import IosProfileEvent

DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
FOLDER = "Library/ConfigurationProfiles"
EVENTS = f"{FOLDER}/MCProfileEvents.plist"
CLOUD = f"{FOLDER}/CloudConfigurationDetails.plist"
MAX_TEXT = 300
MAX_PAYLOADS = 200
MAX_EVENTS = 10_000


def _text(value: object, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _dicts(value: object, limit: int) -> Iterator[Mapping[str, Any]]:
    for count, item in enumerate(value if isinstance(value, list) else ()):
        if count >= limit:
            return
        if isinstance(item, Mapping):
            yield item


def stub(value: object, where: Where) -> IosConfigProfile | None:
    """One installed profile, as its stub keeps it (the profile's top keys and payload summaries)."""
    if not isinstance(value, Mapping):
        return None
    identifier = _text(value.get("PayloadIdentifier"), 255)
    if not identifier:
        return None
    payloads = list(_dicts(value.get("PayloadContent"), MAX_PAYLOADS))
    types = [_text(p.get("PayloadType"), 120) for p in payloads]
    names = [_text(p.get("PayloadDisplayName")) for p in payloads]
    installed = any_time(value.get("InstallDate"))
    return IosConfigProfile(
        where.collector, where.source, identifier, uuid=_text(value.get("PayloadUUID"), 80),
        name=_text(value.get("PayloadDisplayName")), organization=_text(value.get("PayloadOrganization")),
        description=_text(value.get("PayloadDescription")),
        removal_disallowed=value.get("PayloadRemovalDisallowed") is True,
        payload_types=tuple(dict.fromkeys(t for t in types if t)),
        payload_names=tuple(dict.fromkeys(n for n in names if n)),
        first_seen=installed, last_seen=installed)


def supervision(value: object, where: Where) -> Iterator[Observation]:
    if not isinstance(value, Mapping):
        return
    yield IosFact(where.collector, where.source, "supervised", "true" if value.get("IsSupervised") is True else "false")
    organization = _text(value.get("OrganizationName"))
    if organization:
        yield IosFact(where.collector, where.source, "organization", organization)
    if value.get("IsMDMUnremovable") is True:
        yield IosFact(where.collector, where.source, "mdm_unremovable", "true")


def with_install_times(installed: list[IosConfigProfile], events: list[IosProfileEvent]) -> list[IosConfigProfile]:
    """Profiles whose stub gives no install date take it from their latest install event."""
    installs: dict[str, datetime] = {}
    for event in events:
        if event.operation.lower().startswith("install") and event.first_seen is not None:
            known = installs.get(event.identifier)
            installs[event.identifier] = max(known, event.first_seen) if known else event.first_seen
    return [replace(p, first_seen=installs[p.identifier], last_seen=installs[p.identifier])
            if p.first_seen is None and p.identifier in installs else p for p in installed]


def events(value: object, where: Where, installed: set[str]) -> Iterator[IosProfileEvent]:
    """``{"ProfileEvents": [{identifier: {"operation", "process", "timestamp"}}, …]}``."""
    listed = value.get("ProfileEvents") if isinstance(value, Mapping) else value
    for item in _dicts(listed, MAX_EVENTS):
        for identifier, event in list(item.items())[:50]:
            if not isinstance(event, Mapping) or not _text(identifier):
                continue
            moment: datetime | None = any_time(event.get("timestamp"))
            ident = _text(identifier, 255)
            yield IosProfileEvent(where.collector, where.source, ident,
                                  _text(event.get("operation"), 40) or "?", process=_text(event.get("process")),
                                  installed_now=ident in installed, first_seen=moment, last_seen=moment)
