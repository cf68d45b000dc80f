"""Markdown and HTML reports of a report document, imported only when one is asked for.

One renderer serves both a fresh scan and a saved JSON report (``exposure report``): both
are a :class:`~exposure.document.ReportDocument` first (``document.from_result``,
``json_report.from_json``), so they cannot drift apart. ``lang`` is a language code the
front end has already resolved (``exposure.explain.i18n.resolve_language``).
"""

from __future__ import annotations

from exposure.document import ReportDocument


def markdown_text(report: ReportDocument, lang: str) -> str:
    from exposure.report.markdown import render_markdown

    return render_markdown(report, lang)


def html_text(report: ReportDocument, lang: str) -> str:
    from exposure.report.html import render_html

    return render_html(report, lang)
