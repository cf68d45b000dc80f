"""Benchmark: a full host check of this computer (``exposure scan --host``), and each of
its parts, against the plain system tools that read the same things.

Run by hand:  .venv/bin/python benchmarks/bench_host.py [--repeat 5] [--spawn 300] [--against REV]

* "full scan (CLI)" runs ``exposure scan --host --json`` as a fresh process: start-up,
  profile loading, every check, the report; what a person waits for.
* "run_scan" is the same pipeline in this process (no interpreter start-up), with program
  fingerprints on (the default, capped at 64 MiB a file and 512 MiB in total) and off.
* The parts are timed one by one through the collector's own functions.
* The baseline is the same data read by shell tools in one go: ``ps -eo ...``,
  ``dpkg-query -W``, ``ss -tunap``, ``cat /etc/hosts``, ``ls /usr/local/share/ca-certificates``.
* ``--spawn N`` starts N idle ``sleep`` children first (a busy desktop has 300-500
  programs; this container has about 80) and stops them, by their own pids, at the end.
* ``--against REV`` also runs the full CLI scan of that git revision (exported with ``git
  archive``, first on ``PYTHONPATH``), alternating run by run with the current code, and
  prints wall and CPU medians and their ratio: on a shared machine the CPU time (user +
  system of the child) is what the scan itself costs. ``--against-python PY`` runs that
  revision from a venv where it is installed instead (e.g. one made in ``git worktree add
  /work/perf-base a035247``); ``--feeds FILE ...`` first imports those feed files, each version
  into a data folder of its own with its own ``feeds import``, as a person who keeps feeds has
  (then a scan may load the catalog it kept, see ``exposure/indicators/catalog_cache.py``).
  After the timed runs, each version writes one more report and the two are compared but for
  what differs from moment to moment (``stable``: times, and what counts the running programs
  and open connections); with ``--same`` a difference fails the run (use it against a version
  that should report the same, such as ``main``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
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


def cli_run(env: dict[str, str], out: Path, python: str = sys.executable) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``python -m exposure scan --host`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([python, "-m", "exposure", "scan", "--host", "--quiet", "--force", "--json", str(out)],
                   env=env, check=True, stdout=subprocess.DEVNULL, cwd="/")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# What a host report says that changes from one moment to the next: the running programs and
# open connections (and the counts, fingerprints and warnings that follow from them).
_MOMENTARY = re.compile(r"^(host\.(processes|program-hashes|connections)"
                        r"|warn\.host\.(processes|connections|read-timeout))")
_TIMES = frozenset({"started", "finished", "imported"})  # "imported": when each version imported a feed


def stable(report: object) -> object:
    """A host report without what differs from run to run on the same computer."""
    if isinstance(report, dict):
        if _MOMENTARY.match(str(report.get("key", ""))):
            return {"key": report["key"]}
        return {k: ("(counted)" if k in ("processes", "connections") and isinstance(v, int) else stable(v))
                for k, v in report.items() if k not in _TIMES}
    if isinstance(report, list):
        return [stable(v) for v in report]
    return report


def same_reports(theirs: Path, ours: Path) -> list[str]:
    """Where two host reports differ but for ``stable``'s exceptions (empty: they are equal)."""
    a, b = (stable(json.loads(path.read_text("utf-8"))) for path in (theirs, ours))
    if a == b:
        return []
    assert isinstance(a, dict) and isinstance(b, dict)
    return [key for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def compare(revision: str, runs: int, python: str | None = None, feeds: Sequence[str] = (),
            same: bool = False) -> None:
    """The full CLI scan, this code and ``revision``, alternating run by run."""
    folder = tempfile.mkdtemp(prefix="exposure-rev-")
    try:
        if python is None:
            archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        with tempfile.TemporaryDirectory() as data:
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte code kept after the first run
            theirs = dict(env, EXPOSURE_DATA_DIR=f"{data}/theirs")
            ours = dict(env, EXPOSURE_DATA_DIR=f"{data}/ours")
            if python is None:
                theirs["PYTHONPATH"], ours["PYTHONPATH"] = folder, str(REPO)
            their_python, our_python = python or sys.executable, sys.executable
            for py, e in ((their_python, theirs), (our_python, ours)):
                for feed in feeds:
                    subprocess.run([py, "-m", "exposure", "feeds", "import", feed], env=e, check=True,
                                   stdout=subprocess.DEVNULL, cwd="/")
            out = Path(data) / "out.json"
            # warm-up: bytecode compiled, files cached (and a catalog kept, where a version keeps one)
            cli_run(theirs, out, their_python), cli_run(ours, out, our_python)
            load = os.getloadavg()[0]
            pairs = [(cli_run(theirs, out, their_python), cli_run(ours, out, our_python)) for _ in range(runs)]
            their_out, our_out = Path(data) / "theirs.json", Path(data) / "ours.json"
            cli_run(theirs, their_out, their_python), cli_run(ours, our_out, our_python)
            differ = same_reports(their_out, our_out)
        old_wall, new_wall = (statistics.median(p[i][0] for p in pairs) for i in (0, 1))
        old_cpu, new_cpu = (statistics.median(p[i][1] for p in pairs) for i in (0, 1))
        print(f"full scan (CLI), {revision} vs now, alternating, n={runs}, feeds imported: {list(feeds) or 'none'}, "
              f"load {load:.1f} -> "
              f"{os.getloadavg()[0]:.1f}:")
        print(f"  {revision}: wall median {old_wall:.3f} s, CPU median {old_cpu:.3f} s")
        print(f"  now: wall median {new_wall:.3f} s, CPU median {new_cpu:.3f} s")
        print(f"  ratio now/{revision}: wall {new_wall / old_wall:.2f}, CPU {new_cpu / old_cpu:.2f}")
        print(f"  reports equal but for times, running programs and connections: "
              f"{'yes' if not differ else 'no, they differ in ' + ', '.join(differ)}")
        if same and differ:
            raise SystemExit(f"the reports of {revision} and now differ in {', '.join(differ)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spawn", type=int, default=0)
    parser.add_argument("--against", metavar="REV", help="a git revision to run side by side (full CLI scan)")
    parser.add_argument("--against-python", metavar="PY", help="run REV from this venv's python (no git archive)")
    parser.add_argument("--feeds", nargs="*", default=[], metavar="FILE", type=lambda f: str(Path(f).resolve()),
                        help="feed files both versions import first")
    parser.add_argument("--only-against", action="store_true", help="only the side-by-side comparison")
    parser.add_argument("--same", action="store_true", help="fail when the two versions' reports differ")
    args = parser.parse_args()
    children = [subprocess.Popen(["sleep", "600"]) for _ in range(args.spawn)]
    if args.only_against and args.against:
        try:
            compare(args.against, max(args.repeat, 5), args.against_python, args.feeds, args.same)
        finally:
            for child in children:
                child.terminate()
                child.wait()
        return
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
        if args.against:
            compare(args.against, max(args.repeat, 5), args.against_python, args.feeds, args.same)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait()


if __name__ == "__main__":
    main()
