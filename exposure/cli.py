"""The ``exposure`` command. With no subcommand it opens the TUI.

Subcommands live in ``exposure.commands``; each reports problems as a UserError, which
becomes one line on stderr and exit code 2, never a traceback. Any other exception is a bug
in exposure: one line that says so and how to see more (``EXPOSURE_DEBUG=1`` prints the
traceback), exit code 70.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import ModuleType

from exposure import __version__
from exposure.errors import BUG_EXIT_CODE, DEBUG_VARIABLE, UserError, debugging

SUBCOMMANDS = ("scan", "names", "capture", "hotspot", "profiles", "feeds", "report", "demo")


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"exposure.commands.{name}")


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwind, so that half-written files are removed (a
    BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it)."""


def build_parser(only: str | None = None, others: bool = True) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, the other subcommands are listed without their
    options (adding those imports what they offer, such as the report languages: slow to start),
    and with ``others`` False not at all (for a command line that starts with ``only``: the
    top-level parser then hands every word to that subcommand's, and never shows the list)."""
    from exposure.commands.help_format import Parser
    from exposure.commands.words import say

    parser = Parser(
        prog="exposure",
        description=say("help.exposure", "Check this computer, an Android phone, an iPhone or network traffic for "
                        "stalkerware and state-monitoring tools, and explain what was found in plain words. "
                        "Read-only: it never changes anything on a device, and nothing leaves this computer. "
                        "With no subcommand, opens the guided app."),
    )
    parser.add_argument("--version", action="version", version=f"exposure {__version__}",
                        help=say("argparse.version", "show program's version number and exit"))
    parser.add_argument("--lang", dest="app_lang", metavar="LANG",
                        help=say("help.lang", "language of the guided app, of messages, and of every command's "
                                 "texts and reports unless the command is given its own --lang (en, zh); "
                                 "default: the system's"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=say("help.commands", "commands"))
    for name in SUBCOMMANDS if others or only is None else (only,):
        module = _command(name)
        about = say(*module.HELP)
        child = sub.add_parser(name, help=about, description=about)
        if only is None or name == only:
            module.add_arguments(child)
        child.set_defaults(run=module.run)
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Each (sub)command's parser records itself, so that an unknown option is reported
    with the usage of the command it was given to (``scan --bogus`` shows scan's usage)."""
    parser.set_defaults(parser_used=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _remember_parsers(child)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``exposure`` command. Called without ``argv`` (the installed command, ``python -m
    exposure``) it is the process's one command, and the cycle collector is spared work on what
    lives until the exit; called with ``argv`` (tests, the fuzz worker, another program) it
    leaves the collector as it is, since the caller goes on."""
    if argv is not None:
        return _main(argv, whole_process=False)
    # What is loaded while the command line is read (modules, classes, the parser) and the
    # catalog live as long as the process: the collector is paused while they are made, then
    # they are frozen, so later collections do not walk them again (~7 ms of a host scan), and
    # at the exit the collector's last full pass over them is skipped (~20 ms). Only for the
    # process's own command: a caller that ran main again and again with this freezing and
    # unfreezing kept garbage it never collected (the fuzz worker grew by ~4 MB an input).
    ending = _Ending.first()
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        ending.code = _main(argv, whole_process=True, collect=was_enabled)
        return ending.code
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


class _Ending:
    """The process's own command ends without the interpreter's teardown, which frees every
    object it made one by one (the catalog and the parsed indicator lists: ~5 ms of a host
    scan), once the command has returned its exit code and every exit handler registered
    while it ran has run (they run before this one, registered first). Only when this is the
    first exit handler: one registered earlier (a coverage or profiling tool started with the
    interpreter) would be skipped, so the interpreter then ends as usual; and not when the
    standard streams cannot be flushed (the interpreter then says why)."""

    def __init__(self) -> None:
        self.code: int | None = None

    @classmethod
    def first(cls) -> _Ending:
        ending = cls()
        if getattr(atexit, "_ncallbacks", lambda: 1)() == 0:  # CPython: how many are registered
            atexit.register(ending.now)
        return ending

    def now(self) -> None:
        if self.code is None:  # the command did not return: an error the interpreter reports
            return
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            return
        os._exit(self.code)


def _main(argv: Sequence[str] | None, whole_process: bool, collect: bool = True) -> int:
    from exposure.commands import words as said

    before = said.language()
    try:
        return _command_line(argv, whole_process, collect)
    finally:
        said.use(before)  # a caller that goes on (a test, another program) speaks as before


def _command_line(argv: Sequence[str] | None, whole_process: bool, collect: bool) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # at once, without building the parser
        print(f"exposure {__version__}")
        return 0
    only = next((word for word in words if word in SUBCOMMANDS), "")
    from exposure.commands import words as said

    said.choose(words)  # before the parser is made: its help is in the person's language
    with said.argparse_words():
        # ``exposure scan ...``: only scan's parser is built (the other commands' modules are not
        # even imported); with anything before the command (``--lang zh scan``, ``--help``), all
        parser = build_parser(only, others=not words or words[0] != only)
        args, unknown = parser.parse_known_args(argv)
        if unknown:
            used: argparse.ArgumentParser = getattr(args, "parser_used", parser)
            used.error(said.say("argparse.unrecognized", "unrecognized arguments: %s") % " ".join(unknown))
    args.whole_process = whole_process
    if args.app_lang and getattr(args, "lang", "") is None:  # ``--lang zh scan``: the command's own default
        args.lang = args.app_lang
    if whole_process:
        gc.freeze()
        if collect:
            gc.enable()
    try:
        if args.command is None:
            from exposure.commands.demo import needs_terminal
            from exposure.tui.app import run_app

            needs_terminal()
            return run_app(lang=args.app_lang)
        # The app (``demo``) restores the terminal itself; a command unwinds on SIGTERM.
        with contextlib.nullcontext() if args.command == "demo" else _terminate_cleanly():
            code: int = args.run(args)
        return code
    except UserError as exc:
        say_error(exc, getattr(args, "lang", None) or args.app_lang)
        return exc.exit_code
    except KeyboardInterrupt:
        print("exposure: " + said.say("cli.stopped", "stopped."), file=sys.stderr)
        return 130
    except Terminated:
        print("exposure: " + said.say("cli.stopped", "stopped."), file=sys.stderr)
        return 143
    except BrokenPipeError:
        return 1
    except Exception as exc:
        return _bug(exc)


def _bug(exc: Exception) -> int:
    if debugging():
        import traceback  # only then (with linecache and tokenize: ~3 ms of every start)

        traceback.print_exc()
    else:
        from exposure.commands.words import say

        print("exposure: " + say("cli.bug", "stopped by an unexpected error ({error}). This is a bug in exposure, "
                                 "not something you did; run the same command again with {variable}=1 to see "
                                 "where it happened.", error=type(exc).__name__, variable=DEBUG_VARIABLE),
              file=sys.stderr)
    return BUG_EXIT_CODE


def say_error(error: UserError, lang: str | None) -> None:
    """One line on stderr, in the person's language; untrusted parts shown escaped."""
    from exposure.explain.i18n import resolve_language
    from exposure.explain.notes import error_line
    from exposure.untrusted import shown

    lines = [shown(part) for part in "".join(p.text for p in error_line(error, resolve_language(lang))).split("\n")]
    print("exposure: " + "\n".join(lines), file=sys.stderr)


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM and SIGHUP end the command like Ctrl-C does: by unwinding, so every file
    being written is removed, never left half-written (the default would end at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.getsignal(getattr(signal, name)) for name in names}

    def stop(signum: int, frame: object) -> None:
        raise Terminated

    for name in names:
        signal.signal(getattr(signal, name), stop)
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


if __name__ == "__main__":
    raise SystemExit(main())
