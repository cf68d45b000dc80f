"""Several inputs checked at once, one per process, as one job (the scan layer's pool).

``run_pool`` hands each item to ``work`` in a pool of processes (``concurrent.futures``, at
most the cores this process may use, one item per task) and gives the results back in the
order of the items, whatever order they finished in, so a report does not depend on which
process was quicker. With one worker, or one item, it runs them here one after another.

Each task gets a :class:`Channel`: it says how far it has got through its item (a fraction
of its bytes) and sees when the whole job is to stop. The pool adds the tasks' fractions,
weighted by each item's size, into one :class:`PoolProgress`, so a front end shows one
progress bar. ``cancel`` (set by a front end) stops every task at its next report; Ctrl-C
(or any exception) in the caller stops them too, drops the tasks not started and goes on
up once the processes have ended. The processes ignore Ctrl-C themselves: the caller
decides. A task that raises gives its exception in its place; the others go on.

``work`` and ``setup`` run in other processes: they must be module-level functions (or
``functools.partial`` of one), and the items and results must pickle.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

# multiprocessing and concurrent.futures are imported when processes are started: a scan
# that checks one source (``scan --host``) never starts any, and they cost ~10 ms to load.

Item = TypeVar("Item")
Result = TypeVar("Result")

POLL_SECONDS = 0.2  # how often the caller's cancel is looked at and the progress is said


@dataclass(frozen=True, slots=True)
class PoolProgress:
    done: int  # items finished
    total: int
    fraction: float  # of all the items' bytes, 0..1
    packets: int  # as the tasks counted them, added up


class Channel:
    """What a task has: ``progress`` to say how far it got, ``cancel`` to see when to stop."""

    def __init__(self, index: int, report: Callable[[int, float, int], None], cancel: threading.Event) -> None:
        self.index = index
        self._report = report
        self.cancel = cancel

    def progress(self, fraction: float, packets: int = 0) -> None:
        self._report(self.index, min(1.0, max(0.0, fraction)), packets)


@dataclass(frozen=True, slots=True)
class Stopped:
    """In place of the result of a task that never ran: the job was stopped first."""


@dataclass(frozen=True, slots=True)
class Failed:
    """In place of the result of a task that raised (or whose process ended)."""

    error: BaseException




def usable_cores() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Tally:
    """The job's progress: each item's fraction weighted by its size."""

    def __init__(self, sizes: Sequence[int], say: Callable[[PoolProgress], None]) -> None:
        self.sizes = [max(1, s) for s in sizes]
        self.fractions = [0.0] * len(sizes)
        self.packets = [0] * len(sizes)
        self.done = 0
        self.say = say

    def update(self, index: int, fraction: float, packets: int) -> None:
        self.fractions[index] = fraction
        self.packets[index] = packets

    def finished(self, index: int) -> None:
        self.fractions[index] = 1.0
        self.done += 1

    def tell(self) -> None:
        total = sum(self.sizes)
        read = sum(f * s for f, s in zip(self.fractions, self.sizes, strict=True))
        self.say(PoolProgress(self.done, len(self.sizes), min(1.0, read / total), sum(self.packets)))


def run_pool(work: Callable[[Item, Channel], Result], items: Sequence[Item], sizes: Sequence[int], *,
             workers: int, progress: Callable[[PoolProgress], None], cancel: threading.Event,
             setup: Callable[[], None] | None = None) -> list[Result | Stopped | Failed]:
    """``work(item, channel)`` for every item, in up to ``workers`` processes; the outcomes
    in the items' order."""
    tally = _Tally(sizes, progress)
    workers = min(workers, len(items))
    if workers < 2:
        return _here(work, items, tally, cancel, setup)
    return _in_processes(work, items, tally, workers, cancel, setup)


def _here(work: Callable[[Item, Channel], Result], items: Sequence[Item], tally: _Tally,
          cancel: threading.Event, setup: Callable[[], None] | None) -> list[Result | Stopped | Failed]:
    """One after another in this process (one core, or one item)."""
    if setup is not None:
        setup()

    def report(index: int, fraction: float, packets: int) -> None:
        tally.update(index, fraction, packets)
        tally.tell()

    out: list[Result | Stopped | Failed] = []
    for index, item in enumerate(items):
        if cancel.is_set():
            out.append(Stopped())
            continue
        try:
            out.append(work(item, Channel(index, report, cancel)))
        except Exception as exc:  # one item's failure is its own: the others go on
            out.append(Failed(exc))
        tally.finished(index)
        tally.tell()
    return out


def _in_processes(work: Callable[[Item, Channel], Result], items: Sequence[Item], tally: _Tally, workers: int,
                  cancel: threading.Event, setup: Callable[[], None] | None) -> list[Result | Stopped | Failed]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = _context()
    _start_resource_tracker()
    reports = context.SimpleQueue()
    stop = context.Event()
    out: list[Result | Stopped | Failed] = [Stopped()] * len(items)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(reports, stop, setup))
    try:
        futures: dict[Future[Result | Stopped], int] = {pool.submit(_task, work, index, item): index
                                              for index, item in enumerate(items)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            _drain(reports, tally)
            for future in finished:
                index = futures[future]
                out[index] = _outcome(future)
                tally.finished(index)
            if cancel.is_set() and not stop.is_set():
                stop.set()  # the running tasks stop at their next report, the others never start
                for future in pending:
                    future.cancel()
            tally.tell()
    except BaseException:
        stop.set()  # Ctrl-C, or SIGTERM unwinding: let the processes end before going on up
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return out


def _start_resource_tracker() -> None:
    """multiprocessing's resource tracker (a process it starts with the first queue) is handed
    ``sys.stderr``'s descriptor: under a front end that captures ``sys.stderr`` with no descriptor
    (the app: Textual's print capture says -1) starting it fails (an error about bad values in fds_to_keep)
    and no folder of captures could be checked. Start it then with its output going nowhere."""
    import sys

    try:
        if sys.stderr is None or sys.stderr.fileno() >= 0:
            return
    except (AttributeError, OSError, ValueError):
        return  # no descriptor at all: multiprocessing leaves it out itself
    from multiprocessing import resource_tracker

    captured = sys.stderr
    with open(os.devnull, "w", encoding="utf-8") as nowhere:
        sys.stderr = nowhere
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


def _outcome(future: Future[Result | Stopped]) -> Result | Stopped | Failed:
    from concurrent.futures.process import BrokenProcessPool

    if future.cancelled():
        return Stopped()
    error = future.exception()
    if error is not None:
        return Failed(error if not isinstance(error, BrokenProcessPool) else RuntimeError(
            "a checking process ended unexpectedly"))
    return future.result()


def _drain(reports: Any, tally: _Tally) -> None:
    while not reports.empty():
        index, fraction, packets = reports.get()
        if tally.fractions[index] < 1.0:
            tally.update(index, fraction, packets)


def _context() -> BaseContext:
    """fork when this process runs a single thread (the workers then share what it has
    built, such as the indicator index); else a fresh interpreter (forking a process with
    threads can leave a lock held in the child)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


# --- in each worker process ------------------------------------------------------------

_worker_reports: Any = None
_worker_stop: Any = None
_worker_cancel = threading.Event()


def _start_worker(reports: Any, stop: Any, setup: Callable[[], None] | None) -> None:
    global _worker_reports, _worker_stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_reports = reports
    _worker_stop = stop

    def watch() -> None:
        stop.wait()
        _worker_cancel.set()

    threading.Thread(target=watch, name="pool-stop", daemon=True).start()
    if setup is not None:
        setup()


def _task(work: Callable[[Item, Channel], Result], index: int, item: Item) -> Result | Stopped:
    if _worker_stop.is_set():
        return Stopped()  # handed over before the job was stopped, but not begun

    def report(at: int, fraction: float, packets: int) -> None:
        _worker_reports.put((at, fraction, packets))

    return work(item, Channel(index, report, _worker_cancel))
