"""Addresses visited or open in browsers, and the sites apps' web views kept data for:
Safari (``History.db``, ``BrowserState.db``), Chrome (``History``), Firefox (``browser.db``
or ``places.db``), WebKit's ``observations.db`` and website-data folder names."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime

from exposure.collect.ios_backup.links import host_of
from exposure.collect.ios_backup.messages import Where
from exposure.collect.ios_backup.sqlite import columns, pick, rows, text
from exposure.collect.ios_backup.times import mac_time, unix_time, webkit_time
from exposure.model import Observation
from exposure.observations.ios_backup import IosLink

MAX_URL = 8 * 1024
# WebKit names a site's data folder "<scheme>_<host>_<port>" (WebSQL, IndexedDB, LocalStorage).
_ORIGIN_FOLDER = re.compile(r"^(https?)_([A-Za-z0-9.-]{1,253})_(\d{1,5})(?:\.localstorage)?$")


def _visits(where: Where, found: Iterable[tuple[object, datetime | None, datetime | None, int]],
            artefact: str, app: str = "") -> Iterator[Observation]:
    for url, first, last, count in found:
        address = text(url, MAX_URL)
        host = host_of(address)
        if host:
            yield IosLink(where.collector, where.source, host, url=address, artefact=artefact, app=app,
                          first_seen=first, last_seen=last or first, count=max(count, 1))


def safari_history(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    if not columns(db, "history_items"):
        return
    sql = ("SELECT i.url, MIN(v.visit_time), MAX(v.visit_time), COUNT(v.id) FROM history_items i "
           "LEFT JOIN history_visits v ON v.history_item = i.id GROUP BY i.id")
    if not columns(db, "history_visits"):
        sql = "SELECT url, NULL, NULL, 1 FROM history_items"
    yield from _visits(where, ((u, mac_time(a), mac_time(b), _int(n)) for u, a, b, n in rows(db, sql)),
                       "safari-history", "Safari")


def safari_tabs(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    have = columns(db, "tabs")
    if not have:
        return
    sql = f"SELECT {pick(have, 'url')}, {pick(have, 'last_viewed_time')} FROM tabs"
    yield from _visits(where, ((u, mac_time(t), None, 1) for u, t in rows(db, sql)), "safari-tab", "Safari")


def chrome_history(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    if not columns(db, "urls"):
        return
    if columns(db, "visits"):
        sql = ("SELECT u.url, MIN(v.visit_time), MAX(v.visit_time), COUNT(v.id) FROM urls u "
               "LEFT JOIN visits v ON v.url = u.id GROUP BY u.id")
    else:
        sql = "SELECT url, last_visit_time, last_visit_time, visit_count FROM urls"
    yield from _visits(where, ((u, webkit_time(a), webkit_time(b), _int(n)) for u, a, b, n in rows(db, sql)),
                       "chrome-history", "Chrome")


def firefox_history(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    if columns(db, "moz_places"):  # places.db (newer Firefox for iOS)
        if columns(db, "moz_historyvisits"):
            sql = ("SELECT p.url, MIN(v.visit_date), MAX(v.visit_date), COUNT(v.id) FROM moz_places p "
                   "LEFT JOIN moz_historyvisits v ON v.place_id = p.id GROUP BY p.id")
        else:
            sql = "SELECT url, NULL, NULL, 1 FROM moz_places"
    elif columns(db, "history"):  # browser.db
        if columns(db, "visits"):
            sql = ("SELECT h.url, MIN(v.date), MAX(v.date), COUNT(v.id) FROM history h "
                   "LEFT JOIN visits v ON v.siteID = h.id GROUP BY h.id")
        else:
            sql = "SELECT url, NULL, NULL, 1 FROM history"
    else:
        return
    yield from _visits(where, ((u, unix_time(a), unix_time(b), _int(n)) for u, a, b, n in rows(db, sql)),
                       "firefox-history", "Firefox")


def webkit_observations(db: sqlite3.Connection, where: Where, app: str) -> Iterator[Observation]:
    """Sites an app's web views loaded (WebKit's tracking-prevention ``ObservedDomains``)."""
    have = columns(db, "ObservedDomains")
    if not have:
        return
    sql = f"SELECT {pick(have, 'registrableDomain')}, {pick(have, 'lastSeen')} FROM ObservedDomains"
    for domain, seen in rows(db, sql):
        host = text(domain, 253).strip().lower().rstrip(".")
        if host and " " not in host:
            moment = unix_time(seen)
            yield IosLink(where.collector, where.source, host, artefact="webkit", app=app,
                          first_seen=moment, last_seen=moment)


def origin_folders(paths: Iterable[tuple[str, str]], where: Where) -> Iterator[Observation]:
    """Sites named by website-data folders in Manifest.db (``…/WebSQL/https_evil.test_0``)."""
    seen: set[tuple[str, str]] = set()
    for domain, path in paths:
        match = _ORIGIN_FOLDER.match(path.rsplit("/", 1)[-1])
        if match is None:
            continue
        host = match.group(2).lower()
        app = domain.split("-", 1)[1] if domain.startswith("AppDomain") and "-" in domain else domain
        if (host, app) not in seen:
            seen.add((host, app))
            yield IosLink(where.collector, where.source, host, url=f"{match.group(1)}://{host}",
                          artefact="website-folder", app=app)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 1

