"""The bundled profiles and feeds, precompiled, so that a scan starts without parsing them.

Reading the profiles' YAML strictly and every bundled feed value by value costs far more
than the scan of this computer it precedes (BENCHMARKS.md). ``data/precompiled.json`` holds
the result of exactly that reading (the same ``Profile``, ``Threat`` and ``Indicator``
objects, as plain JSON, never pickle) with the sha256 of every file it was made from. It
is used only when every one of those files is unchanged; otherwise (a profile edited in a
checkout, a damaged install) the files are read as before. ``python -m
exposure.indicators.precompile`` writes it again, and a test checks it is current and that
loading it gives the same objects as reading the files.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exposure.indicators.datafiles import PRECOMPILED
from exposure.indicators.index import ADDRESS_TYPES, LAZY_TYPES, NETWORK_TYPES
from exposure.indicators.lazy_indicators import LazyIndicators
from exposure.model import (
    Category,
    FeedInfo,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Profile,
    Reference,
    Severity,
    Threat,
)

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import LoadedFeed
    from exposure.indicators.merged import Merged

PATH = PRECOMPILED
SCHEMA = "exposure.precompiled/2"  # 2: the feeds' threats on a line of their own
_TYPES = {t.value: t for t in IndicatorType}
_ROLES = {r.value: r for r in IndicatorRole}
_CATEGORIES = {c.value: c for c in Category}
_SEVERITIES = {s.value: s for s in Severity}


def sources(profile_files: Sequence[Path], feed_files: Sequence[Path]) -> dict[str, str]:
    """``{"profile:<name>" | "feed:<name>": sha256}`` of the files the cache is made from."""
    out = {f"profile:{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in profile_files}
    out.update({f"feed:{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in feed_files})
    return out


@cache
def _document() -> dict[str, Any] | None:
    try:
        # from bytes, and written in ASCII (precompile.py): decoding a megabyte of mixed text
        # through a text reader cost more than the JSON parsing itself
        raw = PATH.read_bytes()
        end = raw.find(b"\n")
        document = json.loads(raw[:end])
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        return None
    rest = raw[end + 1:]
    if len(rest) != document.get("threats_size"):  # a file cut short: read the sources instead
        return None
    part = _Part(rest)
    for position, feed in enumerate(document["feeds"]):
        feed["threats"] = LazyRows(part, position)
    return document


def to_text(document: dict[str, Any]) -> str:
    """The document as ``data/precompiled.json`` holds it: on its first line, everything but
    the feeds' threats; on the second, those (a list, feed by feed: ISDi's 5,770 make up a
    third of the file, and a check that finds nothing never reads one); ASCII."""
    threats = json.dumps([feed["threats"] for feed in document["feeds"]], separators=(",", ":")) + "\n"
    first = {**document, "feeds": [{k: v for k, v in f.items() if k != "threats"} for f in document["feeds"]],
             "threats_size": len(threats)}
    return json.dumps(first, separators=(",", ":")) + "\n" + threats


def from_text(text: str | bytes) -> dict[str, Any]:
    """The whole document from ``to_text``'s form, every part read at once."""
    first, _, second = (text.encode("ascii") if isinstance(text, str) else text).partition(b"\n")
    document: dict[str, Any] = json.loads(first)
    for feed, threats in zip(document["feeds"], json.loads(second), strict=True):
        feed["threats"] = threats
    del document["threats_size"]
    return document


class _Part:
    """The second line of the file, parsed the first time a feed's threat is asked for."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._parsed: list[dict[str, Any]] | None = None

    def feed(self, position: int) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = json.loads(self._raw)
            self._raw = b""
        return self._parsed[position]


class LazyRows(Mapping[str, Any]):
    """A feed's threat rows by id, read from the file's second line when first looked at:
    the same mapping, in the same order, as the rows written. Pickled (a kept catalog) with the
    rows it holds."""

    def __init__(self, part: _Part | None, position: int = 0, rows: dict[str, Any] | None = None) -> None:
        self._part = part
        self._position = position
        self._rows = rows
        self._ids: list[str] | None = None

    @classmethod
    def of(cls, rows: Mapping[str, Any]) -> LazyRows:
        """Rows already read (a document read whole)."""
        return rows if isinstance(rows, LazyRows) else cls(None, rows=dict(rows))

    def _loaded(self) -> dict[str, Any]:
        if self._rows is None:
            assert self._part is not None
            self._rows = self._part.feed(self._position)
        return self._rows

    def ids(self) -> list[str]:
        """The threat ids in order: a table's entry names its threats by position."""
        if self._ids is None:
            self._ids = list(self._loaded())
        return self._ids

    def __getitem__(self, threat_id: str) -> Any:
        return self._loaded()[threat_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __reduce__(self) -> tuple[Any, ...]:
        return LazyRows.of, (self._loaded(),)


def load(profile_files: Sequence[Path], feed_files: Sequence[Path]) -> dict[str, Any] | None:
    """The cache when it was made from exactly these files, else None."""
    document = _document()
    if document is None:
        return None
    try:
        if document.get("sources") != _checked(tuple(profile_files), tuple(feed_files)):
            return None
    except OSError:
        return None
    return document


@cache
def _checked(profile_files: tuple[Path, ...], feed_files: tuple[Path, ...]) -> dict[str, str]:
    """``sources``, once a process: the profiles and the bundled feeds both ask (with the same
    files), and what they were loaded from is kept for the process anyway."""
    return sources(profile_files, feed_files)


# -- to JSON ---------------------------------------------------------------------------


class _Refs:
    """References written once and named by their position (after ``rows`` already written)."""

    def __init__(self, rows: list[list[Any]] | None = None) -> None:
        self.rows: list[list[Any]] = rows if rows is not None else []
        self._at: dict[Reference, int] = {reference(row): n for n, row in enumerate(self.rows)}

    def __call__(self, refs: Sequence[Reference]) -> list[int]:
        out = []
        for ref in refs:
            if ref not in self._at:
                self._at[ref] = len(self.rows)
                self.rows.append([ref.title, ref.url, *([[list(p) for p in ref.titles]] if ref.titles else [])])
            out.append(self._at[ref])
        return out


def reference(row: Sequence[Any]) -> Reference:
    """``[title, url]``, or ``[title, url, [[lang, title], ...]]`` with a profile's translated titles."""
    return Reference(row[0], row[1], tuple((lang, text) for lang, text in row[2]) if len(row) > 2 else ())


def _text(text: LocalText) -> list[list[str]]:
    return [list(pair) for pair in text.values]


def _threat(t: Threat, refs: _Refs, default: list[Any] | None = None) -> list[Any]:
    """A threat as a row: ``[name]`` for a feed's threat with only an English name and the
    feed's usual category, severity, profile and references; ``[name, category, severity,
    profile, references]`` with only an English name; else every field."""
    texts = (t.what_it_is, t.what_it_can_do, t.what_to_do, t.severity_reason)
    if not any(x.values for x in texts) and [lang for lang, _ in t.name.values] == ["en"] and not t.aliases:
        short = [t.name.get("en"), t.category.value, t.severity.value, t.profile, refs(t.references)]
        return short[:1] if default is not None and short[1:] == default else short
    return [_text(t.name), t.category.value, t.severity.value, t.profile, list(t.aliases), _text(t.what_it_is),
            _text(t.what_it_can_do), _text(t.what_to_do), refs(t.references), _text(t.severity_reason)]


def _indicator(i: Indicator, refs: _Refs, profile: str, source: str) -> list[Any]:
    """``[type, value, threat, role, {what differs from the defaults}]``."""
    row: list[Any] = [i.type.value, i.value, i.threat, i.role.value]
    extra = {"profile": i.profile if i.profile != profile else "", "source": i.source if i.source != source else "",
             "refs": refs(i.references), "note": i.note, "supporting": i.supporting, "first_seen": i.first_seen,
             "last_seen": i.last_seen, "max_severity": i.max_severity.value if i.max_severity else ""}
    marks = {k: v for k, v in extra.items() if v}
    if marks:
        row.append(marks)
    return row


def dump(profiles: Sequence[Profile], feeds: Sequence[LoadedFeed], checked: dict[str, str]) -> dict[str, Any]:
    refs = _Refs()
    out: dict[str, Any] = {"schema": SCHEMA, "sources": checked}
    out["profiles"] = [{"id": p.id, "title": _text(p.title), "description": _text(p.description),
                        "file": Path(p.path).name, "opt_in": p.opt_in,
                        "threats": [[t.id, *_threat(t, refs)] for t in p.threats],
                        "indicators": [_indicator(i, refs, p.id, f"profile:{p.id}") for i in p.indicators]}
                       for p in profiles]
    out["feeds"] = [_feed(f, refs) for f in feeds]
    out["references"] = refs.rows
    return out


def _feed(feed: LoadedFeed, refs: _Refs) -> dict[str, Any]:
    """A feed: exact-match values grouped by type and value (``tables``: the JSON decoder
    builds those dicts, and the index uses them as they are), the rest as rows. In a table,
    a value with one indicator of the default role and no marks is just its threat's
    position in ``threats``; otherwise ``[[position, role(, marks)], ...]``."""
    info = feed.info
    common = Counter(tuple(map(str, _threat(t, refs)[1:4])) for t in feed.threats).most_common(1)
    first = next((t for t in feed.threats if tuple(map(str, _threat(t, refs)[1:4])) == common[0][0]), None)
    default = _threat(first, refs)[1:] if first is not None else None
    position = {t.id: n for n, t in enumerate(feed.threats)}
    tables: dict[str, dict[str, Any]] = {}
    rows: list[list[Any]] = []
    for ind in feed.indicators:
        row = _indicator(ind, refs, info.profile, info.name)
        if ind.type not in LAZY_TYPES:
            rows.append(row)
            continue
        table = tables.setdefault(ind.type.value, {})
        entry = [position[ind.threat], *row[3:]]
        if ind.value not in table and entry[1:] == [IndicatorRole.APP.value]:
            table[ind.value] = entry[0]
            continue
        present = table.get(ind.value)
        table[ind.value] = (present if isinstance(present, list) else
                            [] if present is None else [[present, IndicatorRole.APP.value]]) + [entry]
    return {"info": {"name": info.name, "format": info.format, "source": info.source, "sha256": info.sha256,
                     "profile": info.profile, "counts": dict(info.counts), "version": info.version,
                     "dated": info.dated, "licence": info.licence},
            "threat_default": default, "threats": {t.id: _threat(t, refs, default) for t in feed.threats},
            "tables": tables, "indicators": rows}


# -- from JSON -------------------------------------------------------------------------


_EMPTY = LocalText()


def _local(pairs: list[list[str]]) -> LocalText:
    return LocalText(tuple((lang, text) for lang, text in pairs)) if pairs else _EMPTY


def _threats(rows: list[list[Any]], refs: list[Reference]) -> tuple[Threat, ...]:
    return tuple(_make_threat(r[0], r[1:], refs) for r in rows)


def _make_threat(threat_id: str, r: list[Any], refs: list[Reference], default: list[Any] | None = None) -> Threat:
    """A threat from its row (without the id): see ``_threat``."""
    if len(r) == 1 and default is not None:
        r = [r[0], *default]
    if len(r) == 5:
        return Threat(threat_id, LocalText((("en", r[0]),)), _CATEGORIES[r[1]], _SEVERITIES[r[2]], r[3],
                      references=tuple(refs[n] for n in r[4]))
    return Threat(id=threat_id, name=_local(r[0]), category=_CATEGORIES[r[1]], severity=_SEVERITIES[r[2]],
                  profile=r[3], aliases=tuple(r[4]), what_it_is=_local(r[5]), what_it_can_do=_local(r[6]),
                  what_to_do=_local(r[7]), references=tuple(refs[n] for n in r[8]), severity_reason=_local(r[9]))


def _make_indicator(kind: IndicatorType, value: str, r: list[Any], refs: list[Reference], profile: str,
                    source: str) -> Indicator:
    """An indicator from ``[threat, role]`` or ``[threat, role, {marks}]``."""
    if len(r) == 2:
        return Indicator(kind, value, r[0], profile, source, _ROLES[r[1]])
    extra = r[2]
    cap = extra.get("max_severity")
    return Indicator(kind, value, r[0], extra.get("profile", profile), extra.get("source", source), _ROLES[r[1]],
                     tuple(refs[n] for n in extra.get("refs", ())), extra.get("note", ""),
                     extra.get("supporting", False), extra.get("first_seen", ""), extra.get("last_seen", ""),
                     _SEVERITIES[cap] if cap else None)


def _feed_indicators(rows: list[list[Any]], refs: list[Reference], profile: str, source: str) -> LazyIndicators:
    """A feed's indicators outside its tables (its network values), made when first read."""
    return LazyIndicators(functools.partial(_row_indicator, rows, refs, profile, source), [_TYPES[r[0]] for r in rows])


def _row_indicator(rows: list[list[Any]], refs: list[Reference], profile: str, source: str, n: int) -> Indicator:
    r = rows[n]
    return _make_indicator(_TYPES[r[0]], r[1], r[2:], refs, profile, source)


def profiles_from(document: dict[str, Any], folder: Path) -> tuple[Profile, ...]:
    """The profiles; each one's indicators are made the first time they are read as a whole
    (the catalog of a fresh install takes them one by one, the network ones at their first
    lookup: ``catalog``)."""
    refs = [reference(row) for row in document["references"]]
    return tuple(Profile(id=p["id"], title=_local(p["title"]), description=_local(p["description"]),
                         threats=_threats(p["threats"], refs),
                         indicators=_profile_indicators(p["indicators"], refs, p["id"], f"profile:{p['id']}"),
                         path=str(folder / p["file"]), opt_in=p["opt_in"]) for p in document["profiles"])


def _profile_indicators(rows: list[list[Any]], refs: list[Reference], profile: str, source: str) -> LazyIndicators:
    return LazyIndicators(functools.partial(_row_indicator, rows, refs, profile, source), [_TYPES[r[0]] for r in rows],
                          keys_of=functools.partial(_row_keys, rows))


def _row_keys(rows: list[list[Any]]) -> list[tuple[IndicatorType, str, str]]:
    return [(_TYPES[r[0]], r[1], r[2]) for r in rows]


@dataclass(frozen=True, slots=True)
class LazyFeed:
    """A precompiled bundled feed: its network values (``indicators``), its app ids,
    certificates and hashes as table entries (``tables``) and its threats as rows, made into
    objects only when a lookup needs them (``IndicatorIndex.add_later``, ``add_lazy``)."""

    info: FeedInfo
    indicators: LazyIndicators  # the values that are not in ``tables``, made when first read
    tables: dict[IndicatorType, dict[str, Any]]
    threat_rows: LazyRows  # read from the file's second line when first needed
    threat_default: list[Any] | None
    references: list[Reference]

    def maker(self, kind: IndicatorType) -> Callable[[str, Any], tuple[Indicator, ...]]:
        # a partial of a module function, not a closure: a catalog can then be kept (pickled)
        return functools.partial(_make_entry, self, kind)

    def threats_of(self, kind: IndicatorType, value: str) -> set[str]:
        """The threat ids a table's value belongs to, without making objects."""
        entry = self.tables[kind][value]
        ids = self.threat_rows.ids()
        return {ids[entry]} if isinstance(entry, int) else {ids[e[0]] for e in entry}

    def make_threat(self, threat_id: str, row: Any) -> Threat:
        return _make_threat(threat_id, row, self.references, self.threat_default)

    def loaded(self) -> LoadedFeed:
        """Everything as objects, as the slow way reads it."""
        made = [i for kind, table in self.tables.items() for value, entry in table.items()
                for i in self.maker(kind)(value, entry)]
        threats = tuple(self.make_threat(t, r) for t, r in self.threat_rows.items())
        from exposure.indicators.feeds.store import LoadedFeed

        return LoadedFeed(info=self.info, indicators=(*self.indicators, *made), threats=threats)


def _make_entry(feed: LazyFeed, kind: IndicatorType, value: str, entry: Any) -> tuple[Indicator, ...]:
    profile, source = feed.info.profile, feed.info.name
    ids = feed.threat_rows.ids()
    if isinstance(entry, int):
        return (Indicator(kind, value, ids[entry], profile, source),)
    return tuple(_make_indicator(kind, value, [ids[e[0]], *e[1:]], feed.references, profile, source) for e in entry)


def feeds_from(document: dict[str, Any]) -> tuple[LazyFeed, ...]:
    refs = [reference(row) for row in document["references"]]
    out = []
    for feed in document["feeds"]:
        data = feed["info"]
        info = FeedInfo(name=data["name"], format=data["format"], source=data["source"], sha256=data["sha256"],
                        imported="", profile=data["profile"], counts=tuple(data["counts"].items()),
                        version=data["version"], dated=data["dated"], bundled=True, licence=data["licence"])
        out.append(LazyFeed(info=info, indicators=_feed_indicators(feed["indicators"], refs, info.profile, info.name),
                            tables={_TYPES[k]: v for k, v in feed["tables"].items()},
                            threat_rows=LazyRows.of(feed["threats"]), threat_default=feed["threat_default"],
                            references=refs))
    return tuple(out)


# -- the precedence rule's result for the default catalog ---------------------------------
#
# A scan with the default profiles, the bundled feeds and no imported feed (a fresh install)
# always merges the same values the same way (``precedence.merge``, ~8 ms): the result is
# kept in the document too (``default``), made by precompile.py with the same code, and used
# while the list of shared certificates it depends on is unchanged.


def _shared_digest() -> str:
    from exposure.indicators import datafiles

    try:
        return hashlib.sha256(datafiles.SHARED_CERTS.read_bytes()).hexdigest()
    except OSError:
        return ""


def dump_merged(document: dict[str, Any], merged: Merged, feeds: Sequence[LazyFeed]) -> dict[str, Any]:
    """``merged`` (over ``feeds``, as ``feeds_from(document)`` gives them) as JSON; references
    not yet in the document are added to it."""
    refs = _Refs(document["references"])
    tables = []
    for kind, table in merged.lazy:
        position = next(n for n, f in enumerate(feeds) if f.tables.get(kind) is table.entries)
        tables.append([position, kind.value, sorted(table.excluded)])
    # an indicator the rule kept as the feed gave it: [feed, position in its indicators]
    kept = {id(ind): [n, k] for n, f in enumerate(feeds) for k, ind in enumerate(f.indicators)}
    return {"shared": _shared_digest(), "lazy": tables,
            "indicators": [kept.get(id(i)) or _indicator(i, refs, "", "") for i in merged.indicators]}


def merged_from(document: dict[str, Any], feeds: Sequence[LazyFeed]) -> Merged | None:
    """The kept result for these feeds (the document's own, in its order), or None when the
    document has none or the shared certificates changed since."""
    from exposure.indicators.index import LazyTable
    from exposure.indicators.merged import Merged

    kept = document.get("default")
    if not isinstance(kept, dict) or kept.get("shared") != _shared_digest():
        return None
    refs = [reference(row) for row in document["references"]]
    lazy: list[tuple[IndicatorType, LazyTable]] = []
    for position, kind_value, excluded in kept["lazy"]:
        feed, kind = feeds[position], _TYPES[kind_value]
        lazy.append((kind, LazyTable(feed.tables[kind], feed.maker(kind), set(excluded),
                                     functools.partial(feed.threats_of, kind))))
    # the network values (nearly all of them the feeds' own) made at the first lookup of their
    # kind: the addresses (a check of this computer looks up its connections'), then the names
    now: list[list[Any]] = []
    addresses: tuple[list[list[Any]], list[IndicatorType]] = ([], [])  # rows, and the kind of each
    names: tuple[list[list[Any]], list[IndicatorType]] = ([], [])
    for r in kept["indicators"]:
        kind = feeds[r[0]].indicators.kind(r[1]) if isinstance(r[0], int) else _TYPES[r[0]]
        if kind not in NETWORK_TYPES:
            now.append(r)
            continue
        rows, kinds = addresses if kind in ADDRESS_TYPES else names
        rows.append(r)
        kinds.append(kind)
    return Merged([_kept(feeds, now, refs, n) for n in range(len(now))], lazy,
                  later=[LazyIndicators(functools.partial(_kept, feeds, rows, refs), kinds)
                         for rows, kinds in (addresses, names) if rows])


def _kept(feeds: Sequence[LazyFeed], rows: list[list[Any]], refs: list[Reference], n: int) -> Indicator:
    """The merged indicator ``rows[n]`` names (see ``dump_merged``)."""
    r = rows[n]
    return feeds[r[0]].indicators.one(r[1]) if isinstance(r[0], int) else _make_indicator(
        _TYPES[r[0]], r[1], r[2:], refs, "", "")
