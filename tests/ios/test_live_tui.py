"""Live watching of an iPhone in the app (issue 13 item 5): the live screen offers the iPhone
over USB (even without administrator rights, which pcapd does not need), records it through
pcapd with the same Esc dialog as live watching (stop and check, discard, keep watching), and
checks what was recorded as an iPhone capture, each finding labelled by the app behind it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

import exposure.tui.screens.live as live_screen
from exposure.tui.app import ExposureApp
from exposure.tui.screens.checking import CheckingScreen
from exposure.tui.screens.live import LiveScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.tui.screens.stop import StopWatchingScreen
from tests.ios.fake_iphone import UDID, FakeMux, FakePhone
from tests.ios.test_capture import dns_packet, tls_hello_packet
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

Plug = Callable[..., FakeMux]
KNOWN = "s1.spylive360.com"  # SpyLive360's server (profiles/stalkerware.yaml)
FRAMES = [dns_packet(KNOWN), tls_hello_packet(KNOWN, "SysHelper", sport=50001, pid=812),
          tls_hello_packet("maps.apple.com", "Maps", server="17.0.0.5", cellular=True, pid=501)]


async def watch_the_iphone(app: ExposureApp, pilot: Pilot[Any]) -> CheckingScreen:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
    await pilot.press(*("down",) * 5, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen))
    chooser = app.screen.query_one("#interfaces", OptionList)
    assert chooser.get_option_at_index(chooser.highlighted or 0).id == live_screen.IPHONE
    assert app.t("live.iphone") in shown_text(app)
    await pilot.press("enter", "enter")  # the iPhone, then the minutes
    await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
    assert [(s.kind, s.target) for s in app.sources] == [("iphone-live", "")]
    await pilot.press("enter")

    def recording_all() -> bool:
        screen = app.screen
        return isinstance(screen, CheckingScreen) and any(dict(p.counts).get("packets") == 3
                                                           for p in screen.lines.values())

    await wait_for(pilot, recording_all, timeout=30)
    screen = app.screen
    assert isinstance(screen, CheckingScreen)
    return screen


@pytest.fixture
def iphone_recorded(plug: Plug, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A trusted iPhone whose pcapd sends three packets, then stays open; this app has no
    administrator rights (not needed for an iPhone)."""
    plug(FakePhone(pcap_frames=FRAMES, pcap_end=False))
    monkeypatch.setattr(live_screen, "capture_allowed", lambda: False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the private capture goes
    return tmp_path


async def test_escape_then_enter_checks_what_the_iphone_sent(iphone_recorded: Path) -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(110, 40)) as pilot:
        checking = await watch_the_iphone(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        assert not checking.cancel.is_set()
        await pilot.press("enter")  # the default: stop and check what was seen
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), timeout=40)
        result = app.screen.result  # type: ignore[attr-defined]
        [source] = result.sources
        assert (source.kind, source.name, source.details["udid"]) == ("iphone-capture", "iPhone", UDID)
        assert source.details["stopped"] == "by the person" and source.counts["packets"] == 3
        [finding] = [f for f in result.findings if f.threat == "spylive360"]
        assert ("SysHelper",) in {getattr(o, "processes", ()) for o in finding.evidence}  # labelled by app
        assert {o.source for o in finding.evidence} == {"iPhone"}
        # the results screen is pushed before its panes are drawn: wait for them, never a fixed pause
        await wait_for(pilot, lambda: "SpyLive360" in shown_text(app))
    assert [p for p in iphone_recorded.iterdir() if p.name.startswith("exposure-watch-")] == []
    assert app.scratch == set()  # the capture is deleted


async def test_discard_drops_what_the_iphone_sent(iphone_recorded: Path) -> None:
    app = ExposureApp(lang="zh")
    async with app.run_test(size=(110, 40)) as pilot:
        checking = await watch_the_iphone(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StopWatchingScreen))
        await pilot.press("down", "enter")  # "discard"
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen), timeout=40)
        assert checking.cancel.is_set()
    assert app.scratch == set()
