"""A fresh scan as the report document (:class:`exposure.document.ReportDocument`).

``from_result`` is the one place a :class:`~exposure.scan.ScanResult` (live objects: typed
observations, enums, datetimes) becomes the document that every report and the app's
results screen read; a saved JSON report becomes the same document through
``exposure.report.json_report.from_json``, and ``from_json(to_json(from_result(r)))`` is
``from_result(r)`` (tests/report/test_document.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from exposure.document import (
    FindingRecord,
    IndicatorRecord,
    ObservationRecord,
    ReportDocument,
    SourceRecord,
    ThreatRecord,
    findings_from,
)
from exposure.model import (
    CheckNote,
    FeedInfo,
    Finding,
    Indicator,
    LocalText,
    Observation,
    Reference,
    ScanWarning,
    SourceInfo,
    Threat,
)
from exposure.report.timeline import timeline
from exposure.scan import ScanResult


def from_result(result: ScanResult) -> ReportDocument:
    named = {f.threat for f in result.findings if f.threat}
    findings = tuple(finding_record(f) for f in result.findings)
    return ReportDocument(
        tool_version=result.tool_version,
        started=iso(result.started),
        finished=iso(result.finished),
        demo=result.demo,
        cancelled=result.cancelled,
        profiles=tuple(result.profiles),
        profile_titles=profile_titles(result.profiles),
        sources=tuple(source_record(s, findings) for s in result.sources),
        feeds=tuple(_feed(f) for f in result.feeds),
        findings=findings,
        threats=tuple((tid, threat_record(t)) for tid, t in sorted(result.threats.items()) if tid in named),
        warnings=tuple(_warning(w) for w in result.warnings),
        timeline=tuple(timeline(zip(result.findings, findings, strict=True), result.sources)),
    )


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def pairs(mapping: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A map (or pairs, the last of a repeated key winning) as the document's pairs."""
    return tuple(dict(mapping).items())


def local(text: LocalText) -> LocalText:
    """A text as the JSON keeps it: each language once, empty ones left out."""
    return LocalText(tuple({lang: value for lang, value in text.values if value}.items()))


def observation_record(obs: Observation) -> ObservationRecord:
    return ObservationRecord(kind=obs.kind, collector=obs.collector, source=obs.source, description=obs.describe(),
                             first_seen=iso(obs.first_seen), last_seen=iso(obs.last_seen), count=obs.count,
                             facts=pairs(obs.facts()))


def _indicator(ind: Indicator) -> IndicatorRecord:
    return IndicatorRecord(type=ind.type.value, value=ind.value, threat=ind.threat, profile=ind.profile,
                           source=ind.source, role=ind.role.value, supporting=ind.supporting,
                           references=tuple(Reference(r.title, r.url, r.titles) for r in ind.references))


def finding_record(finding: Finding) -> FindingRecord:
    return FindingRecord(rule=finding.rule, severity=finding.severity, category=finding.category,
                         confidence=finding.confidence, title=finding.title, threat=finding.threat,
                         subject=finding.subject, params=pairs(finding.params),
                         indicators=tuple(_indicator(i) for i in finding.indicators),
                         evidence=tuple(observation_record(o) for o in finding.evidence))


def threat_record(threat: Threat) -> ThreatRecord:
    return ThreatRecord(id=threat.id, name=local(threat.name), category=threat.category, severity=threat.severity,
                        profile=threat.profile, aliases=tuple(threat.aliases), what_it_is=local(threat.what_it_is),
                        what_it_can_do=local(threat.what_it_can_do), what_to_do=local(threat.what_to_do),
                        references=tuple(Reference(r.title, r.url, r.titles) for r in threat.references))


def _note(note: CheckNote) -> CheckNote:
    return CheckNote(note.key, pairs(note.params), note.text)


def source_record(info: SourceInfo, findings: tuple[FindingRecord, ...] = ()) -> SourceRecord:
    return SourceRecord(
        kind=info.kind, name=info.name, sha256=info.sha256, started=iso(info.started), finished=iso(info.finished),
        first_time=iso(info.first_time), last_time=iso(info.last_time), counts=tuple(info.counts.items()),
        undecoded=tuple(info.undecoded.items()), details=tuple(info.details.items()),
        checked=tuple(_note(n) for n in info.checked), not_checked=tuple(_note(n) for n in info.not_checked),
        unread=_note(info.unread) if info.unread is not None else None, label=info.label,
        partly=_note(info.partly) if info.partly is not None else None,
        findings=findings_from(info.name, findings),
    )


def _feed(feed: FeedInfo) -> FeedInfo:
    return FeedInfo(name=feed.name, format=feed.format, source=feed.source, sha256=feed.sha256,
                    imported=feed.imported, profile=feed.profile, counts=tuple(dict(feed.counts).items()),
                    version=feed.version, dated=feed.dated, bundled=feed.bundled, licence=feed.licence)


def _warning(warning: ScanWarning) -> ScanWarning:
    # The JSON keeps params only beside a key (they fill the key's text).
    if not warning.key:
        return ScanWarning(warning.source, warning.message, warning.count)
    return ScanWarning(warning.source, warning.message, warning.count, warning.key, pairs(warning.params))


def profile_titles(profile_ids: Iterable[str]) -> tuple[tuple[str, LocalText], ...]:
    """What each profile looks for, in plain words and every language (bundled profiles only)."""
    ids = list(profile_ids)
    if not ids:
        return ()
    from exposure.indicators.profiles import load_bundled_profiles

    titles = {p.id: local(p.title) for p in load_bundled_profiles()}
    return tuple((pid, titles[pid]) for pid in ids if pid in titles)
