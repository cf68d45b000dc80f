"""Fixtures: a fake NetworkManager (``nmcli`` first on PATH, logging its calls) and a fake
recording of the access point's interface (a phone that looks up a known stalkerware server),
so the whole hotspot flow runs without Wi-Fi, NetworkManager or administrator rights."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import exposure.collect.hotspot.collector as hotspot_collector
import exposure.collect.live as live_capture
from exposure.collect.hotspot import access_point
from tests.tui.test_live import QuietSocket

FAKE = Path(__file__).resolve().parent / "fake_nmcli.py"
HOME = "aaaaaaaa-1111-2222-3333-444444444444"  # the Wi-Fi connection active before the check
HOME_NAME = "Home: 5 GHz"  # a ':' in a name: nmcli's terse output escapes it
PHONE_MAC, LAPTOP_MAC = "02:11:22:33:44:55", "02:42:00:00:00:01"
PHONE_V4, PHONE_V6, LAPTOP_V4 = "10.42.0.23", "2001:db8:42::23", "10.42.0.1"
KNOWN = "s1.spylive360.com"  # SpyLive360's server (profiles/stalkerware.yaml)


class FakeNetworkManager:
    """The fake's folder: its state and the calls it was given."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.folder / "state.json").read_text("utf-8"))
        return data

    def set(self, **changes: Any) -> None:
        state = self.state()
        state.update(changes)
        (self.folder / "state.json").write_text(json.dumps(state), "utf-8")

    def calls(self) -> list[list[str]]:
        log = self.folder / "calls.log"
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.exists() else []

    def commands(self) -> list[str]:
        """Each call without its options (-t, -f ..., -w N), e.g. "device wifi hotspot ifname wlan0 ..."."""
        out = []
        for call in self.calls():
            words, skip = [], False
            for arg in call:
                if skip:
                    skip = False
                elif arg in ("-f", "-w"):
                    skip = True
                elif arg != "-t":
                    words.append(arg)
            out.append(" ".join(words))
        return out

    def active(self) -> str:
        return str(self.state()["active"].get("wlan0", ""))


@pytest.fixture
def nm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeNetworkManager:
    folder = tmp_path / "nm-bin"
    folder.mkdir()
    script = folder / "nmcli"
    script.write_text(f"#!{sys.executable}\n" + FAKE.read_text("utf-8"), "utf-8")
    script.chmod(0o755)
    state = {"running": True, "radio": "enabled",
             "devices": [{"name": "wlan0", "ap": True}],
             "connections": [{"uuid": HOME, "name": HOME_NAME}],
             "active": {"wlan0": HOME}}
    (folder / "state.json").write_text(json.dumps(state), "utf-8")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(tmp_path / "data"))  # the recovery file goes here
    monkeypatch.setattr(sys, "platform", "linux")
    return FakeNetworkManager(folder)


def phone_frames() -> list[bytes]:
    """The phone looks up SpyLive360's server over IPv4 and connects to it over IPv6; the
    laptop (the access point) announces itself by mDNS."""
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw

    from tests.network.test_capture import client_hello

    phone = Ether(src=PHONE_MAC, dst=LAPTOP_MAC)
    return [bytes(p) for p in (
        phone / IP(src=PHONE_V4, dst=LAPTOP_V4) / UDP(sport=53000, dport=53) / DNS(id=5, rd=1, qd=DNSQR(qname=KNOWN)),
        phone / IPv6(src=PHONE_V6, dst="2001:db8:99::5") / TCP(sport=50000, dport=443, flags="S"),
        phone / IPv6(src=PHONE_V6, dst="2001:db8:99::5") / TCP(sport=50000, dport=443, flags="PA", seq=1)
        / Raw(client_hello(KNOWN)),
        Ether(src=LAPTOP_MAC, dst="01:00:5e:00:00:fb") / IP(src=LAPTOP_V4, dst="224.0.0.251")
        / UDP(sport=5353, dport=5353) / DNS(qr=1, aa=1),
    )]


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """``recording()``: this process may capture, and the access point's interface carries
    the phone's frames (``recording(frames=[])``: nothing at all)."""

    def start(frames: list[bytes] | None = None, allowed: bool = True) -> None:
        sent = phone_frames() if frames is None else frames
        monkeypatch.setattr(live_capture, "can_capture", lambda: allowed)
        monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket(sent))
        monkeypatch.setattr(hotspot_collector, "own_addresses", lambda iface: ({LAPTOP_MAC}, {LAPTOP_V4}))
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    return start


@pytest.fixture(autouse=True)
def no_access_point_left() -> Any:
    yield
    leftover = list(access_point._RUNNING)
    access_point.stop_all()
    assert not leftover, "a test left an access point running"
