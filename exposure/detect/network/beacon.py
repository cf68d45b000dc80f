"""Beaconing: connection starts to one destination that repeat at a steady pace."""

from __future__ import annotations

import itertools

BEACON_MIN_EVENTS = 6  # connection starts, i.e. 5 intervals
BEACON_MIN_INTERVAL = 10.0  # seconds; faster repeats are ordinary chatter
# Slower than daily cannot be told from chance in a recording a person makes; months between
# beats come only from a capture whose clock is wrong (python-libtrace's 1000packets.pcap.gz
# spreads 1,000 packets over 7 years, each 8th start of a connection 260 days after the last)
BEACON_MAX_INTERVAL = 86_400.0
BEACON_REGULAR_SHARE = 0.8  # share of intervals within tolerance of the median
BEACON_TOLERANCE = 0.1  # +-10% of the median interval (at least 1 s)
BURST = 1.0  # starts closer than this are one event (parallel connections)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def beacon_interval(starts: list[float]) -> tuple[float, int] | None:
    """(median interval, number of events) when ``starts`` (sorted) repeat at a steady pace.

    Steady means: at least BEACON_MIN_EVENTS starts, a median interval of at least
    BEACON_MIN_INTERVAL seconds and at most BEACON_MAX_INTERVAL (a day), and
    BEACON_REGULAR_SHARE of the intervals within BEACON_TOLERANCE of the median (at least one
    second either way). Starts less than a second apart count as one event (a burst of
    parallel connections).
    """
    events: list[float] = []
    for start in starts:
        if not events or start - events[-1] >= BURST:
            events.append(start)
    if len(events) < BEACON_MIN_EVENTS:
        return None
    gaps = [b - a for a, b in itertools.pairwise(events)]
    middle = median(gaps)
    if middle < BEACON_MIN_INTERVAL or middle > BEACON_MAX_INTERVAL:
        return None
    tolerance = max(1.0, BEACON_TOLERANCE * middle)
    steady = sum(1 for gap in gaps if abs(gap - middle) <= tolerance)
    if steady < BEACON_MIN_EVENTS - 1 or steady < BEACON_REGULAR_SHARE * len(gaps):
        return None
    return middle, len(events)


def seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
