"""The workshop demo in the app: only practice sources are offered, a real check is never
labelled DEMO, and the practice data is named in words, not by where exposure is installed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

import exposure.demo
from exposure.report.document import from_result
from exposure.report.render import html_text
from exposure.tui.app import ExposureApp
from exposure.tui.screens.file import FileScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

PRACTICE = ["demo", "practice-phone", "practice-capture"]


def choices(app: ExposureApp) -> list[str]:
    chooser = app.screen.query_one("#choices", OptionList)
    return [str(chooser.get_option_at_index(i).id) for i in range(chooser.option_count)]


async def test_the_demo_offers_only_practice_sources() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert choices(app) == PRACTICE
        text = shown_text(app)
        assert "The practice phone" in text and "The practice network capture" in text
        for real in ("This computer", "An Android phone over USB", "An iPhone over USB", "An iPhone backup folder",
                     "Watch network traffic live",
                     "A capture, a folder of captures, or androidqf"):
            assert real not in text
    plain_app = ExposureApp(lang="en")
    async with plain_app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(plain_app.screen, SourceScreen))
        assert choices(plain_app) == ["host", "android", "iphone", "ios-backup", "file", "live", "hotspot", "demo"]


async def test_practice_phone_evidence_uses_short_names() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("down", "enter")  # the practice phone
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert screen.result.demo
        assert [s.label for s in screen.result.sources] == ["practice-phone"]
        installed = str(exposure.demo.data_dir())
        overview = shown_text(app)
        assert "We checked the practice phone (" in overview
        assert "DEMO" in overview
        for index in range(len(screen.view.findings)):
            finding = screen.view.findings[index]
            for part in (finding.seen, finding.evidence, finding.title):
                assert installed not in part.plain and "demo-phone" not in part.plain, part.plain
        assert any("(the practice phone)" in f.seen.plain for f in screen.view.findings)
        report = html_text(from_result(screen.result), "en")
        assert installed not in report.split("Record of this check")[0]


async def test_a_real_check_is_never_labelled_demo(tmp_path: Path) -> None:
    """Started as "exposure demo" or not, only practice data gives a DEMO result."""
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    capture = tmp_path / "home.pcap"
    wrpcap(str(capture), [Ether() / IP(src="192.168.1.2", dst="192.168.1.1") / UDP(dport=53)
                          / DNS(qd=DNSQR(qname="example.org"))])
    app = ExposureApp(lang="en")
    app.file_start = tmp_path
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("end", "enter")  # the workshop demo first...
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.demo and "DEMO" in shown_text(app)
        await pilot.press("escape")  # ...then, changing one's mind, a real capture
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert not app.demo
        await pilot.press("home", *("down",) * 4, "enter")  # "A capture, a folder of captures, or androidqf"
        await wait_for(pilot, lambda: isinstance(app.screen, FileScreen))
        app.screen.query_one("#path", Input).value = str(capture)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert not screen.result.demo and "DEMO" not in shown_text(app)
        assert "practice data" not in html_text(from_result(screen.result), "en")


async def test_a_file_that_is_not_a_capture_is_said_at_once(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n")
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    app = ExposureApp(lang="zh")
    app.file_start = tmp_path
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press(*("down",) * 4, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FileScreen))
        for path in (notes, empty):
            app.screen.query_one("#path", Input).value = str(path)
            await pilot.press("enter")
            said = f"{path}：不是抓包文件"
            await wait_for(pilot, lambda: said in shown_text(app))  # noqa: B023 - awaited at once
            assert isinstance(app.screen, FileScreen) and app.sources == ()
