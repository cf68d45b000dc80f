"""Installed apps and device facts from a backup's ``Info.plist`` and ``Manifest.db``.

``Info.plist`` lists the installed apps ("Installed Applications") and, for apps from the
App Store, their store record ("Applications": ``iTunesMetadata`` and DRM info). Apps that
keep data on the phone also have an ``AppDomain-<bundle id>`` in ``Manifest.db``, whose
folder was created when the app was installed (the time used for the timeline).
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterator, Mapping
from typing import Any
from xml.parsers.expat import ExpatError

from exposure.collect.ios.models import MODEL_NAME, model_name
from exposure.collect.ios_backup.backup import Backup
from exposure.collect.ios_backup.messages import Where
from exposure.collect.ios_backup.times import any_time
from exposure.model import Observation
from exposure.observations.ios import APP_STORE, NO_STORE_RECORD, SYSTEM, UNKNOWN, IosApp, IosFact

MAX_APPS = 5000
MAX_METADATA = 1024 * 1024
APP_DOMAIN = "AppDomain-"
# Info.plist keys (and Manifest.plist's Lockdown keys) -> (fact key, report label).
DEVICE_KEYS = (("Product Type", "ProductType", "model", "model"),
               ("Product Version", "ProductVersion", "ios_version", "iOS version"),
               ("Build Version", "BuildVersion", "ios_build", "iOS build"))


def _text(value: object, limit: int = 255) -> str:
    return value[:limit] if isinstance(value, str) else ""


def device_facts(info: Mapping[str, Any], manifest: Mapping[str, Any], where: Where,
                 details: dict[str, str]) -> Iterator[Observation]:
    """Model (its code, and its name when known) and iOS version; never the phone's own name
    (Info.plist's "Device Name"): it often holds a person's name, and a report is shared."""
    found = manifest.get("Lockdown")
    lockdown: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    for info_key, lockdown_key, fact, label in DEVICE_KEYS:
        value = _text(info.get(info_key), 40) or _text(lockdown.get(lockdown_key), 40)
        if value:
            details[label] = value
            yield IosFact(where.collector, where.source, fact, value)
    if model_name(details.get("model", "")):
        details[MODEL_NAME] = model_name(details["model"])
    made = any_time(info.get("Last Backup Date")) or any_time(manifest.get("Date"))
    if made is not None:
        details["backup made"] = made.isoformat(timespec="seconds")
        yield IosFact(where.collector, where.source, "backup_date", made.isoformat(timespec="seconds"),
                      first_seen=made, last_seen=made)


def _store_record(entry: object) -> tuple[bool, str, str]:
    """(has an App Store record, app name, version) from an "Applications" entry."""
    if not isinstance(entry, Mapping):
        return False, "", ""
    metadata = entry.get("iTunesMetadata")
    record = isinstance(entry.get("ApplicationSINF"), bytes) or isinstance(metadata, bytes)
    if isinstance(metadata, bytes) and len(metadata) <= MAX_METADATA:
        try:
            found = plistlib.loads(metadata)
        except (ValueError, plistlib.InvalidFileException, ExpatError, RecursionError, OverflowError):
            found = None
        if isinstance(found, Mapping):
            return record, _text(found.get("itemName"), 300), _text(
                found.get("bundleShortVersionString") or found.get("bundleVersion"), 60)
    return record, "", ""


def apps(info: Mapping[str, Any], backup: Backup, where: Where) -> Iterator[IosApp]:
    given = info.get("Applications")
    records: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    installed = info.get("Installed Applications")
    # Older backups may lack "Installed Applications": the store records name the apps then.
    names = installed if isinstance(installed, list) else list(records)
    listed = [_text(b) for b in names if _text(b)]
    with_data = [d[len(APP_DOMAIN):] for d in backup.domains(APP_DOMAIN, MAX_APPS) if len(d) > len(APP_DOMAIN)]
    seen: set[str] = set()
    for bundle in [*listed, *with_data][:MAX_APPS]:
        if bundle in seen:
            continue
        seen.add(bundle)
        record, name, version = _store_record(records.get(bundle))
        if bundle.startswith("com.apple.") and bundle not in records:
            signing, app_type = SYSTEM, "System"
        elif record:
            signing, app_type = APP_STORE, "User"
        elif records and bundle in listed:
            signing, app_type = NO_STORE_RECORD, "User"
        else:
            signing, app_type = UNKNOWN, "User" if bundle in listed else ""
        folder = backup.folder_record(APP_DOMAIN + bundle)
        created = folder.created if folder is not None else None
        yield IosApp(where.collector, where.source, bundle, name=name, version=version, app_type=app_type,
                     signing=signing, first_seen=created, last_seen=created)
