"""Start-up cost of the command line: ``exposure --version`` of two installs, interleaved.

Used to check that adding iPhone support (pymobiledevice3, a large dependency tree) left
start-up unchanged: pymobiledevice3 must only be imported when an iPhone check starts.

    python benchmarks/bench_version.py BEFORE/bin/exposure AFTER/bin/exposure [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    commands = {"before": [args.before, "--version"], "after": [args.after, "--version"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    for _ in range(args.runs):
        for name, command in commands.items():  # interleaved: the host's speed drifts
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    for name, values in times.items():
        print(f"{name:7} median {statistics.median(values) * 1000:4.0f} ms   min {min(values) * 1000:4.0f} ms   "
              f"(n={len(values)})")
    print(f"after/before (medians): {statistics.median(times['after']) / statistics.median(times['before']):.2f}")


if __name__ == "__main__":
    main()
