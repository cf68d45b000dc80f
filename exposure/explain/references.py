"""Where a finding's indicators come from, in words: each feed, each reference of an
indicator or of the threat, and the credit Echap's CC BY 4.0 licence asks for when any of
them is Echap's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from exposure.document import IndicatorRecord, ReportDocument, ThreatRecord
from exposure.explain.lines import Line, name, words
from exposure.explain.texts import t, tf
from exposure.model import FeedInfo, Reference

ECHAP_MARKERS = ("echap", "stalkerware-indicators")
ECHAP_URL = "https://github.com/AssoEchap/stalkerware-indicators"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an indicator or claim comes from: a title (in words) and an optional link."""

    title: Line
    url: str = ""


def is_echap(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in ECHAP_MARKERS)


def cites_echap(feeds: Iterable[FeedInfo]) -> bool:
    """Whether any feed is Echap's, whose CC BY licence asks for attribution."""
    return any(is_echap(f.name) or is_echap(f.format) for f in feeds)


def references(indicators: Sequence[IndicatorRecord], threat: ThreatRecord | None, report: ReportDocument,
               lang: str) -> list[SourceRef]:
    """The sources of a finding: its indicators' feeds and references, then the threat's."""
    feeds = {f.name: f for f in report.feeds}
    out: list[SourceRef] = []
    seen: set[tuple[str, str]] = set()
    echap = False

    def add(title: Line, url: str = "") -> None:
        key = ("".join(p.text for p in title), url)
        if key not in seen:
            seen.add(key)
            out.append(SourceRef(title, url))

    def add_references(refs: Iterable[Reference]) -> bool:
        cited = False
        for ref in refs:
            if ref.title or ref.url:
                add(name(ref.title_in(lang) or ref.url), ref.url)
                cited = cited or is_echap(ref.title) or is_echap(ref.url)
        return cited

    for ind in indicators:
        if ind.source and not ind.source.startswith("profile:"):
            feed = feeds.get(ind.source)
            add(tf("ref.feed", lang, name=name(ind.source)), "")
            echap = echap or is_echap(ind.source) or (feed is not None and (is_echap(feed.format)
                                                                            or is_echap(feed.source)))
        echap = add_references(ind.references) or echap
    if threat is not None:
        echap = add_references(threat.references) or echap
    if echap:
        add(words(t("ref.echap", lang)), ECHAP_URL)
    return out
