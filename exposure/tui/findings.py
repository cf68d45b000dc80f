"""What the results screen shows, taken from the explain layer and turned into Rich Text.

The words come from ``exposure.explain`` (``summarize`` over the report document, the one
every report is rendered from): this module only converts its lines into
``rich.text.Text``, where a value read from a device or capture is a literal span, never
markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.text import Text

from exposure.document import ReportDocument
from exposure.explain.lines import Line
from exposure.explain.per_source import source_sections
from exposure.explain.references import SourceRef
from exposure.explain.summary import Summary, summarize
from exposure.explain.texts import t
from exposure.report.document import from_result
from exposure.scan import ScanResult
from exposure.tui.safe import value_text, words_text
from exposure.tui.texts import tr
from exposure.untrusted import shown

VALUE_STYLE = "bold"
NAME_STYLE = "italic"


@dataclass(frozen=True, slots=True)
class FindingView:
    severity: str  # "critical" ... "info"
    severity_words: str
    title: Text
    seen: Text
    meaning: Text
    confidence: Text
    advice: Text
    safety: Text
    evidence: Text
    sources: Text


@dataclass(frozen=True, slots=True)
class ResultView:
    summary: Text
    not_checked: Text
    next_checks: Text
    findings: tuple[FindingView, ...]  # most serious first
    checked: Text = field(default_factory=Text)  # each source read, then what its collector looked at
    per_source: Text = field(default_factory=Text)  # several sources: each one, and what rests on it


def line_text(line: Line) -> Text:
    """One explain Line as Text: our words plain, device values bold, feed names italic."""
    out = Text()
    for piece in line:
        if piece.kind == "text":  # our words, which may carry a collector's English message
            out.append_text(words_text(piece.text))
        else:
            out.append(shown(piece.text), style=VALUE_STYLE if piece.kind == "value" else NAME_STYLE)
    return out


def lines_text(lines: Iterable[Line], sep: str = "\n", bullet: str = "") -> Text:
    return Text(sep).join(Text(bullet) + line_text(line) for line in lines if line)


def view_result(result: ScanResult, lang: str, report: ReportDocument | None = None) -> ResultView:
    """The explained result (from ``report``, its document, when the caller has it); if
    explaining fails (a bug, never the person's fault), a bare list of the findings' own
    titles, so the results are still shown and can be saved."""
    try:
        return _explained(report if report is not None else from_result(result), lang)
    except Exception:  # the screen must show the results whatever happens
        return _bare(result, lang)


def _bare(result: ScanResult, lang: str) -> ResultView:
    findings = tuple(
        FindingView(severity=f.severity.value, severity_words=tr(f"severity.{f.severity.value}", lang),
                    title=value_text(f.title), seen=Text("\n").join(value_text(o.describe()) for o in f.evidence),
                    meaning=Text(), confidence=Text(tr(f"confidence.{f.confidence.value}", lang)),
                    advice=Text(), safety=Text(tr("results.default_safety", lang)), evidence=Text(),
                    sources=Text())
        for f in sorted(result.findings, key=lambda f: f.severity.rank)
    )
    summary = tr("results.found", lang, count=len(findings)) if findings else tr("results.nothing", lang)
    return ResultView(summary=Text(summary), not_checked=Text(), next_checks=Text(), findings=findings)


def _explained(report: ReportDocument, lang: str) -> ResultView:
    summary = summarize(report, lang)
    findings = []
    for exp in summary.explanations:
        evidence = Text("\n").join(
            Text.assemble((shown(item.description), VALUE_STYLE), f"  ×{item.count}  ", shown(item.source))
            for item in exp.evidence
        )
        matched = [Text.assemble(f"{shown(m.type)} ", (shown(m.value), VALUE_STYLE),
                                 f" ({shown(m.role)}, {shown(m.source)})")
                   for m in exp.matched]
        if matched:
            evidence = Text("\n").join([*matched, evidence])
        findings.append(FindingView(
            severity=exp.severity,
            severity_words=exp.severity_words,
            title=line_text(exp.title),
            seen=lines_text(exp.seen, bullet="• "),
            meaning=lines_text(exp.meaning, sep="\n\n"),
            confidence=Text(exp.confidence_words),
            advice=lines_text(exp.advice, sep="\n\n"),
            safety=line_text(exp.safety_note),
            evidence=evidence,
            sources=_sources(exp.references),
        ))
    return ResultView(
        summary=lines_text(summary.paragraphs, sep="\n\n"),
        not_checked=lines_text(summary.not_checked, bullet="• "),
        checked=_checked(summary.checked, summary.checked_items),
        per_source=_per_source(report, summary, lang),
        next_checks=Text("\n").join([line_text(summary.next_intro), lines_text(summary.next_checks, bullet="• ")]),
        findings=tuple(findings),
    )


def _checked(sources: Sequence[Line], items: Sequence[Sequence[Line]]) -> Text:
    out = []
    for i, source in enumerate(sources):
        out.append(Text("• ") + line_text(source))
        out += [Text("    – ") + line_text(item) for item in (items[i] if i < len(items) else ())]
    return Text("\n").join(out)


def _per_source(report: ReportDocument, summary: Summary, lang: str) -> Text:
    """Source by source, as every report has it: whether each was checked, and the findings
    on it (a workshop's folder of captures: whose capture was clean)."""
    colon = t("label.colon", lang)
    out = []
    for section in source_sections(report, summary, lang):
        line = Text("• ") + line_text(section.title)
        line.stylize("bold")
        out.append(line + Text(colon) + line_text(section.status))
        out += [Text(f"    – {severity}{colon}") + line_text(title) for _, severity, title in section.findings]
        if section.problems:
            out.append(Text("    ") + line_text(section.problems))
    return Text("\n").join(out)


def _sources(references: Sequence[SourceRef]) -> Text:
    out = []
    for ref in references:
        text = line_text(ref.title)
        if ref.url:
            text.append(f" {shown(ref.url)}")
        out.append(text)
    return Text("\n").join(out)
