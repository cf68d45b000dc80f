"""What the precedence rule hands to the index: ``Merged``.

A module of its own, apart from the rule (``precedence``): a scan with the default profiles
and the bundled feeds takes the rule's result kept in the precompiled form
(``precompiled.merged_from``) and never runs the rule, so it need not load it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exposure.indicators.index import LazyTable
from exposure.indicators.lazy_indicators import LazyIndicators
from exposure.model import Indicator, IndicatorType


@dataclass(slots=True)
class Merged:
    """What the index gets from the feeds (objects, and rows kept lazy), and how much the
    rule took out or marked (for tests)."""

    indicators: list[Indicator]
    lazy: list[tuple[IndicatorType, LazyTable]] = field(default_factory=list)
    # network values indexed after ``indicators``, made at their first lookup (the kept result
    # for a fresh install, ``precompiled.merged_from``); the rule itself puts all in ``indicators``
    later: list[LazyIndicators] = field(default_factory=list)
    dropped: int = 0
    marked: int = 0
