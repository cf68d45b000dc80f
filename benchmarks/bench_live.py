"""Live capture and network heuristics, measured by hand (run as root: it makes a network namespace).

1. Live capture, side by side with tshark (what TinyCheck records with): a veth pair into
   a namespace made here, a sender in the namespace blasts DNS queries at full speed,
   and each recorder's packet count and CPU time are compared with what was sent.
2. The heuristics detector alone: observations per second and peak memory on a synthetic
   stream shaped like a long phone capture.

    sudo .venv/bin/python benchmarks/bench_live.py [--packets 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

NS, HOST_IF, NS_IF = "expbench", "vbenh", "vbenn"
HOST_ADDR, NS_ADDR = "10.213.99.1", "10.213.99.2"

SENDER = """
import socket, struct, sys, time
n, rate = int(sys.argv[1]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
head = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0)
t = time.perf_counter()
for i in range(n):
    if rate and i % 50 == 0:
        ahead = t + i / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
    name = b"\\x07host%03d\\x07example\\x03com\\x00" % (i % 1000)
    s.sendto(head + name + b"\\x00\\x01\\x00\\x01", (sys.argv[2], 53))
print(n / (time.perf_counter() - t))
"""


def ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)


def setup() -> None:
    ip("netns", "add", NS)
    ip("link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF)
    ip("link", "set", NS_IF, "netns", NS)
    ip("addr", "add", f"{HOST_ADDR}/24", "dev", HOST_IF)
    ip("link", "set", HOST_IF, "up")
    ip("netns", "exec", NS, "ip", "addr", "add", f"{NS_ADDR}/24", "dev", NS_IF)
    ip("netns", "exec", NS, "ip", "link", "set", NS_IF, "up")


def teardown() -> None:
    ip("netns", "del", NS, check=False)
    ip("link", "del", HOST_IF, check=False)


def count_packets(path: Path) -> int:
    from exposure.collect.net.reader import open_capture

    reader = open_capture(path, hashing=False)
    try:
        return sum(1 for _ in reader.frames())
    finally:
        reader.close()


def record_with(tool: str, out: Path, duration: float, packets: int, rate: float) -> tuple[int, float, float]:
    """(packets captured, CPU seconds of the recorder, send rate)."""
    if tool == "exposure":
        cmd = [sys.executable, "-m", "exposure", "capture", "--iface", HOST_IF, "--duration", str(duration),
               "--out", str(out), "--no-analysis", "--quiet"]
    else:
        cmd = ["tshark", "-i", HOST_IF, "-w", str(out), "-a", f"duration:{duration:g}", "-q", "-F", "pcap"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # both are recording by then (scapy import / tshark start-up)
    sent = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", SENDER, str(packets), HOST_ADDR, str(rate)],
                          capture_output=True, text=True, check=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return count_packets(out), usage.ru_utime + usage.ru_stime, float(sent.stdout)


def bench_capture(packets: int, repeat: int, rate: float = 0.0) -> None:
    if os.geteuid() != 0 or shutil.which("tshark") is None:
        print("capture: needs root and tshark; skipped")
        return
    setup()
    # a bound (never read) socket on port 53: no ICMP "port unreachable" replies on the wire
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind((HOST_ADDR, 53))
    try:
        rows: dict[str, list[tuple[int, float, float]]] = {"exposure": [], "tshark": []}
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(repeat):
                for tool in rows:
                    out = Path(tmp) / f"{tool}-{i}.pcap"
                    duration = 8.0 if not rate else packets / rate + 5.0
                    rows[tool].append(record_with(tool, out, duration, packets, rate))
        pace = f"{rate:,.0f} pkt/s" if rate else "full speed"
        print(f"live capture: {packets} DNS queries sent at {pace}, median of {repeat}")
        print("| recorder | captured | share | recorder CPU s | sender pkt/s |")
        print("|---|---|---|---|---|")
        for tool, runs in rows.items():
            got = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rate = statistics.median(r[2] for r in runs)
            print(f"| {tool} | {got:.0f} | {got / packets:.1%} | {cpu:.2f} | {rate:,.0f} |")
    finally:
        sink.close()
        teardown()


def bench_heuristics(repeat: int) -> None:
    from exposure.detect.base import DetectContext
    from exposure.detect.network import NetworkHeuristics
    from exposure.indicators.index import IndicatorIndex
    from exposure.observations.network import DnsQuery, Flow, ServerName

    obs: list[object] = []
    for i in range(20_000):  # names, each looked up and connected to
        addr = f"{(i >> 16) % 200 + 20}.{(i >> 8) & 255}.{i & 255}.7"
        name = f"host{i}.example{i % 50}.{'com' if i % 7 else 'top'}"
        obs.append(DnsQuery("pcap", "b", name=name, client="192.168.1.2", answers=(addr,)))
        obs.append(ServerName("pcap", "b", name=name, protocol="tls", client="192.168.1.2", server=addr,
                              port=443 if i % 11 else 8443))
        starts = tuple(1000.0 + 60 * k for k in range(i % 40))
        obs.append(Flow("pcap", "b", protocol="tcp", client="192.168.1.2", client_port=0, server=addr,
                        server_port=443, bytes_out=3000, bytes_in=90000, packets=80, server_names=(name,),
                        starts=starts))
    for i in range(20_000):  # flows to addresses never looked up
        obs.append(Flow("pcap", "b", protocol="tcp", client="192.168.1.2", client_port=0,
                        server=f"{i % 200 + 20}.9.{i >> 8 & 255}.{i & 255}", server_port=443, bytes_out=500,
                        bytes_in=900, packets=8, starts=(5.0,)))
    def once() -> int:
        detector = NetworkHeuristics()
        ctx = DetectContext(index=IndicatorIndex())
        for o in obs:
            detector.observe(o, ctx)  # type: ignore[arg-type]
        return len(list(detector.finish(ctx)))

    times, peaks, counts = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        counts.append(once())
        times.append(time.perf_counter() - t)
    tracemalloc.start()  # memory in a separate run: tracing slows Python several times over
    once()
    peaks.append(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    best = statistics.median(times)
    print(f"heuristics: {len(obs)} observations in {best:.2f} s ({len(obs) / best:,.0f} obs/s), "
          f"peak {statistics.median(peaks) / 2**20:.0f} MiB traced, {counts[0]} findings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packets", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5000.0, help="paced run (packets per second)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {_cpu()}")
    bench_heuristics(args.repeat)
    bench_capture(args.packets, args.repeat)
    bench_capture(int(args.rate * 8), args.repeat, args.rate)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
