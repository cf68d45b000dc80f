"""Benchmark for issue 12 item 3: the split of collect/net/extract.py and detect/network.py is
no slower. Runs, alternately in fresh processes, today's code and another commit's (checked
out with ``git archive``) on the same work, and prints CPU seconds (``time.process_time``,
best of the rounds) and the ratio.

    .venv/bin/python benchmarks/bench_split.py CAPTURE [--against a035247] [--rounds 3]

Work: (1) the extractor with flows, certificates and observations over CAPTURE (what
``scan --pcap`` reads); (2) the network heuristics over the 80,000 synthetic observations of
``bench_live.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXTRACT = """
import sys, time
from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import open_capture
t = time.process_time()
e = Extractor()
with open_capture(sys.argv[1], hashing=False) as r:
    for frame in r.frames():
        e.packet(*frame)
e.finish()
print(time.process_time() - t, len(e.flows), len(e.dns_obs), len(e.server_obs))
"""
HEURISTICS = """
import sys, time
sys.path.insert(0, sys.argv[2])
from bench_live import bench_heuristics
import bench_live
t = time.process_time()
bench_live.print = lambda *a, **k: None
bench_heuristics(1)
print(time.process_time() - t)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("capture")
    parser.add_argument("--against", default="a035247")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/exposure-cores")
    args = parser.parse_args()
    old = Path(args.workdir) / f"exposure-{args.against}"
    if not old.exists():
        old.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.against, "exposure", "profiles"],
                                 capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    envs = {"now": dict(os.environ, PYTHONPATH=str(REPO)), args.against: dict(os.environ, PYTHONPATH=str(old))}
    work = {"extractor (scan)": [EXTRACT, args.capture], "heuristics": [HEURISTICS, "x", str(REPO / "benchmarks")]}
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.rounds):
        print(f"load average {os.getloadavg()[0]:.1f}")
        for what, (code, *argv) in work.items():
            for version, env in envs.items():
                out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env,
                                     check=True, cwd="/tmp").stdout.split()
                seconds = float(out[0])
                best[(what, version)] = min(best.get((what, version), 1e9), seconds)
                print(f"  {what} at {version}: {seconds:.2f} s CPU {' '.join(out[1:])}")
    for what in work:
        a, b = best[(what, args.against)], best[(what, "now")]
        print(f"{what}: {args.against} {a:.2f} s, now {b:.2f} s, ratio {a / b:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
