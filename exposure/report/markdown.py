"""The Markdown report: the same content as the HTML report, for pasting into a case note.

Values read from a device or a capture go into code spans (with a fence longer than any
run of backticks inside them). Every other text has escaped only what Markdown would
read there, so that it stays readable in a text editor ("exposure 0.1.0", not
"exposure 0\\.1\\.0"): the characters that open code, emphasis, links, raw HTML,
entities, strikethrough and table cells, a ``#`` that could open or close a heading, and
what would start a heading, quote or list at the start of a line. In names from feeds,
profiles and saved reports, a word that autolinking would turn into a link (``https://``, ``//``,
``www.``, ``name@host``, a domain name such as ``evil.com``) also has its dots, colons, at
signs and slashes escaped. So a name can never become a link, an image or raw HTML, nor
start a heading or break a table.
"""

from __future__ import annotations

import re

from exposure.document import ReportDocument
from exposure.explain.finding import Explanation
from exposure.explain.help_services import help_services
from exposure.explain.lines import Line, name, words
from exposure.explain.notes import warning_line
from exposure.explain.per_source import source_sections
from exposure.explain.record import feed_date, feed_source, record_rows
from exposure.explain.references import cites_echap
from exposure.explain.sources import counts_text, data_span, source_name
from exposure.explain.summary import Summary, summarize
from exposure.explain.texts import t, tf
from exposure.explain.timeline import timeline_rows
from exposure.explain.times import format_time
from exposure.untrusted import shown

# Always read as markup: backslash escapes, code, emphasis, links and images, raw HTML and
# autolinks, strikethrough, table cells. "_" is read only at a word's edge (snake_case stays).
_SPECIAL = re.compile(r"[\\`*\[\]<|~]|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_])|(?<!\S)#(?=#*(?:\s|$))")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
# The top-level domains autolinkers know without a scheme (linkify-it's list and the common
# new ones), and any two letters (country codes): "ioc.yaml" or "4.0" is no address.
_TLD = (r"(?:[a-z]{2}|com|net|org|edu|gov|mil|int|biz|info|name|pro|aero|asia|coop|museum|shop|app|dev|xyz|top|"
        r"site|online|club|live|link|click|zip|mov|store|tech|io|ai|cloud|onion|рф)")
_LINKISH = re.compile(r"\S*(?://|\w@\w|\bwww\.|\b[\w-]+\.(?:[\w-]+\.)*" + _TLD + r"(?![\w-]))\S*", re.IGNORECASE)
_LINK_PARTS = re.compile(r"(?<!\\)([.:@/])")


def _flat(text: str) -> str:
    return shown(text.replace("\r", " ").replace("\n", " "))


def md_text(text: str) -> str:
    """Our own words (or texts from a report): what Markdown would read as markup escaped."""
    return _SPECIAL.sub(lambda found: "\\" + found.group(), shown(re.sub(r"\s+", " ", text)))


def md_name(text: str) -> str:
    """A name from a feed, a profile or a saved report: on one line, markup escaped, and in
    every word that looks like a web or e-mail address the ``.``, ``:``, ``@`` and ``/`` too,
    so that no renderer turns it into a link (GitHub's autolinks, linkify)."""
    return _LINKISH.sub(lambda found: _LINK_PARTS.sub(r"\\\1", found.group()), md_text(_flat(text)))


def md_code(text: str) -> str:
    """A value from a device or capture as a code span that nothing inside can end."""
    text = _flat(text)
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0) if "`" in text else 0
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_line(line: Line) -> str:
    out = []
    for piece in line:
        if piece.kind == "value":
            out.append(md_code(piece.text))
        elif piece.kind == "name":
            out.append(md_name(piece.text))
        else:
            out.append(md_text(piece.text))
    return _safe_start("".join(out))


def _safe_start(text: str) -> str:
    """Keep a paragraph from turning into a heading, quote or list."""
    found = _BLOCK_START.match(text)
    if not found:
        return text
    lead, mark = found.group(1), found.group(2)
    if mark[0] in "#>+=-":
        return lead + "\\" + text[len(lead):]
    return lead + mark[:-1] + "\\" + mark[-1] + text[found.end():]


def render_markdown(report: ReportDocument, lang: str) -> str:
    summary = summarize(report, lang)
    out: list[str] = [f"# {md_text(t('report.title', lang))}", ""]
    if report.demo:
        out += [f"> **{md_text(t('report.demo', lang))}**", ""]
    made = tf("report.made", lang, version=name(report.tool_version), started=words(format_time(report.started)),
              finished=words(format_time(report.finished)))
    out += [f"*{md_line(made)}*", "", f"*{md_text(t('report.private', lang))}*", ""]

    out += [f"## {md_text(t('section.summary', lang))}", ""]
    for paragraph in summary.paragraphs:
        out += [md_line(paragraph), ""]
    out += [f"### {md_text(t('section.next', lang))}", "", md_line(summary.next_intro), ""]
    out += [f"- {md_line(c)}" for c in summary.next_checks] + [""]

    if summary.explanations:
        out += [f"## {md_text(t('section.findings', lang))}", ""]
        for number, exp in enumerate(summary.explanations, 1):
            out += _finding(number, exp, lang)

    out += _per_source(report, summary, lang)

    rows = timeline_rows(report, lang)
    if rows:
        out += [f"## {md_text(t('section.timeline', lang))}", "", md_text(t("timeline.intro", lang)), ""]
        for row in rows:
            finding = f" ({row.number}. {md_line(row.finding)})" if row.number else ""
            out.append(f"- {md_text(row.when)}: {md_line(row.what)}{finding}")
        out.append("")

    if summary.checked:
        out += [f"## {md_text(t('section.checked', lang))}", ""]
        for i, source in enumerate(summary.checked):
            out.append(f"- {md_line(source)}")
            items = summary.checked_items[i] if i < len(summary.checked_items) else ()
            out += [f"  - {md_line(c)}" for c in items]
        out.append("")
        if summary.looked_for:
            out += [md_text(t("summary.looked_for", lang)), ""]
            out += [f"- {md_line(c)}" for c in summary.looked_for] + [""]
    out += [f"## {md_text(t('section.not_checked', lang))}", ""]
    out += [f"- {md_line(c)}" for c in summary.not_checked] + [""]

    if report.warnings:
        out += [f"## {md_text(t('section.warnings', lang))}", ""]
        for w in report.warnings:
            times = f" (×{w.count})" if w.count > 1 else ""
            where = source_name(report, w.source, lang)
            out.append(f"- {md_code(where)}: {md_line(warning_line(w, lang))}{times}")
        out.append("")

    out += [f"## {md_text(t('section.help', lang))}", "", f"**{md_text(t('help.danger', lang))}**", "",
            md_text(t("help.intro", lang)), ""]
    colon = md_text(t("label.colon", lang))
    for service in help_services():
        out.append(f"- **{md_text(service.name.get(lang))}**{colon}{md_text(service.helps_with.get(lang))}")
        out.append(f"  - {md_text(t('help.for', lang))}{colon}{md_text(service.for_whom.get(lang))}")
        for key, contact in (("help.web", service.web), ("help.email", service.email),
                             ("help.phone", service.phone)):
            if contact:
                out.append(f"  - {md_text(t(key, lang))}{colon}<{contact}>" if key == "help.web"
                           else f"  - {md_text(t(key, lang))}{colon}{md_text(contact)}")
        out.append(f"  - {md_text(t('help.languages', lang))}{colon}{md_text(service.languages.get(lang))}")
    out.append("")
    out += _record(report, lang)
    return "\n".join(out).rstrip() + "\n"


def _finding(number: int, exp: Explanation, lang: str) -> list[str]:
    colon = md_text(t("label.colon", lang))
    out = [f"### {number}. {md_text(exp.severity_words)}{colon}{md_line(exp.title)}", ""]
    if exp.seen:
        out += [f"**{md_text(t('label.seen', lang))}**", ""]
        out += [f"- {md_line(s)}" for s in exp.seen] + [""]
    out += [f"**{md_text(t('label.meaning', lang))}**", ""]
    for meaning in exp.meaning:
        out += [md_line(meaning), ""]
    out += [f"*{md_text(t('label.confidence', lang))}*{colon}{md_text(exp.confidence_words)}", ""]
    out += [f"**{md_text(t('label.advice', lang))}**", ""]
    for advice in exp.advice:
        out += [md_line(advice), ""]
    if exp.safety_note:
        out += [f"> **{md_text(t('label.safety', lang))}**{colon}{md_line(exp.safety_note)}", ""]
    if exp.references:
        out += [f"**{md_text(t('label.references', lang))}**", ""]
        for ref in exp.references:
            out.append(f"- {md_line(ref.title)}" + (f" {md_code(ref.url)}" if ref.url else ""))
        out.append("")
    out += [f"<details><summary>{md_text(t('label.technical', lang))}</summary>", ""]
    out.append(f"- {md_code(exp.rule)} · {md_code(exp.category)} · {md_code(exp.severity)} · "
               f"{md_code(exp.confidence)}")
    for m in exp.matched:
        out.append(f"- {md_text(t('label.matched', lang))}{colon}{md_code(m.value)} ({md_code(m.type)}, "
                   f"{md_code(m.role)}; {md_code(m.source)})")
    source, count, first, last = (md_text(t(f"label.{label}", lang))
                                  for label in ("source", "count", "first_seen", "last_seen"))
    for item in exp.evidence:
        out.append(f"- {md_code(item.description)}")
        rows = [(source, item.source), (count, str(item.count)), (first, item.first_seen), (last, item.last_seen)]
        out += [f"  - {k}{colon}{md_code(v)}" for k, v in rows if v]
        out += [f"  - {md_text(k)}{colon}{md_code(v)}" for k, v in item.facts if v]
    out += ["", "</details>", ""]
    return out


def _per_source(report: ReportDocument, summary: Summary, lang: str) -> list[str]:
    sections = source_sections(report, summary, lang)
    if not sections:
        return []
    colon = md_text(t("label.colon", lang))
    out = [f"## {md_text(t('section.per_source', lang))}", "", md_text(t("per_source.intro", lang)), ""]
    for section in sections:
        out += [f"### {md_line(section.title)}", "", md_line(section.status), ""]
        out += [f"- **{number}.** {md_text(severity)}{colon}{md_line(title)}" for number, severity, title in
                section.findings]
        if section.findings:
            out.append("")
        if section.span:
            out += [f"{md_text(t('label.data_span', lang))}{colon}{md_code(section.span)}", ""]
        if section.problems:
            out += [md_line(section.problems), ""]
    return out


def _record(report: ReportDocument, lang: str) -> list[str]:
    colon = md_text(t("label.colon", lang))
    out = [f"## {md_text(t('section.record', lang))}", ""]
    rows = record_rows(report, lang)
    out += [f"- {md_text(k)}{colon}{md_code(v)}" for k, v in rows if v.strip()]
    out += ["", f"**{md_text(t('label.inputs', lang))}**", ""]
    for source in report.sources:
        where = source_name(report, source.name, lang)
        out.append(f"- {md_code(source.kind)} {md_code(where)}: sha256 {md_code(source.sha256 or '-')}")
        span = data_span(source)
        if span:
            out.append(f"  - {md_text(t('label.data_span', lang))}{colon}{md_code(span)}")
        counts = counts_text(source, lang)
        if counts:
            out.append(f"  - {md_text(t('label.counts', lang))}{colon}{md_code(counts)}")
    out += ["", f"**{md_text(t('label.feeds', lang))}**", ""]
    if not report.feeds:
        out.append(f"- {md_text(t('label.bundled_only', lang))}")
    for feed in report.feeds:
        gap = md_text(t("label.separator", lang))
        licence = f"{gap}{md_text(feed.licence)}" if feed.licence else ""
        origin = md_line(feed_source(feed, lang))
        out.append(f"- {md_code(feed.name)} ({md_code(feed.format)}){gap}{md_text(feed_date(feed, lang))}{gap}"
                   f"sha256 {md_code(feed.sha256)}{licence}" + (f"{gap}{origin}" if origin else ""))
    if cites_echap(report.feeds):
        out.append(f"- {md_text(t('ref.echap', lang))}")
    out.append("")
    return out
