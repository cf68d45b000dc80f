"""Where an imported feed's data comes from and how recent it is, kept from import to report.

A report names each feed with the date of its data and its upstream address, so that a
helpline or a lawyer can tell which version of a list a check used. That survives every way
a feed reaches a computer:

* a file byte-identical to a bundled snapshot (Echap's ``ioc.yaml`` at the bundled commit,
  copied from a trainer's stick) gets the snapshot's date, address and licence;
* ``feeds update`` records the address it fetched and the day (upstream's data as of that
  day), a STIX2 bundle its own latest ``modified`` date;
* ``feeds export`` writes each feed's date and address into ``manifest.sha256`` as a comment
  line above its checksum (``sha256sum -c`` skips comment lines), and ``feeds update --from``
  reads it back (a folder written before has none: the files are imported as before).

A path on the computer a feed was imported on (it may hold a person's user name) is never
kept: only the file's base name (``model.public_source``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date

from exposure.indicators.feeds.parsed import plain
from exposure.model import FeedInfo, public_source

# "# exposure-feed {...}": one line per exported file, just above its checksum.
MANIFEST_PREFIX = "# exposure-feed "
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_SOURCE = 300


@dataclass(frozen=True, slots=True)
class Provenance:
    """What is known of a feed's data before it is parsed: its date and where it comes from."""

    dated: str = ""  # YYYY-MM-DD, "" when unknown
    source: str = ""  # the upstream address, or the file's base name
    licence: str = ""


def checked(dated: object, source: object) -> Provenance:
    """A provenance read from a manifest (anyone may have written it): a real date or none,
    a source made plain and cut to a web address or a file's base name."""
    return Provenance(dated=_date(dated), source=public_source(plain(source))[:_MAX_SOURCE]
                      if isinstance(source, str) else "")


def _date(text: object) -> str:
    if not isinstance(text, str) or not _DATE.match(text):
        return ""
    try:
        date.fromisoformat(text)
    except ValueError:
        return ""
    return text


def for_import(sha256: str, given: Provenance, version: str, licence: str) -> Provenance:
    """The provenance an import records: a bundled snapshot's when the file is one, else what
    the feed's own date (a STIX2 bundle's), else the caller's (a manifest line, the day it
    was fetched), and the address fetched or the file's base name."""
    from exposure.indicators.feeds.snapshots import by_sha256

    shipped = by_sha256().get(sha256)
    if shipped is not None:
        return Provenance(shipped.dated, shipped.source, shipped.licence)
    return Provenance(_date(version[:10]) or _date(given.dated), public_source(given.source), licence)


def filled(info: FeedInfo) -> FeedInfo:
    """A stored feed's record as a report may show it: a feed imported before provenance was
    kept gets no path (only the file's base name), and the snapshot's date and address when
    its file is a bundled one."""
    from exposure.indicators.feeds.snapshots import by_sha256

    source = public_source(info.source)
    shipped = by_sha256().get(info.sha256)
    if shipped is not None and not info.dated:
        return replace(info, source=shipped.source, dated=shipped.dated, licence=info.licence or shipped.licence)
    return info if source == info.source else replace(info, source=source)


def manifest_line(filename: str, info: FeedInfo) -> str:
    """The comment line that carries ``info``'s date and source in an exported manifest."""
    record = {"file": filename, "dated": info.dated, "source": public_source(info.source)}
    return MANIFEST_PREFIX + json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n"


def read_manifest_line(line: str) -> tuple[str, Provenance] | None:
    """``(file name, provenance)`` from a line ``manifest_line`` wrote; None for any other line."""
    if not line.startswith(MANIFEST_PREFIX):
        return None
    try:
        record = json.loads(line[len(MANIFEST_PREFIX):])
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("file"), str):
        return None
    return record["file"], checked(record.get("dated"), record.get("source"))
