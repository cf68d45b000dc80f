"""Markdown and HTML reports (placeholder until the report work lands)."""

from __future__ import annotations

from pathlib import Path

from exposure.errors import UserError
from exposure.scan import ScanResult


def write_markdown(result: ScanResult, path: Path, force: bool = False, lang: str | None = None) -> None:
    raise UserError("Markdown reports are not available yet")


def write_html(result: ScanResult, path: Path, force: bool = False, lang: str | None = None) -> None:
    raise UserError("HTML reports are not available yet")
