"""``exposure profiles``: being built (see the open issues)."""

from __future__ import annotations

import argparse

HELP = "profiles (not available yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError

    raise UserError("'exposure profiles' is not available yet")
