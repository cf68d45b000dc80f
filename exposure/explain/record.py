"""The record of a check, at the end of every report: the tool, the times, the profiles, the
language, and which version of each indicator feed was used (so a helper can tell how
recent the data was)."""

from __future__ import annotations

from exposure.document import REPORT_SCHEMA, ReportDocument
from exposure.explain.lines import Line, fill_plain, value
from exposure.explain.texts import t, tf
from exposure.model import FeedInfo, public_source


def record_rows(report: ReportDocument, lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of the report's record section: tool, schema, times, profiles, language."""
    return [
        (t("label.tool", lang), f"exposure {report.tool_version}"),
        (t("label.schema", lang), REPORT_SCHEMA),
        (t("label.started", lang), report.started or ""),
        (t("label.finished", lang), report.finished or ""),
        (t("label.profiles", lang), ", ".join(report.profiles)),
        (t("label.language", lang), lang),
    ]


def feed_date(feed: FeedInfo, lang: str) -> str:
    """"data of 2026-06-21, bundled with exposure": which version of a feed a report used,
    and how recent its data is (``imported`` and the bundle's own version when they add to it)."""
    dated = feed.dated[:10]
    when = fill_plain(t("feed.dated", lang), {"date": dated}) if dated else t("feed.undated", lang)
    how = (t("feed.bundled", lang) if feed.bundled
           else fill_plain(t("feed.imported", lang), {"date": feed.imported[:19]}))
    shown = f" ({t('label.version', lang)} {feed.version})" if feed.version and feed.version[:10] != dated else ""
    return f"{when}{t('label.separator', lang)}{how}{shown}"


def feed_source(feed: FeedInfo, lang: str) -> Line:
    """Where a feed's data comes from, for the record: its upstream address, or "from the file
    ioc.yaml" for a file imported without one (never a path on the computer)."""
    source = public_source(feed.source)
    if not source or source.startswith(("https://", "http://")):
        return value(source)
    return tf("feed.from_file", lang, file=source)
