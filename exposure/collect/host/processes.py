"""Running programs (psutil): name, program file, command line, user.

A normal user cannot read the program file and command line of other users' programs;
those are counted and reported as a warning, never an error. A program's file is
fingerprinted (SHA-256) only within a budget, so a scan stays fast on a busy desktop.

Another program's data is untrusted and may never arrive: a program can replace its own
file with a named pipe (opening it would wait forever), or run from a file system that
never answers. So the process list is read in a helper thread with a time limit per
program, a program file is opened only when it is a regular file, and each fingerprint
has a time limit (``limits.py``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psutil

from exposure.collect.bounded import TimedOut, call_with_timeout, iterate_with_timeout
from exposure.collect.host.base import COLLECTOR, SOURCE, HostRun
from exposure.collect.host.limits import (
    FILE_READ_TIMEOUT,
    HASH_MAX_FILE,
    HASH_MAX_TOTAL,
    MAX_CMDLINE,
    MAX_READ_TIMEOUTS,
    PROCESS_LIST_TIMEOUT,
    PROCESS_READ_TIMEOUT,
)
from exposure.model import CheckNote
from exposure.observations.host import HostProcess
from exposure.untrusted import SpecialFile, open_regular_file

_ATTRS = ["pid", "name", "exe", "cmdline", "username"]


@dataclass(slots=True)
class ProcessTable:
    """What the connection reader needs from the process pass: pid -> name."""

    names: dict[int, str] = field(default_factory=dict)


class _Hasher:
    """SHA-256 of program files, each file once, within a total budget and a time limit."""

    def __init__(self, run: HostRun) -> None:
        self.run = run
        self.done: dict[str, str] = {}
        self.read = 0
        self.skipped = 0
        self.timeouts = 0

    def digest(self, path: str) -> str:
        if path in self.done:
            return self.done[path]
        result = ""
        if self.timeouts >= MAX_READ_TIMEOUTS:
            self.skipped += 1
        else:
            try:
                result = call_with_timeout(lambda: self._sha256(path), FILE_READ_TIMEOUT)
            except TimedOut:
                self.timeouts += 1
                self.skipped += 1
                self.run.warn(CheckNote.of("warn.host.read-timeout",
                                           f"reading {path} did not finish within {FILE_READ_TIMEOUT:g} s;"
                                           " it was not fingerprinted", path=path, seconds=f"{FILE_READ_TIMEOUT:g}"))
            except SpecialFile as exc:
                self.skipped += 1
                self.run.warn(CheckNote.of("warn.host.program-file-special",
                                           f"the file of a running program, {path}, is {exc.kind}: it was not read",
                                           path=path, kind=exc.kind))
            except OSError:
                self.skipped += 1
        self.done[path] = result
        return result

    def _sha256(self, path: str) -> str:
        """The fingerprint, or "" when the file is too large or over the budget."""
        with open_regular_file(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > HASH_MAX_FILE or self.read + size > HASH_MAX_TOTAL:
                self.skipped += 1
                return ""
            h = hashlib.sha256()
            read = 0
            while read <= size:  # a file that grows while it is read stops at its size
                block = handle.read(1 << 20)
                if not block:
                    break
                read += len(block)
                h.update(block)
            self.read += read
            return h.hexdigest()


def _process_infos() -> Iterator[tuple[Any, dict[str, Any]]]:
    """(process, its details) for every running program, read by psutil."""
    for proc in psutil.process_iter(_ATTRS, ad_value=None):
        try:
            yield proc, proc.info
        except psutil.Error:  # pragma: no cover - process_iter pre-loads info
            continue


def collect_processes(run: HostRun, table: ProcessTable) -> Iterator[HostProcess]:
    hasher = _Hasher(run) if run.hash_executables else None
    denied = total = 0
    listing = iterate_with_timeout(_process_infos, PROCESS_READ_TIMEOUT, PROCESS_LIST_TIMEOUT)
    while True:
        try:
            proc, data = next(listing)
        except StopIteration:
            break
        except TimedOut as exc:
            run.warn(CheckNote.of("warn.host.processes-stopped",
                                  f"the list of running programs stopped answering ({exc}); programs after the first"
                                  f" {total} were not read", count=total, problem=exc))
            run.not_checked("host.processes-unfinished",
                            f"running programs after the first {total} (the list stopped answering)", count=total)
            break
        total += 1
        pid = int(data.get("pid") or proc.pid)
        name = str(data.get("name") or "")
        exe = data.get("exe")
        cmdline = data.get("cmdline")
        if exe is None or cmdline is None:
            denied += 1
        if not name:
            continue
        table.names[pid] = name
        exe_text = str(exe or "")
        digest = hasher.digest(exe_text) if hasher and exe_text and os.path.isabs(exe_text) else ""
        yield HostProcess(
            COLLECTOR, SOURCE, name=name, pid=pid, exe=exe_text,
            cmdline=" ".join(str(part) for part in (cmdline or ()))[:MAX_CMDLINE],
            user=str(data.get("username") or ""), exe_sha256=digest,
        )
    run.count("processes", total)
    run.checked("host.processes", f"running programs: {total} (names, program files, command lines, users)",
                count=total)
    if denied:
        message = f"running programs whose program file or command line could not be read: {denied}"
        if not run.is_admin:
            message += " (they belong to other users or to the system; run as administrator to see them)"
        run.warn(CheckNote.of("warn.host.processes-denied" if run.is_admin else "warn.host.processes-denied-user",
                              message,
                              count=denied))
        run.not_checked("host.processes-denied" if run.is_admin else "host.processes-denied-user", message,
                        count=denied)
    if hasher is not None:
        hashed = sum(1 for d in hasher.done.values() if d)
        run.checked("host.program-hashes", f"fingerprints (SHA-256) of program files: {hashed}", count=hashed)
        if hasher.skipped:
            budget = HASH_MAX_TOTAL // (1024 * 1024)
            run.not_checked("host.program-hashes-skipped",
                            f"program files not fingerprinted (too large, unreadable or over the {budget} MiB budget): "
                            f"{hasher.skipped}", count=hasher.skipped, budget=budget)
    else:
        run.not_checked("host.program-hashes-off", "program files were not fingerprinted (switched off)")
