"""The guided app: ``exposure`` with no arguments (``exposure demo`` for the workshop demo).

The app only guides and presents: it builds a ScanRequest, runs ``exposure.scan.run_scan``
in a thread worker, and shows the result through the explain and report layers. It writes
nothing to disk unless the person saves a report. F10 (shown on every screen) leaves at
once and clears the terminal, like the quick-exit button on support websites.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen

from exposure.explain.i18n import languages, resolve_language
from exposure.tui.safe import InterpretedCharacterFilter
from exposure.tui.texts import tr
from exposure.tui.theme import CALM, HIGH_CONTRAST

if TYPE_CHECKING:
    from exposure.model import SourceSpec

# Cursor home, clear the screen, then the scrollback (in that order: some terminals, tmux
# among them, move a cleared screen into the scrollback).
CLEAR_TERMINAL = "\x1b[H\x1b[2J\x1b[3J"
_SAFETY_NET = InterpretedCharacterFilter()


class ExposureApp(App[int]):
    """The app and the state of one guided check (nothing of it is ever written to disk)."""

    CSS_PATH = "app.tcss"
    TITLE = "exposure"
    BINDINGS = [  # noqa: RUF012 - Textual's own class-level convention
        # F10: one key, not used for typing, same place on every keyboard, shown first in
        # the footer of every screen. Ctrl+Q (Textual's usual quit) does the same.
        Binding("f10", "quick_exit", "Quick exit", key_display="F10", priority=True, id="quick_exit"),
        Binding("ctrl+q", "quick_exit", "Quick exit", show=False, priority=True),
        Binding("f1", "help", "Help", key_display="F1", id="help"),
        Binding("f2", "switch_language", "Language", key_display="F2", priority=True, id="language"),
        Binding("f3", "toggle_contrast", "Contrast", show=False),
    ]

    def __init__(self, demo: bool = False, lang: str | None = None, export_dir: Path | None = None) -> None:
        super().__init__()
        self.demo_launch = demo  # started as ``exposure demo``
        self.demo = demo  # the current check uses the bundled demo data (shows DEMO on every screen)
        # What the person chose; kept in memory only.
        self.sources: tuple[SourceSpec, ...] = ()
        self.selected_profiles: frozenset[str] | None = None  # None: all
        self.lang = resolve_language(lang or os.environ.get("EXPOSURE_LANG"))
        self.export_dir = export_dir
        self.file_start: Path | None = None  # where the file picker opens (home by default)
        self.started_in = _working_folder()  # where the save screen opens, when it is a sensible place
        self.quick_exited = False
        # Set while a check runs, so that quick exit can stop it too.
        self.active_cancel: threading.Event | None = None
        # Temporary folders in use (a live capture being recorded): quick exit removes them.
        self.scratch: set[Path] = set()
        # What must be undone before leaving, even by quick exit (a temporary Wi-Fi network).
        self.on_leave: list[Callable[[], object]] = []

    def get_line_filters(self) -> Sequence[LineFilter]:
        # The last safety net for untrusted text: see exposure.tui.safe.
        return [*super().get_line_filters(), _SAFETY_NET]

    # -- texts ---------------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        return tr(key, self.lang, **params)

    def next_language(self) -> str:
        codes = list(languages())
        return codes[(codes.index(self.lang) + 1) % len(codes)] if self.lang in codes else codes[0]

    def next_language_name(self) -> str:
        return languages()[self.next_language()]

    # -- life cycle ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.register_theme(CALM)
        self.register_theme(HIGH_CONTRAST)
        self.theme = CALM.name
        from exposure.tui.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen())

    # -- actions available everywhere -----------------------------------------------------
    def _fatal_error(self) -> None:
        """An unhandled error ends the app with one line, as the command line does: Textual's own
        report prints every frame's local values, which hold what was read (app names, findings,
        paths) and stay in the terminal's scrollback. ``EXPOSURE_DEBUG=1`` gives Textual's."""
        from exposure.errors import DEBUG_VARIABLE, debugging

        if debugging():
            super()._fatal_error()
            return
        from rich.text import Text

        error = sys.exc_info()[1]
        self.bell()
        self._exit_renderables.append(Text("exposure: " + self.t(
            "app.bug", error=type(error).__name__ if error else "?", variable=DEBUG_VARIABLE)))
        self._close_messages_no_wait()

    def action_quick_exit(self) -> None:
        self.quick_exited = True
        if self.active_cancel is not None:
            self.active_cancel.set()
        if self.is_headless:  # tests: end the normal way, so they can look at the app afterwards
            run_on_leave(self)
            self.exit(0)
            return
        # A real terminal: give it back as it was, clear it, and end the process now, without
        # waiting for a check that is still winding down (Textual would wait for its thread).
        driver = self._driver
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.stop_application_mode()
                driver.close()
        leave_now(self)

    async def action_switch_language(self) -> None:
        self.lang = self.next_language()
        from exposure.tui.screens.base import GuideScreen

        screen = self.screen
        if isinstance(screen, GuideScreen):
            await screen.refresh_language()
        elif hasattr(screen, "refresh_language"):
            await screen.refresh_language()
        # Screens underneath catch up when they are shown again (GuideScreen.on_screen_resume).

    def action_toggle_contrast(self) -> None:
        self.theme = CALM.name if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def action_help(self) -> None:
        from exposure.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        topic = getattr(self.screen, "HELP", "welcome")
        self.push_screen(HelpScreen(topic))

    def action_before_you_start(self) -> None:
        from exposure.tui.screens.welcome import WelcomeScreen

        if not isinstance(self.screen, WelcomeScreen):
            self.push_screen(WelcomeScreen(again=True))

    def action_new_check(self) -> None:
        """Back to "What would you like to check?" (the scan result is dropped)."""
        from exposure.tui.screens.source import SourceScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, SourceScreen):
            self.pop_screen()
        if not isinstance(self.screen, SourceScreen):
            self.push_screen(SourceScreen())

    def action_command_palette(self) -> None:
        """Textual's command palette, its search field in the person's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=self.t("palette.placeholder")))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        t = self.t
        yield SystemCommand(t("palette.quick_exit"), t("palette.quick_exit.help"), self.action_quick_exit)
        yield SystemCommand(t("palette.language"), t("palette.language.help"), self.action_switch_language)
        yield SystemCommand(t("palette.contrast"), t("palette.contrast.help"), self.action_toggle_contrast)
        yield SystemCommand(t("palette.help"), t("palette.help.help"), self.action_help)
        yield SystemCommand(t("palette.before"), t("palette.before.help"), self.action_before_you_start)
        yield SystemCommand(t("palette.new_check"), t("palette.new_check.help"), self.action_new_check)


def _working_folder() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # started in a folder that was removed since
        return None


def clear_terminal(stream: object = None) -> None:
    out = stream or sys.__stdout__
    if out is None:
        return
    try:
        out.write(CLEAR_TERMINAL)  # type: ignore[attr-defined]
        out.flush()  # type: ignore[attr-defined]
    except (OSError, ValueError):
        pass


def run_app(demo: bool = False, lang: str | None = None) -> int:
    """Run the app in this terminal; returns the exit code."""
    import textual.constants

    # No log file, whatever the environment says: the app keeps no history.
    textual.constants.LOG_FILE = None  # type: ignore[misc]
    app = ExposureApp(demo=demo, lang=lang)
    code = app.run()
    if app.quick_exited:  # normally ended in action_quick_exit already
        leave_now(app)
    if app.return_code:  # an unhandled error ended the app: scripts and trainers must see it failed
        return app.return_code
    return code or 0


def run_on_leave(app: ExposureApp) -> None:
    """What must be undone before the app goes (each once, whatever fails)."""
    while app.on_leave:
        undo = app.on_leave.pop(0)
        with contextlib.suppress(Exception):
            undo()


def leave_now(app: ExposureApp) -> None:
    """After a quick exit: clear the terminal, remove temporary files, and end the process
    at once, without waiting for a check that is still winding down (a thread worker
    blocked in a slow adb call would otherwise hold the interpreter's exit)."""
    import shutil

    clear_terminal()
    run_on_leave(app)
    for folder in list(app.scratch):
        shutil.rmtree(folder, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
