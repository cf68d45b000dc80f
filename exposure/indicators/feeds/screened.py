"""The imported feeds as a scan uses them: each value judged by ``feeds.screen`` again.

A feed stored by an earlier version of exposure was never screened (review r3, finding 6):
its values that cannot be indicators are left out, its very common values listed for a
harmful tool are made supporting, and every report says which feeds list such values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from exposure.indicators.feeds.screen import demoted, examples, is_very_common, refusal
from exposure.indicators.feeds.store import LoadedFeed
from exposure.model import CheckNote, Indicator


def screen_feed(feed: LoadedFeed) -> tuple[LoadedFeed, list[Indicator], list[Indicator]]:
    """A stored feed with its refused values left out and its very common values of harmful
    tools made supporting (a feed imported by an earlier version was never screened); then the
    refused values and the very common ones."""
    categories = {t.id: t.category for t in feed.threats}
    kept: list[Indicator] = []
    refused: list[Indicator] = []
    common: list[Indicator] = []
    for ind in feed.indicators:
        if refusal(ind.type, ind.value) is not None:
            refused.append(ind)
            continue
        if is_very_common(ind.type, ind.value):
            common.append(ind)
            if not ind.supporting and demoted(ind.type, ind.value, categories.get(ind.threat)):
                ind = replace(ind, supporting=True)
        kept.append(ind)
    if not refused and all(a is b for a, b in zip(kept, feed.indicators, strict=True)):
        return feed, refused, common
    return replace(feed, indicators=tuple(kept)), refused, common


def screen_stored(feeds: Iterable[LoadedFeed], warn: Callable[[str | CheckNote], None]) -> list[LoadedFeed]:
    """The imported feeds, screened (``screen_feed``), with a line for every report about each
    feed that lists very common values or values that cannot be indicators."""
    out = []
    for feed in feeds:
        screened, refused, common = screen_feed(feed)
        name = feed.info.name
        if refused:
            shown = examples(i.value for i in refused)
            warn(CheckNote.of("warn.feeds.refused-values", f"the imported feed {name} lists {len(refused)} values that "
                              f"cannot be indicators ({shown}): they were not used", name=name, count=len(refused),
                              values=shown))
        if common:
            shown = examples(i.value for i in common)
            warn(CheckNote.of("warn.feeds.very-common", f"the imported feed {name} lists {len(common)} very common "
                              f"values ({shown}): on their own they never give a serious finding", name=name,
                              count=len(common), values=shown))
        out.append(screened)
    return out
