"""Writing the requested report files and printing a short summary on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from exposure.report.json_report import write_json
from exposure.scan import ScanResult


def write_reports(result: ScanResult, json_path: str | None = None, md_path: str | None = None,
                  html_path: str | None = None, force: bool = False, lang: str | None = None) -> None:
    if json_path:
        write_json(result, Path(json_path), force=force)
    if md_path or html_path:
        from exposure.report.render import write_html, write_markdown

        if md_path:
            write_markdown(result, Path(md_path), force=force, lang=lang)
        if html_path:
            write_html(result, Path(html_path), force=force, lang=lang)


def print_summary(result: ScanResult, lang: str | None, stream: TextIO) -> None:
    """The report's summary, the title of each finding and the problems met, in ``lang``.

    Values from a device or capture are printed with control characters made visible, so
    a name cannot move the cursor or recolour the terminal.
    """
    from exposure.explain.i18n import resolve_language
    from exposure.explain.summary import source_name, summarize
    from exposure.explain.texts import Line, t, tf, visible, warning_line
    from exposure.report.json_report import to_dict

    def text(line: Line) -> str:
        return "".join(visible(p.text) if p.kind != "text" else p.text for p in line)

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
    stream.write("\n" + t("cli.more_in_report", language) + "\n")
