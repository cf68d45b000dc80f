"""Benchmark for issue 16: ``exposure names`` on one and both cores, ``scan --pcap``, against
tshark-names and against the code of another commit, interleaved, on make_traffic captures.

    .venv/bin/python benchmarks/bench_cores.py [--packets 400000 1600000] [--rounds 2]
                                               [--against a035247] [--workdir /tmp/exposure-cores]

For each capture size, each round runs in turn: ``../shared/tools/tshark-names``, ``exposure names
--json`` (both cores), the same with ``--workers 1``, the other commit's ``exposure names --json``
(checked out with ``git archive`` into the workdir), ``exposure scan --pcap`` and the other
commit's ``scan --pcap``. Wall time, CPU time (user + system, with child processes) and the
peak memory of the largest process are read from ``getrusage`` of a fresh wrapper process per
run. The load average before each round is printed, since the machine is shared. Names are
compared: ours (one and two cores) must equal the other commit's, and tshark-names' up to the
differences docs/tshark-differences.md explains.
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
t = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss, code)
"""


def measure(cmd: list[str], out: Path, env: dict[str, str]) -> tuple[float, float, int]:
    # run from the work folder: ``python -m`` puts the current folder first on the path, which
    # from the repository would load today's code under the other commit's PYTHONPATH
    res = subprocess.run([sys.executable, "-c", WRAP, str(out), *cmd], capture_output=True, text=True, env=env,
                         check=True, cwd=out.parent)
    wall, cpu, rss, code = res.stdout.split()
    if code != "0":
        raise SystemExit(f"{cmd} exited {code}")
    return float(wall), float(cpu), int(rss) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, nargs="+", default=[400_000, 1_600_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", default="a035247")
    parser.add_argument("--workdir", default="/tmp/exposure-cores")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    old = work / f"exposure-{args.against}"
    if not old.exists():
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.against, "exposure", "profiles"],
                                 capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    base_env = dict(os.environ)
    base_env.pop("PYTHONPATH", None)
    old_env = dict(base_env, PYTHONPATH=str(old))
    ours = [PY, "-m", "exposure"]
    model = Path("/proc/cpuinfo").read_text().split("model name")[1].split(":")[1].splitlines()[0].strip()
    print(f"machine: {os.cpu_count()} CPUs, {model}")
    for packets in args.packets:
        capture = work / f"traffic-{packets}.pcap"
        if not capture.exists():
            subprocess.run([sys.executable, str(SHARED / "bench" / "make_traffic.py"), "--packets", str(packets),
                            "--out", str(capture)], check=True, stdout=subprocess.DEVNULL)
        programs = {
            "tshark-names": ([str(SHARED / "tools" / "tshark-names"), str(capture)], base_env),
            "names, both cores": ([*ours, "names", "--json", str(capture)], base_env),
            "names, one core": ([*ours, "names", "--json", "--workers", "1", str(capture)], base_env),
            f"names at {args.against}": ([*ours, "names", "--json", str(capture)], old_env),
            "scan --pcap": ([*ours, "scan", "--pcap", str(capture), "--json", str(work / "scan.json"), "--quiet"],
                            base_env),
            f"scan --pcap at {args.against}": ([*ours, "scan", "--pcap", str(capture), "--json",
                                                 str(work / "scan-old.json"), "--quiet"], old_env),
        }
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in programs}
        outputs = {name: work / f"out-{packets}-{i}.txt" for i, name in enumerate(programs)}
        print(f"\ncapture: {capture.name}, {capture.stat().st_size / 1e6:.0f} MB, {packets} packets")
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}: load average {os.getloadavg()[0]:.1f} at {time.strftime('%H:%M:%S')}")
            for name, (cmd, env) in programs.items():
                if name.startswith("scan") and (work / "scan.json").exists():
                    for f in (work / "scan.json", work / "scan-old.json"):
                        f.unlink(missing_ok=True)
                runs[name].append(measure(cmd, outputs[name], env))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        tshark = json.loads(outputs["tshark-names"].read_text())
        two = json.loads(outputs["names, both cores"].read_text())
        one = json.loads(outputs["names, one core"].read_text())
        old_names = json.loads(outputs[f"names at {args.against}"].read_text())
        best = {name: min(r[0] for r in rs) for name, rs in runs.items()}
        cpu = {name: min(r[1] for r in rs) for name, rs in runs.items()}
        print("| program | wall, best (s) | all runs (s) | CPU, best (s) | peak RSS (MB) | tshark's wall / this |")
        print("|---|---|---|---|---|---|")
        for name, rs in runs.items():
            print(f"| {name} | {best[name]:.2f} | {', '.join(f'{r[0]:.2f}' for r in rs)} | {cpu[name]:.2f} | "
                  f"{max(r[2] for r in rs)} | {best['tshark-names'] / best[name]:.2f}x |")
        print(f"names both cores vs one core: {best['names, one core'] / best['names, both cores']:.2f}x wall; "
              f"one core vs {args.against}: {best[f'names at {args.against}'] / best['names, one core']:.2f}x wall, "
              f"{cpu[f'names at {args.against}'] / cpu['names, one core']:.2f}x CPU; "
              f"scan/names: {best['scan --pcap'] / best['names, both cores']:.2f} (both cores), "
              f"{best['scan --pcap'] / best['names, one core']:.2f} (one core); "
              f"scan vs {args.against}: {best[f'scan --pcap at {args.against}'] / best['scan --pcap']:.2f}x")
        print(f"same names, one and both cores: {one == two}; same as {args.against}: {one == old_names}; "
              f"same as tshark-names: {({k: two[k] for k in tshark} == tshark)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
