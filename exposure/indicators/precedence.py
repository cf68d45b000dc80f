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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from exposure.indicators.normalize import InvalidValue, normalize
from exposure.model import Indicator, IndicatorRole, IndicatorType

# Feed formats whose values belong to no named tool, or only to a classification.
LIST_FORMATS = frozenset({"hosts", "isdi-app-flags"})
SHARED_CERT_THRESHOLD = 3
_CERT_TYPES = frozenset({IndicatorType.CERT_MD5, IndicatorType.CERT_SHA1, IndicatorType.CERT_SHA256})
_SHARED_CERTS_FILE = Path(__file__).resolve().parent / "data" / "shared_certificates.txt"

Key = tuple[IndicatorType, str]


@dataclass(frozen=True, slots=True)
class FeedValues:
    """One feed's indicators and the format they came in."""

    format: str
    indicators: Sequence[Indicator]


@dataclass(slots=True)
class Merged:
    """What the index gets from the feeds, and how much the rule took out (for tests)."""

    indicators: list[Indicator]
    dropped: int = 0
    marked: int = 0


def merge(profile_indicators: Iterable[Indicator], feeds: Sequence[FeedValues]) -> Merged:
    """The feed indicators to index, after the precedence rule."""
    curated: dict[Key, list[Indicator]] = defaultdict(list)
    for ind in profile_indicators:
        curated[(ind.type, ind.value)].append(ind)
    named = [f for f in feeds if f.format not in LIST_FORMATS]
    lists = [f for f in feeds if f.format in LIST_FORMATS]
    out = Merged([])
    known: set[Key] = set(curated)
    tier1 = _tier_one(named, curated, out)
    known.update((i.type, i.value) for i in tier1)
    for feed in lists:
        for ind in feed.indicators:
            if (ind.type, ind.value) in known:
                out.dropped += 1
            else:
                out.indicators.append(ind)
    out.indicators[:0] = tier1
    _mark_shared_certificates(out)
    return out


def _tier_one(feeds: Sequence[FeedValues], curated: dict[Key, list[Indicator]], out: Merged) -> list[Indicator]:
    documented: dict[tuple[IndicatorType, str, str], set[IndicatorRole]] = defaultdict(set)
    for feed in feeds:
        for ind in feed.indicators:
            if ind.role is not IndicatorRole.OTHER:
                documented[(ind.type, ind.value, ind.threat)].add(ind.role)
    kept: list[Indicator] = []
    seen: set[tuple[IndicatorType, str, str, IndicatorRole]] = set()
    for feed in feeds:
        for ind in feed.indicators:
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
    shared = {key for key, threats in tools.items() if len(threats) >= SHARED_CERT_THRESHOLD}
    shared |= shared_certificates()
    if not shared:
        return
    for position, ind in enumerate(out.indicators):
        if ind.type in _CERT_TYPES and not ind.supporting and (ind.type, ind.value) in shared:
            out.indicators[position] = dataclasses.replace(ind, supporting=True)
            out.marked += 1


@cache
def shared_certificates() -> frozenset[Key]:
    """The public test and platform keys of ``data/shared_certificates.txt``, normalised."""
    kinds = {40: IndicatorType.CERT_SHA1, 64: IndicatorType.CERT_SHA256, 32: IndicatorType.CERT_MD5}
    out: set[Key] = set()
    try:
        lines = _SHARED_CERTS_FILE.read_text(encoding="utf-8").splitlines()
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
