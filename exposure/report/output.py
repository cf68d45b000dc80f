"""Writing the requested report files and printing a short summary on the terminal.

Every function takes the report document and a language the front end has resolved once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from exposure.document import ReportDocument
from exposure.files import STDOUT, write_private


def write_reports(report: ReportDocument, lang: str, json_path: str | None = None, md_path: str | None = None,
                  html_path: str | None = None, force: bool = False, stdout: TextIO | None = None) -> list[str]:
    """Write the reports asked for; ``-`` is standard output. Returns the paths written."""
    from exposure.report.json_report import dumps
    from exposure.report.render import html_text, markdown_text

    written: list[str] = []
    for target, fmt in ((json_path, "json"), (md_path, "md"), (html_path, "html")):
        if not target:
            continue
        if fmt == "json":
            text = dumps(report)
        else:
            text = markdown_text(report, lang) if fmt == "md" else html_text(report, lang)
        if target == STDOUT:
            out = stdout or sys.stdout
            out.write(text)
            out.flush()
        else:
            write_private(Path(target), text.encode("utf-8"), force=force)
            written.append(target)
    return written


def print_written(paths: list[str], lang: str, stream: TextIO) -> None:
    """Where each report was written (full paths, escaped: a name may be anything)."""
    from exposure.explain.lines import plain
    from exposure.explain.texts import tf
    from exposure.untrusted import shown

    for path in paths:
        stream.write(shown(plain(tf("cli.reports_written", lang, path=str(Path(path).resolve())))) + "\n")


def print_summary(report: ReportDocument, lang: str, stream: TextIO, written: list[str] | None = None) -> None:
    """The report's summary, the title of each finding and the problems met, in ``lang``.

    Values from a device or capture are printed with control characters made visible, so
    a name cannot move the cursor or recolour the terminal.
    """
    from exposure.explain.help_services import help_services
    from exposure.explain.lines import Line
    from exposure.explain.notes import warning_line
    from exposure.explain.per_source import source_sections
    from exposure.explain.sources import source_name
    from exposure.explain.summary import summarize
    from exposure.explain.texts import t, tf
    from exposure.untrusted import shown

    def text(line: Line) -> str:
        return "".join(shown(p.text) for p in line)

    summary = summarize(report, lang)
    if report.demo:
        stream.write(t("report.demo", lang) + "\n")
    for paragraph in summary.paragraphs:
        stream.write(text(paragraph) + "\n")
    sections = source_sections(report, summary, lang)
    # With a section per source, each finding is listed under the source it rests on.
    listed = {number for section in sections for number, _, _ in section.findings}
    unlisted = [exp for number, exp in enumerate(summary.explanations, 1) if number not in listed]
    if unlisted:
        stream.write("\n")
        for exp in unlisted:
            stream.write(f"  [{exp.severity_words}] {text(exp.title)}\n")
    if sections:
        stream.write("\n" + t("section.per_source", lang) + "\n")
    for section in sections:
        stream.write(f"  - {text(section.title)}{t('label.colon', lang)}{text(section.status)}\n")
        for _number, severity, title in section.findings:
            stream.write(f"      [{severity}] {text(title)}\n")
    for warning in report.warnings:
        where = source_name(report, warning.source, lang)
        said = warning_line(warning, lang)
        stream.write(text(tf("cli.warning", lang, source=where, message=said)) + "\n")
    # The safety note the summary asks to read first (the same words for every finding that has one).
    safety = next((exp.safety_note for exp in summary.explanations if exp.safety_note), ())
    if safety:
        stream.write("\n" + t("label.safety", lang) + t("label.colon", lang) + text(safety) + "\n")
    # The next checks go with every result: "nothing found" or not, accounts and location
    # sharing are misused more often than spy apps.
    stream.write("\n" + text(summary.next_intro) + "\n")
    for check in summary.next_checks:
        stream.write(f"  - {text(check)}\n")
    stream.write("\n" + t("cli.help", lang) + "\n")
    stream.write("  " + t("help.danger", lang) + "\n")
    colon = t("label.colon", lang)
    for service in help_services():
        stream.write(f"  - {service.name.get(lang)}{colon}{service.web or service.email or service.phone}\n")
    if written:
        stream.write("\n")
        print_written(written, lang, stream)
    else:
        stream.write("\n" + t("cli.more_in_report", lang) + "\n")
