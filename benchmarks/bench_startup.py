"""Time from process start to the first screen of the guided app, painted.

    .venv/bin/python benchmarks/bench_startup.py [--runs 10] [--against GIT-REVISION]

Three measurements, each in fresh processes, median of N runs:

1. headless: a child process starts the app (Textual's headless driver) and, once the
   first screen ("Before you start") has been composed and refreshed, prints the time
   since the parent launched it; the same for a bare Textual app (one Static) as the
   floor that any Textual program pays;
2. real terminal: ``python -m exposure`` in a detached tmux session; the clock stops when
   ``tmux capture-pane`` first shows "Before you start" (polled every 10 ms);
3. ``python -X importtime -c "import exposure.tui.app"``: the slowest imports.

With ``--against REV`` the first measurement, and the time from process start until the
indicator catalog a check uses is built (``build_catalog()``, what the app waits for when
the check starts), are also taken for that revision (exported with ``git archive`` and put
first on ``PYTHONPATH``), alternating run by run with the current code, and the ratios of
the CPU medians are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD_EXPOSURE = r"""
import sys, time
start = float(sys.argv[1])
from exposure.tui.app import ExposureApp
from exposure.tui.screens.welcome import WelcomeScreen

app = ExposureApp(lang="en")

def painted() -> None:
    print(time.time() - start)
    app.exit()

original = WelcomeScreen.focus_default
def focus_default(self):
    original(self)
    self.call_after_refresh(painted)
WelcomeScreen.focus_default = focus_default
app.run(headless=True, size=(80, 24))
"""

CHILD_BARE = r"""
import sys, time
start = float(sys.argv[1])
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Before you start")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        print(time.time() - start)
        self.exit()

Bare().run(headless=True, size=(80, 24))
"""


CHILD_CATALOG = r"""
import sys, time
start = float(sys.argv[1])
from exposure.indicators.catalog import build_catalog
build_catalog()
print(time.time() - start)
"""


def export(revision: str) -> str:
    """A copy of the code at ``revision`` in a temporary folder (for PYTHONPATH)."""
    folder = tempfile.mkdtemp(prefix="exposure-rev-")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def headless(child: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds until painted, CPU seconds of the whole child process).

    On a busy machine the wall time mostly measures waiting for a CPU; the child's CPU
    time (user + system) is what the start-up itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    out = subprocess.run([sys.executable, "-c", child, str(start)], capture_output=True, text=True, check=True,
                         timeout=60, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(out.stdout.strip().splitlines()[-1]), cpu


REPO = Path(__file__).resolve().parent.parent
TMUX = ("tmux", "-L", "exposure-bench")  # a server of our own, apart from any other tmux use


def in_tmux() -> float:
    name = f"bench-startup-{os.getpid()}"
    start = time.time()
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                    f"{sys.executable} -m exposure"], check=True)
    try:
        while True:
            shown = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if "Before you start" in shown:
                return time.time() - start
            if time.time() - start > 30:
                raise RuntimeError("the first screen did not appear within 30 s")
            time.sleep(0.01)
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def peer(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds for a peer's command line to start and print its help."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    subprocess.run(command, capture_output=True, check=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.time() - start, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_offenders(top: int = 8) -> list[tuple[int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import exposure.tui.app"],
                         capture_output=True, text=True, check=True).stderr
    rows = []
    for line in out.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # top-level and first-level imports
            rows.append((int(match.group(2)), match.group(4)))
    return sorted(rows, reverse=True)[:top]


def compare(revision: str, runs: int) -> None:
    """The first screen and the catalog, this code and ``revision``, alternating run by run."""
    folder = export(revision)
    try:
        theirs = dict(os.environ, PYTHONPATH=folder)
        ours = dict(os.environ, PYTHONPATH=str(REPO))
        for label, child in (("first screen", CHILD_EXPOSURE), ("catalog built", CHILD_CATALOG)):
            pairs = [(headless(child, theirs), headless(child, ours)) for _ in range(runs)]
            old_cpu = statistics.median(p[0][1] for p in pairs)
            new_cpu = statistics.median(p[1][1] for p in pairs)
            old_wall = statistics.median(p[0][0] for p in pairs)
            new_wall = statistics.median(p[1][0] for p in pairs)
            print(f"{label}: {revision} CPU median {old_cpu * 1000:.0f} ms, wall {old_wall * 1000:.0f} ms; "
                  f"now CPU {new_cpu * 1000:.0f} ms, wall {new_wall * 1000:.0f} ms; "
                  f"ratio now/{revision} (CPU medians) {new_cpu / old_cpu:.2f} "
                  f"(n={runs}, load {os.getloadavg()[0]:.1f})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, {model or 'unknown CPU'}, Python {sys.version.split()[0]}, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mvt", metavar="MVT_ANDROID", help="also time this mvt-android --help (MVT has no TUI: "
                        "its command line start is the nearest peer figure)")
    parser.add_argument("--against", metavar="REV", help="time this git revision too, alternating with the current")
    args = parser.parse_args()
    env_lang = {"EXPOSURE_LANG": "en"}
    os.environ.update(env_lang)
    print(f"machine: {machine()}")
    runs = [(headless(CHILD_EXPOSURE), headless(CHILD_BARE)) for _ in range(args.runs)]  # interleaved
    for label, index in (("exposure first screen", 0), ("bare Textual app     ", 1)):
        wall = [r[index][0] for r in runs]
        cpu = [r[index][1] for r in runs]
        print(f"headless, {label}: wall median {statistics.median(wall) * 1000:.0f} ms "
              f"(min {min(wall) * 1000:.0f}, max {max(wall) * 1000:.0f}); "
              f"CPU median {statistics.median(cpu) * 1000:.0f} ms (n={args.runs})")
    ours_cpu = statistics.median(r[0][1] for r in runs)
    bare_cpu = statistics.median(r[1][1] for r in runs)
    print(f"ratio exposure / bare Textual (CPU medians): {ours_cpu / bare_cpu:.2f}")
    if args.against:
        compare(args.against, args.runs)
    if args.mvt:
        mvt = [peer([args.mvt, "--help"]) for _ in range(args.runs)]
        mvt_wall = statistics.median(w for w, _ in mvt)
        mvt_cpu = statistics.median(c for _, c in mvt)
        print(f"peer: {args.mvt} --help: wall median {mvt_wall * 1000:.0f} ms; CPU median {mvt_cpu * 1000:.0f} ms; "
              f"ratio mvt / exposure (CPU medians): {mvt_cpu / ours_cpu:.2f}")
    if shutil.which("tmux"):
        # A session that lives for the whole run keeps our tmux server up between runs.
        subprocess.run([*TMUX, "new-session", "-d", "-s", "keeper", "sleep 3600"], check=True)
        try:
            real = [in_tmux() for _ in range(args.runs)]
        finally:
            subprocess.run([*TMUX, "kill-server"], capture_output=True)
        print(f"tmux, python -m exposure until 'Before you start' is on screen: median "
              f"{statistics.median(real) * 1000:.0f} ms (min {min(real) * 1000:.0f}, max {max(real) * 1000:.0f})")
    print("slowest imports of exposure.tui.app (cumulative µs):")
    for micros, module in import_offenders():
        print(f"  {micros:>8} {module}")


if __name__ == "__main__":
    main()
