"""The app's "A phone on this laptop's Wi-Fi" with Pilot, against the fake NetworkManager: the
rights said first, the network made and shown (name, password, QR code), the phone recorded and
checked with the same Esc dialog as live watching, and the network taken down with Wi-Fi
restored when the recording ends, on going back, and on quick exit (F10) or SIGTERM."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest
from textual.widgets import Button, Static

from exposure.collect.hotspot import access_point
from exposure.tui.app import ExposureApp
from exposure.tui.screens.checking import CheckingScreen
from exposure.tui.screens.hotspot import HotspotScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.tui.screens.stop import StopWatchingScreen
from exposure.tui.wrap import Para
from tests.hotspot.conftest import HOME, PHONE_MAC, PHONE_V4, PHONE_V6, FakeNetworkManager
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

Recording = Callable[..., None]
HOTSPOT_CHOICE = 6  # its place in "What would you like to check?"


async def to_hotspot_screen(app: ExposureApp, pilot: object) -> HotspotScreen:
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))  # type: ignore[arg-type]
    await pilot.press(*("down",) * HOTSPOT_CHOICE, "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, HotspotScreen))  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, HotspotScreen)
    return screen


async def make_network(app: ExposureApp, pilot: object) -> HotspotScreen:
    screen = await to_hotspot_screen(app, pilot)
    await wait_for(pilot, lambda: bool(app.screen.query("#make")))  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]  # "Make the Wi-Fi network" has the focus
    await wait_for(pilot, lambda: bool(app.screen.query("#qr")) and app.screen.focused is not None)  # type: ignore[arg-type]
    return screen


async def test_the_network_is_shown_the_phone_checked_and_wifi_restored(
        nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        point = screen.point
        assert point is not None and nm.active() == point.state.hotspot_uuid
        text = shown_text(app)
        assert f"Network name: {point.ssid}" in text and f"Password: {point.password}" in text
        assert "use the phone normally for 10–15 minutes" in text
        qr = app.screen.query_one("#qr", Static).visual
        plain = getattr(qr, "plain", "")
        spans = [(span.start, span.end, str(span.style)) for span in getattr(qr, "spans", ())]
        assert "█" in plain and spans == [(0, len(plain), "black on white")]  # dark on light, whatever the theme
        assert app.screen.focused is not None and app.screen.focused.id == "go"  # "Start recording"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen) and bool(app.screen.lines))
        await pilot.press("escape")  # the same dialog as live watching
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        assert next(str(b.label) for b in app.screen.query(Button)) == "Stop and check what was seen"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=40)
        assert point.stopped and nm.active() == HOME  # the recording ended: the network went with it
        result = app.screen.result  # type: ignore[attr-defined]
        [source] = result.sources
        assert (source.kind, source.details["network"]) == ("hotspot", point.ssid)
        assert source.details["phone"] == f"{PHONE_MAC} ({PHONE_V4}, {PHONE_V6})"
        assert any(f.threat == "spylive360" for f in result.findings)
    assert [c["uuid"] for c in nm.state()["connections"]] == [HOME]


async def test_quick_exit_takes_the_network_down(nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        assert screen.point is not None
        await pilot.press("f10")
    assert app.quick_exited
    assert nm.commands()[-1] == f"connection up uuid {HOME}"
    assert ["-w", "0", "connection", "up", "uuid", HOME] == nm.calls()[-1]  # asked for, not waited for
    assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
    assert not access_point._RUNNING


async def test_sigterm_takes_the_network_down(nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    app = ExposureApp(lang="en")
    before = signal.getsignal(signal.SIGTERM)
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        assert signal.getsignal(signal.SIGTERM) == screen._signalled  # ours while the network is up
        os.kill(os.getpid(), signal.SIGTERM)
        await wait_for(pilot, lambda: app.quick_exited)
    assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
    assert signal.getsignal(signal.SIGTERM) == before


async def test_going_back_takes_the_network_down(nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    app = ExposureApp(lang="zh")
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        assert "网络名称：" in shown_text(app) and "请正常使用手机 10–15 分钟" in shown_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert screen.point is not None and screen.point.stopped
        assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]


async def test_without_networkmanager_one_line_says_why_then_how_by_hand(
        nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    nm.set(running=False)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        await to_hotspot_screen(app, pilot)
        await wait_for(pilot, lambda: bool(app.screen.query("#hotspot-unavailable")))
        text = shown_text(app)
        line = next(line for line in text.splitlines() if "NetworkManager" in line)
        assert line.startswith("NetworkManager is not running, so exposure cannot make the Wi-Fi network itself.")
        assert "Internet Sharing" in text and "Mobile hotspot" in text
        assert app.screen.query("#interfaces") and app.screen.query("#minutes")  # the person picks one
        app.screen.interface = "bridge100"  # type: ignore[attr-defined]
        app.screen.query_one("#go", Button).press()
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.sources[0].kind == "hotspot" and app.sources[0].target == "bridge100"
    assert not any(c.startswith("device wifi hotspot") for c in nm.commands())


async def test_the_rights_are_said_first(nm: FakeNetworkManager, recording: Recording) -> None:
    recording(allowed=False)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 40)) as pilot:
        await to_hotspot_screen(app, pilot)
        first = shown_text(app).splitlines()[1]  # after the title bar
        assert first.startswith("Watching traffic needs administrator rights, and this app was started without")
        assert not app.screen.query("#make")
    assert nm.calls() == []  # nothing was asked of NetworkManager


def results_shown(app: ExposureApp) -> bool:
    """The results screen is composed empty and filled once it has focus: true once it is filled."""
    return any(getattr(para.visual, "plain", "") for para in app.screen.query("#d-summary").results(Para))

async def test_an_error_while_recording_takes_the_network_down_and_is_said(
        nm: FakeNetworkManager, recording: Recording, monkeypatch: pytest.MonkeyPatch) -> None:
    import exposure.collect.live as live_capture
    from exposure.errors import UserError

    recording()

    def gone(iface: str) -> object:
        raise UserError(f"cannot capture on {iface}: No such device", key="error.capture.cannot", iface=iface,
                        problem="No such device")

    monkeypatch.setattr(live_capture, "open_socket", gone)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        await pilot.press("enter")  # "Start recording"
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=40)
        # the results screen is composed empty, then filled once it has focus
        await wait_for(pilot, lambda: results_shown(app))
        assert screen.point is not None and screen.point.stopped
        assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
        [source] = app.screen.result.sources  # type: ignore[attr-defined]
        assert source.unread is not None and "No such device" in str(source.unread)
        said = {p.id: p.text.plain for p in app.screen.query(Para)}
        assert "No such device" in said["d-not_checked"]
        assert said["d-summary"].startswith("Not checked: the phone on this computer's Wi-Fi network (wlan0): "
                                            "cannot capture on wlan0: No such device.")
        assert "We did not find" not in said["d-summary"]


async def test_networkmanager_refusing_the_network_shows_the_manual_steps(
        nm: FakeNetworkManager, recording: Recording) -> None:
    recording()
    nm.set(fail={"device wifi hotspot": "Error: Failed to setup a Wi-Fi hotspot: device does not support AP."})
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        await to_hotspot_screen(app, pilot)
        await wait_for(pilot, lambda: bool(app.screen.query("#make")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query("#hotspot-unavailable")))
        line = app.screen.query_one("#hotspot-unavailable", Static).visual
        assert getattr(line, "plain", "").startswith(
            "NetworkManager could not start the Wi-Fi network: Error: Failed to setup a Wi-Fi hotspot")
        assert "Internet Sharing" in shown_text(app) and "Mobile hotspot" in shown_text(app)
        assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
    assert nm.commands()[-1] == f"connection up uuid {HOME}"


async def test_ctrl_c_leaves_the_network_up_with_the_app_and_an_interrupt_takes_it_down(
        nm: FakeNetworkManager, recording: Recording) -> None:
    """The Ctrl-C key does not end the app (F10 or Ctrl-Q does): the network it shows stays up
    with it. SIGINT (Ctrl-C where the app does not own the terminal) ends the app as quick
    exit does, taking the network down first."""
    recording()
    app = ExposureApp(lang="en")
    before = signal.getsignal(signal.SIGINT)
    async with app.run_test(size=(110, 60)) as pilot:
        screen = await make_network(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.screen is screen and not app.quick_exited
        assert screen.point is not None and nm.active() == screen.point.state.hotspot_uuid
        os.kill(os.getpid(), signal.SIGINT)
        await wait_for(pilot, lambda: app.quick_exited)
    assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
    assert signal.getsignal(signal.SIGINT) == before


async def test_by_hand_the_picked_interface_is_recorded_and_the_phone_named(
        nm: FakeNetworkManager, recording: Recording, monkeypatch: pytest.MonkeyPatch) -> None:
    import exposure.tui.screens.hotspot as hotspot_screen

    recording()
    nm.set(running=False)
    monkeypatch.setattr(hotspot_screen, "interfaces", lambda: [("eth0", "eth0  up"), ("bridge100", "bridge100  up")])
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 60)) as pilot:
        await to_hotspot_screen(app, pilot)
        await wait_for(pilot, lambda: bool(app.screen.query("#interfaces")))
        app.screen.query_one("#interfaces").focus()
        await pilot.press("down", "enter", "enter")  # bridge100, then the minutes
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert [(s.kind, s.target, s.option("network")) for s in app.sources] == [("hotspot", "bridge100", "")]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen) and bool(app.screen.lines))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        await pilot.press("enter")  # stop and check what was seen
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=40)
        await wait_for(pilot, lambda: results_shown(app))
        [source] = app.screen.result.sources  # type: ignore[attr-defined]
        assert (source.kind, source.name, source.details["phone"]) == (
            "hotspot", "bridge100", f"{PHONE_MAC} ({PHONE_V4}, {PHONE_V6})")
        assert f"hardware address {PHONE_MAC}" in shown_text(app)
    assert not any(c.startswith("device wifi hotspot") for c in nm.commands())
