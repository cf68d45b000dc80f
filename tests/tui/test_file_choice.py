"""The app's file screen on a folder of captures: it is checked as ``exposure scan --pcap FOLDER``
checks it (one decision, ``exposure.scan.capture_sources``), never read as an androidqf
acquisition (the reviewer's zeek-mcp folder was refused with an English sentence in the Chinese
app); a folder with androidqf files stays an acquisition, whatever else it holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import exposure.demo
from exposure.model import SourceSpec
from exposure.scan import capture_sources
from exposure.tui.app import ExposureApp
from exposure.tui.screens.file import FileScreen, sources_for
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from tests.paths import DATA
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

DEMO_CAPTURE = exposure.demo.data_dir() / "demo-capture.pcap"


def captures_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "workshop"
    folder.mkdir()
    shutil.copy(DEMO_CAPTURE, folder / "b-phone.pcap")
    shutil.copy(DATA / "network" / "dot-hidden-lookups.pcap", folder / "a-laptop.pcap")
    (folder / "notes.txt").write_text("taken at the workshop\n")
    return folder


def test_a_folder_of_captures_is_its_captures_as_the_command_line_reads_it(tmp_path: Path) -> None:
    folder = captures_folder(tmp_path)
    sources = sources_for(folder)
    assert sources == tuple(capture_sources([str(folder)]))
    assert sources == tuple(SourceSpec("pcap", str(folder / name)) for name in ("a-laptop.pcap", "b-phone.pcap"))


@pytest.mark.parametrize("marker", ["packages.json", "dumpsys.txt", "bugreport.zip"])
def test_a_folder_with_androidqf_files_stays_an_acquisition(tmp_path: Path, marker: str) -> None:
    folder = captures_folder(tmp_path)
    (folder / marker).write_text("[]")
    assert sources_for(folder) == (SourceSpec("androidqf", str(folder)),)


def test_a_folder_without_captures_is_still_read_as_an_acquisition(tmp_path: Path) -> None:
    demo_phone = exposure.demo.data_dir() / "demo-phone"
    assert sources_for(demo_phone) == (SourceSpec("androidqf", str(demo_phone)),)
    assert sources_for(tmp_path) == (SourceSpec("androidqf", str(tmp_path)),)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_app_checks_a_folder_of_captures(tmp_path: Path, lang: str) -> None:
    folder = captures_folder(tmp_path)
    app = ExposureApp(lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("down", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FileScreen))
        app.screen.query_one("#path").value = str(folder)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert [spec.kind for spec in app.sources] == ["pcap", "pcap"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and "SpyLive360" in shown_text(app), 60)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        checked = {info.name for info in screen.result.sources}
        assert checked == {str(folder / "a-laptop.pcap"), str(folder / "b-phone.pcap")}
        assert all(info.unread is None for info in screen.result.sources)
        text = shown_text(app)
        assert "androidqf" not in text and "packages.json" not in text
