"""Links and Apple's threat notifications in messages: SMS/iMessage (``sms.db``), WhatsApp
(``ChatStorage.sqlite``) and calendar events (``Calendar.sqlitedb``, a known spam channel)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

from exposure.collect.ios_backup.links import MAX_MESSAGE_TEXT, links, message_links
from exposure.collect.ios_backup.sqlite import columns, pick, rows, text
from exposure.collect.ios_backup.times import mac_time
from exposure.model import Observation
from exposure.observations.ios_backup import IosLink, IosThreatNotification

MAX_SENDER = 120
# The words of Apple's threat notifications (Apple's support page "About Apple threat
# notifications and protecting against mercenary spyware", and the messages published by
# people who received one, 2021-2025). Lower case; a message holding one is reported.
THREAT_NOTIFICATION_WORDS: tuple[str, ...] = (
    "state-sponsored attackers may be targeting your iphone",
    "targeted by state-sponsored attackers",
    "targeted by a mercenary spyware attack",
    "target of a mercenary spyware attack",
    "you were the target of a spyware attack",
    "trying to remotely compromise the iphone associated with your apple",
)


@dataclass(slots=True)
class Cuts:
    """Messages not read to their end (too long, or too many links): counted for a warning."""

    messages: int = 0


@dataclass(frozen=True, slots=True)
class Where:
    """Who observations come from: the collector's name and the backup's name."""

    collector: str
    source: str
    cuts: Cuts = field(default_factory=Cuts, compare=False)


def _sender(value: object) -> str:
    return text(value, MAX_SENDER)


def message_observations(where: Where, body: str, artefact: str, sender: str, when: object,
                         ) -> Iterator[Observation]:
    moment = mac_time(when)
    found, cut = message_links(body)
    if cut:
        where.cuts.messages += 1
    for url, host in found:
        yield IosLink(where.collector, where.source, host, url=url, artefact=artefact, sender=sender,
                      first_seen=moment, last_seen=moment)
    lowered = body.lower()
    for words in THREAT_NOTIFICATION_WORDS:
        start = lowered.find(words)
        if start >= 0:
            yield IosThreatNotification(where.collector, where.source, body[start:start + len(words)],
                                        sender=sender, artefact=artefact, has_link=bool(found),
                                        first_seen=moment, last_seen=moment)
            break


def sms(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """SMS and iMessage (``HomeDomain/Library/SMS/sms.db``). Newer iOS keeps some texts only in
    ``attributedBody`` (an archived string): its readable parts are searched too."""
    have = columns(db, "message")
    if not have:
        return
    handles = columns(db, "handle")
    join = 'LEFT JOIN handle h ON h.ROWID = m.handle_id' if "ROWID" in handles or "id" in handles else ""
    sender = 'h."id"' if join and "id" in handles else "NULL"
    sql = (f"SELECT {pick(have, 'text', table='m')}, {pick(have, 'attributedBody', table='m')}, "
           f"{pick(have, 'date', table='m')}, {pick(have, 'service', table='m')}, {sender} FROM message m {join}")
    for body, attributed, when, service, who in rows(db, sql):
        written = text(body, MAX_MESSAGE_TEXT + 1)
        if not written and isinstance(attributed, bytes):
            written = text(attributed, MAX_MESSAGE_TEXT + 1)
        if not written:
            continue
        artefact = "imessage" if text(service).lower() == "imessage" else "sms"
        yield from message_observations(where, written, artefact, _sender(who), when)


def whatsapp(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """WhatsApp messages (``ChatStorage.sqlite`` in WhatsApp's shared app group)."""
    have = columns(db, "ZWAMESSAGE")
    if not have:
        return
    sql = (f"SELECT {pick(have, 'ZTEXT')}, {pick(have, 'ZMESSAGEDATE')}, {pick(have, 'ZFROMJID')} "
           "FROM ZWAMESSAGE")
    for body, when, who in rows(db, sql):
        written = text(body, MAX_MESSAGE_TEXT + 1)
        if written:
            for obs in message_observations(where, written, "whatsapp", _sender(who), when):
                if isinstance(obs, IosLink):
                    yield obs  # a WhatsApp message imitating Apple is not Apple's notification


def calendar(db: sqlite3.Connection, where: Where) -> Iterator[Observation]:
    """Links in calendar events (``Calendar.sqlitedb``): spam invitations carry them."""
    have = columns(db, "CalendarItem")
    if not have:
        return
    sql = (f"SELECT {pick(have, 'url')}, {pick(have, 'summary')}, {pick(have, 'description')}, "
           f"{pick(have, 'creation_date', 'start_date')} FROM CalendarItem")
    for url, summary, description, when in rows(db, sql):
        written = " ".join(part for part in (text(url), text(summary), text(description)) if part)
        if written:
            moment = mac_time(when)
            for link, host in links(written):
                yield IosLink(where.collector, where.source, host, url=link, artefact="calendar",
                              first_seen=moment, last_seen=moment)
