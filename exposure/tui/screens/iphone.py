"""An iPhone over USB: the steps (unlock, Trust, passcode), whether an iPhone is there and
trusts this computer, and what pairing leaves behind. The phone is probed in a thread
worker (no Trust prompt is caused by looking) and again every few seconds until it is
ready, so the screen follows the person as they plug in and unlock the phone."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from exposure.model import SourceSpec
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain

LOOK_AGAIN_SECONDS = 3.0


class IphoneScreen(GuideScreen):
    TITLE_KEY = "iphone.title"
    HELP = "iphone"
    BINDINGS = [  # noqa: RUF012
        Binding("enter", "go", "Continue", key_display="Enter", priority=True, id="continue"),
        Binding("r,R", "refresh", "Look again", key_display="R", id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.udid = ""
        self.trusted: bool | None = None  # None: no iPhone (yet)
        self.ios = ""
        self.problem = ""  # the one-line message of the state that stops a check
        self.looking = True

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="iphone-text"):
            yield plain(self.t("iphone.steps"), classes="para")
            yield Static(self._status(), id="phone-status", classes="para")
            yield plain(self.t("iphone.pairing"), classes="para")
            yield plain(self.t("iphone.readonly"), classes="para")
        yield Button(self.t("iphone.go"), id="go", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.look()
        self.set_interval(LOOK_AGAIN_SECONDS, self._look_again)

    def focus_default(self) -> None:
        self.query_one("#go", Button).focus()

    def _status(self) -> Text:
        if self.looking and self.trusted is None and not self.problem:
            return Text(self.t("iphone.looking"))
        if self.problem:
            return Text(self.problem)  # a collector's line; device text stays plain
        key = "iphone.found.trusted" if self.trusted else "iphone.found.untrusted"
        return Text(self.t(key, udid=self.udid, ios=self.ios or "?"))

    def _look_again(self) -> None:
        if not self.looking and not self.trusted:
            self.look()

    @work(thread=True, exclusive=True, exit_on_error=False, group="iphone")
    def look(self) -> tuple[str, bool, str]:
        from exposure.collect.ios.collector import iphone_probe

        found = iphone_probe(self.udid)
        return found.udid, found.trusted, found.ios

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "iphone":
            return
        if event.state == WorkerState.RUNNING:
            self.looking = True
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.udid, self.trusted, self.ios = event.worker.result
            self.problem = ""
        elif event.state == WorkerState.ERROR:
            from exposure.errors import UserError

            error = event.worker.error
            self.trusted = None
            self.problem = str(error) if isinstance(error, UserError) else type(error).__name__
        else:
            return
        self.looking = False
        if self.is_mounted:
            self.query_one("#phone-status", Static).update(self._status())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_go()

    def action_refresh(self) -> None:
        self.trusted, self.problem, self.looking = None, "", True
        self.query_one("#phone-status", Static).update(self._status())
        self.look()

    def action_go(self) -> None:
        from exposure.tui.screens.profiles import ProfilesScreen

        # Whatever the screen says, the check itself reports each state in one plain line,
        # and waits (up to two minutes) for the person to tap Trust.
        self.guide.sources = (SourceSpec("iphone", self.udid),)
        self.app.push_screen(ProfilesScreen())
