"""What every collector provides, and what it reports about the input it read.

A collector reads one source (a capture, a phone, this computer) and yields
:class:`~exposure.model.Observation` objects. It knows nothing of indicators or findings.
It reports progress through a callback, problems through ``warn`` (never by crashing the
scan), and checks ``cancel`` from time to time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from exposure.errors import UserError

# CheckNote and SourceInfo first lived here and stay importable; new code imports them from exposure.model.
from exposure.model import CheckNote as CheckNote
from exposure.model import LocalText, Observation
from exposure.model import SourceInfo as SourceInfo


class CollectorError(UserError):
    """A source could not be read at all. The message is one plain line for the user
    (with a key and params for other languages, as every UserError may have)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a collector has got: ``counts`` such as {"packets": 12000, "names": 80}.

    ``stage`` says what it is doing in English words (the command line prints it);
    ``reading`` says what it is reading now as a note keyed in
    ``exposure/explain/checks.yaml``, which the app shows in the person's language.
    """

    source: str
    stage: str
    counts: tuple[tuple[str, int], ...] = ()
    fraction: float | None = None  # 0..1 when known
    reading: CheckNote | None = None
    # Live capture: (kind, name) first seen since the previous report ("dns", "tls"...).
    new_names: tuple[tuple[str, str], ...] = ()
    # Filled by the pipeline, never by a collector: those of ``new_names`` that a profile
    # or feed lists, as (name, threat name, role of the indicator).
    known: tuple[tuple[str, LocalText, str], ...] = ()


ProgressCallback = Callable[[Progress], None]
# A plain English line, or a note whose key has texts in explain/warnings.yaml.
WarnCallback = Callable[[str | CheckNote], None]


@dataclass(slots=True)
class CollectContext:
    """What the pipeline hands a collector."""

    progress: ProgressCallback = lambda p: None
    warn: WarnCallback = lambda message: None
    cancel: threading.Event = field(default_factory=threading.Event)  # stop, the result is dropped
    # Finish early and keep what was read (live capture: stop recording, check what was seen).
    stop: threading.Event = field(default_factory=threading.Event)


class Collector(Protocol):
    """A source of observations."""

    info: SourceInfo

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        """Yield observations; fill ``self.info`` as you go. Raise CollectorError if unreadable."""
        ...
