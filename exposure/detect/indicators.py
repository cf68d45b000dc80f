"""The one place where indicator matches become findings.

Every observation says which values to look up (``indicator_keys``). Hits make **one
finding per tool per device** (``Observation.device``: a phone, this computer, a capture),
carrying every indicator that matched and every observation behind them: the package id,
the certificate and both C2 domains of one stalkerware are one finding.

Severity comes from ``exposure.indicators.severity`` (docs/severity.md): each matched
indicator gets its evidence class (an app on the device, a C2 contacted by name, an address
alone, a shared CDN address...), the table's severity for the tool's category, then its
caps and the age rule; the strongest indicator decides the finding, and is listed first.
A value listed as both C2 and website is therefore C2. Indicators marked ``supporting`` (a
shared certificate, a common name) never make a finding on their own, and join one only
for the same subject (the same app) as a stronger hit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from exposure.detect import dual_use
from exposure.detect.base import DetectContext
from exposure.indicators.index import IndicatorIndex
from exposure.indicators.severity import (
    CategoryGroup,
    EvidenceClass,
    at_most,
    evidence_class,
    group_of,
    headline,
    is_stale,
    lower,
    severity_for,
)
from exposure.model import (
    Category,
    Confidence,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    Observation,
    Severity,
    Threat,
)

_MAX_EVIDENCE = 50
_MAX_SUBJECTS_SHOWN = 3
_ADDRESS_TYPES = frozenset({IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR})
_CLASS_ORDER = {cls: n for n, cls in enumerate(EvidenceClass)}
# Kinds of value that are not independent of each other when they agree.
_FAMILIES = {IndicatorType.IPV4: "address", IndicatorType.IPV6: "address", IndicatorType.CIDR: "address",
             IndicatorType.DOMAIN: "name", IndicatorType.URL: "name", IndicatorType.EMAIL: "name"}
_CONFIDENCE = {
    EvidenceClass.APP: Confidence.HIGH, EvidenceClass.ACTIVE: Confidence.HIGH,
    EvidenceClass.C2_NAME: Confidence.HIGH, EvidenceClass.FLAGGED: Confidence.HIGH,
    EvidenceClass.SHARED_ADDRESS: Confidence.LOW,
}
INDICATOR_RULES: tuple[str, ...] = ("indicator", "indicator.dual-use", "indicator.flagged-app")


@dataclass(slots=True)
class _Subject:
    """What one app, name or address of a device matched."""

    indicators: dict[tuple[IndicatorType, str, IndicatorRole], Indicator] = field(default_factory=dict)
    evidence: list[Observation] = field(default_factory=list)
    seen: int = 0


@dataclass(slots=True)
class _Group:
    """One tool on one device."""

    threat: str
    device: str
    subjects: dict[str, _Subject] = field(default_factory=dict)
    # Dual-use apps that a list names by a value this tool's listing also has (Echap's
    # ScreenTime by WebWatcher's website): said in this finding, not a second one.
    openly: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Weighed:
    """One indicator hit with the evidence class, severity and age it was judged to have."""

    indicator: Indicator
    subject: str
    evidence: EvidenceClass
    severity: Severity
    stale: bool
    last_seen: str  # when its source last saw it in use (its own date, else its feed's)
    shared: str  # the shared network's operator, for an address inside one


class IndicatorDetector:
    """Looks up every observation in the index and groups the hits into findings."""

    name = "indicators"

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _Group] = {}

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        keys = list(obs.indicator_keys())
        if not keys:
            return ()
        hits = ctx.index.match(keys)
        if not hits:
            return ()
        device, subject_name = obs.device(), obs.subject()
        for hit in hits:
            indicators, openly = _one_listing(hit.indicators, ctx)
            for ind in indicators:
                group = self._groups.get((ind.threat, device))
                if group is None:
                    group = self._groups[(ind.threat, device)] = _Group(ind.threat, device)
                subject = group.subjects.get(subject_name)
                if subject is None:
                    subject = group.subjects[subject_name] = _Subject()
                subject.indicators.setdefault((ind.type, ind.value, ind.role), ind)
                group.openly.update(openly)
                if not subject.evidence or subject.evidence[-1] is not obs:
                    subject.seen += obs.count
                    if len(subject.evidence) < _MAX_EVIDENCE:
                        subject.evidence.append(obs)
        return ()

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for group in self._groups.values():
            finding = _finding(group, ctx)
            if finding is not None:
                yield finding


def _listed_as(ind: Indicator, ctx: DetectContext) -> CategoryGroup | None:
    listing = ctx.index.listing(ind.source, ind.threat)
    return group_of(listing.category) if listing is not None else None


def _one_listing(indicators: tuple[Indicator, ...], ctx: DetectContext) -> tuple[list[Indicator], set[str]]:
    """One listing per value (docs/profiles.md, "Precedence"): a value that one list gives a
    harmful tool and another a dual-use app is the harmful tool's; the dual-use app is named
    in its finding (the names returned), never a second finding that says the opposite."""
    groups = [_listed_as(ind, ctx) for ind in indicators]
    harmful = {ind.threat for ind, g in zip(indicators, groups, strict=True) if g is CategoryGroup.HARMFUL}
    if not harmful:
        return list(indicators), set()
    kept: list[Indicator] = []
    openly: set[str] = set()
    for ind, listed in zip(indicators, groups, strict=True):
        if listed is CategoryGroup.DUAL_USE and ind.threat not in harmful:
            other = ctx.index.listing(ind.source, ind.threat)
            openly.add(other.name.get("en") if other else ind.threat)
            continue
        kept.append(ind)
    return kept, openly


def _threat_of(group: _Group, ctx: DetectContext) -> Threat | None:
    """The threat as the lists that name what was matched declare it: the most serious of
    their listings. Echap lists FindMyKids as stalkerware (its Android ids) and as
    watchware (also its App Store app): an iPhone with the App Store app matches only the
    watchware listing, and is a dual-use finding."""
    primary = ctx.index.threat(group.threat)
    listed = [ctx.index.listing(i.source, i.threat) for s in group.subjects.values() for i in s.indicators.values()
              if not i.supporting]
    found = [t for t in listed if t is not None]
    if not found:
        return primary
    return min(found, key=lambda t: (headline(t.category).rank, t is not primary))


def _also_sold_openly(group: _Group, category: Category, ctx: DetectContext) -> str:
    """The names under which a list also has this harmful tool as a dual-use app."""
    if group_of(category) is not CategoryGroup.HARMFUL:
        return ""
    names = set(group.openly) | {t.name.get("en") for t in ctx.index.listings(group.threat)
                                 if group_of(t.category) is CategoryGroup.DUAL_USE}
    return ", ".join(sorted(n for n in names if n))


def _finding(group: _Group, ctx: DetectContext) -> Finding | None:
    threat = _threat_of(group, ctx)
    category = threat.category if threat else Category.SPYWARE
    # A subject (an app, a name) counts only with a hit that is enough on its own; a dual-use
    # app that came with the phone's system is not one someone installed.
    subjects = {name: s for name, s in group.subjects.items()
                if any(not i.supporting for i in s.indicators.values())
                and not (category is Category.DUAL_USE and dual_use.preinstalled(s.evidence))}
    if not subjects:
        return None
    weighed = sorted(
        (_weigh(ind, name, category, threat, ctx) for name, s in subjects.items() for ind in s.indicators.values()
         if not ind.supporting),
        key=lambda w: (w.severity.rank, _CLASS_ORDER[w.evidence], w.subject),
    )
    main = weighed[0]
    severity, evidence_kind = main.severity, main.evidence
    params: list[tuple[str, str]] = []
    rule = "indicator"
    if evidence_kind is EvidenceClass.FLAGGED:
        rule, category = "indicator.flagged-app", Category.FLAGGED_APP
    elif category is Category.DUAL_USE:
        rule = "indicator.dual-use"
        severity, evidence_kind = _dual_use(main, subjects, threat, ctx, params)
    order = [main.subject, *sorted(n for n in subjects if n != main.subject)]
    supporting = [i for name in order for i in subjects[name].indicators.values() if i.supporting]
    indicators = [w.indicator for w in weighed] + supporting
    evidence = [obs for name in order for obs in subjects[name].evidence][:_MAX_EVIDENCE]
    seen = sum(subjects[name].seen for name in order)
    shown = ", ".join(order[:_MAX_SUBJECTS_SHOWN]) + (f" (+{len(order) - _MAX_SUBJECTS_SHOWN})"
                                                      if len(order) > _MAX_SUBJECTS_SHOWN else "")
    name = threat.name.get("en") if threat else group.threat
    params = [("name", name), ("subject", shown), ("role", main.indicator.role.value), ("times", str(seen)),
              ("device", group.device), ("evidence", evidence_kind.value), *params,
              *_notes(main, _also_sold_openly(group, category, ctx))]
    return Finding(
        rule=rule,
        severity=severity,
        category=category,
        title=f"{name}: {shown}",
        confidence=_confidence(evidence_kind, weighed),
        evidence=tuple(evidence),
        indicators=tuple(indicators),
        threat=group.threat,
        subject=shown,
        params=tuple(params),
    )


def _weigh(ind: Indicator, subject: str, category: Category, threat: Threat | None, ctx: DetectContext) -> _Weighed:
    index: IndicatorIndex = ctx.index
    shared = index.shared_network(ind.value) if ind.type in _ADDRESS_TYPES else ""
    kind = evidence_class(ind.type, ind.role, shared=bool(shared))
    severity = at_most(severity_for(category, kind), ind.max_severity)
    last_seen = ind.last_seen or index.source_date(ind.source)
    stale = is_stale(ind.type, last_seen, ctx.today)
    if stale:
        severity = lower(severity)
    if threat is not None:
        severity = at_most(severity, threat.severity)
    return _Weighed(ind, subject, kind, severity, stale, last_seen, shared)


def _dual_use(main: _Weighed, subjects: dict[str, _Subject], threat: Threat | None, ctx: DetectContext,
              params: list[tuple[str, str]]) -> tuple[Severity, EvidenceClass]:
    """A dual-use app is medium when it is active: powers beyond its use, or running now."""
    if main.evidence is not EvidenceClass.APP and main.evidence is not EvidenceClass.APP_NAME:
        return main.severity, main.evidence
    evidence = subjects[main.subject].evidence
    kind = dual_use.kind_of(threat, main.subject)
    if kind is not dual_use.Kind.OTHER:
        params.append(("kind", kind.value))
    extra = dual_use.beyond_use(kind, evidence)
    if not extra and not dual_use.running(evidence):
        return main.severity, main.evidence
    if extra:
        params.append(("privileges", ",".join(p.value for p in extra)))
    else:
        params.append(("running", "yes"))
    severity = severity_for(Category.DUAL_USE, EvidenceClass.ACTIVE)
    return (at_most(severity, threat.severity) if threat else severity), EvidenceClass.ACTIVE


def _notes(main: _Weighed, openly: str) -> list[tuple[str, str]]:
    """Why the main indicator is weaker than its class alone would say, and what else the
    lists say of the tool (texts in texts.yaml)."""
    notes: list[str] = []
    out: list[tuple[str, str]] = []
    if openly:
        notes.append("note.also-sold-openly")
        out.append(("openly", openly))
    if main.shared:
        notes.append("note.shared-address")
        out.append(("shared", main.shared))
    if main.stale:
        notes.append("note.old-indicator")
        out.append(("last_seen", main.last_seen[:10]))
    if main.indicator.note:
        out.append(("indicator_note", main.indicator.note))
    if notes:
        out.insert(0, ("notes", ",".join(notes)))
    return out


def _confidence(kind: EvidenceClass, weighed: list[_Weighed]) -> Confidence:
    if kind in _CONFIDENCE:
        return _CONFIDENCE[kind]
    if len({_FAMILIES.get(w.indicator.type, w.indicator.type.value) for w in weighed}) > 1:
        return Confidence.HIGH  # independent kinds of value agree (a name and an address...)
    return Confidence.MEDIUM
