"""An Android phone over USB: how to turn on USB debugging, which phones adb sees and what
their state means. The phone list comes from the collector (``connected_phones``), read in
a thread worker so a slow adb never freezes the screen."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from exposure.scan import SourceSpec
from exposure.tui.safe import value_text
from exposure.tui.screens.base import GuideScreen
from exposure.tui.texts import has
from exposure.tui.widgets import plain
from exposure.untrusted import shown

KNOWN_STATES = ("device", "unauthorized", "offline", "no")


class AndroidScreen(GuideScreen):
    TITLE_KEY = "android.title"
    HELP = "android"
    BINDINGS = [  # noqa: RUF012
        Binding("enter", "go", "Continue", key_display="Enter", priority=True, id="continue"),
        Binding("r", "refresh", "Look again", key_display="R", id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.phones: list[tuple[str, str]] | None = None  # (serial, state); None: still looking
        self.problem = ""  # adb's one-line message when it cannot list phones
        self.serial = ""

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="android-text"):
            yield plain(self.t("android.steps"), classes="para")
            yield Static(self._status(), id="phone-status", classes="para")
            if self.phones:
                yield OptionList(*[Option(self._phone(serial, state), id=serial) for serial, state in self.phones],
                                 id="phones")
            yield plain(self.t("android.states"), classes="para")
            yield plain(self.t("android.readonly"), classes="para")
        yield Button(self.t("android.go"), id="go", variant="primary")

    def on_mount(self) -> None:
        self.look()

    def focus_default(self) -> None:
        if self.phones:
            phones = self.query_one("#phones", OptionList)
            phones.highlighted = phones.get_option_index(self.serial) if self.serial else 0
            phones.focus()
        else:
            self.query_one("#go", Button).focus()

    def _status(self) -> Text:
        if self.problem:
            return value_text(self.problem)
        if self.phones is None:
            return Text(self.t("android.looking"))
        return Text(self.t("android.found") if self.phones else self.t("android.none"))

    def _phone(self, serial: str, state: str) -> Text:
        key = f"android.state.{state}"
        meaning = (self.t(key) if state in KNOWN_STATES and has(key)
                   else self.t("android.state.other", state=shown(state)))
        return Text.assemble((shown(serial), "bold"), f"  {shown(state)}: {meaning}")

    @work(thread=True, exclusive=True, exit_on_error=False, group="phones")
    def look(self) -> list[tuple[str, str]]:
        from exposure.collect.android.adb import connected_phones

        return [(d.serial, d.state) for d in connected_phones()]

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "phones":
            return
        if event.state == WorkerState.SUCCESS:
            self.phones, self.problem = list(event.worker.result or []), ""
        elif event.state == WorkerState.ERROR:
            from exposure.errors import UserError

            error = event.worker.error
            self.phones = []
            self.problem = str(error) if isinstance(error, UserError) else type(error).__name__
        else:
            return
        if self.phones and self.serial not in {serial for serial, _ in self.phones}:
            self.serial = self.phones[0][0]
        await self.refresh_language()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.serial = str(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_go()

    def action_refresh(self) -> None:
        self.phones, self.problem = None, ""
        self.query_one("#phone-status", Static).update(self._status())
        self.look()

    def action_go(self) -> None:
        from exposure.tui.screens.profiles import ProfilesScreen

        # Whatever the list says, the check itself reports a missing adb, no phone or a phone
        # that is not allowed yet, in one plain line.
        self.guide.sources = (SourceSpec("android", self.serial if self.phones else ""),)
        self.app.push_screen(ProfilesScreen())
