"""Benchmark for issue 16 item 4: a folder of captures checked in one command (a process per
core) against the same captures checked one after another in separate commands, interleaved.

    .venv/bin/python benchmarks/bench_many.py [--files 10] [--packets 100000] [--rounds 3]
                                              [--workdir /tmp/exposure-many]

Makes ``--files`` captures with ``../shared/bench/make_traffic.py`` (each its own seed, each
with a SpyLive360 server planted so every file has a finding), then each round runs in turn:

- ``one command``: ``exposure scan --pcap FOLDER --json`` (both cores);
- ``one command, one core``: the same under ``taskset -c 0`` (the pool sees one core and
  checks the files one after another in its own process);
- ``separate commands``: ``exposure scan --pcap FILE --json`` for each file, one after another.

Wall time and CPU time (user + system, child processes included) come from ``getrusage`` of
a fresh wrapper process per run; the load average is printed before each round (the machine
is shared). Each file's findings in the one report must equal those of its own command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXPOSURE = str(REPO / ".venv" / "bin" / "exposure")
PLANT = "s1.spylive360.com\n"
WRAP = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
for cmd in json.loads(sys.argv[1]):
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if code not in (0, 1):
        print("exit", code, cmd, file=sys.stderr)
        raise SystemExit(code)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, r.ru_utime + r.ru_stime)
"""


def measure(commands: list[list[str]]) -> tuple[float, float]:
    res = subprocess.run([sys.executable, "-c", WRAP, json.dumps(commands)], capture_output=True, text=True,
                         check=True)
    wall, cpu = res.stdout.split()
    return float(wall), float(cpu)


def make_captures(folder: Path, files: int, packets: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plant = folder.parent / "plant.txt"
    plant.write_text(PLANT)
    paths = []
    for i in range(files):
        path = folder / f"capture-{i:02d}.pcap"
        if not path.exists():
            subprocess.run([sys.executable, str(SHARED / "bench" / "make_traffic.py"), "--packets", str(packets),
                            "--out", str(path), "--plant", str(plant), "--seed", str(100 + i)], check=True,
                           stdout=subprocess.DEVNULL)
        paths.append(path)
    return paths


def findings_by_file(report: Path) -> dict[str, list[str]]:
    data = json.loads(report.read_text("utf-8"))
    findings = data["findings"]
    out = {}
    for source in data["sources"]:
        keys = [f"{f['rule']}:{f['threat']}:{f['subject']}:{f['severity']}" for f in findings
                if any(e["source"] == source["name"] for e in f["evidence"])]
        out[Path(source["name"]).name] = sorted(keys)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--packets", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/exposure-many")
    args = ap.parse_args()
    work = Path(args.workdir)
    folder = work / f"captures-{args.files}x{args.packets}"
    paths = make_captures(folder, args.files, args.packets)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} captures of {args.packets} packets, {size / 1e6:.0f} MB in all, in {folder}")
    reports = work / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir()
    together = [EXPOSURE, "scan", "--pcap", str(folder), "--quiet", "--force", "--json", str(reports / "all.json")]
    runs = {
        "one command (both cores)": [together],
        "one command, one core (taskset -c 0)": [["taskset", "-c", "0", *together]],
        "separate commands": [[EXPOSURE, "scan", "--pcap", str(p), "--quiet", "--force", "--json",
                               str(reports / f"{p.stem}.json")] for p in paths],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}: load average {os.getloadavg()[0]:.2f} at {time.strftime('%H:%M:%S')}")
        for name, commands in runs.items():
            wall, cpu = measure(commands)
            results[name].append((wall, cpu))
            print(f"  {name}: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    together_found = findings_by_file(reports / "all.json")
    alone_found: dict[str, list[str]] = {}
    for p in paths:
        alone_found.update(findings_by_file(reports / f"{p.stem}.json"))
    same = together_found == alone_found
    print(f"each file's findings in the one report equal its own command's: {same} "
          f"({sum(map(len, together_found.values()))} findings)")
    base = min(w for w, _ in results["separate commands"])
    for name, got in results.items():
        best = min(w for w, _ in got)
        print(f"{name}: best wall {best:.2f} s (all: {', '.join(f'{w:.2f}' for w, _ in got)}), "
              f"best CPU {min(c for _, c in got):.2f} s, separate/this {base / best:.2f}x")
    if not same:
        raise SystemExit("the findings differ")


if __name__ == "__main__":
    main()
