"""Benchmark for issue 16: ``exposure names`` on one and both cores, ``scan --pcap``, against
tshark-names and against the code of another commit, interleaved, on make_traffic captures.

    .venv/bin/python benchmarks/bench_cores.py [--packets 400000 1600000] [--rounds 2]
                                               [--against a035247] [--against-python PYTHON]
                                               [--workdir /tmp/exposure-cores]
                                               [--capture 400000=PATH ...] [--programs NAME ...]

For each capture size, each round runs in turn: ``../shared/tools/tshark-names``, ``exposure names
--json`` (both cores), the same under ``taskset -c 0`` (one core: read in one pass), the other
commit's ``exposure names --json`` under ``taskset -c 0`` (it reads on one core anyway),
``exposure scan --pcap`` (both cores), the same under ``taskset -c 0`` and the other commit's
``scan --pcap``. The other commit runs from ``--against-python`` (a venv where it is installed,
e.g. made in ``git worktree add /work/perf-base a035247``), or else from a ``git archive`` of it
in the workdir on ``PYTHONPATH``. Wall time, CPU time (user + system, with child processes) and
the peak memory of the largest process are read from ``getrusage`` of a fresh wrapper process
per run; the wrapper also samples, every 20 ms, the memory of the whole process tree (the
reading processes together: the sum of their resident sizes, which counts twice the pages
forked processes share). ``--programs`` runs only the programs whose names start so, one after
the other, and sums proportional set sizes instead (shared pages counted once; reading them
costs CPU, so those runs measure memory, not time). The load average before each round is printed, since the machine is
shared. Names are compared: ours (one and two cores) must equal the other commit's, and
tshark-names' up to the differences docs/tshark-differences.md explains; the scan reports of
both cores, one core and the other commit are compared too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PY = str(REPO / ".venv" / "bin" / "python")
WRAP = """
import resource, subprocess, sys, time
import psutil
t = time.perf_counter()
tree = 0
pss = sys.argv[2] == "pss"
with open(sys.argv[1], "wb") as out:
    child = subprocess.Popen(sys.argv[3:], stdout=out, stderr=subprocess.DEVNULL)
    top = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            procs = [top, *top.children(recursive=True)]
            # PSS: pages the processes share (forked from one parent) counted once in all
            tree = max(tree, sum(p.memory_full_info().pss if pss else p.memory_info().rss for p in procs))
        except psutil.Error:
            pass
        time.sleep(0.02)
    code = child.returncode
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss, tree // 1024, code)
"""


def measure(cmd: list[str], out: Path, env: dict[str, str], pss: bool = False) -> tuple[float, float, int, int]:
    # run from the work folder: ``python -m`` puts the current folder first on the path, which
    # from the repository would load today's code under the other commit's PYTHONPATH
    for part in cmd:  # a scan's report from the run before
        if part.endswith(".json"):
            Path(part).unlink(missing_ok=True)
    res = subprocess.run([sys.executable, "-c", WRAP, str(out), "pss" if pss else "rss", *cmd],
                         capture_output=True, text=True, env=env, check=True, cwd=out.parent)
    wall, cpu, rss, tree, code = res.stdout.split()
    if code != "0":
        raise SystemExit(f"{cmd} exited {code}")
    return float(wall), float(cpu), int(rss) // 1024, int(tree) // 1024


def _report(path: Path) -> object:
    """A saved report without what differs from run to run (times, the path as given)."""
    report = json.loads(path.read_text())
    for key in ("started", "finished"):
        report.pop(key, None)
    for source in report.get("sources", []):
        for key in ("started", "finished", "name"):
            source.pop(key, None)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, nargs="+", default=[400_000, 1_600_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", default="a035247")
    parser.add_argument("--against-python", help="the other commit's venv python (else git archive)")
    parser.add_argument("--workdir", default="/tmp/exposure-cores")
    parser.add_argument("--programs", nargs="*", help="only the programs whose names start so")
    parser.add_argument("--capture", action="append", default=[], metavar="PACKETS=PATH",
                        help="an existing make_traffic capture of that many packets (else one is made in the workdir)")
    args = parser.parse_args()
    given = {int(packets): Path(path) for packets, path in (item.split("=", 1) for item in args.capture)}
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    old = work / f"exposure-{args.against}"
    if not old.exists() and not args.against_python:
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.against, "exposure", "profiles"],
                                 capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    base_env = dict(os.environ, EXPOSURE_DATA_DIR=str(work / "data"))  # no imported feeds, for both
    base_env.pop("PYTHONPATH", None)
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte code kept after the first run
    old_env = base_env if args.against_python else dict(base_env, PYTHONPATH=str(old))
    ours = [PY, "-m", "exposure"]
    theirs = [args.against_python, "-m", "exposure"] if args.against_python else ours
    model = Path("/proc/cpuinfo").read_text().split("model name")[1].split(":")[1].splitlines()[0].strip()
    print(f"machine: {os.cpu_count()} CPUs, {model}")
    for packets in args.packets:
        capture = given.get(packets) or work / f"traffic-{packets}.pcap"
        if not capture.exists():
            subprocess.run([sys.executable, str(SHARED / "bench" / "make_traffic.py"), "--packets", str(packets),
                            "--out", str(capture)], check=True, stdout=subprocess.DEVNULL)
        programs = {
            "tshark-names": ([str(SHARED / "tools" / "tshark-names"), str(capture)], base_env),
            "names, both cores": ([*ours, "names", "--json", str(capture)], base_env),
            "names, one core": (["taskset", "-c", "0", *ours, "names", "--json", str(capture)], base_env),
            f"names at {args.against}, one core": (["taskset", "-c", "0", *theirs, "names", "--json", str(capture)],
                                                   old_env),
            "scan --pcap": ([*ours, "scan", "--pcap", str(capture), "--json", str(work / "scan.json"), "--quiet"],
                            base_env),
            # one core: the process may run on CPU 0 only, so it reads in one pass (and hashes there too)
            "scan --pcap, one core": (["taskset", "-c", "0", *ours, "scan", "--pcap", str(capture), "--json",
                                       str(work / "scan1.json"), "--quiet"], base_env),
            f"scan --pcap at {args.against}": ([*theirs, "scan", "--pcap", str(capture), "--json",
                                                 str(work / "scan-old.json"), "--quiet"], old_env),
        }
        if args.programs:
            programs = {name: p for name, p in programs.items() if name.startswith(tuple(args.programs))}
            for name, (cmd, env) in programs.items():
                for _ in range(args.rounds):
                    wall, used, rss, tree = measure(cmd, work / "out.txt", env, pss=True)
                    print(f"{name}: wall {wall:.2f} s, CPU {used:.2f} s, largest process {rss} MB, "
                          f"all its processes (PSS) {tree} MB")
            continue
        runs: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in programs}
        outputs = {name: work / f"out-{packets}-{i}.txt" for i, name in enumerate(programs)}
        print(f"\ncapture: {capture.name}, {capture.stat().st_size / 1e6:.0f} MB, {packets} packets")
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}: load average {os.getloadavg()[0]:.1f} at {time.strftime('%H:%M:%S')}")
            for name, (cmd, env) in programs.items():
                for part in cmd:  # a scan's report from the round before
                    if part.endswith(".json"):
                        Path(part).unlink(missing_ok=True)
                runs[name].append(measure(cmd, outputs[name], env))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        tshark = json.loads(outputs["tshark-names"].read_text())
        two = json.loads(outputs["names, both cores"].read_text())
        one = json.loads(outputs["names, one core"].read_text())
        old_names = f"names at {args.against}, one core"
        theirs_names = json.loads(outputs[old_names].read_text())
        best = {name: min(r[0] for r in rs) for name, rs in runs.items()}
        cpu = {name: min(r[1] for r in rs) for name, rs in runs.items()}
        print("| program | wall, best (s) | all runs (s) | CPU, best (s) | peak RSS, largest process (MB) | "
              "peak RSS, all its processes (MB) | tshark's wall / this |")
        print("|---|---|---|---|---|---|---|")
        for name, rs in runs.items():
            print(f"| {name} | {best[name]:.2f} | {', '.join(f'{r[0]:.2f}' for r in rs)} | {cpu[name]:.2f} | "
                  f"{max(r[2] for r in rs)} | {max(r[3] for r in rs)} | {best['tshark-names'] / best[name]:.2f}x |")
        old_scan = f"scan --pcap at {args.against}"
        print(f"names both cores vs one core: {best['names, one core'] / best['names, both cores']:.2f}x wall; "
              f"one core vs {args.against}: {best[old_names] / best['names, one core']:.2f}x wall, "
              f"{cpu[old_names] / cpu['names, one core']:.2f}x CPU")
        print(f"scan/names, both cores: {best['scan --pcap'] / best['names, both cores']:.2f} wall, "
              f"{cpu['scan --pcap'] / cpu['names, both cores']:.2f} CPU; one core: "
              f"{best['scan --pcap, one core'] / best['names, one core']:.2f} wall, "
              f"{cpu['scan --pcap, one core'] / cpu['names, one core']:.2f} CPU; "
              f"scan vs {args.against}: {best[old_scan] / best['scan --pcap']:.2f}x wall, "
              f"{cpu[old_scan] / cpu['scan --pcap']:.2f}x CPU")
        same = {name: _report(work / f) for name, f in (("both", "scan.json"), ("one", "scan1.json"),
                                                         ("old", "scan-old.json"))}
        print(f"scan reports: both cores = one core: {same['both'] == same['one']}; "
              f"= {args.against}: {same['both'] == same['old']}")
        print(f"same names, one and both cores: {one == two}; same as {args.against}: {one == theirs_names}; "
              f"same as tshark-names: {({k: two[k] for k in tshark} == tshark)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
