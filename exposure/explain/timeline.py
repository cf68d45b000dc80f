"""The report's timeline in words: one row per moment (when, what was seen, which finding),
in the person's language. Works from the report's dictionary form, like ``explain.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exposure.explain.explain import explain_finding, format_span, what_line
from exposure.explain.texts import Line, t, words


@dataclass(frozen=True, slots=True)
class TimelineRow:
    when: str  # local time (and the end of a span), formatted
    what: Line
    finding: Line  # the finding's title in the person's language, or () for a source's own event
    number: int  # the finding's number in the report (1-based), or 0
    severity: str  # the finding's severity, or "info"


def timeline_rows(report: Mapping[str, Any], lang: str) -> list[TimelineRow]:
    findings = [f for f in report.get("findings") or [] if isinstance(f, Mapping)]
    titles: dict[int, tuple[Line, str]] = {}
    rows = []
    for event in report.get("timeline") or []:
        if not isinstance(event, Mapping):
            continue
        first, last = format_span(event.get("time"), event.get("last_time"))
        when = f"{first} – {last}" if last else first
        index = event.get("finding")
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(findings):
            if index not in titles:
                exp = explain_finding(findings[index], report, lang)
                titles[index] = (exp.title, exp.severity)
            title, severity = titles[index]
            rows.append(TimelineRow(when, what_line(event, lang), title, index + 1, severity))
        elif event.get("kind") == "backup-made":
            rows.append(TimelineRow(when, words(t("timeline.backup-made", lang)), (), 0, "info"))
    return rows
