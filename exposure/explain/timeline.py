"""The report's timeline in words: one row per moment (when, what was seen, which finding),
in the person's language."""

from __future__ import annotations

from dataclasses import dataclass

from exposure.document import ReportDocument
from exposure.explain.finding import explain_finding
from exposure.explain.lines import Line, words
from exposure.explain.seen import what_line
from exposure.explain.texts import t
from exposure.explain.times import format_span
from exposure.model import Severity


@dataclass(frozen=True, slots=True)
class TimelineRow:
    when: str  # local time (and the end of a span), formatted
    what: Line
    finding: Line  # the finding's title in the person's language, or () for a source's own event
    number: int  # the finding's number in the report (1-based), or 0
    severity: Severity  # the finding's severity, or info


def timeline_rows(report: ReportDocument, lang: str) -> list[TimelineRow]:
    titles: dict[int, tuple[Line, Severity]] = {}
    rows = []
    for event in report.timeline:
        first, last = format_span(event.time, event.last_time)
        when = f"{first} – {last}" if last else first
        index = event.finding
        if index is not None and 0 <= index < len(report.findings):
            if index not in titles:
                exp = explain_finding(report.findings[index], report, lang)
                titles[index] = (exp.title, exp.severity)
            title, severity = titles[index]
            rows.append(TimelineRow(when, what_line(event, lang, report), title, index + 1, severity))
        elif event.kind == "backup-made":
            rows.append(TimelineRow(when, words(t("timeline.backup-made", lang)), (), 0, Severity.INFO))
    return rows
