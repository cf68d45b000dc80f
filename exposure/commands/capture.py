"""``exposure capture``: being built (see the open issues)."""

from __future__ import annotations

import argparse

HELP = "capture (not available yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError

    raise UserError("'exposure capture' is not available yet")
