"""Fixtures for the command-line tests: small captures made here, a fake adb on PATH."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from exposure.demo import demo_sources
from tests.android.phones import install_fake_adb, set_devices


@pytest.fixture
def demo_capture() -> str:
    """The bundled practice capture: SpyLive360's command server, looked up and contacted."""
    return next(s.target for s in demo_sources() if s.kind == "pcap")


@pytest.fixture
def quiet_capture(tmp_path: Path) -> Path:
    """One ordinary DNS look-up (example.org): a capture that was read and holds nothing known."""
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    path = tmp_path / "quiet.pcap"
    packet = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.168.77.23", dst="192.168.77.1")
              / UDP(sport=40000, dport=53) / DNS(id=1, qd=DNSQR(qname="example.org")))
    packet.time = 1_767_225_600
    wrpcap(str(path), [packet])
    return path


@pytest.fixture
def empty_capture(tmp_path: Path) -> Path:
    """A capture file with its header and not a single packet."""
    path = tmp_path / "empty.pcap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    return path


@pytest.fixture
def fake_adb_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a command run with the fake adb first on PATH (no phone yet);
    every call it gets is logged in ``FAKE_ADB_LOG``."""
    root = tmp_path / "phones"
    root.mkdir()
    bin_dir = install_fake_adb(tmp_path / "fake-adb-bin")
    set_devices(root, [])
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "FAKE_ADB_DIR": str(root),
            "FAKE_ADB_LOG": str(tmp_path / "adb.log")}
