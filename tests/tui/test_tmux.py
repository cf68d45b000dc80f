"""The app in a real terminal: tmux runs ``python -m exposure demo``, keys are sent, the
screen text is read back. Quick exit must leave nothing on the screen or in the scrollback."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"),
                                reason="tmux is not installed (CI installs it: see .ci/run)")


# Our own tmux server, apart from others; a new one for each test (a server being killed
# and one started at once on the same socket race, and the new one can exit at start).
SERVER = ["tmux", "-L", f"exposure-test-{os.getpid()}-0"]


def tmux(*args: str) -> str:
    done = subprocess.run([*SERVER, *args], capture_output=True, text=True, timeout=20)
    return done.stdout


def pane(session: str) -> str:
    return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session)


def wait_for_text(session: str, *texts: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = pane(session)
        if all(text in screen for text in texts):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"{texts} not on screen:\n{screen}")
        time.sleep(0.2)


def start(tmp_path: Path, python_args: str, before: str = "true") -> str:
    """Start ``python <python_args>`` in a 100x30 tmux pane, after a line that must not survive
    a quick exit (and the shell command ``before``); "EXITED" is printed when Python has ended."""
    name = "exposure-test"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "EXPOSURE_DATA_DIR": os.environ["EXPOSURE_DATA_DIR"], "PYTHONPATH": str(REPO)}
    script = (f"{before}; echo SECRET-BEFORE; cd {shlex.quote(str(tmp_path))}; "
              f"{shlex.quote(sys.executable)} {python_args}; echo EXITED rc=$?; sleep 60")
    command = " ".join(["env", *(shlex.quote(f"{k}={v}") for k, v in env.items()), "sh", "-c", shlex.quote(script)])
    subprocess.run([*SERVER, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", command],
                   check=True, timeout=20)
    return name


@pytest.fixture
def server() -> Iterator[None]:
    server.runs = getattr(server, "runs", 0) + 1  # type: ignore[attr-defined]
    SERVER[2] = f"exposure-test-{os.getpid()}-{server.runs}"  # type: ignore[attr-defined]
    try:
        yield
    finally:
        tmux("kill-server")


@pytest.fixture
def session(tmp_path: Path, server: None) -> str:
    return start(tmp_path, "-m exposure demo --lang en")


def test_demo_reaches_results_with_enter_then_quick_exit_clears(session: str, tmp_path: Path,
                                                                private_data_dir: Path) -> None:
    wait_for_text(session, "Before you start", "DEMO", "F10")
    tmux("send-keys", "-t", session, "Enter")
    screen = wait_for_text(session, "What would you like to check?", "DEMO", "Workshop demo",
                           "The practice phone", "The practice network capture")
    # Only practice sources: a workshop can never check a real computer, phone or network.
    for real in ("This computer", "Android phone over USB", "iPhone over USB", "iPhone backup", "capture file",
                 "Watch network traffic"):
        assert real not in screen
    tmux("send-keys", "-t", session, "Enter")
    wait_for_text(session, "What are you worried about?", "DEMO")
    tmux("send-keys", "-t", session, "Enter")
    screen = wait_for_text(session, "Overview", "SpyLive360", "BXAQ", "DEMO")
    assert "Traceback" not in screen
    tmux("send-keys", "-t", session, "F10")
    deadline = time.monotonic() + 20
    while "SpyLive360" in pane(session) or "SECRET-BEFORE" in pane(session):
        assert time.monotonic() < deadline, pane(session)
        time.sleep(0.2)
    # Nothing written: not in the data folder, not in the working folder (only the empty home).
    assert list(private_data_dir.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
    assert list((tmp_path / "home").iterdir()) == []


def test_quick_exit_does_not_wait_for_a_stuck_check(tmp_path: Path, server: None) -> None:
    name = start(tmp_path, shlex.quote("-c") + " " + shlex.quote(
        "from tests.tui.helpers import run_stubborn_demo; run_stubborn_demo()"))
    wait_for_text(name, "Before you start")
    for _ in range(3):
        tmux("send-keys", "-t", name, "Enter")
        time.sleep(0.5)
    wait_for_text(name, "waiting for the phone")
    pressed = time.monotonic()
    tmux("send-keys", "-t", name, "F10")
    screen = wait_for_text(name, "EXITED", timeout=15)
    assert time.monotonic() - pressed < 10  # the check itself would hold on for 20 s
    assert "SECRET-BEFORE" not in screen and "DEMO" not in screen


def test_a_crash_ends_the_app_with_a_failing_exit_code(tmp_path: Path, server: None) -> None:
    """A bug that ends the app must not look like success to whoever started it (rc 0 before)."""
    name = start(tmp_path, shlex.quote("-c") + " " + shlex.quote(
        "from tests.tui.helpers import run_crashing_app; run_crashing_app()"))
    screen = wait_for_text(name, "EXITED", timeout=60)
    assert "stopped by an unexpected error (RuntimeError). This is a bug in exposure" in " ".join(screen.split())
    assert "EXITED rc=1" in screen
    # Textual's own report printed every frame's local values: what was read from a person's phone
    assert "com.private.person" not in screen and "Traceback" not in screen


def test_hostile_app_names_leave_the_window_title_and_the_screen_alone(tmp_path: Path, server: None) -> None:
    """Issue 17.1 in a real terminal: an acquisition whose app name carries an OSC title
    sequence and a clear-screen sequence, shown on every finding of the results."""
    from tests.tui.helpers import hostile_acquisition

    acquisition = hostile_acquisition(tmp_path)
    name = start(tmp_path, "-m exposure --lang en", before="printf '\\033]0;ORIGINAL-TITLE\\007'")
    wait_for_text(name, "Before you start")
    assert title(name) == "ORIGINAL-TITLE"
    tmux("send-keys", "-t", name, "Enter")
    wait_for_text(name, "What would you like to check?")
    tmux("send-keys", "-t", name, "Down", "Down", "Down", "Down", "Enter")
    wait_for_text(name, "A capture, a folder of captures, or androidqf", "Check it")
    time.sleep(1.5)  # the path field takes the focus once the screen is mounted
    tmux("send-keys", "-t", name, "-l", str(acquisition))
    wait_for_text(name, "hostile-phone")
    tmux("send-keys", "-t", name, "Enter")
    wait_for_text(name, "What are you worried about?")
    tmux("send-keys", "-t", name, "Enter")
    wait_for_text(name, "Overview", "SpyLive360")
    escaped_seen = False
    for _ in range(8):  # every finding in turn, the app names shown in full
        tmux("send-keys", "-t", name, "Down")
        time.sleep(0.6)
        screen = pane(name)
        assert title(name) == "ORIGINAL-TITLE"
        assert "Overview" in screen and "Quick exit" in screen  # not cleared
        escaped_seen = escaped_seen or "com.evil\\x1b]0;PWNED\\x07\\x1b[2J" in screen
    assert escaped_seen, pane(name)
    assert "PWNED" not in title(name)


def title(session: str) -> str:
    return tmux("display-message", "-p", "-t", session, "#{pane_title}").strip()
