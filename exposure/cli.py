"""The ``exposure`` command. With no subcommand it opens the TUI.

Subcommands live in ``exposure.commands``; each reports problems as a UserError, which
becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from exposure import __version__
from exposure.errors import UserError

SUBCOMMANDS = ("scan", "names", "capture", "profiles", "feeds", "report", "demo")


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"exposure.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exposure",
        description="Check this computer, an Android phone or network traffic for stalkerware and "
        "state-monitoring tools, and explain what was found in plain words. Read-only: it never "
        "changes anything on a device, and nothing leaves this computer. "
        "With no subcommand, opens the guided app.",
    )
    parser.add_argument("--version", action="version", version=f"exposure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in SUBCOMMANDS:
        module = _command(name)
        child = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(child)
        child.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from exposure.tui.app import run_app

            return run_app()
        code: int = args.run(args)
        return code
    except UserError as exc:
        print(f"exposure: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("exposure: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
