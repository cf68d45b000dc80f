"""Writing the requested report files and printing a short summary on the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from exposure.report.files import STDOUT, write_private
from exposure.report.json_report import dumps, to_dict
from exposure.scan import ScanResult


def write_reports(result: ScanResult, json_path: str | None = None, md_path: str | None = None,
                  html_path: str | None = None, force: bool = False, lang: str | None = None,
                  stdout: TextIO | None = None) -> list[str]:
    """Write the reports asked for; ``-`` is standard output. Returns the paths written."""
    from exposure.report.render import html_text, markdown_text

    written: list[str] = []
    report = to_dict(result) if md_path or html_path else {}
    for target, fmt in ((json_path, "json"), (md_path, "md"), (html_path, "html")):
        if not target:
            continue
        if fmt == "json":
            text = dumps(result)
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


def print_written(paths: list[str], lang: str | None, stream: TextIO) -> None:
    """Where each report was written (full paths, escaped: a name may be anything)."""
    from exposure.explain.i18n import resolve_language
    from exposure.explain.texts import plain, tf
    from exposure.untrusted import shown

    language = resolve_language(lang)
    for path in paths:
        stream.write(shown(plain(tf("cli.reports_written", language, path=str(Path(path).resolve())))) + "\n")


def print_summary(result: ScanResult, lang: str | None, stream: TextIO, written: list[str] | None = None) -> None:
    """The report's summary, the title of each finding and the problems met, in ``lang``.

    Values from a device or capture are printed with control characters made visible, so
    a name cannot move the cursor or recolour the terminal.
    """
    from exposure.explain.i18n import resolve_language
    from exposure.explain.summary import source_name, summarize
    from exposure.explain.texts import Line, t, tf, warning_line
    from exposure.untrusted import shown

    def text(line: Line) -> str:
        return "".join(shown(p.text) for p in line)

    language = resolve_language(lang)
    report = to_dict(result)
    summary = summarize(report, language)
    if result.demo:
        stream.write(t("report.demo", language) + "\n")
    for paragraph in summary.paragraphs:
        stream.write(text(paragraph) + "\n")
    if summary.explanations:
        stream.write("\n")
        for exp in summary.explanations:
            stream.write(f"  [{exp.severity_words}] {text(exp.title)}\n")
    for warning in report["warnings"]:
        where = source_name(report, warning["source"], language)
        said = warning_line(warning, language)
        stream.write(text(tf("cli.warning", language, source=where, message=said)) + "\n")
    if not summary.explanations:
        stream.write("\n" + text(summary.next_intro) + "\n")
        for check in summary.next_checks:
            stream.write(f"  - {text(check)}\n")
    from exposure.explain.texts import help_services

    stream.write("\n" + t("cli.help", language) + "\n")
    for service in help_services():
        stream.write(f"  - {service.name.get(language)}: {service.web or service.email or service.phone}\n")
    if written:
        stream.write("\n")
        print_written(written, language, stream)
    else:
        stream.write("\n" + t("cli.more_in_report", language) + "\n")
