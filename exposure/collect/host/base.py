"""What every part of the host collector shares: where to report, and how to run a command.

Each artifact module (processes, software, certificates...) is a function that takes a
:class:`HostRun` and yields observations. ``HostRun.root`` lets tests point the file
readers at a fake tree; ``run_command`` is the one place that starts a program, always
read-only, with a timeout and a plain locale, so tests can replace it with recorded output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exposure.collect.base import CheckNote, WarnCallback
from exposure.collect.bounded import TimedOut, call_with_timeout, plain_environment, run_bounded
from exposure.collect.host.limits import COMMAND_TIMEOUT, FILE_READ_TIMEOUT, MAX_COMMAND_OUTPUT
from exposure.model import SourceInfo
from exposure.untrusted import UnreadableFile, describe_size, read_regular_file

COLLECTOR = "host"
SOURCE = "this computer"


class CommandFailed(Exception):
    """A read-only command could not run or failed; the message is one plain line."""


def run_command(argv: Sequence[str], timeout: float = COMMAND_TIMEOUT, env: Mapping[str, str] | None = None) -> str:
    """The standard output of ``argv`` as text; raises CommandFailed. ``env``: variables
    set for this program only (never through ``os.environ``, which another thread may be
    starting a program with)."""
    try:
        done = run_bounded(argv, timeout, MAX_COMMAND_OUTPUT, env=plain_environment(**(env or {})))
    except FileNotFoundError:
        raise CommandFailed(f"{argv[0]} is not installed") from None
    except OSError as exc:
        raise CommandFailed(f"{argv[0]} could not run: {exc.strerror or exc}") from None
    if done.timed_out:
        raise CommandFailed(f"{argv[0]} did not answer within {timeout:.0f} s")
    if done.too_large:
        raise CommandFailed(f"{argv[0]} printed more than {describe_size(MAX_COMMAND_OUTPUT)}; not read")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandFailed(f"{argv[0]} failed" + (f": {detail[-1][:200]}" if detail else ""))
    return done.stdout.decode("utf-8", "replace")


def read_system_file(path: str | os.PathLike[str], limit: int, *, start_only: bool = False) -> bytes:
    """A file of this computer: only a regular file is opened (a named pipe or a device
    never is), at most ``limit`` bytes are read, and a read that does not finish within
    FILE_READ_TIMEOUT is given up. Raises OSError (UnreadableFile for the refusals)."""
    try:
        return call_with_timeout(lambda: read_regular_file(path, limit, start_only=start_only), FILE_READ_TIMEOUT)
    except TimedOut:
        raise UnreadableFile(f"no answer within {FILE_READ_TIMEOUT:g} s") from None


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
    # A private folder that ``run`` already gives gsettings as its XDG_RUNTIME_DIR (the
    # collector makes it, to start gsettings ahead); None: the proxy check makes its own.
    dconf_folder: str | None = None

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
