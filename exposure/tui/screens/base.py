"""What every guided screen shares: top bar, translated footer, Esc to go back, language refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen

from exposure.tui.widgets import GuideFooter, TopBar

if TYPE_CHECKING:
    from exposure.tui.app import ExposureApp


class GuideScreen(Screen[None]):
    """A step of the guide. Subclasses give ``TITLE_KEY``, ``HELP`` and ``compose_body``.

    Screens keep what the person chose in attributes, so that switching language
    (which recomposes the screen) keeps every choice.
    """

    TITLE_KEY: ClassVar[str] = "app.title"
    HELP: ClassVar[str] = "welcome"
    BINDINGS = [Binding("escape", "back", "Back", key_display="Esc", id="back")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self._lang_shown = ""

    @property
    def guide(self) -> ExposureApp:
        return cast("ExposureApp", self.app)

    def t(self, key: str, **params: object) -> str:
        return self.guide.t(key, **params)

    def compose(self) -> ComposeResult:
        self._lang_shown = self.guide.lang
        yield TopBar(self.t(self.TITLE_KEY))
        with Vertical(id="body"):
            yield from self.compose_body()
        yield GuideFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.focus_default()

    def focus_default(self) -> None:
        """Put the focus where Enter does the expected thing."""

    @property
    def in_stack(self) -> bool:
        """Still on the app's screen stack (a screen popped on the way past is not)."""
        return self.is_attached and self in self.app.screen_stack

    async def refresh_language(self) -> None:
        await self.recompose()
        # "New check" pops several screens at once: one of them can be resumed, and popped
        # while it recomposes; its widgets are gone by then, so there is nothing to focus.
        if self.in_stack:
            self.focus_default()

    async def on_screen_resume(self) -> None:
        # The language may have changed while this screen was hidden. A screen popped again
        # before it handled its resume (on the way to an earlier step) keeps its old words.
        if self._lang_shown and self._lang_shown != self.guide.lang and self.in_stack:
            await self.refresh_language()

    def can_go_back(self) -> bool:
        return len(self.app.screen_stack) > 2

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.can_go_back()  # False hides "Back" from the footer
        return True

    def action_back(self) -> None:
        if self.can_go_back():
            self.app.pop_screen()
