"""Package listings started ahead: ``dpkg-query`` (or ``rpm``, ``flatpak``, ``snap``) runs in a
helper thread while the checks before it (running programs, connections) read /proc, so the
scan does not wait for it afterwards (the program runs on another core; ~15 ms of a host scan).

Only the running of the program moves: what it printed, or the CommandFailed it ended with,
is handed over when the software check asks for it, in the same order as before, and every
warning is still said by that check. The program is bounded as any other (``run_command``:
a time limit, an output cap); a listing asked for but never used ends on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

Runner = Callable[[Sequence[str]], str]


class PrefetchingRunner:
    """A ``HostRun.run`` that answers the commands given to :meth:`start` from what they
    printed (started at once, in helper threads), and runs any other command when asked."""

    def __init__(self, run: Runner) -> None:
        self._run = run
        self._started: dict[tuple[str, ...], tuple[threading.Event, list[str], list[BaseException]]] = {}

    def start(self, commands: Iterable[Sequence[str]]) -> None:
        for argv in commands:
            key = tuple(argv)
            if key in self._started:
                continue
            done = threading.Event()
            printed: list[str] = []
            failed: list[BaseException] = []

            def work(argv: tuple[str, ...] = key, done: threading.Event = done, printed: list[str] = printed,
                     failed: list[BaseException] = failed) -> None:
                try:
                    printed.append(self._run(argv))
                except BaseException as exc:  # handed to the check that asks for it
                    failed.append(exc)
                finally:
                    done.set()

            self._started[key] = (done, printed, failed)
            threading.Thread(target=work, daemon=True, name="exposure-prefetch").start()

    def __call__(self, argv: Sequence[str]) -> str:
        started = self._started.pop(tuple(argv), None)
        if started is None:
            return self._run(argv)
        done, printed, failed = started
        done.wait()  # run_command ends within its own time limit
        if failed:
            raise failed[0]
        return printed[0]
