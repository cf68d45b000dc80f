"""What every part of the host collector shares: where to report, and how to run a command.

Each artifact module (processes, software, certificates...) is a function that takes a
:class:`HostRun` and yields observations. ``HostRun.root`` lets tests point the file
readers at a fake tree; ``run_command`` is the one place that starts a program, always
read-only, with a timeout and a plain locale, so tests can replace it with recorded output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exposure.collect.base import CheckNote, WarnCallback
from exposure.model import SourceInfo

COLLECTOR = "host"
SOURCE = "this computer"
COMMAND_TIMEOUT = 20.0  # seconds; a package list on a large system takes one or two


class CommandFailed(Exception):
    """A read-only command could not run or failed; the message is one plain line."""


def run_command(argv: Sequence[str], timeout: float = COMMAND_TIMEOUT) -> str:
    """The standard output of ``argv`` as text; raises CommandFailed."""
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise CommandFailed(f"{argv[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise CommandFailed(f"{argv[0]} did not answer within {timeout:.0f} s") from None
    except OSError as exc:
        raise CommandFailed(f"{argv[0]} could not run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandFailed(f"{argv[0]} failed" + (f": {detail[-1][:200]}" if detail else ""))
    return done.stdout.decode("utf-8", "replace")


@dataclass(slots=True)
class HostRun:
    """One host scan in progress: where to write what was (not) looked at."""

    info: SourceInfo
    warn: WarnCallback = field(default=lambda message: None)
    platform: str = sys.platform
    root: Path = Path("/")  # file readers resolve absolute paths under this
    is_admin: bool = False
    hash_executables: bool = True
    run: Callable[[Sequence[str]], str] = run_command

    def path(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    def checked(self, key: str, text: str, /, **params: object) -> None:
        """Record what was looked at: a key in explain/checks.yaml, its English words, and
        the variable parts (counts, paths) as params."""
        self.info.add_checked(CheckNote.of(key, text, **params))

    def not_checked(self, key: str, text: str, /, **params: object) -> None:
        self.info.add_not_checked(CheckNote.of(key, text, **params))

    def count(self, name: str, n: int) -> None:
        self.info.counts[name] = self.info.counts.get(name, 0) + n


def is_admin() -> bool:
    """Root on Unix, an elevated administrator on Windows."""
    if hasattr(os, "geteuid"):
        return os.geteuid() == 0
    try:
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False
