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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.errors import UserError
from exposure.indicators.datafiles import FEED_FILES, FEEDS, feed_files, profile_files
from exposure.indicators.precompiled import LazyFeed
from exposure.model import CheckNote, FeedInfo

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import LoadedFeed

# The feed parsers (and YAML, for Echap's ioc.yaml) are imported only when a bundled file is
# read the slow way: with the precompiled form current, a scan never needs them.

ECHAP_COMMIT = "a04c5c1958bff93fec3b1b56edbb412b209f2a38"
ISDI_COMMIT = "6de92d147cf7933561c44501a41d983cc8a5bd1a"
VOLEXITY_COMMIT = "a7eaa9d97a5d0c193f4a3ac99a6239e6ccc211de"
_ECHAP = f"https://github.com/AssoEchap/stalkerware-indicators/blob/{ECHAP_COMMIT}/"
_ECHAP_LICENCE = "CC BY 4.0: Echap, AssoEchap/stalkerware-indicators"


@dataclass(frozen=True, slots=True)
class BundledFile:
    """One shipped feed file and what a report says about it."""

    name: str  # the feed name, the same an import of the file would get
    path: str  # under data/feeds
    profile: str
    dated: str  # the date of the upstream commit or report (YYYY-MM-DD)
    source: str  # where it was taken from, at that commit
    licence: str


BUNDLED: tuple[BundledFile, ...] = (
    BundledFile("echap-stalkerware", FEED_FILES["echap-stalkerware"], "stalkerware", "2026-06-21", _ECHAP + "ioc.yaml",
                _ECHAP_LICENCE),
    BundledFile("echap-watchware", FEED_FILES["echap-watchware"], "stalkerware", "2026-06-21",
                _ECHAP + "watchware.yaml", _ECHAP_LICENCE),
    BundledFile("echap-samples", FEED_FILES["echap-samples"], "stalkerware", "2026-06-21", _ECHAP + "samples.csv",
                _ECHAP_LICENCE),
    BundledFile("isdi-app-flags", FEED_FILES["isdi-app-flags"], "stalkerware", "2026-07-22",
                f"https://github.com/stopipv/isdi/blob/{ISDI_COMMIT}/src/isdi/data/app-flags.csv",
                "MIT: Copyright (c) 2018 Cornell University (ISDi)"),
    BundledFile("volexity-evilbamboo", FEED_FILES["volexity-evilbamboo"], "china-state-monitoring", "2023-09-22",
                f"https://github.com/volexity/threat-intel/blob/{VOLEXITY_COMMIT}/2023/2023-09-22%20EvilBamboo/"
                "indicators/iocs.csv", "BSD-2-Clause: Copyright 2022 by Volexity, Inc."),
)


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
