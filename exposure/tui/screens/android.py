"""An Android phone over USB: how to turn on USB debugging, and what adb's states mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button

from exposure.scan import SourceSpec
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain


class AndroidScreen(GuideScreen):
    TITLE_KEY = "android.title"
    HELP = "android"
    BINDINGS = [Binding("enter", "go", "Continue", key_display="Enter", id="continue")]  # noqa: RUF012

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="android-text"):
            yield plain(self.t("android.steps"), classes="para")
            yield plain(self.t("android.states"), classes="para")
            yield plain(self.t("android.readonly"), classes="para")
        yield Button(self.t("android.go"), id="go", variant="primary")

    def focus_default(self) -> None:
        self.query_one("#go", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_go()

    def action_go(self) -> None:
        from exposure.tui.screens.profiles import ProfilesScreen

        # Problems (adb missing, no phone, not allowed) come back from the collector as one
        # plain line, shown on the results screen with the other things that could not be checked.
        self.guide.sources = (SourceSpec("android"),)
        self.app.push_screen(ProfilesScreen())
