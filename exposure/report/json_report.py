"""The JSON report: the versioned, complete record of a scan (``exposure.report/1``), and
reading it back.

``to_json`` writes a :class:`~exposure.document.ReportDocument` as the JSON report's
dictionary, ``from_json`` reads one back (after checking it against the schema: a saved
report may come from anywhere), so that Markdown and HTML render a saved report exactly as
they render a fresh scan, in any language: the report carries the texts (in every language)
of each threat a finding names. The schema is ``exposure/report/report.schema.json``,
described in ``docs/report-schema.md``; fields added since version 1 began (the timeline,
a source's ``unread``, ``partly``, ``label`` and ``findings``, a feed's ``dated``, ``bundled`` and ``licence``) are
optional when read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exposure.document import (
    REPORT_SCHEMA,
    FindingRecord,
    IndicatorRecord,
    ObservationRecord,
    ReportDocument,
    SourceRecord,
    ThreatRecord,
    TimelineEvent,
    findings_from,
)
from exposure.model import (
    Category,
    CheckNote,
    Confidence,
    FeedInfo,
    LocalText,
    Reference,
    ScanWarning,
    Severity,
)

# --- writing ----------------------------------------------------------------------------


def to_json(doc: ReportDocument) -> dict[str, Any]:
    """The JSON report's dictionary (key order as the schema documents it)."""
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "exposure", "version": doc.tool_version},
        "started": doc.started,
        "finished": doc.finished,
        "demo": doc.demo,
        "cancelled": doc.cancelled,
        "profiles": list(doc.profiles),
        "profile_titles": {pid: _text(title) for pid, title in doc.profile_titles},
        "sources": [_source(s) for s in doc.sources],
        "feeds": [_feed(f) for f in doc.feeds],
        "summary": _summary(doc),
        "findings": [_finding(f) for f in doc.findings],
        "threats": {key: _threat(t) for key, t in doc.threats},
        "warnings": [_warning(w) for w in doc.warnings],
        "timeline": [_event(e) for e in doc.timeline],
    }


def dumps(doc: ReportDocument) -> str:
    """The JSON report as text: indented, UTF-8 kept as it is, one final newline."""
    return json.dumps(to_json(doc), indent=2, ensure_ascii=False) + "\n"


def _text(text: LocalText) -> dict[str, str]:
    return dict(text.values)


def _references(refs: Iterable[Reference]) -> list[dict[str, Any]]:
    """``{title, url}``, with ``titles`` (``{"zh": ...}``) when a profile translates the title."""
    return [{"title": r.title, "url": r.url, **({"titles": dict(r.titles)} if r.titles else {})} for r in refs]


def _note(note: CheckNote) -> dict[str, Any]:
    return {"key": note.key, "params": dict(note.params), "text": note.text}


def _source(source: SourceRecord) -> dict[str, Any]:
    return {
        "kind": source.kind, "name": source.name, "sha256": source.sha256, "started": source.started,
        "finished": source.finished, "first_time": source.first_time, "last_time": source.last_time,
        "counts": dict(source.counts), "undecoded": dict(source.undecoded), "details": dict(source.details),
        "checked": [_note(n) for n in source.checked], "not_checked": [_note(n) for n in source.not_checked],
        "unread": _note(source.unread) if source.unread is not None else None,
        "partly": _note(source.partly) if source.partly is not None else None, "label": source.label,
        "findings": list(source.findings),
    }


def _feed(feed: FeedInfo) -> dict[str, Any]:
    return {"name": feed.name, "format": feed.format, "source": feed.source, "sha256": feed.sha256,
            "imported": feed.imported, "profile": feed.profile, "version": feed.version,
            "counts": dict(feed.counts), "dated": feed.dated, "bundled": feed.bundled, "licence": feed.licence}


def _summary(doc: ReportDocument) -> dict[str, Any]:
    by_severity = {s.value: 0 for s in Severity}
    for finding in doc.findings:
        by_severity[finding.severity.value] += 1
    return {"findings": len(doc.findings), "by_severity": by_severity, "warnings": len(doc.warnings)}


def _observation(obs: ObservationRecord) -> dict[str, Any]:
    return {"kind": obs.kind, "collector": obs.collector, "source": obs.source, "description": obs.description,
            "first_seen": obs.first_seen, "last_seen": obs.last_seen, "count": obs.count, "facts": dict(obs.facts)}


def _indicator(ind: IndicatorRecord) -> dict[str, Any]:
    return {"type": ind.type, "value": ind.value, "threat": ind.threat, "profile": ind.profile,
            "source": ind.source, "role": ind.role, "supporting": ind.supporting,
            "references": _references(ind.references)}


def _finding(finding: FindingRecord) -> dict[str, Any]:
    return {
        "rule": finding.rule, "severity": finding.severity.value, "category": finding.category.value,
        "confidence": finding.confidence.value, "title": finding.title, "threat": finding.threat,
        "subject": finding.subject, "params": dict(finding.params),
        "indicators": [_indicator(i) for i in finding.indicators],
        "evidence": [_observation(o) for o in finding.evidence],
    }


def _threat(threat: ThreatRecord) -> dict[str, Any]:
    return {
        "id": threat.id, "name": _text(threat.name), "category": threat.category.value,
        "severity": threat.severity.value, "profile": threat.profile, "aliases": list(threat.aliases),
        "what_it_is": _text(threat.what_it_is), "what_it_can_do": _text(threat.what_it_can_do),
        "what_to_do": _text(threat.what_to_do), "references": _references(threat.references),
    }


def _warning(warning: ScanWarning) -> dict[str, Any]:
    out: dict[str, Any] = {"source": warning.source, "message": warning.message, "count": warning.count}
    if warning.key:
        out["key"] = warning.key
        out["params"] = dict(warning.params)
    return out


def _event(event: TimelineEvent) -> dict[str, Any]:
    return {"time": event.time, "last_time": event.last_time, "finding": event.finding, "source": event.source,
            "kind": event.kind, "description": event.description, "facts": dict(event.facts)}


# --- reading ----------------------------------------------------------------------------


def from_json(data: object) -> ReportDocument:
    """The document of a report's dictionary (parsed JSON from anywhere): refused with a
    one-line :class:`~exposure.report.schema.ReportFormatError` unless the schema allows it."""
    from exposure.report.schema import check_report  # reading only: writing a report never needs it

    check_report(data)
    return _document(data)  # type: ignore[arg-type]  # check_report: a dict of the schema's shape


def read_report(path: Path) -> ReportDocument:
    """A saved report file as the document; any problem is one line (a UserError)."""
    from exposure.report.schema import load_report

    return _document(load_report(path))


# The data has passed the schema: every field has its type, optional ones may be absent.

def _document(data: dict[str, Any]) -> ReportDocument:
    findings = tuple(_read_finding(f) for f in data["findings"])
    return ReportDocument(
        tool_version=data["tool"]["version"],
        started=data["started"],
        finished=data["finished"],
        demo=data["demo"],
        cancelled=data["cancelled"],
        profiles=tuple(data["profiles"]),
        profile_titles=tuple((pid, _local(title)) for pid, title in data["profile_titles"].items()),
        sources=tuple(_read_source(s, findings) for s in data["sources"]),
        feeds=tuple(_read_feed(f) for f in data["feeds"]),
        findings=findings,
        threats=tuple((key, _read_threat(t)) for key, t in data["threats"].items()),
        warnings=tuple(_read_warning(w) for w in data["warnings"]),
        timeline=tuple(_read_event(e) for e in data.get("timeline", ())),
    )


def _local(text: dict[str, str]) -> LocalText:
    return LocalText(tuple(text.items()))


def _pairs(mapping: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(mapping.items())


def _read_refs(refs: list[dict[str, Any]]) -> tuple[Reference, ...]:
    return tuple(Reference(r["title"], r["url"], tuple(r.get("titles", {}).items())) for r in refs)


def _read_note(note: dict[str, Any]) -> CheckNote:
    return CheckNote(note["key"], _pairs(note["params"]), note["text"])


def _read_source(source: dict[str, Any], findings: tuple[FindingRecord, ...]) -> SourceRecord:
    unread = source.get("unread")
    partly = source.get("partly")
    # Indexes past the findings' end are dropped (the schema cannot say how many there are).
    rests = tuple(i for i in source["findings"] if i < len(findings)) if "findings" in source \
        else findings_from(source["name"], findings)
    return SourceRecord(
        kind=source["kind"], name=source["name"], sha256=source["sha256"], started=source["started"],
        finished=source["finished"], first_time=source["first_time"], last_time=source["last_time"],
        counts=_pairs(source["counts"]), undecoded=_pairs(source["undecoded"]), details=_pairs(source["details"]),
        checked=tuple(_read_note(n) for n in source["checked"]),
        not_checked=tuple(_read_note(n) for n in source["not_checked"]),
        unread=_read_note(unread) if unread is not None else None,
        label=source.get("label", ""),
        partly=_read_note(partly) if partly is not None else None,
        findings=rests,
    )


def _read_feed(feed: dict[str, Any]) -> FeedInfo:
    return FeedInfo(name=feed["name"], format=feed["format"], source=feed["source"], sha256=feed["sha256"],
                    imported=feed["imported"], profile=feed["profile"], counts=_pairs(feed["counts"]),
                    version=feed["version"], dated=feed.get("dated", ""), bundled=feed.get("bundled", False),
                    licence=feed.get("licence", ""))


def _read_observation(obs: dict[str, Any]) -> ObservationRecord:
    return ObservationRecord(kind=obs["kind"], collector=obs["collector"], source=obs["source"],
                             description=obs["description"], first_seen=obs["first_seen"],
                             last_seen=obs["last_seen"], count=obs["count"], facts=_pairs(obs["facts"]))


def _read_indicator(ind: dict[str, Any]) -> IndicatorRecord:
    return IndicatorRecord(type=ind["type"], value=ind["value"], threat=ind["threat"], profile=ind["profile"],
                           source=ind["source"], role=ind["role"], supporting=ind["supporting"],
                           references=_read_refs(ind["references"]))


def _read_finding(finding: dict[str, Any]) -> FindingRecord:
    return FindingRecord(
        rule=finding["rule"], severity=Severity(finding["severity"]), category=Category(finding["category"]),
        confidence=Confidence(finding["confidence"]), title=finding["title"], threat=finding["threat"],
        subject=finding["subject"], params=_pairs(finding["params"]),
        indicators=tuple(_read_indicator(i) for i in finding["indicators"]),
        evidence=tuple(_read_observation(o) for o in finding["evidence"]),
    )


def _read_threat(threat: dict[str, Any]) -> ThreatRecord:
    return ThreatRecord(
        id=threat["id"], name=_local(threat["name"]), category=Category(threat["category"]),
        severity=Severity(threat["severity"]), profile=threat["profile"], aliases=tuple(threat["aliases"]),
        what_it_is=_local(threat["what_it_is"]), what_it_can_do=_local(threat["what_it_can_do"]),
        what_to_do=_local(threat["what_to_do"]), references=_read_refs(threat["references"]),
    )


def _read_warning(warning: dict[str, Any]) -> ScanWarning:
    key = warning.get("key", "")
    return ScanWarning(warning["source"], warning["message"], warning["count"], key,
                       _pairs(warning.get("params", {})) if key else ())


def _read_event(event: dict[str, Any]) -> TimelineEvent:
    return TimelineEvent(time=event["time"], last_time=event["last_time"], finding=event["finding"],
                         source=event["source"], kind=event["kind"], description=event["description"],
                         facts=_pairs(event["facts"]))
