"""The HTML report: one self-contained file, readable on a phone and printable on A4.

No JavaScript and nothing loaded from anywhere (a Content-Security-Policy says so too);
the style sheet is inlined. Every text is escaped here, and values read from a device or
a capture are also stripped of direction-changing characters, so a DNS name such as
``<img src=x onerror=alert(1)>.example.com`` is shown literally. Technical evidence is
folded in a ``<details>`` on screen and printed in full.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from importlib import resources

from exposure.document import ReportDocument
from exposure.explain.finding import Explanation
from exposure.explain.help_services import help_services
from exposure.explain.lines import Line, name, plain, words
from exposure.explain.notes import warning_line
from exposure.explain.per_source import source_sections
from exposure.explain.record import feed_date, feed_source, record_rows
from exposure.explain.references import cites_echap
from exposure.explain.sources import counts_text, data_span, source_name
from exposure.explain.summary import Summary, summarize
from exposure.explain.texts import t, tf
from exposure.explain.timeline import timeline_rows
from exposure.explain.times import format_time
from exposure.model import Severity
from exposure.untrusted import shown

_EVIDENCE_LABELS = ("kind", "source", "count", "first_seen", "last_seen")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_SEVERITIES = frozenset(s.value for s in Severity)


def esc(text: str) -> str:
    return html.escape(shown(text), quote=True)


def line_html(line: Line) -> str:
    out = []
    for piece in line:
        if piece.kind == "value":
            out.append(f'<span class="v">{esc(piece.text)}</span>')
        elif piece.kind == "name":
            out.append(f'<span class="n">{esc(piece.text)}</span>')
        else:
            out.append(html.escape(piece.text, quote=True))
    return "".join(out)


def link(url: str, text: str | None = None) -> str:
    """A link for a web address; anything that is not http(s) is shown as text only."""
    said = esc(text if text is not None else url)
    if url.lower().startswith(("https://", "http://")) and not any(c in url for c in "\"'<> \t\r\n"):
        return f'<a href="{html.escape(url, quote=True)}" rel="noreferrer noopener">{said}</a>'
    return said


def _direction(lang: str) -> str:
    return "rtl" if t("meta.direction", lang).strip().lower() == "rtl" else "ltr"


def _sev(severity: str) -> str:
    return severity if severity in _SEVERITIES else "info"


def render_html(report: ReportDocument, lang: str) -> str:
    summary = summarize(report, lang)
    title = t("report.title", lang)
    css = resources.files("exposure.report").joinpath("report.css").read_text("utf-8")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}" dir="{_direction(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex">',
        f"<title>{esc(t('report.page_title', lang))}</title>",
        f"<style>\n{css}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    if report.demo:
        parts.append(f'<p class="demo">{esc(t("report.demo", lang))}</p>')
    parts.append(f"<header><h1>{esc(title)}</h1>")
    parts.append(f'<p class="meta">{line_html(_made(report, lang))}</p>')
    parts.append(f'<p class="meta">{esc(t("report.private", lang))}</p></header>')
    parts += _summary(summary, lang)
    if summary.explanations:
        parts.append(f'<section class="findings"><h2>{esc(t("section.findings", lang))}</h2>')
        for number, exp in enumerate(summary.explanations, 1):
            parts += _finding(number, exp, lang)
        parts.append("</section>")
    parts += _per_source(report, summary, lang)
    parts += _timeline(report, lang)
    parts += _checked(summary, lang)
    parts += _warnings(report, lang)
    parts += _help(lang)
    parts += _record(report, lang)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _per_source(report: ReportDocument, summary: Summary, lang: str) -> list[str]:
    sections = source_sections(report, summary, lang)
    if not sections:
        return []
    colon = esc(t("label.colon", lang))
    out = [f'<section class="per-source"><h2>{esc(t("section.per_source", lang))}</h2>',
           f"<p>{esc(t('per_source.intro', lang))}</p>"]
    for section in sections:
        state = "checked" if section.checked else "not-checked"
        out += [f'<article class="source {state}"><h3>{line_html(section.title)}</h3>',
                f"<p>{line_html(section.status)}</p>"]
        if section.findings:
            out.append("<ul>" + "".join(f"<li><strong>{number}.</strong> {esc(severity)}{colon}"
                                        f"{line_html(title)}</li>" for number, severity, title in section.findings)
                       + "</ul>")
        if section.span:
            out.append(f'<p class="meta">{esc(t("label.data_span", lang))}: <span class="v">{esc(section.span)}'
                       "</span></p>")
        if section.problems:
            out.append(f"<p>{line_html(section.problems)}</p>")
        out.append("</article>")
    out.append("</section>")
    return out


def _timeline(report: ReportDocument, lang: str) -> list[str]:
    rows = timeline_rows(report, lang)
    if not rows:
        return []
    out = [f'<section class="timeline"><h2>{esc(t("section.timeline", lang))}</h2>',
           f"<p>{esc(t('timeline.intro', lang))}</p><table>",
           f"<tr><th>{esc(t('label.when', lang))}</th><th>{esc(t('label.what', lang))}</th>"
           f"<th>{esc(t('label.finding', lang))}</th></tr>"]
    for row in rows:
        finding = f"{row.number}. {line_html(row.finding)}" if row.number else ""
        out.append(f'<tr class="sev-{_sev(row.severity)}"><td>{esc(row.when)}</td><td>{line_html(row.what)}</td>'
                   f"<td>{finding}</td></tr>")
    out.append("</table></section>")
    return out


def _made(report: ReportDocument, lang: str) -> Line:
    return tf("report.made", lang, version=name(report.tool_version), started=words(format_time(report.started)),
              finished=words(format_time(report.finished)))


def _summary(summary: Summary, lang: str) -> list[str]:
    out = [f'<section class="summary"><h2>{esc(t("section.summary", lang))}</h2>']
    if summary.counts:
        out.append('<ul class="counts">')
        for severity, count in summary.counts:
            out.append(f'<li><span class="badge sev-{_sev(severity)}">'
                       f'{line_html(tf(f"count.{_sev(severity)}", lang, count=words(str(count))))}</span></li>')
        out.append("</ul>")
    out += [f"<p>{line_html(p)}</p>" for p in summary.paragraphs]
    out.append(f"<h3>{esc(t('section.next', lang))}</h3>")
    out.append(f"<p>{line_html(summary.next_intro)}</p>")
    out.append("<ul>" + "".join(f"<li>{line_html(c)}</li>" for c in summary.next_checks) + "</ul>")
    out.append("</section>")
    return out


def _finding(number: int, exp: Explanation, lang: str) -> list[str]:
    sev = _sev(exp.severity)
    colon = esc(t("label.colon", lang))
    out = [f'<article class="finding sev-{sev}" id="finding-{number}">',
           f'<h3><span class="badge">{esc(exp.severity_words)}</span> {line_html(exp.title)}</h3>']
    if exp.seen:
        out.append(f"<h4>{esc(t('label.seen', lang))}</h4>")
        out.append("<ul>" + "".join(f"<li>{line_html(s)}</li>" for s in exp.seen) + "</ul>")
    out.append(f"<h4>{esc(t('label.meaning', lang))}</h4>")
    out += [f"<p>{line_html(m)}</p>" for m in exp.meaning]
    out.append(f"<p><strong>{esc(t('label.confidence', lang))}</strong>{colon}{esc(exp.confidence_words)}</p>")
    out.append(f"<h4>{esc(t('label.advice', lang))}</h4>")
    out += [f"<p>{line_html(a)}</p>" for a in exp.advice]
    if exp.safety_note:
        out.append(f'<div class="safety"><strong>{esc(t("label.safety", lang))}</strong>{colon}'
                   f"{line_html(exp.safety_note)}</div>")
    if exp.references:
        out.append(f"<h4>{esc(t('label.references', lang))}</h4><ul>")
        for ref in exp.references:
            text = line_html(ref.title)
            out.append(f"<li>{text}" + (f" – {link(ref.url)}" if ref.url else "") + "</li>")
        out.append("</ul>")
    tech = _technical(exp, lang)
    out.append(f'<details class="tech screen-only"><summary>{esc(t("label.technical", lang))}</summary>'
               f"{tech}</details>")
    out.append(f'<div class="tech print-only"><h4>{esc(t("label.technical", lang))}</h4>{tech}</div>')
    out.append("</article>")
    return out


def _dl(rows: Iterable[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v) + "</dl>"


def _technical(exp: Explanation, lang: str) -> str:
    out = [f"<p>{esc(exp.rule)} · {esc(exp.category)} · {esc(exp.severity)} · {esc(exp.confidence)}</p>"]
    if exp.matched:
        out.append(f"<p><strong>{esc(t('label.matched', lang))}</strong></p><ul>")
        for m in exp.matched:
            out.append(f'<li><span class="v">{esc(m.value)}</span> ({esc(m.type)}, {esc(m.role)}; '
                       f"{esc(m.source)})</li>")
        out.append("</ul>")
    if exp.evidence:
        out.append(f"<p><strong>{esc(t('label.evidence', lang))}</strong></p>")
        kind, source, count, first, last = (t(f"label.{label}", lang) for label in _EVIDENCE_LABELS)
        for item in exp.evidence:
            rows = [(kind, item.kind), (source, item.source), (count, str(item.count)), (first, item.first_seen),
                    (last, item.last_seen), *item.facts]
            out.append(f'<div class="obs"><p class="v">{esc(item.description)}</p>{_dl(rows)}</div>')
    return "".join(out)


def _checked(summary: Summary, lang: str) -> list[str]:
    out = []
    if summary.checked:
        out.append(f"<section><h2>{esc(t('section.checked', lang))}</h2><ul>")
        for i, source in enumerate(summary.checked):
            items = summary.checked_items[i] if i < len(summary.checked_items) else ()
            inner = "<ul>" + "".join(f"<li>{line_html(c)}</li>" for c in items) + "</ul>" if items else ""
            out.append(f"<li>{line_html(source)}{inner}</li>")
        out.append("</ul>")
        if summary.looked_for:
            out.append(f"<p>{esc(t('summary.looked_for', lang))}</p><ul>")
            out += [f"<li>{line_html(c)}</li>" for c in summary.looked_for]
            out.append("</ul>")
        out.append("</section>")
    out.append(f"<section><h2>{esc(t('section.not_checked', lang))}</h2><ul>")
    out += [f"<li>{line_html(c)}</li>" for c in summary.not_checked]
    out.append("</ul></section>")
    return out


def _warnings(report: ReportDocument, lang: str) -> list[str]:
    if not report.warnings:
        return []
    out = [f"<section><h2>{esc(t('section.warnings', lang))}</h2><ul>"]
    for w in report.warnings:
        times = f" (×{w.count})" if w.count > 1 else ""
        out.append(f'<li><span class="v">{esc(source_name(report, w.source, lang))}</span>: '
                   f"{line_html(warning_line(w, lang))}{esc(times)}</li>")
    out.append("</ul></section>")
    return out


def _help(lang: str) -> list[str]:
    out = [f'<section class="help"><h2>{esc(t("section.help", lang))}</h2>',
           f"<p><strong>{esc(t('help.danger', lang))}</strong></p>",
           f"<p>{esc(t('help.intro', lang))}</p><ul>"]
    colon = esc(t("label.colon", lang))
    for service in help_services():
        item = [f"<strong>{esc(service.name.get(lang))}</strong><br>{esc(service.helps_with.get(lang))}",
                f"{esc(t('help.for', lang))}{colon}{esc(service.for_whom.get(lang))}"]
        if service.web:
            item.append(f"{esc(t('help.web', lang))}{colon}{link(service.web)}")
        if service.email:
            item.append(f"{esc(t('help.email', lang))}{colon}{esc(service.email)}")
        if service.phone:
            item.append(f"{esc(t('help.phone', lang))}{colon}{esc(service.phone)}")
        item.append(f"{esc(t('help.languages', lang))}{colon}{esc(service.languages.get(lang))}")
        out.append("<li>" + "<br>".join(item) + "</li>")
    out.append("</ul></section>")
    return out


def _record(report: ReportDocument, lang: str) -> list[str]:
    rows = record_rows(report, lang)
    out = [f'<footer class="record"><h2>{esc(t("section.record", lang))}</h2><table>']
    out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    out.append(f"<h3>{esc(t('label.inputs', lang))}</h3><table>")
    for source in report.sources:
        span = data_span(source)
        cells = [f"{source.kind}: {source_name(report, source.name, lang)}",
                 f"sha256 {source.sha256 or '-'}",
                 f"{t('label.data_span', lang)} {span}" if span else "",
                 f"{t('label.counts', lang)} {counts_text(source, lang)}"]
        out.append("<tr><td>" + "<br>".join(esc(c) for c in cells if c) + "</td></tr>")
    out.append("</table>")
    out.append(f"<h3>{esc(t('label.feeds', lang))}</h3>")
    feeds = report.feeds
    if not feeds:
        out.append(f"<p>{esc(t('label.bundled_only', lang))}</p>")
    else:
        out.append("<table>")
        for feed in feeds:
            cells = [f"{feed.name} ({feed.format})", feed_date(feed, lang), f"sha256 {feed.sha256}", feed.licence,
                     plain(feed_source(feed, lang))]
            out.append("<tr><td>" + "<br>".join(esc(c) for c in cells if c) + "</td></tr>")
        out.append("</table>")
    if cites_echap(feeds):
        out.append(f"<p>{esc(t('ref.echap', lang))}</p>")
    out.append("</footer>")
    return out
