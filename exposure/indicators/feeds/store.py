"""The user's imported feeds (placeholder until the feeds work lands: no feeds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from exposure.indicators.catalog import FeedInfo
from exposure.model import Indicator, Threat


@dataclass(frozen=True, slots=True)
class LoadedFeed:
    info: FeedInfo
    indicators: tuple[Indicator, ...]
    threats: tuple[Threat, ...]


class FeedStore:
    @classmethod
    def default(cls) -> FeedStore:
        return cls()

    def load_all(self, warn: Callable[[str], None]) -> Iterator[LoadedFeed]:
        return iter(())
