"""Which feeds a scan uses when the person imported one under a bundled feed's name.

The rule (docs/feeds.md, "Bundled and imported feeds of one name"): **an import never makes
exposure know less than its bundled snapshot without saying so.**

* By default an imported feed named like a bundled one (``echap-stalkerware`` from any
  ``ioc.yaml``, ``feeds update``, a USB stick's ``feeds update --from``) is used *together
  with* the bundled snapshot: every value of both. A crafted one-line ``ioc.yaml`` adds its
  line and takes nothing away (review r3, finding 1).
* ``exposure feeds import --replace`` uses the imported file *instead of* the bundled one,
  as long as the bundled snapshot is not newer than it (its data's date, else when it was
  imported: an exposure upgrade with a newer snapshot brings both back together). When the
  imported file holds far fewer values of a kind, or lacks many of the bundled file's tools
  (``loss``), that is said at import and in every report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from exposure.indicators.feeds.store import LoadedFeed
from exposure.model import CheckNote, FeedInfo


class Feed(Protocol):
    """A feed as loaded: an imported one (``LoadedFeed``) or a precompiled bundled one
    (``precompiled.LazyFeed``, whose threats stay rows: ``threat_rows``)."""

    @property
    def info(self) -> FeedInfo: ...


Shipped = TypeVar("Shipped", bound=Feed)

# A replacement "loses" a kind of value when it has fewer than this share of the bundled
# file's, and "loses" tools when more than this share of the bundled file's tools is missing.
KEPT_SHARE = 0.5
MISSING_TOOLS_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Loss:
    """What a replacement has far less of than the bundled feed of its name."""

    name: str
    bundled_date: str
    kinds: tuple[tuple[str, int, int], ...]  # (count key, in the imported file, in the bundled one)
    tools: int  # tools of the bundled file the imported one lacks
    bundled_tools: int
    imported_values: int
    bundled_values: int

    def describe(self) -> str:
        """"1 package ids where the bundled one has 613, ...; 140 of its 145 tools missing"."""
        from exposure.indicators.feeds.parsed import COUNT_LABELS, count_label

        order = {key: n for n, key in enumerate(COUNT_LABELS)}
        kinds = sorted(self.kinds, key=lambda k: (order.get(k[0], len(order)), k[0]))
        parts = [f"{mine} {count_label(key)} where the bundled one has {theirs}" for key, mine, theirs in kinds]
        if self.tools:
            parts.append(f"{self.tools} of the bundled file's {self.bundled_tools} tools missing")
        return "; ".join(parts)

    def note(self) -> CheckNote:
        return CheckNote.of(
            "warn.feeds.replaced-smaller",
            f"the imported feed {self.name} is used instead of the bundled one (data of {self.bundled_date}) but has "
            f"far less: {self.imported_values} values where the bundled one has {self.bundled_values}, and "
            f"{self.tools} of its {self.bundled_tools} tools are missing; what only the bundled list knows is not "
            f"recognised ('exposure feeds remove {self.name}' uses the bundled list again)",
            name=self.name, date=self.bundled_date, imported=self.imported_values, bundled=self.bundled_values,
            missing=self.tools, tools=self.bundled_tools)


def threat_ids(feed: Feed) -> set[str]:
    if isinstance(feed, LoadedFeed):
        return {t.id for t in feed.threats}
    return set(getattr(feed, "threat_rows").ids())  # noqa: B009 - a LazyFeed (see Feed)


def loss(bundled: Feed, imported: Feed) -> Loss | None:
    """What ``imported`` has far less of than ``bundled`` (None when nothing much)."""
    mine = dict(imported.info.counts)
    kinds = tuple((key, mine.get(key, 0), n) for key, n in bundled.info.counts
                  if mine.get(key, 0) < n * KEPT_SHARE)
    theirs = threat_ids(bundled)
    missing = len(theirs - threat_ids(imported))
    if not kinds and missing <= len(theirs) * MISSING_TOOLS_SHARE:
        return None
    return Loss(bundled.info.name, bundled.info.dated, kinds, missing, len(theirs),
                sum(mine.values()), sum(n for _, n in bundled.info.counts))


def replaces(bundled: Feed, imported: LoadedFeed) -> bool:
    """Whether ``imported`` is used instead of ``bundled``: asked for (``--replace``), and the
    bundled snapshot is not newer than the imported data (an undated file: its import day)."""
    return imported.replaces_bundled and imported.info.as_of >= bundled.info.as_of


def choose_feeds(shipped: Sequence[Shipped], stored: Sequence[LoadedFeed],
                 warn: Callable[[str | CheckNote], None] | None = None) -> list[Shipped | LoadedFeed]:
    """The bundled feeds, each followed by the imported feed of its name (or replaced by it:
    ``replaces``), then the other imported feeds. A replacement that has far less than the
    bundled feed is said through ``warn``."""
    by_name = {f.info.name: f for f in stored}
    out: list[Shipped | LoadedFeed] = []
    for feed in shipped:
        imported = by_name.pop(feed.info.name, None)
        if imported is None:
            out.append(feed)
        elif replaces(feed, imported):
            out.append(imported)
            lost = loss(feed, imported)
            if lost is not None and warn is not None:
                warn(lost.note())
        elif imported.info.sha256 and imported.info.sha256 == feed.info.sha256:
            out.append(feed)  # the very file that is bundled: used and listed once
        else:
            out += [feed, imported]
    out.extend(f for f in stored if f.info.name in by_name)
    return out

