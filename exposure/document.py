"""The report document: one scan's complete record, typed, as every report shows it.

A fresh scan becomes a :class:`ReportDocument` with ``exposure.report.document.from_result``;
a saved JSON report becomes the same document with ``exposure.report.json_report.from_json``
(checked against the schema first). The explanations (``exposure.explain``), the three
renderers (JSON, Markdown, HTML) and the app's results screen all read this one type, so a
saved report re-renders exactly as the scan that wrote it.

The fields mirror the JSON report (``docs/report-schema.md``): times stay the ISO 8601
strings the JSON holds (``None`` when unknown; a saved report's odd time is shown as
nothing, never parsed into something else), maps become tuples of pairs so the document
is immutable. Every string that came from a device, a capture or a feed is kept as it was
seen: renderers escape it. Types that a scan already has and the JSON holds field for
field (:class:`~exposure.model.CheckNote`, :class:`~exposure.model.ScanWarning`,
:class:`~exposure.model.FeedInfo`, :class:`~exposure.model.LocalText`,
:class:`~exposure.model.Reference`) are used as they are.

To add a field: here, in ``from_result`` and in the JSON codec (``to_json``/``from_json``,
optional in ``from_json`` so older reports stay readable), and in the schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from exposure.model import Category, CheckNote, Confidence, FeedInfo, LocalText, Reference, ScanWarning, Severity

REPORT_SCHEMA = "exposure.report/1"

Pairs = tuple[tuple[str, str], ...]


def _lookup(pairs: Pairs, name: str, default: str) -> str:
    for key, value in pairs:
        if key == name:
            return value
    return default


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    """One observation a finding rests on (``evidence[]``): ``description`` is English."""

    kind: str
    collector: str
    source: str  # as in SourceRecord.name
    description: str
    first_seen: str | None
    last_seen: str | None
    count: int
    facts: Pairs

    def fact(self, name: str, default: str = "") -> str:
        return _lookup(self.facts, name, default)


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One indicator that matched (``indicators[]``)."""

    type: str
    value: str
    threat: str
    profile: str
    source: str  # a feed's name or "profile:<id>"
    role: str  # c2, app, website, distribution, flagged, other
    supporting: bool
    references: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """A finding as the report keeps it: rule, grading, subject, matched indicators, evidence."""

    rule: str
    severity: Severity
    category: Category
    confidence: Confidence
    title: str  # English; the reports use the rule's texts instead
    threat: str  # a key of ReportDocument.threats, or ""
    subject: str
    params: Pairs
    indicators: tuple[IndicatorRecord, ...]
    evidence: tuple[ObservationRecord, ...]

    def param(self, name: str, default: str = "") -> str:
        return _lookup(self.params, name, default)


@dataclass(frozen=True, slots=True)
class ThreatRecord:
    """The texts of one threat a finding names, so a saved report explains it on its own."""

    id: str
    name: LocalText
    category: Category
    severity: Severity
    profile: str
    aliases: tuple[str, ...]
    what_it_is: LocalText
    what_it_can_do: LocalText
    what_to_do: LocalText
    references: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One input that was read (or could not be: ``unread``)."""

    kind: str
    name: str  # a path, a serial, "this computer"
    sha256: str = ""
    started: str | None = None
    finished: str | None = None
    first_time: str | None = None  # the time span of the data itself (captures)
    last_time: str | None = None
    counts: tuple[tuple[str, int], ...] = ()
    undecoded: tuple[tuple[str, int], ...] = ()
    details: Pairs = ()  # model, Android version...
    checked: tuple[CheckNote, ...] = ()
    not_checked: tuple[CheckNote, ...] = ()
    unread: CheckNote | None = None  # set: this source was NOT checked
    partly: CheckNote | None = None  # set: its main part (a phone's app list) was not checked, the rest was
    label: str = ""  # a text key naming the source in words (source.label.<label>)
    # The findings that rest on what was read from this source: their indexes in
    # ReportDocument.findings (see findings_from; reports from before it derive them).
    findings: tuple[int, ...] = ()

    def detail(self, name: str, default: str = "") -> str:
        return _lookup(self.details, name, default)


def findings_from(source: str, findings: tuple[FindingRecord, ...]) -> tuple[int, ...]:
    """The indexes of the findings with evidence read from the source named ``source``."""
    return tuple(i for i, finding in enumerate(findings) if any(o.source == source for o in finding.evidence))


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One moment of the timeline: an observation a finding rests on (``finding`` is its
    index in ``findings``), or a source's own event (``finding`` None)."""

    time: str
    last_time: str | None
    finding: int | None
    source: str
    kind: str
    description: str
    facts: Pairs


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """A whole report as typed records: what was read, found and warned of; the renderers' input."""

    tool_version: str
    started: str | None
    finished: str | None
    demo: bool
    cancelled: bool
    profiles: tuple[str, ...]
    profile_titles: tuple[tuple[str, LocalText], ...]  # profile id -> what it looks for
    sources: tuple[SourceRecord, ...]
    feeds: tuple[FeedInfo, ...]
    findings: tuple[FindingRecord, ...]  # most serious first
    threats: tuple[tuple[str, ThreatRecord], ...]  # key (FindingRecord.threat) -> texts, sorted by key
    warnings: tuple[ScanWarning, ...]
    timeline: tuple[TimelineEvent, ...] = ()  # oldest first; reports from before it have none

    def threat(self, key: str) -> ThreatRecord | None:
        for found, record in self.threats:
            if found == key:
                return record
        return None

    def source(self, name: str) -> SourceRecord | None:
        """The source whose recorded name is ``name`` (an observation's or a warning's source)."""
        for record in self.sources:
            if record.name == name:
                return record
        return None
