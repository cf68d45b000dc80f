"""A phone on this laptop's Wi-Fi: make a temporary network, show how the phone joins it (the
name, the password, a QR code), then record the phone while it is used and check it.

Recording needs administrator rights: the screen says so first, as the live screen does.
Looking for a Wi-Fi card and making the network ask NetworkManager (a few seconds) in a thread
worker. The network lives until the recording ends (the hotspot collector takes it down), the
person goes back from this screen, or the app closes: quick exit (F10) and SIGTERM, SIGHUP or
SIGINT take it down first, and Wi-Fi comes back as it was. Where no network can be made here, one line
says why, with the steps to share a connection by hand on macOS and Windows, and the person
picks the interface to record.
"""

from __future__ import annotations

import signal
import threading
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from exposure.collect.hotspot.access_point import AccessPoint
from exposure.explain.lines import plain
from exposure.explain.notes import error_line
from exposure.explain.texts import tf
from exposure.model import SourceSpec
from exposure.tui.safe import value_text
from exposure.tui.screens.live import WatchChoiceScreen, capture_allowed, interfaces, start_command
from exposure.tui.widgets import plain as paragraph

QR_STYLE = "black on white"  # dark modules on light, whatever the theme: phone cameras expect it
# The process asked to end (SIGTERM), its terminal gone (SIGHUP), an interrupt sent to it (SIGINT:
# the Ctrl-C key itself reaches the app as a key, and does not end it): as quick exit does.
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))


class HotspotScreen(WatchChoiceScreen):
    TITLE_KEY = "hotspot.title"
    HELP = "hotspot"
    DEFAULT_CSS: ClassVar[str] = """
    #qr { width: auto; height: auto; margin: 1 0; }
    #hotspot-body { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.allowed = capture_allowed()
        self.device = ""  # the Wi-Fi card that can make the network
        self.unavailable: BaseException | None = None  # why no network can be made here
        self.looking = self.allowed
        self.making = False
        self.point: AccessPoint | None = None
        self.names = interfaces() if self.allowed else []
        self.interface = self.names[0][0] if self.names else ""
        self._previous_handlers: dict[int, object] = {}

    # -- what is shown ---------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="hotspot-body"):
            if not self.allowed:
                yield paragraph(self.t("live.needs_rights", command=start_command()), classes="para safety",
                                id="hotspot-rights")
                yield paragraph(self.t("hotspot.explain"), classes="para")
                return
            if self.point is not None and not self.point.stopped:
                yield from self._joining(self.point)
            elif self.unavailable is not None:
                yield from self._manual(self.unavailable)
            else:
                yield paragraph(self.t("live.privileges"), classes="para")
                yield paragraph(self.t("hotspot.explain"), classes="para")
                if self.looking:
                    yield paragraph(self.t("hotspot.looking"), classes="para", id="hotspot-status")
                elif self.making:
                    yield paragraph(self.t("hotspot.making"), classes="para", id="hotspot-status")
                else:
                    yield Button(self.t("hotspot.make"), id="make", variant="primary")
            yield paragraph("", id="hotspot-error", classes="error")

    def _joining(self, point: AccessPoint) -> ComposeResult:
        from exposure.collect.hotspot.joining import qr_rows

        lang = self.guide.lang
        yield paragraph(self.t("hotspot.join"), classes="para")
        yield Static(value_text(plain(tf("hotspot.network", lang, ssid=point.ssid)), "bold"), id="ssid")
        yield Static(value_text(plain(tf("hotspot.password", lang, password=point.password)), "bold"), id="password")
        yield from self._duration("hotspot.record")  # above the code: on a small screen it stays in sight
        yield Static(Text("\n".join(qr_rows(point.qr_payload)), style=QR_STYLE, no_wrap=True), id="qr")
        yield paragraph(plain(tf("hotspot.use", lang)), classes="para")
        if point.state.previous_name:
            yield paragraph(plain(tf("hotspot.paused", lang, previous=point.state.previous_name)), classes="para")
        yield paragraph(plain(tf("hotspot.uplink", lang)), classes="para")

    def _manual(self, why: BaseException) -> ComposeResult:
        lang = self.guide.lang
        # One line: why no network can be made here; then how to share by hand, then what to record.
        yield paragraph(plain(tf("hotspot.unavailable", lang, reason=plain(error_line(why, lang)))),
                        classes="para safety", id="hotspot-unavailable")
        for key in ("hotspot.manual.macos", "hotspot.manual.windows"):
            yield paragraph(f"• {plain(tf(key, lang))}", classes="para")
        yield paragraph(self.t("hotspot.pick_interface"), classes="label")
        if self.names:
            yield OptionList(*[Option(value_text(label), id=name) for name, label in self.names], id="interfaces")
        else:
            yield paragraph(self.t("live.no_interfaces"), classes="error")
        yield from self._duration("live.go")

    def _duration(self, go: str) -> ComposeResult:
        with Horizontal(id="duration-row"):
            yield paragraph(self.t("live.duration"), classes="label")
            yield Input(value=self.minutes, id="minutes", type="integer")
            yield Button(self.t(go), id="go", variant="primary")

    def focus_default(self) -> None:
        for selector in ("#go", "#make"):
            found = list(self.query(selector).results(Button))
            if found:
                found[0].focus()
                return

    # -- NetworkManager, in a worker --------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        if self.allowed:
            self.look()

    @work(thread=True, exclusive=True, exit_on_error=False, group="hotspot-look")
    def look(self) -> str:
        from exposure.collect.hotspot.access_point import find_device

        return find_device()

    @work(thread=True, exclusive=True, exit_on_error=False, group="hotspot-make")
    def make(self, device: str) -> AccessPoint:
        from exposure.collect.hotspot.access_point import start

        return start(device)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group not in ("hotspot-look", "hotspot-make") or event.state not in (WorkerState.SUCCESS,
                                                                                 WorkerState.ERROR):
            return
        error = event.worker.error if event.state == WorkerState.ERROR else None
        if group == "hotspot-look":
            self.looking = False
            if error is None:
                self.device = str(event.worker.result)
            else:
                self.unavailable = error
        else:
            self.making = False
            if error is None and isinstance(event.worker.result, AccessPoint):
                self._keep(event.worker.result)
            elif error is not None:
                self.unavailable = error  # NetworkManager refused: share by hand instead
        if self.is_mounted:
            await self.refresh_language()

    def _keep(self, point: AccessPoint) -> None:
        """The network is up: it must come down however the app ends."""
        from exposure.collect.hotspot.access_point import stop

        if not self.is_mounted:  # the person left meanwhile
            stop(point)
            return
        self.point = point
        leave = self.guide.on_leave
        if _quick_stop not in leave:
            leave.append(_quick_stop)
        if threading.current_thread() is threading.main_thread():
            for number in _SIGNALS:
                self._previous_handlers[number] = signal.getsignal(number)
                signal.signal(number, self._signalled)

    def _signalled(self, signum: int, frame: object) -> None:
        """The terminal closed or the process was asked to end: as quick exit does."""
        self.guide.action_quick_exit()

    def _drop(self) -> None:
        """Take the network down (going back, leaving), Wi-Fi as it was."""
        from exposure.collect.hotspot.access_point import stop

        if self.point is not None:
            stop(self.point)
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        self._previous_handlers.clear()

    async def on_screen_resume(self) -> None:
        if self.point is not None and self.point.stopped:
            # Back after a check: the recording ended and took the network down.
            self.point = None
            self._drop()
            await self.refresh_language()
        else:
            await super().on_screen_resume()

    def on_unmount(self) -> None:
        self._drop()

    def action_back(self) -> None:
        self._drop()
        super().action_back()

    # -- the person's choices --------------------------------------------------------------

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "make":
            self.making = True
            await self.refresh_language()
            self.make(self.device)
        else:
            self.go()

    def go(self) -> None:
        minutes = self.chosen_minutes()
        point = self.point if self.point is not None and not self.point.stopped else None
        iface = point.device if point is not None else self.interface
        if minutes is None or not iface:
            self.query_one("#hotspot-error", Static).update(Text(self.t("live.bad_duration")))
            return
        from exposure.tui.screens.profiles import ProfilesScreen

        options = (("seconds", str(minutes * 60)), ("network", point.ssid if point is not None else ""))
        self.guide.sources = (SourceSpec("hotspot", iface, options),)
        self.app.push_screen(ProfilesScreen())


def _quick_stop() -> None:
    """Quick exit: every network this app made goes, without waiting for Wi-Fi to reconnect."""
    from exposure.collect.hotspot.access_point import stop_all

    stop_all(quick=True)
