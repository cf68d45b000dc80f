"""``exposure capture``: record network traffic on this computer, then check it like a pcap.

While it records, a line per second says how many packets were seen, and each new name
(DNS, TLS/QUIC server name, HTTP Host) is printed once. It stops at ``--duration`` or on
Ctrl-C, keeps the capture (mode 0600) and, unless ``--no-analysis``, checks it.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from exposure.collect.live import LiveProgress

HELP = "record network traffic on this computer into a capture file, then check it"

_MAX_NAMES_PER_LINE_BATCH = 20
_USEFUL_SECONDS = 15 * 60  # SpyGuard's advice for a capture worth checking (field-guidance.md)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iface", metavar="IFACE",
                        help="the network interface to record (default: the one of the default route)")
    parser.add_argument("--duration", type=_seconds, metavar="SECONDS",
                        help="stop after this many seconds (default: at Ctrl-C)")
    parser.add_argument("--out", metavar="FILE.pcap",
                        help="where to keep the capture (default: capture-DATE-TIME.pcap in this folder)")
    parser.add_argument("--list-ifaces", action="store_true", help="list the network interfaces and stop")
    parser.add_argument("--no-analysis", action="store_true", help="only record; check it later with 'scan --pcap'")
    from exposure.commands.scan import add_check_options, add_report_options

    add_check_options(parser)
    add_report_options(parser, quiet_help="do not print progress or the summary")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError("the duration must be between 0 and 604800 seconds")
    return value


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError

    if args.list_ifaces:
        return _list_interfaces(sys.stdout)
    from exposure.commands.scan import check_and_report, check_report_paths

    check_report_paths(args)

    from exposure.collect import live

    out = Path(args.out) if args.out else live.default_output()
    if out.is_symlink() or _exists(out):
        raise UserError(f"{out} already exists; choose another name with --out")
    iface = args.iface or live.default_interface()
    err = sys.stderr

    def started() -> None:
        if not args.quiet:
            until = f"for {args.duration:g} s or until Ctrl-C" if args.duration else "until you press Ctrl-C"
            err.write(f"Recording on {_safe(iface)} into {_safe(str(out))} {until}.\n")
            if not args.duration or args.duration < _USEFUL_SECONDS:
                err.write("Tip: record 15 minutes or more while the device is used normally (restart it, take a "
                          "photo, send a message): tools that report rarely can be missed in a short capture.\n")
            err.flush()

    cancel = threading.Event()
    with _stop_on_signals(cancel):
        result = live.record(iface, out, duration=args.duration, started=started, cancel=cancel,
                             progress=None if args.quiet else _Progress(err))
    if result.stopped_by == "error":
        err.write(f"exposure: recording stopped early: {_safe(result.error)}\n")
    if not args.quiet:
        how = {"interrupt": "stopped", "cancel": "stopped", "duration": "done", "error": "stopped"}[result.stopped_by]
        err.write(f"Recording {how}: {result.packets} packets, {result.bytes} bytes. "
                  f"The capture is kept in {_safe(str(out.resolve()))} (readable only by you): "
                  "it may contain private data, delete it when you no longer need it.\n")
        err.flush()
    if args.no_analysis:
        return 0

    from exposure.scan import SourceSpec

    return check_and_report(args, [SourceSpec("pcap", str(out))])


@contextlib.contextmanager
def _stop_on_signals(cancel: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal, a service stop) end the recording cleanly, like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.getsignal(getattr(signal, name)) for name in names}
    for name in names:
        signal.signal(getattr(signal, name), lambda signum, frame: cancel.set())
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False  # not allowed to look: creating the file will say why


def _list_interfaces(stream: TextIO) -> int:
    from exposure.collect.live import list_interfaces

    for iface in list_interfaces():
        state = "up" if iface.up else "down"
        stream.write(f"{_safe(iface.name):<16} {state:<5} {', '.join(iface.addresses) or '-'}\n")
    return 0


class _Progress:
    """Prints a status line each report and every new name once (capped per report)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, seen: LiveProgress) -> None:
        lines = [f"  {seen.elapsed:5.0f} s  {seen.packets} packets  {seen.names} names\n"]
        for kind, name in seen.new_names[:_MAX_NAMES_PER_LINE_BATCH]:
            lines.append(f"    {kind:<4}  {_safe(name)}\n")
        if len(seen.new_names) > _MAX_NAMES_PER_LINE_BATCH:
            lines.append(f"    ... and {len(seen.new_names) - _MAX_NAMES_PER_LINE_BATCH} more names\n")
        self.stream.write("".join(lines))
        self.stream.flush()


def _safe(text: str, limit: int = 200) -> str:
    """Untrusted text for a terminal: control characters (escape sequences) shown as \\xNN."""
    from exposure.untrusted import shortened

    return shortened(text, limit)
