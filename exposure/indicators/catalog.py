"""Builds the indicator index a scan uses: the chosen profiles plus the feeds.

Profiles come with the package (``exposure.indicators.profiles``); feeds come bundled with
the package (``exposure.indicators.bundled``: Echap, ISDi, Volexity) and from the user's
data folder (``exposure.indicators.feeds``), where an imported feed is used together with
the bundled one of the same name, or instead of it when imported with ``--replace``
(``feeds.choice``); each imported value is screened (``feeds.screen``). A feed's indicators
belong to the profile the feed is attached to; feeds attached to a profile that is not
chosen are left out, and feeds attached to none (or to a profile this version lacks) are
always used. When the same value comes from several sources, ``exposure.indicators.precedence``
decides.

Imported feeds are read from their parsed JSON cache (``feeds/<name>/feed.json``), never
from the original files, so building the catalog stays fast (see BENCHMARKS.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from exposure.errors import UnknownProfileError
from exposure.indicators.index import ADDRESS_TYPES, NETWORK_TYPES, IndicatorIndex
from exposure.indicators.lazy_indicators import LazyIndicators
from exposure.indicators.severity import parse_day
from exposure.model import CheckNote, FeedInfo, Indicator, IndicatorType, Profile

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import LoadedFeed
    from exposure.indicators.merged import Merged
    from exposure.indicators.precedence import FeedValues
    from exposure.indicators.precompiled import LazyFeed


@dataclass(slots=True)
class Catalog:
    """The index over the chosen profiles and feeds, with those profiles, the feeds and the warnings."""

    index: IndicatorIndex
    profiles: list[Profile]
    feeds: list[FeedInfo]
    warnings: list[str | CheckNote] = field(default_factory=list)


# The newest feed older than this makes the scan say so (docs/feeds.md, "How recent").
STALE_AFTER_DAYS = 183


def feed_age_warning(feeds: Sequence[FeedInfo], today: date) -> CheckNote | None:
    """A warning when even the newest feed's data is more than six months old: tools that
    appeared since are missed. None when a feed is recent, or when no feed says its date."""
    dates = [d for d in (parse_day(f.as_of) for f in feeds) if d is not None]
    if not dates:
        return None
    newest = max(dates)
    if (today - newest).days <= STALE_AFTER_DAYS:
        return None
    return CheckNote.of("warn.feeds.old", f"the newest indicator list used is from {newest.isoformat()}, more "
                        "than six months ago: tools that appeared since then are not recognised; update the feeds "
                        "('exposure feeds update') when it is safe to go online", date=newest.isoformat())


def build_catalog(
    profile_ids: Sequence[str] | None = None, use_feeds: bool = True, *, bundled: bool = True
) -> Catalog:
    """The index over the given profiles and every feed that goes with them.

    ``profile_ids`` None: every profile a scan uses by default (an ``opt_in`` profile, such
    as the travel check, only when named). ``use_feeds``: the feeds the person imported;
    ``bundled``: the feeds shipped inside exposure (always, except in tests that need the
    profiles alone). Values several sources list follow ``precedence.merge``. A new process
    loads the catalog an earlier one built while its sources are unchanged (``catalog_cache``).
    """
    from exposure.indicators.catalog_cache import cached

    catalog = cached(profile_ids, use_feeds, bundled, lambda: _build(profile_ids, use_feeds, bundled),
                     Catalog)
    old = feed_age_warning(catalog.feeds, datetime.now(UTC).date())  # it depends on today's date
    if old is not None:
        catalog.warnings.append(old)
    return catalog


def build_catalog_to_keep(profile_ids: Sequence[str] | None = None, use_feeds: bool = True) -> Catalog:
    """``build_catalog`` for a process that keeps the catalog until it ends (the command
    line): built with the cycle collector paused, then frozen (``gc.freeze``) with what the
    process loaded before it, so that later collections never walk its hundreds of
    thousands of long-lived objects again (~7 ms of a host scan). The same catalog; the
    collector runs as before for what comes after."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return build_catalog(profile_ids, use_feeds)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _build(profile_ids: Sequence[str] | None, use_feeds: bool, bundled: bool) -> Catalog:
    from exposure.indicators.bundled import load_for_catalog
    from exposure.indicators.precompiled import LazyFeed
    from exposure.indicators.profiles import load_bundled_profiles

    everything = load_bundled_profiles()
    profiles = _chosen(everything, profile_ids)
    warnings: list[str | CheckNote] = []
    shipped = load_for_catalog(warnings.append) if bundled else []
    stored = _stored(warnings.append) if use_feeds else []
    loaded = _feeds_for(everything, profiles, shipped, stored, warnings.append)
    index = IndicatorIndex()
    for profile in profiles:
        index.add_threats(profile.threats, curated=True)
    for feed in loaded:
        if isinstance(feed, LazyFeed):
            index.add_lazy_threats(feed.threat_rows, feed.make_threat, feed.info.name)
        else:
            index.add_threats(feed.threats, feed.info.name)
    merged = _premerged(everything, loaded) if profile_ids is None and not stored else None
    if merged is None:
        curated = _curated(profiles)
        merged = _merge(curated, loaded)
        index.add([*curated, *merged.indicators])
        later = merged.later
    else:
        # the profiles' network values, as the feeds' ones, made at the first lookup of their
        # kind; each kind still has the profiles' first, then the feeds'
        now, (addresses, names) = _curated_split(profiles)
        index.add([*now, *merged.indicators])
        later = [*addresses, *(m for m in merged.later if m.kinds() <= ADDRESS_TYPES), *names,
                 *(m for m in merged.later if not m.kinds() <= ADDRESS_TYPES)]
    for part in later:
        index.add_later(part, part.kinds())
    for kind, table in merged.lazy:
        index.add_lazy(kind, table)
    dates: dict[str, str] = {}
    for feed in loaded:  # a bundled feed and the import used with it share a name: the bundled date
        dates.setdefault(feed.info.name, feed.info.as_of)
    index.set_source_dates(dates)
    return Catalog(index=index, profiles=profiles, feeds=[f.info for f in loaded], warnings=list(warnings))


def _chosen(everything: Sequence[Profile], profile_ids: Sequence[str] | None) -> list[Profile]:
    if profile_ids is None:
        return [p for p in everything if not p.opt_in]
    wanted = set(profile_ids)
    unknown = wanted - {p.id for p in everything}
    if unknown:
        raise UnknownProfileError(unknown, (p.id for p in everything))
    return [p for p in everything if p.id in wanted]


def _first_of_each(profiles: Sequence[Profile]) -> list[tuple[Sequence[Indicator], list[int]]]:
    """Each chosen profile's indicators, with the positions of those whose (type, value, threat)
    no profile before it has: a threat one profile includes from another (MFSocket is in two) is
    indexed once. A precompiled profile's keys are read without making its indicators."""
    fresh: list[tuple[Sequence[Indicator], list[int]]] = []
    indexed: set[tuple[str, str, str]] = set()
    for profile in profiles:
        given = profile.indicators
        keys = given.keys() if isinstance(given, LazyIndicators) else [(i.type, i.value, i.threat) for i in given]
        positions = []
        for position, key in enumerate(keys):
            if key not in indexed:
                indexed.add(key)
                positions.append(position)
        fresh.append((given, positions))
    return fresh


def _curated(profiles: Sequence[Profile]) -> list[Indicator]:
    """The chosen profiles' indicators, each (type, value, threat) once (``_first_of_each``)."""
    return [given[position] for given, positions in _first_of_each(profiles) for position in positions]


def _curated_split(profiles: Sequence[Profile]) -> tuple[list[Indicator], tuple[list[LazyIndicators], ...]]:
    """``_curated``'s indicators, in its order, in three parts: those made now, and the network
    values kept for their first lookup, the addresses apart from the names (each profile's
    network values stay rows until then: ``precompiled.profiles_from``)."""
    now: list[Indicator] = []
    addresses: list[LazyIndicators] = []
    names: list[LazyIndicators] = []
    for given, fresh in _first_of_each(profiles):
        lazy = given if isinstance(given, LazyIndicators) else LazyIndicators.of(given)
        # positions and kinds of its addresses, and of its names
        kept: tuple[tuple[list[int], list[IndicatorType]], ...] = (([], []), ([], []))
        for position in fresh:
            kind = lazy.kind(position)
            if kind not in NETWORK_TYPES:
                now.append(lazy.one(position))
            else:
                positions, kinds = kept[kind not in ADDRESS_TYPES]
                positions.append(position)
                kinds.append(kind)
        for (positions, kinds), out in zip(kept, (addresses, names), strict=True):
            if positions:
                out.append(LazyIndicators(functools.partial(_picked, lazy, positions), kinds))
    return now, (addresses, names)


def _picked(given: LazyIndicators, positions: Sequence[int], n: int) -> Indicator:
    return given.one(positions[n])


def _feeds_for(everything: Sequence[Profile], profiles: Sequence[Profile], shipped: Sequence[LoadedFeed | LazyFeed],
               stored: Sequence[LoadedFeed], warn: Callable[[str | CheckNote], None] | None = None,
               ) -> list[LoadedFeed | LazyFeed]:
    """The feeds that go with the chosen profiles."""
    left_out = {p.id for p in everything} - {p.id for p in profiles}
    return [f for f in choose_feeds(shipped, stored, warn) if f.info.profile not in left_out]


def _merge(curated: Sequence[Indicator], loaded: Sequence[LoadedFeed | LazyFeed]) -> Merged:
    from exposure.indicators.precedence import merge

    return merge(curated, [_values(f) for f in loaded])


def _premerged(everything: Sequence[Profile], loaded: Sequence[LoadedFeed | LazyFeed]) -> Merged | None:
    """The precedence rule's result kept in the precompiled form, when the profiles and the
    feeds are exactly the ones it was made from (the default profiles and the bundled feeds
    as the precompiled form gives them, no imported feed): see ``precompiled``."""
    from exposure.indicators import precompiled
    from exposure.indicators.bundled import load_for_catalog
    from exposure.indicators.datafiles import feed_files, profile_files
    from exposure.indicators.profiles import load_bundled_profiles

    def same(these: Sequence[object], those: Sequence[object]) -> bool:
        return len(these) == len(those) and all(a is b for a, b in zip(these, those, strict=True))

    lazy = [f for f in loaded if isinstance(f, precompiled.LazyFeed)]
    # the same objects as the precompiled form made, once a process
    if not lazy or not same(lazy, loaded) or not same(lazy, load_for_catalog(lambda _: None)):
        return None
    if not same(everything, load_bundled_profiles()):
        return None
    document = precompiled.load(profile_files(), feed_files())
    return precompiled.merged_from(document, lazy) if document is not None else None


def default_merge(everything: Sequence[Profile], shipped: Sequence[LoadedFeed | LazyFeed]) -> Merged:
    """What the precedence rule gives for the default profiles and ``shipped`` alone, the way a
    scan computes it (precompile.py keeps it)."""
    profiles = _chosen(everything, None)
    return _merge(_curated(profiles), _feeds_for(everything, profiles, shipped, []))


def _stored(warn: Callable[[str | CheckNote], None]) -> list[LoadedFeed]:
    """The feeds the person imported (none without a feeds folder: the store, its parsers and
    its JSON reader are then not even imported)."""
    from exposure.paths import feeds_dir

    try:
        if not feeds_dir().is_dir():
            return []
    except OSError:
        pass  # the store says why the folder cannot be read
    from exposure.indicators.feeds.screened import screen_stored
    from exposure.indicators.feeds.store import FeedStore

    return screen_stored(FeedStore.default().load_all(warn=warn), warn)


def _values(feed: LoadedFeed | LazyFeed) -> FeedValues:
    from exposure.indicators.precedence import FeedValues
    from exposure.indicators.precompiled import LazyFeed

    if isinstance(feed, LazyFeed):
        return FeedValues(feed.info.format, feed.indicators, feed.tables, feed.maker, feed.threats_of)
    return FeedValues(feed.info.format, feed.indicators)


def choose_feeds(shipped: Sequence[LoadedFeed | LazyFeed], stored: Sequence[LoadedFeed],
                 warn: Callable[[str | CheckNote], None] | None = None) -> list[LoadedFeed | LazyFeed]:
    """The bundled feeds, each with the imported feed of its name (or replaced by it, when
    imported with ``--replace``), then the other imported feeds: ``feeds.choice``."""
    from exposure.indicators.feeds.choice import choose_feeds as chosen

    return chosen(shipped, stored, warn)
