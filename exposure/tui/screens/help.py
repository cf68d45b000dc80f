"""F1: help for the screen underneath, the keys that work everywhere, and "Before you start"."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from exposure.tui.widgets import GuideFooter, plain

if TYPE_CHECKING:
    from exposure.tui.app import ExposureApp


class HelpScreen(ModalScreen[None]):
    HELP = "welcome"
    BINDINGS = [Binding("escape", "close", "Back", key_display="Esc", id="back")]  # noqa: RUF012

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic

    def compose(self) -> ComposeResult:
        app = cast("ExposureApp", self.app)
        with Vertical(id="dialog"):
            yield plain(app.t("help.title"), classes="dialog-title")
            yield plain(app.t(f"help.{self.topic}"), classes="para", id="help-topic")
            yield plain(app.t("help.keys"), classes="para")
            yield Button(app.t("help.before"), id="before")
            yield plain(app.t("help.close"), classes="para")
        yield GuideFooter()

    async def refresh_language(self) -> None:
        await self.recompose()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
        cast("ExposureApp", self.app).action_before_you_start()

    def action_close(self) -> None:
        self.dismiss(None)
