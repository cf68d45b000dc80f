"""Live capture, two versions of exposure side by side (for example ``main`` and a branch),
interleaved, on the namespace set-up of ``bench_live.py``: packets kept and recorder CPU,
with and without the check that follows the recording.

    git archive main | tar -x -C /tmp/exposure-main
    sudo .venv/bin/python benchmarks/bench_live_ab.py /tmp/exposure-main . --packets 40000 --rate 5000
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_live as live

live.NS, live.HOST_IF, live.NS_IF = "expab", "vexab", "vexabn"  # apart from bench_live's own
live.HOST_ADDR, live.NS_ADDR = "10.213.77.1", "10.213.77.2"


def run(tree: str, out: Path, packets: int, rate: float, check: bool) -> tuple[int, float]:
    """(packets in the capture, CPU seconds of ``exposure capture`` from ``tree``)."""
    env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve()), "EXPOSURE_DATA_DIR": tempfile.mkdtemp()}
    cmd = [sys.executable, "-m", "exposure", "capture", "--iface", live.HOST_IF, "--duration",
           str(packets / rate + 5.0), "--out", str(out), "--quiet", "--no-feeds"]
    proc = subprocess.Popen([*cmd] if check else [*cmd, "--no-analysis"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir())
    time.sleep(2.5)  # recording by then
    subprocess.run(["ip", "netns", "exec", live.NS, sys.executable, "-c", live.SENDER, str(packets),
                    live.HOST_ADDR, str(rate)], capture_output=True, text=True, check=True)
    _, _status, usage = os.wait4(proc.pid, 0)
    return live.count_packets(out), usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="a source tree of exposure (the reference)")
    parser.add_argument("after", help="another source tree of exposure")
    parser.add_argument("--packets", type=int, default=40_000)
    parser.add_argument("--rate", type=float, default=5_000.0, help="packets a second")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (it makes a network namespace)")
    live.setup()
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # no ICMP "port unreachable" on the wire
    sink.bind((live.HOST_ADDR, 53))
    rows: dict[tuple[str, bool], list[tuple[int, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.repeat):
                for check in (False, True):
                    for name, tree in (("before", args.before), ("after", args.after)):
                        out = Path(tmp) / f"{name}-{check}-{i}.pcap"
                        rows.setdefault((name, check), []).append(run(tree, out, args.packets, args.rate, check))
    finally:
        sink.close()
        live.teardown()
    print(f"{args.packets} DNS queries at {args.rate:,.0f} pkt/s, median of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| tree | mode | captured | recorder CPU s |")
    print("|---|---|---|---|")
    for (name, check), runs in rows.items():
        print(f"| {name} | {'capture, then check' if check else '--no-analysis'} | "
              f"{statistics.median(r[0] for r in runs):.0f} | {statistics.median(r[1] for r in runs):.2f} |")


if __name__ == "__main__":
    main()
