"""How the app looks: unticked boxes look empty where colour is lost (plain text, a
projector, high contrast), and Chinese lines break where a reader expects them to."""

from __future__ import annotations

import re

import pytest
from textual.widgets import OptionList

from exposure.tui.app import ExposureApp
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.widgets import TickList
from exposure.tui.wrap import Para
from tests.tui.helpers import wait_for


def box_lines(app: ExposureApp) -> list[str]:
    chooser = app.screen.query_one("#profiles", TickList)
    return [chooser.render_line(y).text for y in range(chooser.option_count)]


async def test_unticked_worries_look_empty_without_colour() -> None:
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ProfilesScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen) and bool(app.screen.query("#profiles")))
        chooser = app.screen.query_one("#profiles", TickList)

        def ticked() -> list[bool]:
            return [chooser.get_option_at_index(i).value in chooser.selected for i in range(chooser.option_count)]

        def agree() -> bool:  # every box reads as what it is, without colour
            return all(line.startswith("[x] " if on else "[ ] ") for line, on in zip(box_lines(app), ticked(),
                                                                                    strict=True))

        assert ticked()[0] and agree(), box_lines(app)
        await pilot.press("space")  # untick the first worry
        await wait_for(pilot, lambda: box_lines(app)[0].startswith("[ ] "))
        assert not ticked()[0] and any(ticked())
        for theme in ("f3", "f3"):  # high contrast, then back: the same characters either way
            await pilot.press(theme)
            await pilot.pause()
            assert agree(), box_lines(app)
            assert not any("▐" in line or "▌" in line for line in box_lines(app))


CLOSING = "。，、；：！？）」』》"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\.[A-Za-z0-9._/-]*[A-Za-z0-9]")


def rendered(app: ExposureApp) -> list[tuple[str, list[str], int]]:
    """(its text, its lines as drawn, its width) of every paragraph and list shown."""
    out = []
    for widget in [*app.screen.query(Para), *app.screen.query("#findings").results(OptionList)]:
        if not widget.display or not widget.size.height:
            continue
        lines = [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]
        text = widget.text.plain if isinstance(widget, Para) else "\n".join(
            str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count))
        out.append((text, lines, widget.size.width))
    return out


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_chinese_lines_break_where_a_reader_expects(size: tuple[int, int]) -> None:
    app = ExposureApp(demo=True, lang="zh")
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and bool(app.screen.query("#d-title")))
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        checked = 0
        for step in range(len(screen.view.findings) + 1):
            await pilot.pause(0.2)
            for text, lines, width in rendered(app):
                for line in lines:
                    body = line.strip()
                    assert not body or body[0] not in CLOSING, (line, lines)
                    assert body not in ("•", "–", "-"), lines  # never a bullet alone
                joined = "\n".join(lines)
                for name in NAME.findall(text):
                    if len(name) < width - 8:  # a name that fits on a line is never cut
                        assert name in joined, (name, lines)
                        checked += 1
            if step < len(screen.view.findings):
                await pilot.press("down")
        assert checked > 20  # package ids and domains were really there to be checked
