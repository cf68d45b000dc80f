"""Benchmark: memory of one process that checks capture after capture (the app does; so do the
fuzz worker and the tests, through ``cli.main(words)``), to show it stays flat.

    .venv/bin/python benchmarks/bench_repeated_scans.py CAPTURE [--times 6]

Runs ``exposure scan --pcap CAPTURE --json FILE --quiet`` ``--times`` times in this process
(a capture big enough to be read in byte ranges on both cores, e.g. ``make_traffic.py
--packets 400000``), with a data folder of its own, and prints after each run the resident
memory now and the peak so far. A process that kept garbage from each scan grows run by run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture", type=Path)
    parser.add_argument("--times", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exposure-repeated-") as work:
        os.environ["EXPOSURE_DATA_DIR"] = str(Path(work) / "data")
        from exposure import cli

        report = Path(work) / "report.json"
        for run in range(1, args.times + 1):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                code = cli.main(["scan", "--pcap", str(args.capture), "--json", str(report), "--force", "--quiet"])
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
            print(f"run {run}: exit {code}, resident {resident_mb():.1f} MB, peak so far {peak:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
