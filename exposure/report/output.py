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
    """A few plain lines: what was checked and what was found (the explain layer words it)."""
    for finding in result.findings:
        stream.write(f"[{finding.severity.value}] {finding.title}\n")
    for warning in result.warnings:
        stream.write(f"warning: {warning.source}: {warning.message}\n")
    if not result.findings:
        stream.write("Nothing known was found in what was checked. This does not prove the device is safe.\n")
