"""Each screen of the guided app, reached the way a person would: for the snapshot tests
and for the screenshots in docs/screenshots (scripts/screenshots.py).

What varies between machines is pinned: the demo data is reached through one fixed link
path, the time zone is UTC, the interface and phone lists are fixed (and adb is a fake one
that sees no phone, whether the machine has adb or not), animations and cursor blink are off.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

import exposure.demo
import exposure.tui.screens.android as android_screen
from exposure.collect import COLLECTORS
from exposure.model import SourceSpec
from exposure.tui.app import ExposureApp
from tests.android.phones import install_fake_adb, set_devices
from tests.tui import helpers
from tests.tui.helpers import wait_for

FIXED_DEMO = Path("/tmp/exposure-demo-data")  # a link to exposure/demo/data: one path on every machine
INTERFACES = [("eth0", "eth0  up  192.168.77.5"), ("wlan0", "wlan0  down"), ("lo", "lo  up  127.0.0.1")]
PHONES = [("DEMO-PHONE-0001", "device", "Pixel 3a")]
_REAL_DATA_DIR = exposure.demo.data_dir
_REAL_SOURCES = exposure.demo.demo_sources
_TZ = os.environ.get("TZ")
_PATH = os.environ.get("PATH", "")
_NO_PHONE = Path(tempfile.gettempdir()) / "exposure-scenes-adb"  # a fake adb with no phone attached


def _live_functions() -> tuple[Callable[[], list[tuple[str, str]]], Callable[[], bool], Callable[[], bool]]:
    import exposure.tui.screens.live as live

    return live.interfaces, live.live_available, live.capture_allowed


_REAL_INTERFACES, _REAL_LIVE_AVAILABLE, _REAL_CAPTURE_ALLOWED = _live_functions()
_REAL_LIST_PHONES = android_screen.list_phones


def pin_environment() -> None:
    """Make the screens the same on every machine (call before building the app)."""
    real = _REAL_DATA_DIR()
    if FIXED_DEMO.is_symlink() and FIXED_DEMO.resolve() != real.resolve():
        FIXED_DEMO.unlink()
    if not FIXED_DEMO.exists():
        FIXED_DEMO.symlink_to(real)
    exposure.demo.data_dir = lambda: FIXED_DEMO
    exposure.demo.demo_sources = _REAL_SOURCES
    os.environ["TZ"] = "UTC"
    time.tzset()
    (_NO_PHONE / "phones").mkdir(parents=True, exist_ok=True)
    set_devices(_NO_PHONE / "phones", [])
    os.environ["PATH"] = f"{install_fake_adb(_NO_PHONE / 'bin')}{os.pathsep}{_PATH}"
    os.environ["FAKE_ADB_DIR"] = str(_NO_PHONE / "phones")
    import exposure.tui.screens.live as live

    live.interfaces = lambda: list(INTERFACES)
    live.live_available = lambda: True
    live.capture_allowed = lambda: True
    android_screen.list_phones = lambda: [android_screen.Phone(*phone) for phone in PHONES]


def restore_environment() -> None:
    exposure.demo.data_dir = _REAL_DATA_DIR
    exposure.demo.demo_sources = _REAL_SOURCES
    if _TZ is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = _TZ
    time.tzset()
    os.environ["PATH"] = _PATH
    os.environ.pop("FAKE_ADB_DIR", None)
    import exposure.tui.screens.live as live

    live.interfaces = _REAL_INTERFACES
    live.live_available = _REAL_LIVE_AVAILABLE
    live.capture_allowed = _REAL_CAPTURE_ALLOWED
    android_screen.list_phones = _REAL_LIST_PHONES


def screen_is(name: str) -> Callable[[ExposureApp], bool]:
    return lambda app: type(app.screen).__name__ == name


def shows(text: str) -> Callable[[ExposureApp], bool]:
    def check(app: ExposureApp) -> bool:
        return any(text in str(getattr(w.visual, "plain", "")) for w in app.screen.query(Static))

    return check


def phones_listed(app: ExposureApp) -> bool:
    # The list of phones is drawn after the screen learns of them, and the first phone then takes
    # the focus: wait for that last step, or a loaded machine photographs the screen half-drawn.
    if type(app.screen).__name__ != "AndroidScreen" or not getattr(app.screen, "phones", None):
        return False
    focused = app.focused
    return focused is not None and focused.id == "phones" and getattr(focused, "highlighted", None) == 0


async def steps(pilot: Pilot[Any], keys: tuple[str, ...], until: Callable[[ExposureApp], bool]) -> None:
    app = pilot.app
    assert isinstance(app, ExposureApp)
    app.animation_level = "none"
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await wait_for(pilot, lambda: until(app))
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause(0.3)


@dataclass(frozen=True)
class Scene:
    name: str
    lang: str
    keys: tuple[str, ...]
    until: Callable[[ExposureApp], bool]
    slow: bool = False  # the check waits until cancelled, to show the checking screen
    contrast: bool = False  # the high-contrast theme (F3), for projectors
    demo: bool = True  # started as "exposure demo" (practice sources only)

    def make(self) -> ExposureApp:
        pin_environment()
        if self.slow:
            helpers.RELEASE.clear()
            COLLECTORS["slow"] = "tests.tui.helpers:make_slow"
            exposure.demo.demo_sources = lambda: (SourceSpec("slow", "demo-capture.pcap"),)
        app = ExposureApp(demo=self.demo, lang=self.lang, export_dir=FIXED_DEMO)
        app.file_start = FIXED_DEMO
        return app

    async def run_before(self, pilot: Pilot[Any]) -> None:
        await steps(pilot, (*self.keys, "f3") if self.contrast else self.keys, self.until)


RESULTS = ("enter", "enter", "enter")
SCENES = (
    Scene("welcome", "en", (), screen_is("WelcomeScreen")),
    Scene("welcome-zh", "zh", (), screen_is("WelcomeScreen")),
    Scene("source", "en", ("enter",), screen_is("SourceScreen"), demo=False),
    Scene("source-demo", "en", ("enter",), screen_is("SourceScreen")),
    Scene("android", "en", ("enter", "down", "enter"), phones_listed, demo=False),
    Scene("ios-backup", "en", ("enter", "down", "down", "down", "enter"), screen_is("IosBackupScreen"), demo=False),
    Scene("file", "en", ("enter", *("down",) * 4, "enter"), screen_is("FileScreen"), demo=False),
    Scene("live", "en", ("enter", *("down",) * 5, "enter"), screen_is("LiveScreen"), demo=False),
    Scene("profiles", "en", ("enter", "enter"), screen_is("ProfilesScreen")),
    Scene("checking", "en", RESULTS, shows("7 packets"), slow=True),
    Scene("results", "en", RESULTS, screen_is("ResultsScreen")),
    Scene("results-finding", "en", (*RESULTS, "_", "down"), shows("What we saw")),
    Scene("results-zh", "zh", (*RESULTS, "_", "down"), shows("我们看到了什么")),
    Scene("results-high-contrast", "en", (*RESULTS, "_", "down"), shows("What we saw"), contrast=True),
    Scene("export", "en", (*RESULTS, "_", "s"), screen_is("ExportScreen")),
    Scene("help", "en", ("enter", "f1"), screen_is("HelpScreen")),
)
