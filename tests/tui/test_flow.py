"""Pilot tests: the whole guided flow on demo data, cancel, quick exit, language, export, safety."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList, Static

import exposure.demo
from exposure.collect import COLLECTORS
from exposure.model import Category, SourceSpec
from exposure.tui.app import CLEAR_TERMINAL, ExposureApp, clear_terminal
from exposure.tui.screens.android import AndroidScreen
from exposure.tui.screens.checking import CheckingScreen, ScanProgress
from exposure.tui.screens.export import ExportScreen
from exposure.tui.screens.file import FileScreen
from exposure.tui.screens.help import HelpScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.tui.screens.welcome import WelcomeScreen
from tests.tui import helpers
from tests.tui.helpers import wait_for


def shown_text(app: ExposureApp) -> str:
    """All text of the current screen's Static widgets, as the person would read it."""
    parts = []
    for widget in app.screen.query(Static):
        visual = widget.visual
        parts.append(getattr(visual, "plain", str(visual)))
    for chooser in app.screen.query(OptionList):
        for index in range(chooser.option_count):
            prompt = chooser.get_option_at_index(index).prompt
            parts.append(prompt.plain if isinstance(prompt, Text) else str(prompt))
    return "\n".join(parts)


def showing(pilot: Pilot[Any], kind: type[Screen[Any]]) -> Callable[[], bool]:
    return lambda: isinstance(pilot.app.screen, kind)


async def to_results(pilot) -> ResultsScreen:  # type: ignore[no-untyped-def]
    for screen in (SourceScreen, ProfilesScreen):
        await pilot.press("enter")
        await wait_for(pilot, showing(pilot, screen))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResultsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo choice runs a collector that waits until cancelled."""
    helpers.RELEASE.clear()
    monkeypatch.setitem(COLLECTORS, "slow", "tests.tui.helpers:make_slow")
    monkeypatch.setattr(exposure.demo, "demo_sources", lambda: (SourceSpec("slow"),))


async def test_demo_flow_reaches_results_with_enter_only(private_data_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        assert "DEMO" in shown_text(app)
        screen = await to_results(pilot)
        result = screen.result
        assert result.demo and not result.cancelled
        categories = {f.category for f in result.findings}
        assert Category.STALKERWARE in categories
        assert Category.STATE_MONITORING in categories
        # The capture contributes too: SpyLive360's command server in DNS and TLS.
        assert any(obs.collector != "androidqf" for f in result.findings for obs in f.evidence
                   if "spylive360" in obs.describe()), [f.title for f in result.findings]
        text = shown_text(app)
        assert "DEMO" in text and "SpyLive360" in text
        # Choosing a finding explains it beside the list.
        await pilot.press("down")
        await pilot.pause()
        assert screen.selected == 0
        detail = str(app.screen.query_one("#d-title", Static).visual)
        assert "SpyLive360" in detail
        assert app.screen.query_one("#d-safety", Static).display
    # Nothing written: no data folder entries, nothing in the working folder.
    assert list(private_data_dir.iterdir()) == []
    assert list(tmp_path.iterdir()) == []


async def test_escape_cancels_a_slow_check_and_goes_back(slow: None) -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen))
        checking = app.screen
        assert isinstance(checking, CheckingScreen)
        await wait_for(pilot, lambda: "slow source" in shown_text(app))
        assert "7 packets" in shown_text(app)
        assert "reading the packets in the capture 50%" in shown_text(app)
        # Still responsive during the scan: switching language is handled at once, the
        # progress line included.
        await pilot.press("f2")
        await wait_for(pilot, lambda: "正在检查" in shown_text(app))
        await wait_for(pilot, lambda: "正在读取抓包文件中的数据包 50%" in shown_text(app))
        assert "7 数据包" in shown_text(app)
        await pilot.press("escape")
        assert checking.cancel.is_set()
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await app.workers.wait_for_complete()
        assert app.active_cancel is None


async def test_progress_floods_coalesce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COLLECTORS, "flood", "tests.tui.helpers:make_flood")
    monkeypatch.setattr(exposure.demo, "demo_sources", lambda: (SourceSpec("flood"),))
    handled: list[int] = []
    original = CheckingScreen.on_scan_progress

    async def counting(self: CheckingScreen, message: ScanProgress) -> None:
        handled.append(dict(message.progress.counts)["packets"])
        await original(self, message)

    monkeypatch.setattr(CheckingScreen, "on_scan_progress", counting)
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_results(pilot)
    assert handled, "no progress reached the screen"
    assert len(handled) < helpers.FLOOD  # older reports were replaced by newer ones
    assert handled == sorted(handled)


def test_progress_replaces_only_the_same_source() -> None:
    from exposure.collect.base import Progress

    first = ScanProgress(Progress("a.pcap", "reading", (("packets", 1),)))
    newer = ScanProgress(Progress("a.pcap", "reading", (("packets", 2),)))
    other = ScanProgress(Progress("phone", "reading", (("packages", 2),)))
    assert newer.can_replace(first)
    assert not other.can_replace(first)


async def test_warnings_are_shown_in_the_persons_language_and_never_as_markup(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COLLECTORS, "damaged", "tests.tui.helpers:make_damaged")
    monkeypatch.setattr(exposure.demo, "demo_sources", lambda: (SourceSpec("damaged"),))
    app = ExposureApp(demo=True, lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await to_results(pilot)
        await wait_for(pilot, lambda: "抓包文件已损坏" in shown_text(app))
        assert "cut.pcap: 抓包文件已损坏：[b]cut[/b]；之后的数据包没有被读取" in shown_text(app)
        assert "the capture file is damaged" not in shown_text(app)


def test_live_watching_says_what_it_reads_in_every_language() -> None:
    from exposure.collect.base import Progress
    from exposure.collect.live import collector
    from tests.progress_notes import assert_progress_names_what_it_reads

    watching = Progress("eth0", "watching", (("packets", 3),), 0.25, collector.WATCHING)
    assert assert_progress_names_what_it_reads([watching]) == ["reading.live-traffic"]


async def test_quick_exit_from_every_step(slow: None) -> None:
    for presses in ((), ("enter",), ("enter", "enter"), ("enter", "enter", "enter")):
        app = ExposureApp(demo=True, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*presses)
            await pilot.pause()
            cancel = app.active_cancel
            footer = shown_text(app)
            await pilot.press("f10")
            await pilot.pause()
        assert app.quick_exited and app.return_code == 0, presses
        assert "DEMO" in footer
        if cancel is not None:  # a running check is told to stop
            assert cancel.is_set()


async def test_quick_exit_key_is_shown_on_every_screen(slow: None) -> None:
    from textual.widgets._footer import FooterKey

    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        for step in range(4):
            def quick_keys() -> list[FooterKey]:
                return [k for k in app.screen.query(FooterKey) if k.action == "quick_exit"]

            await wait_for(pilot, lambda: bool(quick_keys()))
            assert quick_keys()[0].description == "Quick exit", (step, app.screen)
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await wait_for(pilot, lambda: bool(quick_keys()))
            await pilot.press("escape")
            await pilot.press("enter")
        await pilot.press("escape")


def test_clear_terminal_clears_screen_and_scrollback() -> None:
    out = io.StringIO()
    clear_terminal(out)
    assert out.getvalue() == CLEAR_TERMINAL
    assert "\x1b[3J" in CLEAR_TERMINAL and "\x1b[2J" in CLEAR_TERMINAL


async def test_language_switch_rerenders_and_keeps_choices() -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Before you start" in shown_text(app)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "开始之前" in shown_text(app))
        assert app.lang == "zh"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert "你想检查什么" in shown_text(app)
        await pilot.press(*("down",) * 5)  # to "Watch network traffic live"
        await pilot.press("f2")
        await wait_for(pilot, lambda: "What would you like to check?" in shown_text(app))
        chooser = app.screen.query_one("#choices", OptionList)
        assert chooser.highlighted == 5
        # The screen underneath follows when it is shown again.
        await pilot.press("escape")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")


async def test_export_writes_private_reports_in_chosen_folder(tmp_path: Path) -> None:
    folder = tmp_path / "usb stick"
    folder.mkdir()
    app = ExposureApp(demo=True, lang="en", export_dir=folder)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await to_results(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        assert screen.saved
        first = sorted(folder.iterdir())
        # A second save never replaces the first.
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
    files = sorted(folder.iterdir())
    assert len(files) == 2 * len(first)
    assert {p.suffix for p in files} == {".html", ".md", ".json"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.name.startswith("report-")
    report = json.loads(next(p for p in files if p.suffix == ".json").read_text("utf-8"))
    assert report["demo"] is True


async def test_export_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    app = ExposureApp(demo=True, lang="en", export_dir=tmp_path / "nope")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_results(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "does not exist" in shown_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
    assert not (tmp_path / "nope").exists()


async def test_untrusted_text_is_never_markup() -> None:
    result = helpers.hostile_result()
    app = ExposureApp(lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(ResultsScreen(result))
        await wait_for(pilot, lambda: "[bold red]x[/]" in shown_text(app))
        text = shown_text(app)
        assert "[bold red]x[/]" in text
        assert "[@click=app.quit]x[/]" in text
        # Click the finding whose name is a fake action, and open its details: nothing fires.
        for _ in range(4):
            await pilot.press("down")
        await pilot.click("#findings", offset=(4, 2))
        await pilot.click("#d-title")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        detail = app.screen.query_one("#d-title", Static).visual
        assert "[@click=app.quit]x[/]" in getattr(detail, "plain", "") or "[bold red]x[/]" in getattr(
            detail, "plain", "")


async def test_file_choice_checks_a_typed_path() -> None:
    capture = exposure.demo.data_dir() / "demo-phone"
    app = ExposureApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("down", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FileScreen))
        await pilot.press(*"/no/such/file", "enter")
        await wait_for(pilot, lambda: "Nothing is at that path" in shown_text(app))
        app.screen.query_one("#path").value = str(capture)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.sources == (SourceSpec("androidqf", str(capture)),)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and "SpyLive360" in shown_text(app))
        assert not app.demo  # real data: no DEMO badge
        assert "DEMO" not in shown_text(app)


async def to_android(pilot, app: ExposureApp) -> AndroidScreen:  # type: ignore[no-untyped-def]
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
    await pilot.press("down", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, AndroidScreen) and app.screen.phones is not None)
    screen = app.screen
    assert isinstance(screen, AndroidScreen)
    return screen


async def test_android_without_adb_explains_and_does_not_go_on(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no adb anywhere
    app = ExposureApp(lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await to_android(pilot, app)
        assert "没有找到 adb 程序" in shown_text(app)  # adb's one line, in the person's language
        assert "the program adb was not found" not in shown_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "检查还不能开始" in shown_text(app))
        assert isinstance(app.screen, AndroidScreen)  # no check of a phone that is not there
        assert app.screen.focused is not None and app.screen.focused.id == "again"
        assert app.sources == ()
        assert "Traceback" not in shown_text(app)


async def test_no_phone_means_no_check_and_look_again_finds_it(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    fake = tmp_path / "adb"
    devices = tmp_path / "devices.txt"
    devices.write_text("List of devices attached\n\n")
    fake.write_text(f"#!/bin/sh\ncat {devices}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await to_android(pilot, app)
        assert "No phone found yet" in shown_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "The check cannot start yet: no phone is connected" in shown_text(app))
        assert isinstance(app.screen, AndroidScreen) and app.sources == ()
        # The person plugs the phone in and allows it, then looks again.
        devices.write_text("List of devices attached\nDEMO0001  device usb:1-1 model:Pixel_3a\n")
        await pilot.press("r")
        await wait_for(pilot, lambda: "Pixel 3a (DEMO0001)" in shown_text(app))
        assert screen.not_ready == ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert list(app.sources) == [SourceSpec("android", "DEMO0001")]


async def test_a_phone_not_allowed_yet_is_explained_and_not_checked(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    fake = tmp_path / "adb"  # answers "adb devices -l" with one phone that has not allowed us yet
    fake.write_text("#!/bin/sh\nprintf 'List of devices attached\\nDEMO0001  unauthorized usb:1-1\\n'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_android(pilot, app)
        assert "DEMO0001" in shown_text(app)
        assert "tap Allow on the phone's screen" in shown_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "The check cannot start yet: tap Allow" in shown_text(app))
        assert isinstance(app.screen, AndroidScreen) and app.sources == ()


async def test_app_tests_never_reach_a_real_adb(no_real_adb: Path) -> None:
    """The autouse fixture's adb answers every app test: no adb server is ever started."""
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_android(pilot, app)
    assert (no_real_adb / "calls.log").read_text().splitlines() == ["devices -l"]


async def test_help_and_before_you_start_from_help(slow: None) -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Workshop demo" in shown_text(app)  # help for the screen underneath
        await pilot.click("#before")
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))


async def test_command_palette_switches_to_high_contrast() -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "exposure-calm"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"High-contrast")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "exposure-high-contrast")
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.theme == "exposure-calm")


async def test_profiles_need_one_choice(slow: None) -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        # Every worry is chosen except the travel check, which is asked for on purpose.
        assert screen.profiles and screen.selected == {p.id for p in screen.profiles if not p.opt_in}
        assert "flagged-apps-xinjiang" not in screen.selected
        await pilot.press("a")  # all
        await pilot.pause()
        assert screen.selected == {p.id for p in screen.profiles}
        await pilot.press("a")  # none
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Choose at least one" in shown_text(app))
        await pilot.press("space")  # tick the first one only
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckingScreen))
        assert app.selected_profiles == frozenset({screen.profiles[0].id})
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))


async def test_live_choice_records_the_interface_and_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    import exposure.tui.screens.live as live

    monkeypatch.setattr(live, "interfaces", lambda: [("eth9", "eth9  up"), ("lo", "lo  up")])
    monkeypatch.setattr(live, "capture_allowed", lambda: True)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("down", "down", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: "administrator rights" in shown_text(app))
        await pilot.press("enter")  # the interface, then the minutes
        await pilot.press("backspace", "backspace", "0")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "between 1 and 240" in shown_text(app))
        await pilot.press("backspace", "2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.sources == (SourceSpec("live", "eth9", (("seconds", "120"),)),)


async def test_results_keep_on_escape_and_new_check_starts_over() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_results(pilot)
        await pilot.press("escape")  # results are kept nowhere else: Esc must not drop them
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("f2")
        await wait_for(pilot, lambda: "概览" in shown_text(app))
        await pilot.press("f2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert "What would you like to check?" in shown_text(app)


async def test_results_still_shown_when_explaining_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import exposure.tui.findings as findings

    def broken(report: object, lang: str) -> object:
        raise RuntimeError("explain bug")

    monkeypatch.setattr(findings, "summarize", broken)
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await to_results(pilot)
        text = shown_text(app)
        assert "SpyLive360" in text and "BXAQ" in text
        assert len(screen.view.findings) == len(screen.result.findings)


async def test_live_watch_records_checks_and_deletes_the_capture(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the temporary capture goes
    app = ExposureApp(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        app.sources = (SourceSpec("live", "lo", (("seconds", "1"),)),)
        app.push_screen(CheckingScreen())
        await wait_for(pilot, lambda: (isinstance(app.screen, ResultsScreen) and bool(app.screen.query("#d-title")))
                       or "could not finish" in shown_text(app))
        assert isinstance(app.screen, ResultsScreen)
        [source] = app.screen.result.sources
        assert (source.kind, source.name) == ("live", "lo")  # the deleted capture is not named
        if source.unread is not None:  # not allowed to capture, or nothing passed on lo meanwhile
            assert source.unread.key in ("error.live.no-traffic", "error.capture.privileges-venv",
                                         "error.capture.privileges"), source.unread
            await wait_for(pilot, lambda: "\nOverview\nNot checked: the traffic watched on lo" in shown_text(app))
    assert list(tmp_path.iterdir()) == []  # the capture is gone either way
    assert app.scratch == set()


async def test_a_failed_save_keeps_the_results_and_asks_for_another_place(tmp_path: Path) -> None:
    """/proc takes no new file, even for root: the save fails there, the person is told why
    in their language, stays where they can choose another folder, and nothing is lost."""
    good = tmp_path / "stick"
    good.mkdir()
    app = ExposureApp(demo=True, lang="zh", export_dir=Path("/proc"))
    async with app.run_test(size=(120, 36)) as pilot:
        results = await to_results(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "报告没有保存：无法在文件夹 /proc 中写入" in shown_text(app))
        assert "你的检查结果仍然保留" in shown_text(app)
        assert isinstance(app.screen, ExportScreen) and app.screen.focused is not None
        assert app.screen.focused.id == "folder"  # ready for another place
        app.screen.query_one("#folder").value = str(good)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
        shown_now: object = app.screen
        assert shown_now is results and results.saved  # the same results, now saved
    assert sorted(p.suffix for p in good.iterdir()) == [".html", ".json", ".md"]
