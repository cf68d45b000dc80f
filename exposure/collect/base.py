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
from datetime import datetime
from typing import Protocol

from exposure.model import Observation


class CollectorError(Exception):
    """A source could not be read at all. The message is one plain line for the user."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a collector has got: ``counts`` such as {"packets": 12000, "names": 80}."""

    source: str
    stage: str
    counts: tuple[tuple[str, int], ...] = ()
    fraction: float | None = None  # 0..1 when known


@dataclass(slots=True)
class SourceInfo:
    """What a report records about one input, filled in by the collector as it reads."""

    kind: str  # "pcap", "android", "android-dump", "androidqf", "host", ...
    name: str  # path, serial or "this computer"
    sha256: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    first_time: datetime | None = None  # time span of the data itself (captures)
    last_time: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)  # packets, packages, processes...
    undecoded: dict[str, int] = field(default_factory=dict)  # what could not be decoded, by reason
    details: dict[str, str] = field(default_factory=dict)  # model, Android version, OS...
    checked: list[str] = field(default_factory=list)  # what was looked at, in words
    not_checked: list[str] = field(default_factory=list)  # what could not be looked at, in words


ProgressCallback = Callable[[Progress], None]
WarnCallback = Callable[[str], None]


@dataclass(slots=True)
class CollectContext:
    """What the pipeline hands a collector."""

    progress: ProgressCallback = lambda p: None
    warn: WarnCallback = lambda message: None
    cancel: threading.Event = field(default_factory=threading.Event)


class Collector(Protocol):
    """A source of observations."""

    info: SourceInfo

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        """Yield observations; fill ``self.info`` as you go. Raise CollectorError if unreadable."""
        ...
