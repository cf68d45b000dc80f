"""Indicators made into objects only when they are first read.

The bundled feeds' values outside their lookup tables are domains, addresses and URLs, ~1,800
of them, and the default profiles list ~680 more; a check of this computer looks up at most a
few addresses and no name: the precompiled catalog keeps them as rows (``precompiled``) and
the index adds them at the first lookup of their kind (``IndicatorIndex.add_later``).
BENCHMARKS.md has what that saves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from exposure.model import Indicator, IndicatorType

Key = tuple[IndicatorType, str, str]  # (type, value, threat): one indicator per profile and threat


class LazyIndicators(Sequence[Indicator]):
    """A sequence of indicators whose kinds are known position by position without making them
    (``kinds``); ``make_one(position)`` makes one, and all are made the first time the sequence
    is read. ``keys_of()``, when given, says each one's (type, value, threat) without making
    them. Equal to (and hashed as) the tuple of its indicators; pickled (a kept catalog) with
    the objects made."""

    def __init__(self, make_one: Callable[[int], Indicator] | None, kinds: Sequence[IndicatorType],
                 made: tuple[Indicator, ...] | None = None, keys_of: Callable[[], list[Key]] | None = None) -> None:
        self._make_one = make_one
        self._kinds = kinds
        self._made = made
        self._keys_of = keys_of

    @classmethod
    def of(cls, indicators: Sequence[Indicator]) -> LazyIndicators:
        """Indicators already made."""
        made = tuple(indicators)
        return cls(None, [i.type for i in made], made)

    def kind(self, position: int) -> IndicatorType:
        return self._kinds[position]

    def kinds(self) -> frozenset[IndicatorType]:
        return frozenset(self._kinds)

    def is_made(self) -> bool:
        return self._made is not None

    def one(self, position: int) -> Indicator:
        """The indicator at ``position``, made alone when the others are not made yet."""
        if self._made is not None:
            return self._made[position]
        assert self._make_one is not None
        return self._make_one(position)

    def keys(self) -> list[Key]:
        """(type, value, threat) of each indicator, in order; without making them when the
        sequence was given ``keys_of``."""
        if self._made is None and self._keys_of is not None:
            return self._keys_of()
        return [(made.type, made.value, made.threat) for made in self.made()]

    def made(self) -> tuple[Indicator, ...]:
        if self._made is None:
            assert self._make_one is not None
            self._made = tuple(map(self._make_one, range(len(self._kinds))))
            self._make_one = self._keys_of = None
        return self._made

    def __getitem__(self, position: Any) -> Any:
        return self.made()[position]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.made())

    def __len__(self) -> int:
        return len(self._kinds)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self.made())

    def __reduce__(self) -> tuple[Any, ...]:
        return LazyIndicators.of, (self.made(),)
