"""The feeds shipped inside exposure, so that a fresh install knows every listed tool.

``exposure/indicators/data/feeds/`` holds dated snapshots of public lists, each with its
licence and a SOURCE.md beside it (docs/feeds.md, "Bundled feeds"):

* Echap's ``ioc.yaml``, ``watchware.yaml`` and ``samples.csv`` (CC BY 4.0, credit Echap);
* ISDi's ``app-flags.csv`` (MIT, Cornell University): the dual-use apps;
* Volexity's EvilBamboo ``iocs.csv`` (BSD-2-Clause): BadBazaar, BadSolar and their servers.

They are read with the same parsers as an import (``feeds.detect.parse_feed``), once per
process. A feed of the same name that the person imported (``exposure feeds update``) is used
together with the bundled one, or instead of it when imported with ``--replace``
(``feeds.choice``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.errors import UserError
from exposure.indicators.datafiles import FEEDS, feed_files, profile_files
from exposure.indicators.feeds.snapshots import BUNDLED, BundledFile, by_sha256
from exposure.indicators.precompiled import LazyFeed
from exposure.model import CheckNote, FeedInfo

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import LoadedFeed

# The feed parsers (and YAML, for Echap's ioc.yaml) are imported only when a bundled file is
# read the slow way: with the precompiled form current, a scan never needs them.

__all__ = [
    "BUNDLED",
    "BundledFile",
    "bundled_paths",
    "by_sha256",
    "load_bundled",
    "load_for_catalog",
    "read_bundled",
]


def load_bundled(warn: Callable[[str | CheckNote], None]) -> list[LoadedFeed]:
    """Every bundled feed, all as objects; one that cannot be read (a damaged install) is
    reported and left out."""
    return [f.loaded() if isinstance(f, LazyFeed) else f for f in load_for_catalog(warn)]


def load_for_catalog(warn: Callable[[str | CheckNote], None]) -> list[LoadedFeed | LazyFeed]:
    """The same feeds, precompiled ones kept as rows until a lookup needs them."""
    feeds, problems = _load_all()
    for problem in problems:
        warn(problem)
    return list(feeds)


def bundled_paths() -> list[Path]:
    return feed_files()


@cache
def _load_all() -> tuple[tuple[LoadedFeed | LazyFeed, ...], tuple[CheckNote, ...]]:
    from exposure.indicators import precompiled

    try:
        document = precompiled.load(profile_files(), feed_files())
    except UserError:
        document = None
    if document is not None:
        return precompiled.feeds_from(document), ()
    return read_bundled()


def read_bundled() -> tuple[tuple[LoadedFeed, ...], tuple[CheckNote, ...]]:
    """Every bundled feed read from its file with the import parsers (the slow way: see
    ``precompiled``), and a line for each that could not be read."""
    from exposure.indicators.feeds.parsed import FeedError

    feeds: list[LoadedFeed] = []
    problems: list[CheckNote] = []
    for item in BUNDLED:
        try:
            feeds.append(_load(item))
        except (OSError, FeedError) as exc:
            problems.append(CheckNote.of("warn.feeds.bundled-unreadable", f"the bundled feed {item.name} could not "
                                         f"be read ({exc}); please reinstall exposure", name=item.name, problem=exc))
    return tuple(feeds), tuple(problems)


def _load(item: BundledFile) -> LoadedFeed:
    import hashlib

    from exposure.indicators.feeds.detect import parse_feed
    from exposure.indicators.feeds.store import LoadedFeed

    data = (FEEDS / item.path).read_bytes()
    feed = parse_feed(data, Path(item.path).name, name=item.name, profile=item.profile)
    parsed = feed.parsed
    info = FeedInfo(
        name=item.name, format=parsed.format, source=item.source, sha256=hashlib.sha256(data).hexdigest(),
        imported="", profile=item.profile, counts=parsed.counts, version=item.dated, dated=item.dated,
        bundled=True, licence=item.licence,
    )
    return LoadedFeed(info=info, indicators=parsed.indicators, threats=parsed.threats)
