"""What the phone's own records say about apps and processes: which used the network
(``DataUsage.sqlite``), which show in interaction records (``interactionC.db``), what each
app may use (``TCC.db``, locationd's ``clients.plist``), and whether Lockdown Mode is on
(``.GlobalPreferences.plist``)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from exposure.collect.ios_backup.messages import Where
from exposure.collect.ios_backup.sqlite import columns, pick, rows, text
from exposure.collect.ios_backup.times import mac_time, unix_time
from exposure.model import Observation
from exposure.observations.ios import IosFact, IosProcess
from exposure.observations.ios_backup import SENSITIVE_SERVICES, IosPermission

MAX_NAME = 255
MAX_LOCATION_CLIENTS = 5000
# DataUsage names some processes by the id of the app container they ran for.
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
# TCC.db ``auth_value`` (iOS 14 and later): 2 allowed, 3 limited (photos); 0 denied, 1 unknown.
_TCC_GRANTS = {2: "allowed", 3: "limited"}
# CLAuthorizationStatus, as locationd's clients.plist keeps it: 3 always, 4 while using.
_LOCATION_GRANTS = {3: "always", 4: "while-using"}


def data_usage(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """Processes that used the network (``ZPROCESS``): ``ZPROCNAME`` is "process/bundle id"."""
    have = columns(db, "ZPROCESS")
    if not have:
        return
    sql = (f"SELECT {pick(have, 'ZPROCNAME')}, {pick(have, 'ZBUNDLENAME')}, {pick(have, 'ZFIRSTTIMESTAMP')}, "
           f"{pick(have, 'ZTIMESTAMP')} FROM ZPROCESS")
    seen: set[tuple[str, str]] = set()
    for raw_name, raw_bundle, first, last in rows(db, sql):
        full = text(raw_name, MAX_NAME)
        process, _, rest = full.partition("/")
        bundle = text(raw_bundle, MAX_NAME) or rest
        if _UUID.match(process):
            process = ""  # an app container's id, not a process name
        if (not process and not bundle) or (process, bundle) in seen:
            continue
        seen.add((process, bundle))
        yield IosProcess(where.collector, where.source, process, origin="network-usage", bundle_id=bundle,
                         first_seen=mac_time(first), last_seen=mac_time(last) or mac_time(first))


def interactions(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """Apps named in the interaction records (CoreDuet ``ZINTERACTIONS``)."""
    have = columns(db, "ZINTERACTIONS")
    if "ZBUNDLEID" not in have:
        return
    when = pick(have, "ZSTARTDATE", "ZCREATIONDATE")
    sql = f"SELECT ZBUNDLEID, MIN({when}), MAX({when}), COUNT(*) FROM ZINTERACTIONS GROUP BY ZBUNDLEID"
    for bundle, first, last, count in rows(db, sql):
        name = text(bundle, MAX_NAME)
        if name:
            yield IosProcess(where.collector, where.source, "", origin="interactions", bundle_id=name,
                             first_seen=mac_time(first), last_seen=mac_time(last),
                             count=count if isinstance(count, int) and count > 0 else 1)


def tcc(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """Grants of the services in SENSITIVE_SERVICES (``access``: iOS 14+ ``auth_value``, older ``allowed``)."""
    have = columns(db, "access")
    if not {"service", "client"} <= have:
        return
    sql = (f"SELECT service, client, {pick(have, 'auth_value')}, {pick(have, 'allowed')}, "
           f"{pick(have, 'last_modified')} FROM access")
    for service, client, auth_value, allowed, modified in rows(db, sql):
        name, who = text(service, MAX_NAME), text(client, MAX_NAME)
        if name not in SENSITIVE_SERVICES or not who:
            continue
        grant = _TCC_GRANTS.get(auth_value) if isinstance(auth_value, int) else (
            "allowed" if allowed == 1 else None)
        if grant is None:
            continue
        moment = unix_time(modified)
        yield IosPermission(where.collector, where.source, who, name, grant=grant, artefact="tcc",
                            first_seen=moment, last_seen=moment)


def location_clients(value: object, where: Where) -> Iterator[Observation]:
    """Apps allowed to use location (``RootDomain/Library/Caches/locationd/clients.plist``)."""
    if not isinstance(value, Mapping):
        return
    for count, (key, entry) in enumerate(value.items()):
        if count >= MAX_LOCATION_CLIENTS:
            break
        if not isinstance(entry, Mapping):
            continue
        status = entry.get("Authorization", entry.get("Authorized"))
        grant = _LOCATION_GRANTS.get(status) if isinstance(status, int) and not isinstance(status, bool) else None
        who = text(entry.get("BundleId"), MAX_NAME) or text(key, MAX_NAME)
        if grant is None or not who or who.startswith("com.apple.locationd.bundle-"):
            continue
        yield IosPermission(where.collector, where.source, who, "location", grant=grant, artefact="location")


def lockdown_mode(value: object, where: Where) -> Iterator[Observation]:
    """``LDMGlobalEnabled`` in ``.GlobalPreferences.plist``: true when Lockdown Mode is on."""
    if not isinstance(value, Mapping):
        return
    enabled: Any = value.get("LDMGlobalEnabled")
    yield IosFact(where.collector, where.source, "lockdown_mode", "true" if enabled is True else "false")
