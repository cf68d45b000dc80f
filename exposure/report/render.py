"""Markdown and HTML reports, rendered from the report's dictionary form.

One renderer serves both a fresh scan (``write_html(result, ...)``) and a saved JSON
report (``write_html_dict(data, ...)``, used by ``exposure report``): both go through
``exposure.report.json_report.to_dict`` first, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exposure.explain.i18n import resolve_language
from exposure.files import write_private
from exposure.report.json_report import to_dict
from exposure.scan import ScanResult


def markdown_text(report: Mapping[str, Any], lang: str | None = None) -> str:
    from exposure.report.markdown import render_markdown

    return render_markdown(report, resolve_language(lang))


def html_text(report: Mapping[str, Any], lang: str | None = None) -> str:
    from exposure.report.html import render_html

    return render_html(report, resolve_language(lang))


def write_markdown_dict(report: Mapping[str, Any], path: Path, force: bool = False, lang: str | None = None) -> None:
    write_private(Path(path), markdown_text(report, lang).encode("utf-8"), force=force)


def write_html_dict(report: Mapping[str, Any], path: Path, force: bool = False, lang: str | None = None) -> None:
    write_private(Path(path), html_text(report, lang).encode("utf-8"), force=force)


def write_markdown(result: ScanResult, path: Path, force: bool = False, lang: str | None = None) -> None:
    write_markdown_dict(to_dict(result), path, force=force, lang=lang)


def write_html(result: ScanResult, path: Path, force: bool = False, lang: str | None = None) -> None:
    write_html_dict(to_dict(result), path, force=force, lang=lang)
