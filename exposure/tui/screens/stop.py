"""Esc while watching traffic live: stop and check what was seen (the default), or discard it.

What was seen is in a private capture that is checked like any other: dropping it because
of one key would throw away known-bad names already on the screen. A small dialog over the
checking screen; F10 (quick exit) still works everywhere.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from exposure.tui.texts import tr
from exposure.tui.widgets import plain


class StopWatchingScreen(ModalScreen[str | None]):
    """Dismissed with "check", "discard" or None (keep watching)."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "keep", "Keep watching", key_display="Esc"),
        Binding("down", "app.focus_next", show=False),
        Binding("up", "app.focus_previous", show=False),
    ]

    def t(self, key: str) -> str:
        return tr(key, str(getattr(self.app, "lang", "en")))

    def compose(self) -> ComposeResult:
        with Vertical(id="stop-dialog"):
            yield plain(self.t("stop.title"), classes="heading")
            yield plain(self.t("stop.explain"), classes="para")
            yield Button(self.t("stop.check"), id="check", variant="primary")
            yield Button(self.t("stop.discard"), id="discard", variant="error")
            yield Button(self.t("stop.keep"), id="keep")

    def on_mount(self) -> None:
        self.query_one("#check", Button).focus()  # Enter checks what was seen

    async def refresh_language(self) -> None:
        """F2 over the dialog: its words follow at once (the app calls this)."""
        await self.recompose()
        if self.is_attached and self in self.app.screen_stack:
            self.query_one("#check", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "keep" else str(event.button.id))

    def action_keep(self) -> None:
        self.dismiss(None)
