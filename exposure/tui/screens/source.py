"""Step 2, "What would you like to check?".

The choices are data: each names its texts (``source.<id>`` and ``source.<id>.help`` in
strings.yaml) and either the screen that sets it up or the function that gives its
sources at once. Adding a kind of source to the app is adding one :class:`SourceChoice`.

Started as ``exposure demo``, the app offers only the practice sources (bundled synthetic
data), so a workshop never checks a real computer, phone or network by mistake; a check
of real data is never labelled DEMO.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from exposure.model import SourceSpec
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import option_text


@dataclass(frozen=True, slots=True)
class SourceChoice:
    """One answer to "What would you like to check?"."""

    id: str
    screen: str = ""  # "module:Class" of the screen that sets the source up
    sources: str = ""  # or "module:function" returning the SourceSpecs at once
    practice: bool = False  # bundled practice data: a check of it is a DEMO
    in_folder: bool = False  # the screen opens in the folder the app starts file pickers in


def _host() -> tuple[SourceSpec, ...]:
    return (SourceSpec("host"),)


REAL = (
    SourceChoice("host", sources="exposure.tui.screens.source:_host"),
    SourceChoice("android", screen="exposure.tui.screens.android:AndroidScreen"),
    SourceChoice("iphone", screen="exposure.tui.screens.iphone:IphoneScreen"),
    SourceChoice("ios-backup", screen="exposure.tui.screens.ios_backup:IosBackupScreen", in_folder=True),
    SourceChoice("file", screen="exposure.tui.screens.file:FileScreen", in_folder=True),
    SourceChoice("live", screen="exposure.tui.screens.live:LiveScreen"),
    SourceChoice("hotspot", screen="exposure.tui.screens.hotspot:HotspotScreen"),
    SourceChoice("demo", sources="exposure.demo:demo_sources", practice=True),
)
PRACTICE = (
    SourceChoice("demo", sources="exposure.demo:demo_sources", practice=True),
    SourceChoice("practice-phone", sources="exposure.tui.screens.source:_practice_phone", practice=True),
    SourceChoice("practice-capture", sources="exposure.tui.screens.source:_practice_capture", practice=True),
)


def _practice_phone() -> tuple[SourceSpec, ...]:
    from exposure.demo import practice_phone

    return (practice_phone(),)


def _practice_capture() -> tuple[SourceSpec, ...]:
    from exposure.demo import practice_capture

    return (practice_capture(),)


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class SourceScreen(GuideScreen):
    TITLE_KEY = "source.title"
    HELP = "source"

    def __init__(self) -> None:
        super().__init__()
        self.highlighted = 0

    @property
    def choices(self) -> tuple[SourceChoice, ...]:
        return PRACTICE if self.guide.demo_launch else REAL

    def compose_body(self) -> ComposeResult:
        options = [Option(option_text(self.t(f"source.{c.id}"), self.t(f"source.{c.id}.help")), id=c.id)
                   for c in self.choices]
        yield OptionList(*options, id="choices")

    def focus_default(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = self.highlighted
        choices.focus()

    async def on_screen_resume(self) -> None:
        # Back here, nothing is chosen yet: the DEMO badge follows how the app was started.
        self.guide.demo = self.guide.demo_launch
        await super().on_screen_resume()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.highlighted = event.option_index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(str(event.option.id))

    def choose(self, choice_id: str) -> None:
        choice = next(c for c in self.choices if c.id == choice_id)
        guide = self.guide
        guide.demo = choice.practice  # only practice data is ever labelled DEMO
        if choice.sources:
            make: Callable[[], tuple[SourceSpec, ...]] = _load(choice.sources)
            guide.sources = make()
            from exposure.tui.screens.profiles import ProfilesScreen

            self.app.push_screen(ProfilesScreen())
        else:
            screen = _load(choice.screen)
            self.app.push_screen(screen(guide.file_start) if choice.in_folder else screen())
