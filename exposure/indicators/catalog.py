"""Builds the indicator index a scan uses: the chosen profiles plus the imported feeds.

Profiles come with the package (``exposure.indicators.profiles``); feeds come from the
user's data folder (``exposure.indicators.feeds``). A feed's indicators belong to the
profile the feed is attached to; when a person chooses profiles, feeds attached to other
profiles are left out, and feeds attached to none are always used. With no choice (all
profiles), every feed is used, even one attached to a profile this version lacks.

Feeds are read from their parsed JSON cache (``feeds/<name>/feed.json``), never from the
original files, so building the catalog stays fast (see BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from exposure.errors import UnknownProfileError
from exposure.indicators.index import IndicatorIndex
from exposure.model import FeedInfo as FeedInfo  # first lived here; new code imports it from exposure.model
from exposure.model import Profile


@dataclass(slots=True)
class Catalog:
    index: IndicatorIndex
    profiles: list[Profile]
    feeds: list[FeedInfo]
    warnings: list[str] = field(default_factory=list)


def build_catalog(profile_ids: Sequence[str] | None = None, use_feeds: bool = True) -> Catalog:
    """The index over the given profiles (all bundled ones when None) and the stored feeds.

    Raises UnknownProfileError when an id is not one of the bundled profiles."""
    from exposure.indicators.feeds.store import FeedStore
    from exposure.indicators.profiles import load_bundled_profiles

    profiles = load_bundled_profiles()
    if profile_ids is not None:
        wanted = set(profile_ids)
        unknown = wanted - {p.id for p in profiles}
        if unknown:
            raise UnknownProfileError(unknown, (p.id for p in profiles))
        profiles = [p for p in profiles if p.id in wanted]
    index = IndicatorIndex()
    # A threat one profile includes from another (MFSocket is in two) is indexed once.
    indexed: set[tuple[str, str, str]] = set()
    for profile in profiles:
        index.add_threats(profile.threats)
        fresh = [i for i in profile.indicators if (i.type, i.value, i.threat) not in indexed]
        indexed.update((i.type, i.value, i.threat) for i in fresh)
        index.add(fresh)
    feeds: list[FeedInfo] = []
    warnings: list[str] = []
    if use_feeds:
        chosen = {p.id for p in profiles}
        store = FeedStore.default()
        for loaded in store.load_all(warn=warnings.append):
            if profile_ids is not None and loaded.info.profile and loaded.info.profile not in chosen:
                continue
            index.add_threats(loaded.threats)
            index.add(loaded.indicators)
            feeds.append(loaded.info)
    return Catalog(index=index, profiles=profiles, feeds=feeds, warnings=warnings)
