"""Watching traffic live in the app: the rights are said first, each new name is shown as
it comes with a known one marked at once, and Esc offers "stop and check what was seen"
(the default) or "discard" instead of throwing the watch away."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from textual.widgets import Button, OptionList, RichLog

import exposure.collect.live as live_capture
import exposure.tui.screens.live as live_screen
from exposure.scan import SourceSpec
from exposure.tui.app import ExposureApp
from exposure.tui.screens.checking import CheckingScreen
from exposure.tui.screens.live import LiveScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.tui.screens.stop import StopWatchingScreen
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

KNOWN = "s1.spylive360.com"  # SpyLive360's command server (profiles/stalkerware.yaml)


def dns_frame(name: str) -> bytes:
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    return bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="10.9.9.2", dst="10.9.9.1")
                 / UDP(sport=40000, dport=53) / DNS(id=7, rd=1, qd=DNSQR(qname=name)))


class QuietSocket:
    """A stand-in capture socket: hands out prepared frames, then stays quiet."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = list(frames)

    def select(self, sockets: list[object], timeout: float | None = None) -> list[object]:
        if self.frames:
            return sockets
        time.sleep(min(timeout or 0.0, 0.05))
        return []

    def recv_raw(self, size: int) -> tuple[None, bytes, float]:
        return None, self.frames.pop(0), time.time()

    def close(self) -> None:
        pass


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Watching "eth9" sees an ordinary look-up, then SpyLive360's server, then nothing."""
    frames = [dns_frame("example.org"), dns_frame(KNOWN)]
    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket(frames))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the private capture goes
    return tmp_path


async def start_watching(app: ExposureApp, pilot) -> CheckingScreen:  # type: ignore[no-untyped-def]
    app.sources = (SourceSpec("live", "eth9", (("seconds", "600"),)),)
    app.selected_profiles = None
    app.push_screen(CheckingScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen) and KNOWN in names_shown(app))
    screen = app.screen
    assert isinstance(screen, CheckingScreen)
    return screen


def names_shown(app: ExposureApp) -> str:
    logs = list(app.screen.query("#live-names").results(RichLog))
    return "\n".join(strip.text for log in logs for strip in log.lines)


async def test_each_name_is_shown_as_it_comes_and_a_known_one_is_marked(watched: Path) -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await start_watching(app, pilot)
        shown = names_shown(app).splitlines()
        assert any("example.org" in line and "⚠" not in line for line in shown)
        [marked] = [line for line in shown if KNOWN in line]
        assert "⚠ known: SpyLive360 (its server: the tool is likely running)" in marked
        await pilot.press("f2")  # the list survives a change of language, marks in Chinese
        await wait_for(pilot, lambda: "已知：SpyLive360" in names_shown(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        await pilot.press("right")  # (a stray key does nothing harmful)
        await pilot.press("escape")  # keep watching
        await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen))


async def test_escape_then_enter_stops_and_checks_what_was_seen(watched: Path) -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        checking = await start_watching(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        buttons = [str(b.label) for b in app.screen.query(Button)]
        assert buttons == ["Stop and check what was seen", "Discard what was seen", "Keep watching"]
        assert app.screen.focused is not None and app.screen.focused.id == "check"
        assert not checking.cancel.is_set()  # nothing is dropped until the person says so
        await pilot.press("enter")  # the default: stop and check
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=40)
        result = app.screen.result  # type: ignore[attr-defined]
        assert not result.cancelled
        assert any(f.threat == "spylive360" for f in result.findings)
        [source] = result.sources
        assert (source.kind, source.name, source.details["stopped"]) == ("live", "eth9", "by the person")
        assert "SpyLive360" in shown_text(app)
    assert list(watched.iterdir()) == [] and app.scratch == set()  # the capture is deleted


async def test_discard_drops_what_was_seen(watched: Path) -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        app.push_screen(ProfilesScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        checking = await start_watching(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        await pilot.press("down", "enter")  # "Discard what was seen"
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen), timeout=40)
        assert checking.cancel.is_set()
    assert list(watched.iterdir()) == [] and app.scratch == set()


async def test_the_first_screen_says_it_needs_administrator_rights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_screen, "capture_allowed", lambda: False)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press(*("down",) * 5, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen))
        text = shown_text(app)
        first = text.splitlines()[1]  # after the title bar
        assert first.startswith("Watching traffic needs administrator rights, and this app was started without them")
        assert "sudo " in text and "setcap" not in text
        # No interface of this computer to fill in: only an iPhone over USB, which needs no such rights.
        [chooser] = app.screen.query("#interfaces").results(OptionList)
        assert [chooser.get_option_at_index(n).id for n in range(chooser.option_count)] == [live_screen.IPHONE]


async def test_no_rights_during_the_watch_is_said_in_the_persons_language(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    def refuse(iface: str) -> object:
        raise live_capture.privilege_error()

    monkeypatch.setattr(live_capture, "open_socket", refuse)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = ExposureApp(lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        app.sources = (SourceSpec("live", "eth9", (("seconds", "600"),)),)
        app.push_screen(CheckingScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and "未检查" in shown_text(app))
        text = shown_text(app)
        assert "未检查：在 eth9 上观察到的流量。抓包需要管理员权限" in text
        assert "capturing needs administrator rights" not in text  # the English is only the fallback
        assert "没有发现所查找的任何工具" not in text  # never a clean result for what was not read
