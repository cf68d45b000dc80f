"""Run one target's hostile inputs through the real command line, in this process.

    python -m tests.fuzz.worker --target androidqf --seed 1 --count 40 --work DIR [--long]

Each input runs as a user would run it (``exposure.cli.main(argv)``), with its output
captured. One JSON line per input goes to stdout: ``{"start": label}`` before it runs,
then ``{"label", "seconds", "code", "traceback", "peak_mb"}``. An input that runs past
INPUT_SECONDS ends the process with every thread's stack (faulthandler), so the parent
sees which input hung. ``peak_mb`` is this process's highest resident memory so far: as
the inputs run one after the other, the last value bounds every input's peak.

Anything that escapes ``main`` (or is raised in a helper thread) is a traceback, which is
what the suite forbids: hostile input must end in a warning or one line with exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import json
import os
import random
import resource
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

INPUT_SECONDS = 60  # the limit on every input
MEMORY_CEILING = 4 << 30  # address space; past this an allocation fails (a safety net on a shared machine)


def _short_adb_timeouts() -> None:
    """A fast run cannot wait 20 s for each silent fake phone: 1 s of silence is enough."""
    from exposure.collect.android import adb, commands

    def command(self: commands.AdbRunner, command: commands.Command, max_output: int | None = None) -> str:
        return self.run(command.args, min(command.timeout, 1.0), max_output=min(max_output or command.max_output,
                                                                                 command.max_output))

    commands.AdbRunner.command = command  # type: ignore[method-assign]
    setattr(adb, "PROBE_TIMEOUT", 0.5)  # noqa: B010 - a module constant, as tests monkeypatch it


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--long", action="store_true", help="real adb timeouts and the heavy crafted inputs")
    args = parser.parse_args()

    from exposure.cli import main as exposure_main
    from tests.fuzz.inputs import TARGETS

    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))
    except (ValueError, OSError):
        pass
    escaped: list[str] = []
    threading.excepthook = lambda hook: escaped.append("".join(
        traceback.format_exception(hook.exc_type, hook.exc_value, hook.exc_traceback)))
    if not args.long:
        _short_adb_timeouts()
    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    base_env = dict(os.environ)
    for number, item in enumerate(TARGETS[args.target](rng, args.work, args.count, args.long)):
        print(json.dumps({"start": item.label}), flush=True)
        os.environ.clear()
        os.environ.update(base_env | {"EXPOSURE_DATA_DIR": str(args.work / f"data-{number}")} | item.env)
        faulthandler.dump_traceback_later(INPUT_SECONDS, exit=True)
        started = time.monotonic()
        failure = ""
        code: object = None
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = exposure_main(item.argv)
        except SystemExit as exc:  # argparse refusing an argument: exit 2 with usage
            code = exc.code
        except BaseException:
            failure = traceback.format_exc()
        faulthandler.cancel_dump_traceback_later()
        seconds = time.monotonic() - started
        if escaped:
            failure += "\n".join(escaped)
            escaped.clear()
        if "Traceback (most recent call last)" in err.getvalue():
            failure += err.getvalue()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        print(json.dumps({"label": item.label, "seconds": round(seconds, 3), "code": code,
                          "traceback": failure[-4000:], "peak_mb": round(peak, 1),
                          "said": err.getvalue()[-300:]}), flush=True)
        for leftover in args.work.iterdir():  # keep the disk clean between inputs
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
