"""Untrusted text in the app is shown, never interpreted (issue 17.1): an acquisition
whose app name carries an OSC title sequence, a clear-screen sequence, a C1 CSI and a
right-to-left override reaches no rendered line raw, and is visible as escapes."""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from exposure.tui.app import ExposureApp
from exposure.tui.safe import InterpretedCharacterFilter
from exposure.tui.screens.file import FileScreen
from exposure.tui.screens.ios_backup import IosBackupScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from exposure.untrusted import is_clean
from tests.tui.helpers import hostile_acquisition, wait_for

VISIBLE = "com.evil\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[H\\x9b31m.app\\u202eexe"


def drawn(app: ExposureApp) -> list[str]:
    """Every line every widget of the screen draws, before the app's last safety net."""
    out = []
    for widget in app.screen.query(Widget):
        if widget.display and widget.size.height:
            out += ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]
    return out


async def test_a_hostile_app_name_is_shown_escaped_on_every_screen(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    acquisition = hostile_acquisition(tmp_path)
    # Without the safety net, what the screens themselves produce must already be clean.
    monkeypatch.setattr(InterpretedCharacterFilter, "apply", lambda self, segments, background: segments)
    app = ExposureApp(lang="en")
    app.file_start = tmp_path
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press(*("down",) * 4, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FileScreen))
        assert all(is_clean(line) for line in drawn(app))
        app.screen.query_one("#path").value = str(acquisition)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and bool(app.screen.query("#d-title")))
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        seen_escaped = False
        for _ in range(len(screen.view.findings) + 1):
            await pilot.pause(0.2)
            lines = drawn(app)
            bad = [line for line in lines if not is_clean(line)]
            assert not bad, bad
            seen_escaped = seen_escaped or any(VISIBLE[:30] in line for line in lines)
            await pilot.press("down")
        assert seen_escaped  # the name is there, as visible escapes


def test_the_safety_net_strips_what_still_gets_through() -> None:
    from rich.segment import ControlType, Segment
    from textual.color import Color

    segments = [Segment("ok "), Segment("a\x1b]0;T\x07b\u202e"), Segment("\x1b[2J", None, [(ControlType.CLEAR,)])]
    out = InterpretedCharacterFilter().apply(segments, Color(0, 0, 0))
    assert [s.text for s in out] == ["ok ", "a]0;Tb", "\x1b[2J"]  # control segments are Textual's own


async def test_the_iphone_backup_chooser_shows_file_names_escaped(tmp_path: Path) -> None:
    # it used Textual's plain folder tree, whose line filter removed a right-to-left override from
    # "invoice\u202egpj.exe" (shown as "invoicegpj.exe") instead of showing it as an escape
    (tmp_path / "invoice\u202egpj.exe").write_text("x")
    app = ExposureApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(IosBackupScreen(tmp_path))
        await wait_for(pilot, lambda: any("invoice" in line for line in drawn(app)))
        lines = [line for line in drawn(app) if "invoice" in line]
        assert any("invoice\\u202egpj.exe" in line for line in lines) and all(is_clean(line) for line in lines)
