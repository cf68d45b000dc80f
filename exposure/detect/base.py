"""What every detector provides.

A detector sees each observation as it streams past (:meth:`Detector.observe`) and may
return findings at once or keep a small summary and return findings at the end
(:meth:`Detector.finish`), for patterns across observations such as beaconing.
Detectors know nothing of collectors' internals, of Textual or of report formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from exposure.indicators.index import IndicatorIndex
from exposure.model import CheckNote, Finding, Observation


@dataclass(slots=True)
class DetectContext:
    """What every detector is given: the indicator index, where to send warnings, and the day to judge age against."""

    index: IndicatorIndex
    warn: Callable[[str | CheckNote], None] = field(default=lambda message: None)
    # What a detector could not judge, a limit of the check rather than a problem met while
    # reading (no lookups visible to compare with): the scan lists it among its sources'
    # "not checked" items, in words (exposure/explain/checks.yaml).
    not_checked: Callable[[CheckNote], None] = field(default=lambda note: None)
    # The day the scan judges indicators' age against (docs/severity.md); tests fix it.
    today: date = field(default_factory=lambda: datetime.now(UTC).date())


class Detector(Protocol):
    @property
    def name(self) -> str: ...

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]: ...

    def finish(self, ctx: DetectContext) -> Iterable[Finding]: ...
