"""Waiting on what another program or process gives us, with a limit on time and size.

A phone that stops answering, a command that prints gigabytes, a program file on a
file system that never returns a read: each must cost the scan a bounded time and a
bounded amount of memory, then become a plain warning. Three helpers:

* :func:`run_bounded` runs a program, keeps at most ``max_output`` bytes of what it
  prints and kills it when it passes that or its timeout;
* :func:`call_with_timeout` runs a function in a helper thread and stops waiting for it
  after ``timeout`` seconds (the thread is left behind, daemonic: Python cannot cancel a
  read that the kernel never finishes);
* :func:`iterate_with_timeout` does the same for each item of an iterator.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TypeVar, cast

T = TypeVar("T")
STDERR_KEPT = 64 * 1024  # bytes of a program's error output kept (its last lines say why)
_CHUNK = 1 << 16


class TimedOut(Exception):
    """The call or the next item did not come within its time."""


@dataclass(frozen=True, slots=True)
class Completed:
    """What a program did: its exit code (None when it was killed) and what it printed."""

    returncode: int | None
    stdout: bytes | bytearray  # the buffer it was read into, not copied (it may be 128 MiB)
    stderr: bytes
    timed_out: bool = False
    too_large: bool = False  # it printed more than max_output bytes; stdout holds the first ones


class _Sink:
    def __init__(self, cap: int, keep_tail: bool = False) -> None:
        self.cap = cap
        self.keep_tail = keep_tail
        self.data = bytearray()
        self.overflowed = False
        self.last = time.monotonic()  # when the program last printed something

    def drain(self, pipe: IO[bytes]) -> None:
        try:
            while True:
                block = pipe.read1(_CHUNK) if hasattr(pipe, "read1") else pipe.read(_CHUNK)
                if not block:
                    return
                self.last = time.monotonic()
                self.data += block
                if len(self.data) > self.cap:
                    if not self.keep_tail:
                        self.overflowed = True
                        del self.data[self.cap:]
                        return
                    del self.data[:len(self.data) - self.cap]
        except (OSError, ValueError):
            return


def run_bounded(argv: Sequence[str], timeout: float, max_output: int,
                env: Mapping[str, str] | None = None, idle_timeout: float | None = None) -> Completed:
    """Run ``argv`` (stdin empty) for at most ``timeout`` seconds, keeping at most
    ``max_output`` bytes of its output; with ``idle_timeout``, it is also stopped when it
    prints nothing for that long (a long answer that keeps coming may take ``timeout``,
    silence may not). Raises OSError when it cannot start."""
    proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(env) if env is not None else None)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = _Sink(max_output), _Sink(STDERR_KEPT, keep_tail=True)
    readers = [threading.Thread(target=out.drain, args=(proc.stdout,), daemon=True),
               threading.Thread(target=err.drain, args=(proc.stderr,), daemon=True)]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    idle = timeout if idle_timeout is None else idle_timeout
    while readers[0].is_alive():  # it ends at the end of the output, or at the cap
        now = time.monotonic()
        wait = min(deadline, max(out.last, err.last) + idle) - now
        if wait <= 0:
            break
        readers[0].join(min(wait, 0.5))
    timed_out = readers[0].is_alive()
    code: int | None = None
    if not timed_out and not out.overflowed:
        try:
            code = proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True  # it closed its output but did not end
    if code is None:
        _kill(proc)
    for reader in readers:
        reader.join(0.25)  # a child of the program may hold the pipes open: do not wait on it
    if not any(reader.is_alive() for reader in readers):
        proc.stdout.close()
        proc.stderr.close()
    kept = bytearray() if out.overflowed else out.data  # what is over the cap is never used
    return Completed(code, kept, bytes(err.data), timed_out=timed_out, too_large=out.overflowed)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.kill()
        proc.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        pass


def call_with_timeout(function: Callable[[], T], timeout: float) -> T:
    """``function()``'s result, or TimedOut after ``timeout`` seconds; its exceptions pass
    through."""
    box: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            box.append(function())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=target, daemon=True, name="exposure-bounded-call")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimedOut(f"no answer within {timeout:g} s")
    if failure:
        raise failure[0]
    return box[0]


_BATCH_WAIT = 0.05  # seconds the reading side waits before taking what has come so far
_MAX_PENDING = 1024  # items produced ahead of the reading side


class _Handover:
    """Items passed from the helper thread to the caller in batches: the helper never wakes
    the caller for one item (two threads handing the interpreter back and forth for each of
    ~100 running programs cost more than reading them)."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.pending: list[object] = []
        self.last = time.monotonic()  # when the last item came (or the start)
        self.finished = False
        self.failure: BaseException | None = None
        self.stop = False


def iterate_with_timeout(make: Callable[[], Iterable[T]], item_timeout: float,
                         total_timeout: float) -> Iterator[T]:
    """The items of ``make()``, produced in a helper thread; TimedOut when the next one
    takes longer than ``item_timeout`` or all of them longer than ``total_timeout``. The
    items produced before a time-out are all given first, in their order."""
    box = _Handover()

    def produce() -> None:
        try:
            for item in make():
                with box.lock:
                    while len(box.pending) >= _MAX_PENDING and not box.stop:
                        box.lock.wait(0.5)
                    if box.stop:
                        return
                    box.pending.append(item)
                    box.last = time.monotonic()
            with box.lock:
                box.finished = True
                box.lock.notify_all()
        except BaseException as exc:  # handed to the caller below
            with box.lock:
                box.failure = exc
                box.lock.notify_all()

    threading.Thread(target=produce, daemon=True, name="exposure-bounded-iter").start()
    deadline = time.monotonic() + total_timeout
    try:
        while True:
            asked = time.monotonic()
            with box.lock:
                while not box.pending and not box.finished and box.failure is None:
                    now = time.monotonic()
                    if now >= deadline:
                        raise TimedOut(f"not finished within {total_timeout:g} s")
                    if now >= max(asked, box.last) + item_timeout:
                        raise TimedOut(f"no answer within {item_timeout:g} s")
                    box.lock.wait(min(_BATCH_WAIT, deadline - now, max(asked, box.last) + item_timeout - now))
                batch, box.pending = box.pending, []
                box.lock.notify_all()  # a producer waiting for room
                finished, failure = box.finished, box.failure
            for item in batch:
                if time.monotonic() >= deadline:
                    raise TimedOut(f"not finished within {total_timeout:g} s")
                yield cast(T, item)
            if not batch:
                if failure is not None:
                    raise failure
                if finished:
                    return
    finally:
        with box.lock:
            box.stop = True
            box.lock.notify_all()


def plain_environment(**extra: str) -> dict[str, str]:
    """This process's environment with a plain locale, so programs print what parsers expect."""
    return dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", **extra)
