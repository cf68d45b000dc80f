"""Watch network traffic live: pick an interface (or an iPhone over USB) and a duration.

Watching this computer's interfaces needs administrator rights. The screen says so first,
and when this app was not started with them it says how to start it, before any setting is
asked for; an iPhone's own traffic (through its USB cable, exposure.collect.iphone_watch)
needs no such rights, so it is still offered then.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, OptionList
from textual.widgets.option_list import Option

from exposure.model import SourceSpec
from exposure.tui.safe import value_text
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain


def live_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("exposure.collect.live") is not None


def capture_allowed() -> bool:
    """Whether this app may capture (tests and the screenshots pin it)."""
    from exposure.collect.live import can_capture

    return can_capture()


def interfaces() -> list[tuple[str, str]]:
    """(name, label) of each interface, those that are up and not loopback first."""
    from exposure.collect.live import list_interfaces

    found = list_interfaces()
    found.sort(key=lambda i: (not i.up, i.name == "lo" or i.name.startswith("lo"), i.name))
    return [(i.name, f"{i.name}  {'up' if i.up else 'down'}  {' '.join(i.addresses[:2])}".rstrip())
            for i in found]


IPHONE = "iphone://usb"  # the choice of an iPhone in the list (no interface name has "://")


class WatchChoiceScreen(GuideScreen):
    """A screen where the person picks what to record (an option list) and for how many minutes
    (the ``#minutes`` field), then goes on with :meth:`go`: live watching and the hotspot."""

    def __init__(self) -> None:
        super().__init__()
        self.minutes = "15"
        self.interface = ""

    def go(self) -> None:
        raise NotImplementedError

    def chosen_minutes(self) -> int | None:
        """The minutes the person typed, when a whole number from 1 to 240."""
        try:
            minutes = int(self.minutes)
        except ValueError:
            return None
        return minutes if 1 <= minutes <= 240 else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.interface = str(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.interface = str(event.option.id)
        self.query_one("#minutes", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.minutes = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.go()


class LiveScreen(WatchChoiceScreen):
    TITLE_KEY = "live.title"
    HELP = "live"

    def __init__(self) -> None:
        super().__init__()
        self.available = live_available()
        self.allowed = self.available and capture_allowed()
        self.names = interfaces() if self.allowed else []
        self.interface = self.names[0][0] if self.names else IPHONE  # up and not loopback, when there is one

    def compose_body(self) -> ComposeResult:
        if not self.available:
            yield plain(self.t("live.explain"), classes="para")
            yield plain(self.t("live.unavailable"), classes="para safety", id="live-unavailable")
            return
        if not self.allowed:
            # First, before any setting: without the rights, this computer's network cannot be watched.
            yield plain(self.t("live.needs_rights", command=start_command()), classes="para safety",
                        id="live-rights")
            yield plain(self.t("live.explain"), classes="para")
            yield plain(self.t("live.iphone_without_rights"), classes="para")
        else:
            yield plain(self.t("live.privileges"), classes="para")
            yield plain(self.t("live.explain"), classes="para")
        yield plain(self.t("live.interface"), classes="label")
        options = [Option(value_text(label), id=name) for name, label in self.names]
        options.append(Option(Text(self.t("live.iphone")), id=IPHONE))
        yield OptionList(*options, id="interfaces")
        if self.allowed and not self.names:
            yield plain(self.t("live.no_interfaces"), classes="error")
        with Horizontal(id="duration-row"):
            yield plain(self.t("live.duration"), classes="label")
            yield Input(value=self.minutes, id="minutes", type="integer")
            yield Button(self.t("live.go"), id="go", variant="primary")
        yield plain("", id="live-error", classes="error")

    def focus_default(self) -> None:
        if self.available:
            chooser = self.query_one("#interfaces", OptionList)
            chooser.highlighted = chooser.get_option_index(self.interface) if self.interface else 0
            chooser.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.go()

    def go(self) -> None:
        minutes = self.chosen_minutes()
        if minutes is None or not self.interface:
            self.query_one("#live-error").update(Text(self.t("live.bad_duration")))  # type: ignore[attr-defined]
            return
        from exposure.tui.screens.profiles import ProfilesScreen

        # A source like any other (exposure.collect.live.collector, or iphone_watch for an
        # iPhone); the checking screen gives it a private temporary folder for the capture and
        # deletes it after the check.
        seconds = (("seconds", str(minutes * 60)),)
        self.guide.sources = ((SourceSpec("iphone-live", "", seconds),) if self.interface == IPHONE
                              else (SourceSpec("live", self.interface, seconds),))
        self.app.push_screen(ProfilesScreen())


def start_command() -> str:
    """How to start the app with administrator rights: the full path, since sudo's own PATH
    does not have the folders exposure is usually installed in."""
    import os
    import shlex
    import sys

    script = os.path.join(os.path.dirname(sys.executable), "exposure")
    return f"sudo {shlex.quote(script) if os.path.isfile(script) else 'exposure'}"
