"""An Android phone over USB: how to turn on USB debugging, which phones adb sees and what
their state means. The phone list comes from the collector (``connected_phones``), read in
a thread worker so a slow adb never freezes the screen.

The check starts only with a phone that is ready (connected and allowed): without one,
Enter says what is missing and offers to look again, so that a check that read nothing
can never be shown as a result.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from exposure.model import SourceSpec
from exposure.tui.safe import value_text, words_text
from exposure.tui.screens.base import GuideScreen
from exposure.tui.texts import has
from exposure.tui.widgets import plain
from exposure.tui.wrap import Para
from exposure.untrusted import shown

KNOWN_STATES = ("device", "unauthorized", "offline", "no")
READY = "device"


@dataclass(frozen=True, slots=True)
class Phone:
    serial: str
    state: str
    model: str = ""


def list_phones() -> list[Phone]:
    """The phones adb sees (raises UserError when adb is missing or broken). Tests and the
    screenshots replace this, so that nothing depends on the machine's adb."""
    from exposure.collect.android.adb import connected_phones

    return [Phone(d.serial, d.state, d.model.replace("_", " ")) for d in connected_phones()]


class AndroidScreen(GuideScreen):
    TITLE_KEY = "android.title"
    HELP = "android"
    BINDINGS = [  # noqa: RUF012
        Binding("enter", "go", "Continue", key_display="Enter", priority=True, id="continue"),
        Binding("r,R", "refresh", "Look again", key_display="R", id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.phones: list[Phone] | None = None  # None: still looking
        self.problem = ""  # why adb cannot list phones, in the person's language
        self.serial = ""
        self.not_ready = ""  # why Enter did not start the check

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="android-text"):
            yield plain(self.t("android.steps"), classes="para")
            yield Para(self._status(), id="phone-status", classes="para")
            if self.phones:
                yield OptionList(*[Option(self._phone(phone), id=phone.serial) for phone in self.phones],
                                 id="phones")
            yield Para(words_text(self.not_ready), id="not-ready", classes="error")
            yield plain(self.t("android.states"), classes="para")
            yield plain(self.t("android.readonly"), classes="para")
        with Horizontal(id="android-buttons"):
            yield Button(self.t("android.go"), id="go", variant="primary")
            yield Button(self.t("android.again"), id="again")

    def on_mount(self) -> None:
        self.look()

    def focus_default(self) -> None:
        if self.not_ready:
            self.query_one("#again", Button).focus()
        elif self.phones:
            phones = self.query_one("#phones", OptionList)
            phones.highlighted = phones.get_option_index(self.serial) if self.serial else 0
            # Without the scroll that focusing starts: this runs just after the list is recomposed,
            # and that scroll is decided later, on whichever layout exists by then: none yet (no
            # scroll), or one made in between (the text scrolled down), as load and timing had it.
            # The list sits just below the steps, in view from 24 rows up.
            phones.focus(scroll_visible=False)
        else:
            self.query_one("#go", Button).focus()

    def _status(self) -> Text:
        if self.problem:
            return value_text(self.problem)
        if self.phones is None:
            return Text(self.t("android.looking"))
        return Text(self.t("android.found") if self.phones else self.t("android.none"))

    def _meaning(self, phone: Phone) -> str:
        key = f"android.state.{phone.state}"
        if phone.state in KNOWN_STATES and has(key):
            return self.t(key)
        return self.t("android.state.other", state=shown(phone.state))

    def _phone(self, phone: Phone) -> Text:
        name = f"{phone.model} ({phone.serial})" if phone.model else phone.serial
        return Text.assemble((shown(name), "bold"), f"  {shown(phone.state)}: {self._meaning(phone)}")

    @work(thread=True, exclusive=True, exit_on_error=False, group="phones")
    def look(self) -> list[Phone]:
        return list_phones()

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "phones":
            return
        if event.state == WorkerState.SUCCESS:
            self.phones, self.problem = list(event.worker.result or []), ""
        elif event.state == WorkerState.ERROR:
            from exposure.errors import UserError
            from exposure.explain.lines import plain as plain_line
            from exposure.explain.notes import error_line

            error = event.worker.error
            self.phones = []
            self.problem = (plain_line(error_line(error, self.guide.lang)) if isinstance(error, UserError)
                            else type(error).__name__)
        else:
            return
        serials = [phone.serial for phone in self.phones]
        if self.serial not in serials:
            ready = [phone.serial for phone in self.phones if phone.state == READY]
            self.serial = (ready or serials or [""])[0]
        await self.refresh_language()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.serial = str(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "again":
            self.action_refresh()
        else:
            self.action_go()

    def action_refresh(self) -> None:
        self.phones, self.problem, self.not_ready = None, "", ""
        self.query_one("#phone-status", Static).update(self._status())
        self.query_one("#not-ready", Static).update(Text())
        self.look()

    def chosen(self) -> Phone | None:
        return next((phone for phone in self.phones or [] if phone.serial == self.serial), None)

    def action_go(self) -> None:
        phone = self.chosen()
        if phone is None or phone.state != READY:
            # No check without a phone that can be read: say why, and offer to look again.
            if self.phones is None:
                reason = self.t("android.still_looking")
            elif phone is None:
                reason = self.problem or self.t("android.no_phone")
            else:
                reason = self._meaning(phone)
            self.not_ready = self.t("android.not_ready", reason=reason)
            self.query_one("#not-ready", Static).update(words_text(self.not_ready))
            self.query_one("#again", Button).focus()
            return
        from exposure.tui.screens.profiles import ProfilesScreen

        self.guide.sources = (SourceSpec("android", phone.serial),)
        self.app.push_screen(ProfilesScreen())
