"""Benchmark: a full host check of this computer (``exposure scan --host``), and each of
its parts, against the plain system tools that read the same things.

Run by hand:  .venv/bin/python benchmarks/bench_host.py [--repeat 5] [--spawn 300]

* "full scan (CLI)" runs ``exposure scan --host --json`` as a fresh process: start-up,
  profile loading, every check, the report; what a person waits for.
* "run_scan" is the same pipeline in this process (no interpreter start-up), with program
  fingerprints on (the default, capped at 64 MiB a file and 512 MiB in total) and off.
* The parts are timed one by one through the collector's own functions.
* The baseline is the same data read by shell tools in one go: ``ps -eo ...``,
  ``dpkg-query -W``, ``ss -tunap``, ``cat /etc/hosts``, ``ls /usr/local/share/ca-certificates``.
* ``--spawn N`` starts N idle ``sleep`` children first (a busy desktop has 300-500
  programs; this container has about 80) and stops them, by their own pids, at the end.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from exposure.collect.host import collect_software  # noqa: E402
from exposure.collect.host.base import HostRun, is_admin  # noqa: E402
from exposure.collect.host.connections import collect_connections  # noqa: E402
from exposure.collect.host.hostsfile import collect_hosts  # noqa: E402
from exposure.collect.host.processes import ProcessTable, collect_processes  # noqa: E402
from exposure.collect.host.proxy import collect_proxy  # noqa: E402
from exposure.collect.host.rootcerts import collect_root_certificates  # noqa: E402
from exposure.model import SourceInfo, SourceSpec  # noqa: E402
from exposure.scan import ScanRequest, run_scan  # noqa: E402

BASELINE = ("ps -eo pid,user,comm,args >/dev/null; dpkg-query -W -f='${Package}\\t${Version}\\t${Status}\\n'"
            " >/dev/null; ss -tunap >/dev/null 2>&1; cat /etc/hosts >/dev/null;"
            " ls -l /usr/local/share/ca-certificates >/dev/null")


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and max seconds over ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def part(step: Callable[[HostRun, ProcessTable], object]) -> Callable[[], object]:
    def go() -> object:
        run = HostRun(info=SourceInfo("host", "this computer"), is_admin=is_admin())
        return list(step(run, ProcessTable()))  # type: ignore[call-overload]
    return go


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spawn", type=int, default=0)
    args = parser.parse_args()
    children = [subprocess.Popen(["sleep", "600"]) for _ in range(args.spawn)]
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")
        import psutil

        print(f"machine: {os.cpu_count()} cores, {cpu}; {len(psutil.pids())} processes;"
              f" administrator: {is_admin()}")
        rows: list[tuple[str, float, float]] = []
        exe = shutil.which("exposure") or str(REPO / ".venv/bin/exposure")
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, EXPOSURE_DATA_DIR=folder)

            def cli() -> None:
                out = Path(folder) / "out.json"
                subprocess.run([exe, "scan", "--host", "--quiet", "--force", "--json", str(out)], env=env,
                               check=True, stdout=subprocess.DEVNULL)

            rows.append(("full scan (CLI, new process)", *timed(cli, args.repeat)))
            os.environ["EXPOSURE_DATA_DIR"] = folder
            for label, options in (("run_scan, fingerprints on", ()), ("run_scan, fingerprints off",
                                                                       (("hash", "no"),))):
                request = ScanRequest(sources=(SourceSpec("host", options=options),))
                rows.append((label, *timed(functools.partial(run_scan, request), args.repeat)))
        rows.append(("  running programs", *timed(part(lambda run, t: collect_processes(run, t)), args.repeat)))
        rows.append(("  connections", *timed(part(lambda run, t: collect_connections(run, t)), args.repeat)))
        rows.append(("  installed software", *timed(part(lambda run, t: collect_software(run)), args.repeat)))
        rows.append(("  root certificates", *timed(part(lambda run, t: collect_root_certificates(run)),
                                                   args.repeat)))
        rows.append(("  proxy settings", *timed(part(lambda run, t: collect_proxy(run)), args.repeat)))
        rows.append(("  hosts file", *timed(part(lambda run, t: collect_hosts(run)), args.repeat)))
        rows.append(("baseline: ps + dpkg-query + ss + cat + ls (shell)",
                     *timed(lambda: subprocess.run(["sh", "-c", BASELINE], check=False), args.repeat)))
        base = rows[-1][1]
        print(f"{'what':52} {'median s':>9} {'max s':>7} {'x baseline':>10}")
        for label, median, worst in rows:
            print(f"{label:52} {median:9.3f} {worst:7.3f} {median / base:10.1f}")
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait()


if __name__ == "__main__":
    main()
