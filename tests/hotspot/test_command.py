"""``exposure hotspot`` against a fake NetworkManager that logs its calls: the access point is
set up, the phone's traffic recorded and checked (the report names the phone), and the access
point is taken down with the previous Wi-Fi connection restored, at the end, on an error, on
Ctrl-C and on SIGTERM."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import exposure.collect.live as live_capture
from exposure.cli import main
from tests.hotspot.conftest import (
    HOME,
    HOME_NAME,
    KNOWN,
    PHONE_MAC,
    PHONE_V4,
    PHONE_V6,
    FakeNetworkManager,
    phone_frames,
)
from tests.tui.test_live import QuietSocket

Recording = Callable[..., None]
SET_UP = ["general", "device status", "device show wlan0", "connection show --active", "radio wifi"]


def hotspot_call(nm: FakeNetworkManager) -> list[str]:
    [call] = [c for c in nm.calls() if "hotspot" in c]
    return call


def torn_down(nm: FakeNetworkManager) -> list[str]:
    """The calls after the access point was made."""
    commands = nm.commands()
    start = next(n for n, c in enumerate(commands) if c.startswith("device wifi hotspot"))
    return commands[start + 1:]


def assert_restored(nm: FakeNetworkManager) -> None:
    state = nm.state()
    assert nm.active() == HOME  # the previous Wi-Fi connection is back on
    assert [c["uuid"] for c in state["connections"]] == [HOME]  # the temporary network is gone
    assert state["radio"] == "enabled"
    assert not (Path(os.environ["EXPOSURE_DATA_DIR"]) / "hotspot-state.json").exists()


def test_the_phone_is_recorded_checked_and_named_then_wifi_is_restored(
        nm: FakeNetworkManager, recording: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recording()
    report = tmp_path / "r.json"
    assert main(["hotspot", "--duration", "1", "--json", str(report), "--no-feeds"]) == 0
    err = capsys.readouterr().err

    commands = nm.commands()
    assert commands[:len(SET_UP)] == SET_UP
    call = hotspot_call(nm)
    options = dict(zip(call[call.index("ifname")::2], call[call.index("ifname") + 1::2], strict=False))
    ssid, password = options["ssid"], options["password"]
    assert options["ifname"] == "wlan0" and options["con-name"] == ssid
    assert re.fullmatch(r"[A-Z][a-z]+(Fi)?-[0-9A-F]{4}", ssid) and "exposure" not in ssid.lower()
    assert len(password) == 12 and password.isalnum()
    torn = torn_down(nm)
    made = torn[0].rsplit(" ", 1)[-1]
    assert made != HOME
    assert torn == [f"connection down uuid {made}", f"connection delete uuid {made}", f"connection up uuid {HOME}"]
    assert_restored(nm)

    # What the person is told: join (name, password, a QR code), what to do, and that Wi-Fi came back.
    assert f"Network name: {ssid}" in err and f"Password: {password}" in err
    assert "█" in err and "▀" in err  # the QR code
    assert "use the phone normally for 10–15 minutes: open the apps you worry about" in err
    assert f"This computer's Wi-Fi connection {HOME_NAME} is paused" in err
    assert f"The temporary Wi-Fi network {ssid} is gone and Wi-Fi is as it was." in err
    assert f"dns   {KNOWN}   <- known: SpyLive360" in err  # each new name as it comes
    assert f"Seen: the phone on the network {ssid}: hardware address {PHONE_MAC}, addresses {PHONE_V4}, " \
           f"{PHONE_V6}." in err

    data = json.loads(report.read_text("utf-8"))
    [source] = data["sources"]
    assert (source["kind"], source["name"], source["details"]["network"]) == ("hotspot", "wlan0", ssid)
    assert source["details"]["phone"] == f"{PHONE_MAC} ({PHONE_V4}, {PHONE_V6})"  # the laptop is left out
    [phone] = [n for n in source["checked"] if n["key"] == "hotspot.phone"]
    assert phone["params"] == {"network": ssid, "mac": PHONE_MAC, "addresses": f"{PHONE_V4}, {PHONE_V6}"}
    [finding] = [f for f in data["findings"] if f["threat"] == "spylive360"]
    assert finding["params"]["device"] == f"wlan0 · {PHONE_MAC}"  # one finding: IPv4 and IPv6 are one phone


def test_the_report_in_chinese_names_the_phone(nm: FakeNetworkManager, recording: Recording, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    recording()
    report = tmp_path / "r.md"
    assert main(["hotspot", "--duration", "1", "--md", str(report), "--no-feeds", "--lang", "zh"]) == 0
    err = capsys.readouterr().err
    assert "网络名称：" in err and "请正常使用手机 10–15 分钟" in err
    text = report.read_text("utf-8")
    assert f"上的手机：硬件地址 `{PHONE_MAC}`，地址 `{PHONE_V4}, {PHONE_V6}`" in text
    assert "- 这台电脑的 Wi-Fi 网络上的手机（`wlan0`）" in text


def test_an_error_while_recording_still_restores_wifi(nm: FakeNetworkManager, recording: Recording,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import exposure.collect.live as live_capture
    from exposure.errors import UserError

    recording()

    def gone(iface: str) -> object:
        raise UserError(f"cannot capture on {iface}: No such device", key="error.capture.cannot", iface=iface,
                        problem="No such device")

    monkeypatch.setattr(live_capture, "open_socket", gone)
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 2
    assert "cannot capture on wlan0: No such device" in capsys.readouterr().err
    assert torn_down(nm)[2] == f"connection up uuid {HOME}"
    assert_restored(nm)


def test_an_unexpected_error_restores_wifi_too(nm: FakeNetworkManager, recording: Recording,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import exposure.commands.hotspot as command

    recording()

    def broken(*args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(command, "_check", broken)
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 70
    assert_restored(nm)


def test_networkmanager_refusing_the_access_point_leaves_wifi_as_it_was(
        nm: FakeNetworkManager, recording: Recording, capsys: pytest.CaptureFixture[str]) -> None:
    recording()
    nm.set(fail={"device wifi hotspot": "Error: Failed to setup a Wi-Fi hotspot: device does not support AP."})
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 2
    err = capsys.readouterr().err
    assert "NetworkManager could not start the Wi-Fi network: Error: Failed to setup a Wi-Fi hotspot" in err
    assert nm.commands()[-1] == f"connection up uuid {HOME}"
    assert_restored(nm)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_stops_the_recording_checks_it_and_restores_wifi(
        signame: str, nm: FakeNetworkManager, recording: Recording, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    recording()
    report = tmp_path / "r.json"
    sent = threading.Event()

    class SignalledWhenQuiet(QuietSocket):
        """The phone's frames, then the signal: a fixed delay sent it before the hotspot was up on a
        loaded machine (the recording had not started, so nothing was checked)."""

        def select(self, sockets: list[object], timeout: float | None = None) -> list[object]:
            if not self.frames and not sent.is_set():
                sent.set()
                os.kill(os.getpid(), getattr(signal, signame))
            return super().select(sockets, timeout)

    monkeypatch.setattr(live_capture, "open_socket", lambda iface: SignalledWhenQuiet(phone_frames()))
    assert main(["hotspot", "--duration", "600", "--json", str(report), "--no-feeds"]) == 0
    assert sent.is_set()
    data = json.loads(report.read_text("utf-8"))
    assert data["sources"][0]["details"]["stopped"] in ("by Ctrl-C", "by the person")
    assert any(f["threat"] == "spylive360" for f in data["findings"])  # what was recorded is checked
    assert_restored(nm)


def test_ctrl_c_after_the_recording_still_restores_wifi(nm: FakeNetworkManager, recording: Recording,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the capture is read (after the recording) unwinds: Wi-Fi comes back."""
    import exposure.commands.hotspot as command

    recording()

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "_check", interrupted)
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 130
    assert_restored(nm)


def test_ctrl_c_while_the_network_is_made_takes_it_down_by_name(nm: FakeNetworkManager, recording: Recording,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while nmcli makes the network: it was made, but its id never came back; it is
    found by its name and removed, and the person's connection comes back."""
    from exposure.collect.hotspot import nmcli

    recording()
    made = nmcli.start_hotspot

    def interrupted(*args: str) -> str:
        made(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(nmcli, "start_hotspot", interrupted)
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 130
    torn = torn_down(nm)
    assert torn[0] == "connection show"  # looked up by its name
    made_uuid = torn[1].rsplit(" ", 1)[-1]
    assert made_uuid != HOME
    assert torn[1:] == [f"connection down uuid {made_uuid}", f"connection delete uuid {made_uuid}",
                        f"connection up uuid {HOME}"]
    assert_restored(nm)


def test_no_administrator_rights_is_said_first_and_nothing_is_changed(
        nm: FakeNetworkManager, recording: Recording, capsys: pytest.CaptureFixture[str]) -> None:
    recording(allowed=False)
    assert main(["hotspot"]) == 2
    assert "capturing needs administrator rights" in capsys.readouterr().err
    assert nm.calls() == []


def test_a_phone_that_never_joined_is_not_checked(nm: FakeNetworkManager, recording: Recording,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hotspot.conftest import phone_frames

    recording(frames=phone_frames()[-1:])  # only the laptop's own announcement
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 2
    err = capsys.readouterr().err
    assert "no phone was seen on the network" in err
    assert "We did not find" not in err
    assert_restored(nm)


def test_without_networkmanager_the_manual_steps_are_shown_and_the_chosen_interface_recorded(
        nm: FakeNetworkManager, recording: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recording()
    nm.set(running=False)
    report = tmp_path / "r.json"
    assert main(["hotspot", "--duration", "1", "--iface", "bridge100", "--json", str(report), "--no-feeds"]) == 0
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("NetworkManager is not running, so exposure cannot make the Wi-Fi network itself.")
    assert "macOS: System Settings › General › Sharing › Internet Sharing" in err
    assert "Windows: Settings › Network & internet › Mobile hotspot" in err
    assert not any(c.startswith("device wifi hotspot") for c in nm.commands())
    source = json.loads(report.read_text("utf-8"))["sources"][0]
    assert (source["kind"], source["name"], source["details"]["phone"]) == (
        "hotspot", "bridge100", f"{PHONE_MAC} ({PHONE_V4}, {PHONE_V6})")


def test_without_nmcli_and_without_a_terminal_it_asks_for_the_interface(
        nm: FakeNetworkManager, recording: Recording, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    recording()
    (nm.folder / "nmcli").unlink()
    monkeypatch.setenv("PATH", str(nm.folder))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nobody to ask
    assert main(["hotspot", "--duration", "1", "--no-feeds"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("NetworkManager's nmcli is not installed, so exposure cannot make the Wi-Fi network")
    assert "give the network interface the phone's traffic passes through with --iface" in err


def test_a_card_that_cannot_be_an_access_point_falls_back(nm: FakeNetworkManager, recording: Recording,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from exposure.collect.hotspot.access_point import HotspotUnavailable, find_device

    nm.set(devices=[{"name": "wlan0", "ap": False}])
    with pytest.raises(HotspotUnavailable, match=r"the Wi-Fi card \(wlan0\) cannot make an access point"):
        find_device()
    nm.set(devices=[])
    with pytest.raises(HotspotUnavailable, match="no Wi-Fi card that NetworkManager manages"):
        find_device()


def test_the_interface_is_picked_by_number(capsys: pytest.CaptureFixture[str]) -> None:
    from exposure.collect.live import Interface
    from exposure.commands.hotspot import _pick, _Say

    say = _Say(io.StringIO(), "en", False)
    found = [Interface("eth0", True, ("192.168.1.5",)), Interface("bridge100", True, ("192.168.2.1",))]
    assert _pick(found, say, io.StringIO("x\n7\n2\n")) == "bridge100"
    assert "2. bridge100  up  192.168.2.1" in say.stream.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("seconds", "en", "zh"), [
    (60, "after 1 minute,", "在 1 分钟后"),
    (1, "after 1 second,", "在 1 秒后"),
    (120, "after 2 minutes,", "在 2 分钟后"),
    (90, "after 90 seconds,", "在 90 秒后"),
    (900, "after 15 minutes,", "在 15 分钟后"),
])
def test_when_the_recording_stops_is_said_with_the_right_unit_and_number(seconds: float, en: str, zh: str) -> None:
    """Reviewer: '--duration 60' printed 'after 1 minutes' (and '--duration 1' '1 seconds')."""
    from exposure.commands.hotspot import _Say

    assert en in _Say(io.StringIO(), "en", False).until(seconds)
    assert zh in _Say(io.StringIO(), "zh", False).until(seconds)
