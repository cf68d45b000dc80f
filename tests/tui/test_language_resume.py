"""A screen shown again after the language changed while it was hidden.

The trainer's flow that crashed the app: results → F2 (so the participant reads them in
Chinese) → N (next person). N pops the results and the profiles at once; the profiles
screen was resumed on the way, recomposed in the new language, and was gone before it
could put the focus back. Every screen that can be hidden and shown again is tried here,
both ways: resumed and shown, and resumed then popped at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

import exposure.demo
from exposure.collect import COLLECTORS
from exposure.model import SourceSpec
from exposure.scan import ScanResult
from exposure.tui.app import ExposureApp
from exposure.tui.screens.android import AndroidScreen
from exposure.tui.screens.base import GuideScreen
from exposure.tui.screens.checking import CheckingScreen
from exposure.tui.screens.export import ExportScreen
from exposure.tui.screens.file import FileScreen
from exposure.tui.screens.help import HelpScreen
from exposure.tui.screens.hotspot import HotspotScreen
from exposure.tui.screens.ios_backup import IosBackupScreen
from exposure.tui.screens.iphone import IphoneScreen
from exposure.tui.screens.live import LiveScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.tui.screens.stop import StopWatchingScreen
from exposure.tui.screens.welcome import WelcomeScreen
from exposure.tui.texts import tr
from tests.tui import helpers
from tests.tui.helpers import hostile_result, wait_for
from tests.tui.test_flow import shown_text, to_results
from tests.tui.test_footer_keys import _screens

OTHER = {"en": "zh", "zh": "en"}

# Every guided screen, made as the app would make it (a result for those that show one).
MAKERS: dict[type[GuideScreen], Callable[[ScanResult], GuideScreen]] = {
    WelcomeScreen: lambda result: WelcomeScreen(again=True),
    SourceScreen: lambda result: SourceScreen(),
    FileScreen: lambda result: FileScreen(Path.cwd()),
    IosBackupScreen: lambda result: IosBackupScreen(Path.cwd()),
    AndroidScreen: lambda result: AndroidScreen(),
    IphoneScreen: lambda result: IphoneScreen(),
    LiveScreen: lambda result: LiveScreen(),
    HotspotScreen: lambda result: HotspotScreen(),
    ProfilesScreen: lambda result: ProfilesScreen(),
    CheckingScreen: lambda result: CheckingScreen(),
    ResultsScreen: lambda result: ResultsScreen(result),
    ExportScreen: lambda result: ExportScreen(result),
    HelpScreen: lambda result: HelpScreen("results"),
}


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that waits until it is stopped (the checking screen stays up)."""
    helpers.RELEASE.clear()
    monkeypatch.setitem(COLLECTORS, "slow", "tests.tui.helpers:make_slow")
    monkeypatch.setattr(exposure.demo, "demo_sources", lambda: (SourceSpec("slow"),))


def test_every_guided_screen_is_tried() -> None:
    guided = {screen for screen in _screens() if issubclass(screen, GuideScreen)
               and screen is not GuideScreen and "TITLE_KEY" in vars(screen)}
    assert guided == set(MAKERS)


async def _cover_and_switch_language(app: ExposureApp, pilot: Pilot[int], screen: GuideScreen) -> None:
    """Cover ``screen`` with help, and switch language there."""
    before = app.lang
    await app.push_screen(HelpScreen("welcome"))
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen is not screen)
    await pilot.press("f2")
    await wait_for(pilot, lambda: app.lang == OTHER[before])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", list(MAKERS), ids=lambda kind: kind.__name__)
async def test_a_screen_shown_again_after_a_language_switch(kind: type[GuideScreen], lang: str, slow: None) -> None:
    app = ExposureApp(demo=True, lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        below = app.screen
        app.sources = (SourceSpec("slow"),)
        screen = MAKERS[kind](hostile_result())
        await app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and screen.is_mounted)

        # Shown again: in the new language, with the focus on it.
        await _cover_and_switch_language(app, pilot, screen)
        app.pop_screen()
        title = tr(kind.TITLE_KEY, OTHER[lang])
        await wait_for(pilot, lambda: app.screen is screen and title in shown_text(app))
        await pilot.pause()
        assert tr(kind.TITLE_KEY, lang) not in shown_text(app)
        assert app.focused is None or app.focused.screen is screen

        # Shown again and closed at once, as "New check" does: gone before it handled its resume.
        await _cover_and_switch_language(app, pilot, screen)
        app.pop_screen()
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is below)
        await pilot.pause(0.3)
        assert tr(WelcomeScreen.TITLE_KEY, lang) in shown_text(app)
    # run_test raises here whatever crashed the app


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_next_person_after_switching_language_on_the_results(lang: str) -> None:
    app = ExposureApp(demo=True, lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_results(pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.pause(0.3)
        assert tr("source.title", OTHER[lang]) in shown_text(app)
        assert app.focused is not None and app.focused.id == "choices"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_stop_watching_dialog_follows_a_language_switch(lang: str) -> None:
    app = ExposureApp(lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(StopWatchingScreen())
        await pilot.press("f2")
        await wait_for(pilot, lambda: tr("stop.title", OTHER[lang]) in shown_text(app))
        assert app.focused is not None and app.focused.id == "check"
