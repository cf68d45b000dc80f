"""Step 1, "Before you start": what exposure does and does not do, and the safety note."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button

from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain


class WelcomeScreen(GuideScreen):
    TITLE_KEY = "welcome.title"
    HELP = "welcome"
    BINDINGS = [Binding("enter", "start", "Continue", key_display="Enter", id="continue")]  # noqa: RUF012

    def __init__(self, again: bool = False) -> None:
        super().__init__()
        self.again = again  # shown again from help: Start goes back to where the person was

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="welcome-text"):
            yield plain(self.t("welcome.what"), classes="para")
            yield plain(self.t("welcome.local"), classes="para")
            yield plain(self.t("welcome.readonly"), classes="para")
            yield plain(self.t("welcome.safety"), classes="para safety")
            yield plain(self.t("welcome.limits"), classes="para")
            yield plain(self.t("welcome.quick_exit"), classes="para quick")
        yield Button(self.t("welcome.start"), id="start", variant="primary")

    def focus_default(self) -> None:
        self.query_one("#start", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        if self.again:
            self.dismiss(None)
            return
        from exposure.tui.screens.source import SourceScreen

        self.app.push_screen(SourceScreen())

    def can_go_back(self) -> bool:
        return self.again

    def action_back(self) -> None:
        if self.again:
            self.dismiss(None)
