"""Running programs (psutil): name, program file, command line, user.

A normal user cannot read the program file and command line of other users' programs;
those are counted and reported as a warning, never an error. A program's file is
fingerprinted (SHA-256) only within a budget, so a scan stays fast on a busy desktop.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil

from exposure.collect.host.base import COLLECTOR, SOURCE, HostRun
from exposure.model import CheckNote
from exposure.observations.host import HostProcess

MAX_CMDLINE = 1000  # characters kept of a command line
HASH_MAX_FILE = 64 * 1024 * 1024  # larger program files are not fingerprinted
HASH_MAX_TOTAL = 512 * 1024 * 1024  # bytes read for fingerprints in one scan
_ATTRS = ["pid", "name", "exe", "cmdline", "username"]


@dataclass(slots=True)
class ProcessTable:
    """What the connection reader needs from the process pass: pid -> name."""

    names: dict[int, str] = field(default_factory=dict)


class _Hasher:
    """SHA-256 of program files, each file once, within a total budget."""

    def __init__(self) -> None:
        self.done: dict[str, str] = {}
        self.read = 0
        self.skipped = 0

    def digest(self, path: str) -> str:
        if path in self.done:
            return self.done[path]
        result = ""
        try:
            size = os.stat(path).st_size
            if size <= HASH_MAX_FILE and self.read + size <= HASH_MAX_TOTAL:
                h = hashlib.sha256()
                with open(path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        h.update(block)
                self.read += size
                result = h.hexdigest()
            else:
                self.skipped += 1
        except OSError:
            self.skipped += 1
        self.done[path] = result
        return result


def collect_processes(run: HostRun, table: ProcessTable) -> Iterator[HostProcess]:
    hasher = _Hasher() if run.hash_executables else None
    denied = total = 0
    for proc in psutil.process_iter(_ATTRS, ad_value=None):
        try:
            data = proc.info
        except psutil.Error:  # pragma: no cover - process_iter pre-loads info
            continue
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
        message = f"the program file or command line of {denied} running programs could not be read"
        if not run.is_admin:
            message += " (they belong to other users or to the system; run as administrator to see them)"
        run.warn(CheckNote.of("warn.host.processes-denied" if run.is_admin else "warn.host.processes-denied-user",
                              message,
                              count=denied))
        run.not_checked("host.processes-denied" if run.is_admin else "host.processes-denied-user", message,
                        count=denied)
    if hasher is not None:
        hashed = sum(1 for d in hasher.done.values() if d)
        run.checked("host.program-hashes", f"fingerprints (SHA-256) of {hashed} program files", count=hashed)
        if hasher.skipped:
            budget = HASH_MAX_TOTAL // (1024 * 1024)
            run.not_checked("host.program-hashes-skipped",
                            f"{hasher.skipped} program files were not fingerprinted (too large, unreadable or "
                            f"over the {budget} MiB budget)", count=hasher.skipped, budget=budget)
    else:
        run.not_checked("host.program-hashes-off", "program files were not fingerprinted (switched off)")
