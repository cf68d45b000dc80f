"""``iterate_with_timeout`` (collect/bounded.py) hands items over in batches: every item comes,
in order, before a time-out or a failure is said; a hang costs ``item_timeout``, a slow
steady stream ``total_timeout``; the helper stops when the reader stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from exposure.collect.bounded import TimedOut, iterate_with_timeout


def test_every_item_in_order_even_past_the_room_for_pending_ones() -> None:
    assert list(iterate_with_timeout(lambda: range(5000), 5, 30)) == list(range(5000))
    assert list(iterate_with_timeout(lambda: [], 5, 30)) == []


@pytest.mark.timeout(30)
def test_the_items_before_a_hang_come_then_the_time_out() -> None:
    never = threading.Event()

    def hangs() -> Iterator[int]:
        yield from range(3)
        never.wait(30)
        yield 99

    got: list[int] = []
    started = time.monotonic()
    with pytest.raises(TimedOut, match=r"no answer within 0\.3 s"):
        for item in iterate_with_timeout(hangs, 0.3, 20):
            got.append(item)
    never.set()
    assert got == [0, 1, 2] and time.monotonic() - started < 5


def test_a_failure_comes_after_the_items_before_it() -> None:
    def fails() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("the list could not be read")

    got: list[int] = []
    with pytest.raises(OSError, match="could not be read"):
        for item in iterate_with_timeout(fails, 5, 30):
            got.append(item)
    assert got == [1, 2]


@pytest.mark.timeout(30)
def test_a_slow_steady_stream_stops_at_the_total_time() -> None:
    def slow() -> Iterator[int]:
        n = 0
        while True:
            time.sleep(0.05)
            n += 1
            yield n

    got: list[int] = []
    with pytest.raises(TimedOut, match=r"not finished within 0\.5 s"):
        for item in iterate_with_timeout(slow, 0.3, 0.5):
            got.append(item)
    assert got and got == list(range(1, len(got) + 1))


@pytest.mark.timeout(30)
def test_the_helper_stops_when_the_reader_stops() -> None:
    made: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            n += 1
            made.append(n)
            yield n

    for item in iterate_with_timeout(endless, 5, 30):
        if item == 10:
            break
    time.sleep(0.3)
    count = len(made)
    time.sleep(0.3)
    assert len(made) == count  # stopped (at most the room for pending items ahead)
    assert count <= 10 + 1025
