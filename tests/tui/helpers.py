"""Helpers for the TUI tests: fake collectors registered in exposure.collect.COLLECTORS, and waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from exposure.collect.base import CheckNote, CollectContext, Progress
from exposure.model import Category, Confidence, Finding, Observation, Severity, SourceInfo, SourceSpec
from exposure.observations.network import DnsQuery
from exposure.scan import ScanRequest, ScanResult

# Set by a test to let the slow collector finish.
RELEASE = threading.Event()
FLOOD = 20_000


class SlowCollector:
    """Reports progress, then waits until cancelled (or released): a scan that takes its time."""

    def __init__(self, spec: SourceSpec) -> None:
        self.info = SourceInfo(kind="slow", name=spec.target or "slow source")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        # As the capture reader reports it: English words for the command line, a note
        # keyed in explain/checks.yaml for the app to show in the person's language.
        ctx.progress(Progress(self.info.name, "reading capture", (("packets", 7),), 0.5,
                              CheckNote.of("reading.capture", "the packets in the capture")))
        deadline = time.monotonic() + 30
        while not ctx.cancel.is_set() and not RELEASE.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        yield from ()


class FloodCollector:
    """Sends many progress reports as fast as it can, then one DNS look-up."""

    def __init__(self, spec: SourceSpec) -> None:
        self.info = SourceInfo(kind="flood", name="flood source")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        for n in range(1, FLOOD + 1):
            ctx.progress(Progress(self.info.name, "reading", (("packets", n),)))
        yield DnsQuery("flood", self.info.name, name="example.org")


class DamagedCollector:
    """Reads one DNS look-up from a capture that ends early, with a hostile reason."""

    def __init__(self, spec: SourceSpec) -> None:
        self.info = SourceInfo(kind="pcap", name="cut.pcap")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        yield DnsQuery("pcap", self.info.name, name="example.org")
        ctx.warn(CheckNote.of("warn.pcap.damaged", "the capture file is damaged ([b]cut[/b]); packets after that "
                              "point were not read", reason="[b]cut[/b]"))


def make_damaged(spec: SourceSpec) -> DamagedCollector:
    return DamagedCollector(spec)


def make_slow(spec: SourceSpec) -> SlowCollector:
    return SlowCollector(spec)


def make_flood(spec: SourceSpec) -> FloodCollector:
    return FloodCollector(spec)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; screen is {pilot.app.screen!r}")
        await pilot.pause(0.05)


def hostile_result() -> ScanResult:
    """A result whose untrusted parts look like Rich/Textual markup and actions."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    findings = []
    for name in ("[bold red]x[/]", "[@click=app.quit]x[/]"):
        evidence = (DnsQuery("pcap", "capture.pcap", name=name),)
        findings.append(Finding(rule="network.test", severity=Severity.HIGH, category=Category.HEURISTIC,
                                title=f"Looked up {name}", confidence=Confidence.LOW, evidence=evidence,
                                subject=name, params=(("subject", name),)))
    return ScanResult(request=ScanRequest(sources=(SourceSpec("pcap", "capture.pcap"),)), started=now,
                      finished=now, findings=findings, warnings=[], sources=[], profiles=[], feeds=[])


class StubbornCollector:
    """Ignores cancel for 20 s, like an adb call waiting for its timeout."""

    def __init__(self, spec: SourceSpec) -> None:
        self.info = SourceInfo(kind="stubborn", name="stubborn source")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        ctx.progress(Progress(self.info.name, "waiting for the phone", ()))
        time.sleep(20)
        yield from ()


def make_stubborn(spec: SourceSpec) -> StubbornCollector:
    return StubbornCollector(spec)


def run_stubborn_demo() -> None:
    """``python -c`` entry for the tmux test: the demo, with a check that ignores cancel."""
    import exposure.demo
    from exposure.collect import COLLECTORS
    from exposure.tui.app import run_app

    COLLECTORS["stubborn"] = "tests.tui.helpers:make_stubborn"
    exposure.demo.demo_sources = lambda: (SourceSpec("stubborn"),)
    raise SystemExit(run_app(demo=True, lang="en"))


def run_crashing_app() -> None:
    """``python -c`` entry for the tmux test: the app, with a welcome screen that fails."""
    from exposure.tui.app import run_app
    from exposure.tui.screens.welcome import WelcomeScreen

    def broken(self: WelcomeScreen) -> None:
        read_from_the_phone = "com.private.person"  # noqa: F841 - a local value the crash must not print
        raise RuntimeError("a bug in a screen")

    WelcomeScreen.focus_default = broken  # type: ignore[method-assign]
    raise SystemExit(run_app(lang="en"))


# An app name as an abuser could set it: an OSC sequence that sets the terminal's window
# title, then one that clears the screen, a C1 CSI and a right-to-left override.
HOSTILE_APP = "com.evil\x1b]0;PWNED\x07\x1b[2J\x1b[H\x9b31m.app\u202eexe"


def hostile_acquisition(folder: Path) -> Path:
    """The practice phone, plus an app from outside a store whose package name carries
    escape sequences (it shows in the "installed from outside an app store" finding)."""
    import json
    import shutil

    import exposure.demo

    target = folder / "hostile-phone"
    shutil.copytree(exposure.demo.data_dir() / "demo-phone", target)
    packages = json.loads((target / "packages.json").read_text("utf-8"))
    hostile = json.loads(json.dumps(packages[-1]))
    hostile["name"] = HOSTILE_APP
    hostile["files"][0]["path"] = f"/data/app/{HOSTILE_APP}/base.apk"
    packages.append(hostile)
    (target / "packages.json").write_text(json.dumps(packages, ensure_ascii=False), "utf-8")
    return target
