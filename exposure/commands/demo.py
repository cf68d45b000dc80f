"""``exposure demo``: the guided app with only the bundled practice data, for workshops.

Pressing Enter on each screen reaches the results in a few key presses; every screen
says DEMO. Only practice sources are offered (a made-up capture and a made-up phone
acquisition with planted stalkerware and state-monitoring apps, in ``exposure/demo/data``),
so a workshop never checks a real computer, phone or network.
"""

from __future__ import annotations

import argparse

from exposure.commands.words import say

HELP = ("help.demo", "open the guided app with synthetic demo data (for workshops and trainers)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", metavar="LANG", help=say("help.demo.lang", "language of the app (en, zh); "
                                                                  "default: the system's"))


def run(args: argparse.Namespace) -> int:
    from exposure.tui.app import run_app

    needs_terminal()
    return run_app(demo=True, lang=args.lang)


def needs_terminal() -> None:
    """The guided app draws on a terminal and reads keys from it: without one it would
    wait for ever. Say so, and point to the command that works in a script."""
    import sys

    from exposure.errors import UserError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the guided app needs a terminal; to check from a script, use 'exposure scan' "
                        "(see 'exposure scan --help')", key="error.app.needs-terminal")
