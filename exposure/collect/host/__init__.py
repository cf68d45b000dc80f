"""This computer: running programs, their connections, installed software, added root
certificates, a system-wide proxy and the hosts file.

``make_collector`` is the factory that ``exposure.collect`` calls for kind "host". The
collector runs without administrator rights; whatever it could not see then goes into the
report's warnings and its "not checked" list, never into a crash. Options (SourceSpec):
``hash=no`` switches off fingerprinting of program files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from exposure.collect.base import CheckNote, CollectContext, Progress
from exposure.collect.host import base
from exposure.collect.host.base import COLLECTOR, SOURCE, CommandFailed, HostRun, is_admin
from exposure.collect.host.connections import collect_connections
from exposure.collect.host.hostsfile import collect_hosts
from exposure.collect.host.prefetch import PrefetchingRunner
from exposure.collect.host.processes import ProcessTable, collect_processes
from exposure.collect.host.proxy import collect_proxy
from exposure.collect.host.rootcerts import collect_root_certificates
from exposure.collect.host.software import SoftwareReader, all_readers
from exposure.model import Observation, SourceInfo
from exposure.observations.host import InstalledSoftware

if TYPE_CHECKING:
    from exposure.model import SourceSpec


def collect_software(run: HostRun, readers: list[SoftwareReader] | None = None) -> Iterator[InstalledSoftware]:
    """Installed software from every reader that applies here."""
    used = 0
    for reader in readers if readers is not None else all_readers():
        if not reader.available(run):
            continue
        used += 1
        count = 0
        try:
            for package in reader.read(run):
                count += 1
                yield InstalledSoftware(
                    COLLECTOR, SOURCE, name=package.name, manager=package.manager, version=package.version,
                    display_name=package.display_name, publisher=package.publisher, path=package.path,
                    executable=package.executable,
                )
        except (CommandFailed, OSError) as exc:
            run.warn(CheckNote.of("warn.host.software-unlisted", f"{reader.label} could not be listed: {exc}",
                                  what=reader.label, problem=exc))
            run.not_checked(f"host.software-unread.{reader.manager}", reader.label)
            continue
        run.count(f"software:{reader.manager}", count)
        run.checked(f"host.software.{reader.manager}", f"installed software, {reader.label}: {count}",
                    count=count)
    if not used:
        run.not_checked("host.software-unknown",
                        f"installed software (no package manager known to exposure on {run.platform})",
                        platform=run.platform)


class HostCollector:
    """Reads this computer, one artifact after the other."""

    def __init__(self, hash_executables: bool = True) -> None:
        self.info = SourceInfo(kind="host", name=SOURCE)
        self.hash_executables = hash_executables

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        admin = is_admin()
        runner = PrefetchingRunner(lambda argv: base.run_command(argv))
        run = HostRun(info=self.info, warn=ctx.warn, platform=sys.platform, is_admin=admin,
                      hash_executables=self.hash_executables, run=runner)
        readers = all_readers()
        # the package listings run while programs and connections are read (prefetch.py)
        runner.start(c for r in readers if (c := getattr(r, "command", None)) is not None and r.available(run))
        self.info.details.update({
            "os": _system_and_release(),
            "administrator": "yes" if admin else "no",
        })
        if not admin:
            run.warn(CheckNote.of("warn.host.not-admin", "running without administrator rights: other users' programs"
                                  " and connections are only partly visible (see 'not checked')"))
        table = ProcessTable()
        # (what it reads, in English words and by its key in explain/checks.yaml; the step)
        steps: list[tuple[str, str, Callable[[], Iterator[Observation]]]] = [
            ("running programs", "reading.host-processes", lambda: collect_processes(run, table)),
            ("network connections", "reading.host-connections", lambda: collect_connections(run, table)),
            ("installed software", "reading.host-software", lambda: collect_software(run, readers)),
            ("root certificates", "reading.host-root-certificates", lambda: collect_root_certificates(run)),
            ("proxy settings", "reading.host-proxy", lambda: collect_proxy(run)),
            ("hosts file", "reading.host-hosts-file", lambda: collect_hosts(run)),
        ]
        for number, (stage, key, step) in enumerate(steps):
            if ctx.cancel.is_set():
                run.not_checked("host.cancelled", "the rest of the checks (cancelled)")
                return
            ctx.progress(Progress(SOURCE, stage, tuple(self.info.counts.items()), number / len(steps),
                                  CheckNote.of(key, stage)))
            yield from step()
        ctx.progress(Progress(SOURCE, "done", tuple(self.info.counts.items()), 1.0))


def _system_and_release() -> str:
    """``Linux 6.1.0``, as ``platform.system()`` and ``platform.release()`` give it (from
    ``os.uname`` where there is one: importing ``platform`` costs more than the rest)."""
    if hasattr(os, "uname"):
        uname = os.uname()
        return f"{uname.sysname} {uname.release}".strip()
    import platform

    return f"{platform.system()} {platform.release()}".strip()


def make_collector(spec: SourceSpec) -> HostCollector:
    return HostCollector(hash_executables=spec.option("hash", "yes") != "no")
