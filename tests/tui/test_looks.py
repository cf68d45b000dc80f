"""How the app looks where colour is lost: unticked boxes look empty in plain text, on a
projector and in high contrast."""

from __future__ import annotations

from exposure.tui.app import ExposureApp
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.widgets import TickList
from tests.tui.helpers import wait_for


def box_lines(app: ExposureApp) -> list[str]:
    chooser = app.screen.query_one("#profiles", TickList)
    return [chooser.render_line(y).text for y in range(chooser.option_count)]


async def test_unticked_worries_look_empty_without_colour() -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ProfilesScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen) and bool(app.screen.query("#profiles")))
        lines = box_lines(app)
        assert lines and all(line.startswith("[x] ") for line in lines), lines
        await pilot.press("space")  # untick the first worry
        await wait_for(pilot, lambda: box_lines(app)[0].startswith("[ ] "))
        for theme in ("f3", "f3"):  # high contrast, then back: the same characters either way
            await pilot.press(theme)
            await pilot.pause()
            lines = box_lines(app)
            assert lines[0].startswith("[ ] ") and all(line.startswith("[x] ") for line in lines[1:])
            assert not any("▐" in line or "▌" in line for line in lines)
