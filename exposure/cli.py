"""The ``exposure`` command. With no subcommand it opens the TUI.

Subcommands live in ``exposure.commands``; each reports problems as a UserError, which
becomes one line on stderr and exit code 2, never a traceback. Any other exception is a bug
in exposure: one line that says so and how to see more (``EXPOSURE_DEBUG=1`` prints the
traceback), exit code 70.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from exposure import __version__
from exposure.errors import BUG_EXIT_CODE, DEBUG_VARIABLE, UserError, debugging

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
    except Exception as exc:
        return _bug(exc)


def _bug(exc: Exception) -> int:
    if debugging():
        traceback.print_exc()
    else:
        print(f"exposure: stopped by an unexpected error ({type(exc).__name__}). This is a bug in exposure, not "
              f"something you did; run the same command again with {DEBUG_VARIABLE}=1 to see where it happened.",
              file=sys.stderr)
    return BUG_EXIT_CODE


if __name__ == "__main__":
    raise SystemExit(main())
