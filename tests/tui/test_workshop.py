"""The app on a workshop's folder of captures (review r3, trainer #3 and #10): the Overview shows
source by source whose capture was clean, says the results are several people's, names the
capture that was too short, and the save writes one report per capture unless unticked.
The save screen opens in a sensible folder without dot-folders; the command palette speaks
the person's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandInput, CommandPalette
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from exposure.model import SourceSpec
from exposure.scan import ScanRequest, ScanResult, run_scan
from exposure.tui.app import ExposureApp
from exposure.tui.safe import SafeDirectoryTree
from exposure.tui.screens.export import ExportScreen, default_folder
from exposure.tui.screens.results import ResultsScreen
from tests.cli.helpers import write_workshop
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

SAID = {
    "en": ("Source by source", "This report holds the results of 2 captures",
           ("• the network capture amina-phone.pcap (20 packets and 3 conversations): 1 finding rests on it:\n"
            "    – Serious: Contact with a SpyLive360 server: s1.spylive360.com\n"
            "• the network capture li-phone.pcap (2 packets and 1 conversation): Nothing was found in it. "
            "That does not prove that the device it comes from is safe."),
           "• the network capture amina-phone.pcap: a short recording: it covers only 2 s"),
    "zh": ("逐个来源", "这份报告包含 2 个抓包文件的结果",
           ("• 网络抓包文件 amina-phone.pcap（20 个数据包和 3 个会话）：有 1 项发现来自这里：\n"
            "    – 严重：与 SpyLive360 的服务器有联系：s1.spylive360.com\n"
            "• 网络抓包文件 li-phone.pcap（2 个数据包和 1 个会话）：其中没有发现任何情况。"
            "但这不能证明它所来自的设备是安全的。"),
           "• 网络抓包文件 amina-phone.pcap：抓包时间较短：只有 2 秒"),
}


@pytest.fixture
def workshop_result(tmp_path: Path) -> ScanResult:
    folder = write_workshop(tmp_path / "workshop")
    sources = tuple(SourceSpec("pcap", str(path)) for path in sorted(folder.iterdir()))
    return run_scan(ScanRequest(sources=sources))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_overview_shows_whose_capture_was_clean(workshop_result: ScanResult, lang: str) -> None:
    app = ExposureApp(lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ResultsScreen(workshop_result))
        await wait_for(pilot, lambda: SAID[lang][0] in shown_text(app))
        _, several, per_source, short = SAID[lang]
        screen = app.screen
        assert _part(screen, "summary").split("\n\n")[-1].startswith(several)  # last, just above the sources
        assert _part(screen, "per_source") == per_source
        assert short in _part(screen, "not_checked")


def _part(screen: Screen[object], part: str) -> str:
    return str(getattr(screen.query_one(f"#d-{part}", Static).visual, "plain", ""))


async def test_a_finding_hides_the_source_by_source_part(workshop_result: ScanResult) -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ResultsScreen(workshop_result)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query_one("#d-per_source").display)
        await pilot.press("down")
        await wait_for(pilot, lambda: not screen.query_one("#d-per_source").display)


@pytest.mark.parametrize("per_capture", [True, False])
async def test_saving_writes_one_report_per_capture_unless_unticked(workshop_result: ScanResult, tmp_path: Path,
                                                                    per_capture: bool) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    app = ExposureApp(lang="en", export_dir=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ResultsScreen(workshop_result))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        box = app.screen.query_one("#per-source", Checkbox)
        assert box.value  # several people's captures: one report each, unless unticked
        assert "This check holds 2 captures" in shown_text(app)
        if not per_capture:
            box.value = False
            await pilot.pause()
        app.screen.query_one("#folder", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen))
    files = sorted(p.name for p in folder.iterdir())
    if not per_capture:
        assert len(files) == 3 and all("phone" not in name for name in files)
        return
    assert len(files) == 6
    for who, other in (("amina-phone", "li-phone"), ("li-phone", "amina-phone")):
        mine = [name for name in files if name.endswith((f"-{who}.html", f"-{who}.md", f"-{who}.json"))]
        assert len(mine) == 3, files
        for name in mine:
            text = (folder / name).read_text("utf-8").lower()
            assert other not in text and ("spylive360" in text) == (who == "amina-phone")
    li = json.loads((folder / next(n for n in files if n.endswith("-li-phone.json"))).read_text("utf-8"))
    assert li["findings"] == [] and len(li["sources"]) == 1


async def test_one_capture_or_the_demo_is_saved_as_one_report() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        demo = run_scan(ScanRequest(sources=(SourceSpec("pcap", "x.pcap"),), demo=True))
        await app.push_screen(ExportScreen(demo))
        await pilot.pause()
        assert not app.screen.query("#per-source")


def test_the_save_screen_opens_in_a_sensible_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert default_folder(home) == home  # no Documents: the home folder
    (home / "Documents").mkdir()
    assert default_folder(home) == home / "Documents"  # started at home: Documents
    assert default_folder(None) == home / "Documents"
    assert default_folder(Path("/")) == home / "Documents"
    workshop = tmp_path / "workshop"
    workshop.mkdir()
    assert default_folder(workshop) == workshop  # a trainer's workshop folder
    workshop.chmod(0o500)
    try:
        if not _writable(workshop):  # root can write anywhere
            assert default_folder(workshop) == home / "Documents"
    finally:
        workshop.chmod(0o700)


def _writable(folder: Path) -> bool:
    import os

    return os.access(folder, os.W_OK)


async def test_the_save_screen_lists_no_dot_folders_and_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  workshop_result: ScanResult) -> None:
    home = tmp_path / "home"
    for name in (".cache", ".config", "Documents", "Desktop"):
        (home / name).mkdir(parents=True)
    (home / "diary.txt").write_text("private")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(ExportScreen(workshop_result))
        tree = app.screen.query_one("#folders", SafeDirectoryTree)
        await wait_for(pilot, lambda: len(tree.root.children) > 0)
        await pilot.pause(0.2)
        shown = sorted(str(node.label) for node in tree.root.children)
        assert shown == ["Desktop", "Documents"]
        assert app.screen.query_one("#folder", Input).value == str(home / "Documents")


@pytest.mark.parametrize(("lang", "placeholder"), [("en", "Search for commands…"), ("zh", "搜索命令…")])
async def test_the_command_palette_speaks_the_persons_language(lang: str, placeholder: str) -> None:
    app = ExposureApp(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.pause()
        assert app.screen.query_one(CommandInput).placeholder == placeholder
