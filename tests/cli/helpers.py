"""Running ``exposure`` as a person would: a separate process, its output read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 180, unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``python -m exposure ARGS`` with this test's data folder; stdin is empty unless given;
    ``unset`` names environment variables the command must not see."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                "PYTHONIOENCODING": "utf-8", **(env or {})}
    for name in ("EXPOSURE_LANG", *unset):
        full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "exposure", *args], cwd=cwd, env=full_env, text=True,
                          input=stdin if stdin is not None else "", capture_output=True, timeout=timeout,
                          check=False)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (and that it failed cleanly)."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


def write_workshop(folder: Path) -> Path:
    """A workshop's folder of two people's captures: Amina's (the practice capture: 2 s,
    SpyLive360's server looked up and contacted) and Li's (13 min 20 s, ordinary look-ups)."""
    import shutil

    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    from exposure.demo import demo_sources

    folder.mkdir(parents=True)
    shutil.copy(next(s.target for s in demo_sources() if s.kind == "pcap"), folder / "amina-phone.pcap")
    packets = []
    for n, moment in enumerate((1_767_225_600, 1_767_226_400)):
        packet = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
                  / IP(src="192.168.77.40", dst="192.168.77.1") / UDP(sport=40000 + n, dport=53)
                  / DNS(id=n + 1, qd=DNSQR(qname="example.org")))
        packet.time = moment
        packets.append(packet)
    wrpcap(str(folder / "li-phone.pcap"), packets)
    return folder
