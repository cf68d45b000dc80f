"""One rule for a value that several sources list (docs/profiles.md, "Precedence").

Sources rank in three tiers:

0. **curated profiles** (``profiles/*.yaml``): their marks win. A feed value that a profile
   also lists for the same threat and role is dropped (the profile's entry says it all);
   otherwise (another role, another threat) the feed's entry is kept but takes the
   profile's marks (``supporting``, ``max_severity``, ``note``, first/last seen), so a value
   the profile has as a website and Echap also as a C2 is still a C2, and ResidentBat's ids
   that imitate Google apps stay ``supporting`` whichever feed also lists them.
1. **feeds that name the tool** (Echap's YAML, samples and STIX2, mvt-indicators and other
   STIX2 bundles, Volexity): all kept, but one (type, value, threat) is one indicator per
   role, and the role ``other`` (Echap's STIX2 does not say website or C2) gives way to a
   role another feed documents for the same value and threat. Roles come from the content
   (see ``feeds.stix2.is_echap_export``), never from a file name.
2. **lists that name no tool** (hosts files and plain lists, ISDi's classification): a
   value already known from tier 0 or 1 is dropped, so Echap's ``generated/hosts`` beside
   its YAML adds nothing twice, and an app Echap names is not also "dual-use".

Two content rules make a signing certificate ``supporting`` (never a finding alone): a
certificate the feeds tie to three or more different tools (a shared or leaked key, such
as the public AOSP test key, which Echap's samples give for nine families), and the public
platform test keys listed in ``data/shared_certificates.txt``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from exposure.indicators import datafiles
from exposure.indicators.index import LazyTable
from exposure.indicators.merged import Merged
from exposure.indicators.normalize import InvalidValue, normalize
from exposure.model import Indicator, IndicatorRole, IndicatorType

# Feed formats whose values belong to no named tool, or only to a classification.
LIST_FORMATS = frozenset({"hosts", "isdi-app-flags"})
SHARED_CERT_THRESHOLD = 3
_CERT_TYPES = frozenset({IndicatorType.CERT_MD5, IndicatorType.CERT_SHA1, IndicatorType.CERT_SHA256})

Key = tuple[IndicatorType, str]


@dataclass(frozen=True, slots=True)
class FeedValues:
    """One feed's indicators and the format they came in; a precompiled feed also has
    ``tables`` of rows by type and value, made into indicators by ``maker`` when needed."""

    format: str
    indicators: Sequence[Indicator]
    tables: Mapping[IndicatorType, Mapping[str, Any]] = field(default_factory=dict)
    maker: Callable[[IndicatorType], Callable[[str, Any], tuple[Indicator, ...]]] | None = None
    threats_of: Callable[[IndicatorType, str], set[str]] | None = None


def merge(profile_indicators: Iterable[Indicator], feeds: Sequence[FeedValues]) -> Merged:
    """The feed indicators to index, after the precedence rule."""
    curated: dict[Key, list[Indicator]] = {}
    for ind in profile_indicators:
        curated.setdefault((ind.type, ind.value), []).append(ind)
    by_kind: dict[IndicatorType, set[str]] = {}
    for kind, value in curated:
        by_kind.setdefault(kind, set()).add(value)
    named = [f for f in feeds if f.format not in LIST_FORMATS]
    out = Merged([])
    special = _needing_a_look(named, by_kind)
    out.indicators = _tier_one([_eager(f, special, out) for f in named], curated, special, out)
    known = {kind: set(values) for kind, values in by_kind.items()}
    for feed in named:
        for kind, values in _values(feed).items():
            known.setdefault(kind, set()).update(values)
    for kind, values in _values_of(out.indicators).items():
        known.setdefault(kind, set()).update(values)
    for feed in feeds:
        if feed.format in LIST_FORMATS:
            _tier_two(feed, known, out)
    _mark_shared_certificates(out)
    return out


def _values_of(indicators: Iterable[Indicator]) -> dict[IndicatorType, set[str]]:
    out: dict[IndicatorType, set[str]] = {}
    for ind in indicators:
        out.setdefault(ind.type, set()).add(ind.value)
    return out


def _values(feed: FeedValues) -> dict[IndicatorType, set[str] | KeysView[str]]:
    out: dict[IndicatorType, set[str] | KeysView[str]] = dict(_values_of(feed.indicators))
    for kind, table in feed.tables.items():
        out[kind] = table.keys() | out[kind] if kind in out else table.keys()
    return out


def _needing_a_look(feeds: Sequence[FeedValues], curated: dict[IndicatorType, set[str]]) -> dict[IndicatorType,
                                                                                                  set[str]]:
    """Values a profile lists, or two feeds list: only those need the rule; the rest (nearly
    all) pass as they are. (One feed never repeats a value for the same threat and role.)"""
    everywhere: dict[IndicatorType, set[str]] = {}
    special: dict[IndicatorType, set[str]] = {}
    for feed in feeds:
        for kind, values in _values(feed).items():
            seen = everywhere.setdefault(kind, set())
            special.setdefault(kind, set()).update(values & seen)
            seen.update(values)
    for kind, values in everywhere.items():
        special.setdefault(kind, set()).update(values & curated.get(kind, set()))
    return special


def _eager(feed: FeedValues, special: dict[IndicatorType, set[str]], out: Merged) -> list[Indicator]:
    """The feed's indicators that the rule must look at as objects; its other rows stay lazy."""
    eager = list(feed.indicators)
    for kind, table in feed.tables.items():
        assert feed.maker is not None
        make = feed.maker(kind)
        hot = sorted(table.keys() & special.get(kind, set()))  # sorted: the same order in every process
        eager += [ind for value in hot for ind in make(value, table[value])]
        out.lazy.append((kind, LazyTable(table, make, set(hot), _threats(feed, kind))))
    return eager


def _tier_one(feeds: Sequence[list[Indicator]], curated: dict[Key, list[Indicator]],
              special: dict[IndicatorType, set[str]], out: Merged) -> list[Indicator]:
    documented: dict[tuple[IndicatorType, str, str], set[IndicatorRole]] = {}
    for indicators in feeds:
        for ind in indicators:
            if ind.role is not IndicatorRole.OTHER and ind.value in special.get(ind.type, ()):
                documented.setdefault((ind.type, ind.value, ind.threat), set()).add(ind.role)
    kept: list[Indicator] = []
    seen: set[tuple[IndicatorType, str, str, IndicatorRole]] = set()
    for indicators in feeds:
        for ind in indicators:
            if ind.value not in special.get(ind.type, ()):
                kept.append(ind)
                continue
            key = (ind.type, ind.value, ind.threat, ind.role)
            same_value = curated.get((ind.type, ind.value))
            if key in seen or (ind.role is IndicatorRole.OTHER and documented.get(key[:3])):
                out.dropped += 1
                continue
            if same_value:
                if any(p.threat == ind.threat and p.role is ind.role for p in same_value):
                    out.dropped += 1
                    continue
                ind = _with_marks(ind, [p for p in same_value if p.threat == ind.threat] or same_value)
                out.marked += 1
            seen.add(key)
            kept.append(ind)
    return kept


def _tier_two(feed: FeedValues, known: dict[IndicatorType, set[str]], out: Merged) -> None:
    """A list's values that no profile and no named feed has."""
    fresh = [i for i in feed.indicators if i.value not in known.get(i.type, ())]
    out.dropped += len(feed.indicators) - len(fresh)
    out.indicators += fresh
    for kind, table in feed.tables.items():
        assert feed.maker is not None
        taken = set(table.keys() & known.get(kind, set()))
        out.dropped += len(taken)
        out.lazy.append((kind, LazyTable(table, feed.maker(kind), taken, _threats(feed, kind))))


def _threats(feed: FeedValues, kind: IndicatorType) -> Callable[[str], set[str]] | None:
    threats_of = feed.threats_of
    return None if threats_of is None else functools.partial(threats_of, kind)


def _with_marks(ind: Indicator, curated: Sequence[Indicator]) -> Indicator:
    """A feed's indicator with the marks a curated profile gives the same value."""
    caps = [p.max_severity for p in curated if p.max_severity is not None]
    return dataclasses.replace(
        ind,
        supporting=ind.supporting or any(p.supporting for p in curated),
        max_severity=max(caps, key=lambda s: s.rank) if caps else ind.max_severity,
        note=next((p.note for p in curated if p.note), ind.note),
        first_seen=next((p.first_seen for p in curated if p.first_seen), ind.first_seen),
        last_seen=next((p.last_seen for p in curated if p.last_seen), ind.last_seen),
    )


def _mark_shared_certificates(out: Merged) -> None:
    tools: dict[Key, set[str]] = defaultdict(set)
    for ind in out.indicators:
        if ind.type in _CERT_TYPES:
            tools[(ind.type, ind.value)].add(ind.threat)
    lazy_certs = [(kind, table) for kind, table in out.lazy if kind in _CERT_TYPES]
    for kind, table in lazy_certs:
        for value in table.values():
            tools[(kind, value)].update(table.threats(value) if table.threats else {i.threat for i in table.get(value)})
    shared = {key for key, threats in tools.items() if len(threats) >= SHARED_CERT_THRESHOLD}
    shared |= shared_certificates()
    if not shared:
        return
    for position, ind in enumerate(out.indicators):
        if ind.type in _CERT_TYPES and not ind.supporting and (ind.type, ind.value) in shared:
            out.indicators[position] = dataclasses.replace(ind, supporting=True)
            out.marked += 1
    for kind, table in lazy_certs:
        for value in [v for v in table.values() if (kind, v) in shared]:
            made = [dataclasses.replace(i, supporting=True) for i in table.get(value)]
            out.indicators += made
            out.marked += len(made)
            table.excluded.add(value)
            table.forget(value)


@cache
def shared_certificates() -> frozenset[Key]:
    """The public test and platform keys of ``data/shared_certificates.txt``, normalised."""
    kinds = {40: IndicatorType.CERT_SHA1, 64: IndicatorType.CERT_SHA256, 32: IndicatorType.CERT_MD5}
    out: set[Key] = set()
    try:
        lines = datafiles.SHARED_CERTS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    for line in lines:
        text = line.split("#", 1)[0].strip()
        digits = text.replace(":", "")
        if not text or len(digits) not in kinds:
            continue
        kind = kinds[len(digits)]
        try:
            out.add((kind, normalize(kind, text)))
        except InvalidValue:
            continue
    return frozenset(out)
