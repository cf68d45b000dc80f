"""A section per source, for a report on several (a folder of captures, a phone and a capture).

Each source says first whether it was checked (a capture that could not be read, or held no
packets, is "not checked", never "nothing found"), what was read from it, and the findings
that rest on it by their number in the report. Every renderer (Markdown, HTML, the
terminal) shows these sections as they are; a report on one source has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from exposure.document import ReportDocument
from exposure.explain.lines import Line, words
from exposure.explain.notes import reason_line
from exposure.explain.sources import data_span, source_line
from exposure.explain.summary import Summary, partly_reasons
from exposure.explain.texts import t, tf


@dataclass(frozen=True, slots=True)
class SourceSection:
    """What one source of a report with several gave: read or not checked, and the findings on it."""

    title: Line  # the source in words, with what was read from it
    status: Line  # not checked (and why), the findings that rest on it, or nothing found
    findings: tuple[tuple[int, str, Line], ...]  # (number in the report, severity words, title)
    span: str  # the time span of its data, "" when unknown
    problems: Line  # how many problems came up while reading it, or ()
    checked: bool


def source_sections(report: ReportDocument, summary: Summary, lang: str) -> tuple[SourceSection, ...]:
    """One section per source when there are two or more, in the report's order."""
    if len(report.sources) < 2:
        return ()
    # The reports number the findings in the summary's order: by severity, stable.
    order = sorted(range(len(report.findings)), key=lambda i: report.findings[i].severity.rank)
    number = {index: position for position, index in enumerate(order)}
    sections = []
    for source in report.sources:
        shown = [number[i] for i in source.findings if i in number and number[i] < len(summary.explanations)]
        found = tuple((n + 1, summary.explanations[n].severity_words, summary.explanations[n].title)
                      for n in sorted(shown))
        partly = partly_reasons(source, lang)
        if source.unread is not None:
            status = tf("per_source.not_checked", lang, reason=reason_line(source.unread, lang))
        elif found:
            key = "per_source.findings.one" if len(found) == 1 else "per_source.findings.many"
            status = tf(key, lang, count=words(str(len(found))))
        elif partly:  # a phone's app list, a capture's tunnel, an iPhone's parts: never "nothing in it"
            status = words(t("per_source.none_partly", lang))
        else:
            status = words(t("per_source.none", lang))
        for reason in reversed(partly):  # said first: the findings stand, the rest was not checked
            status = tf("per_source.partly_then", lang, partly=tf("per_source.partly", lang, reason=reason),
                        findings=status)
        # Besides the reason it was not checked, which its status already says.
        unread = source.unread
        count = sum(w.count for w in report.warnings if w.source == source.name
                    and not (unread is not None and (w.key, w.message) == (unread.key, unread.text)))
        problems = tf("per_source.problems.one" if count == 1 else "per_source.problems.many", lang,
                      count=words(str(count))) if count else ()
        sections.append(SourceSection(title=source_line(source, lang, counts=source.unread is None), status=status,
                                      findings=found, span=data_span(source), problems=problems,
                                      checked=source.unread is None))
    return tuple(sections)
