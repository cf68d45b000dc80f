"""F1: help for the screen underneath, the keys that work everywhere, and "Before you start".

A full screen rather than a modal dialog, so that every app key (F10 quick exit first)
stays active and shown in its footer.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button

from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain


class HelpScreen(GuideScreen):
    TITLE_KEY = "help.title"
    HELP = "welcome"
    BINDINGS = [Binding("escape", "back", "Back", key_display="Esc", id="back")]  # noqa: RUF012

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-text"):
            yield plain(self.t(f"help.{self.topic}"), classes="para", id="help-topic")
            yield plain(self.t("help.keys"), classes="para")
            yield plain(self.t("help.close"), classes="para")
        yield Button(self.t("help.before"), id="before")

    def can_go_back(self) -> bool:
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.pop_screen()
        self.guide.action_before_you_start()
