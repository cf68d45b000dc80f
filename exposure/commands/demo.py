"""``exposure demo``: the guided app with bundled synthetic data, for workshops.

Pressing Enter on each screen reaches the results in a few key presses; every screen
says DEMO. The data (a made-up capture and a made-up phone acquisition with planted
stalkerware and state-monitoring apps) ships in ``exposure/demo/data``.
"""

from __future__ import annotations

import argparse

HELP = "open the guided app with synthetic demo data (for workshops and trainers)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", metavar="LANG", help="language of the app (en, zh); default: the system's")


def run(args: argparse.Namespace) -> int:
    from exposure.cli import needs_terminal
    from exposure.tui.app import run_app

    needs_terminal()
    return run_app(demo=True, lang=args.lang)
