"""``exposure capture``: record network traffic on this computer, then check it like a pcap.

While it records, a line per second says how many packets were seen, and each new name
(DNS, TLS/QUIC server name, HTTP Host) is printed once. It stops at ``--duration`` or on
Ctrl-C, then checks what was recorded. The recording is private data that would pile up over
a workshop (field guidance: delete by default), so it goes to a private temporary file that
is deleted once checked; ``--out FILE`` (or ``--keep FILE``) keeps it there, mode 0600.
``--no-analysis`` only records: the capture is kept (``--out``, else
``capture-DATE-TIME.pcap`` in the current folder, mode 0600) and where is said.
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

from exposure.commands.words import count, language, say, sentences

if TYPE_CHECKING:
    from exposure.collect.base import Progress
    from exposure.collect.live import LiveProgress
    from exposure.model import LocalText

HELP = ("help.capture", "record network traffic (of this computer, or of an iPhone over USB) into a capture file, "
        "then check it")

_MAX_NAMES_PER_LINE_BATCH = 20
_USEFUL_SECONDS = 15 * 60  # SpyGuard's advice for a capture worth checking (field-guidance.md)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iface", metavar="IFACE",
                        help=say("help.capture.iface", "the network interface to record (default: the one of the "
                                 "default route)"))
    parser.add_argument("--iphone", action="append", nargs="?", const="", default=[], metavar="UDID",
                        help=say("help.capture.iphone", "record the traffic of an iPhone connected over USB (Wi-Fi "
                                 "and mobile data, with the app behind each packet); give its UDID if several"))
    parser.add_argument("--duration", type=_seconds, metavar="SECONDS",
                        help=say("help.capture.duration", "stop after this many seconds (default: at Ctrl-C)"))
    parser.add_argument("--out", "--keep", dest="out", metavar="FILE.pcap",
                        help=say("help.capture.out", "keep the capture in this file (default: a private temporary "
                                 "file, deleted once checked; with --no-analysis: capture-DATE-TIME.pcap in this "
                                 "folder)"))
    parser.add_argument("--list-ifaces", action="store_true",
                        help=say("help.capture.list-ifaces", "list the network interfaces and stop"))
    parser.add_argument("--no-analysis", action="store_true",
                        help=say("help.capture.no-analysis", "only record; check it later with 'scan --pcap'"))
    from exposure.commands.scan import add_check_options, add_report_options

    add_check_options(parser)
    add_report_options(parser, quiet_help=say("help.capture.quiet", "do not print progress or the summary"))


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.seconds.not-a-number", "not a number of seconds: {text}",
                                             text=repr(text))) from None
    if not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(say("cli.seconds.range", "the duration must be between 0 and 604800 "
                                             "seconds"))
    return value


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError

    if args.list_ifaces:
        return _list_interfaces(sys.stdout)
    if len(set(args.iphone)) > 1:
        raise UserError("capture records one iPhone at a time: give --iphone once", key="error.capture.one-iphone")
    args.iphone = args.iphone[0] if args.iphone else None
    from exposure.commands.scan import check_and_report, check_report_paths

    check_report_paths(args)

    from exposure.collect import live

    if args.iphone is not None:
        return _iphone(args)
    # Kept only when asked (--out), or when only recording; else recorded privately and deleted once checked.
    out = Path(args.out) if args.out else live.default_output() if args.no_analysis else None
    if out is not None and (out.is_symlink() or _exists(out)):
        raise UserError(f"{out} already exists; choose another name with --out", key="error.capture.exists",
                        path=out)
    iface = args.iface or live.default_interface()
    err = sys.stderr
    stop = threading.Event()
    if out is not None and args.no_analysis:
        return _record_only(args, iface, out, stop)

    from exposure.scan import ScanHooks, SourceSpec

    # The same pipeline as every other source: watch (kind "live"), then check the capture.
    kept = (("out", str(out)),) if out is not None else ()
    spec = SourceSpec("live", iface, (("seconds", str(args.duration or 0)), *kept))
    hooks = ScanHooks(progress=_Progress(err, iface, out, args.duration, quiet=args.quiet), stop=stop)
    with _stop_on_signals(stop):
        return check_and_report(args, [spec], hooks)


def _record_only(args: argparse.Namespace, iface: str, out: Path, stop: threading.Event) -> int:
    """``--no-analysis``: record, keep the file, say where it is; no check."""
    from exposure.collect import live

    err = sys.stderr
    printer = _Progress(err, iface, out, args.duration, quiet=args.quiet)
    with _stop_on_signals(stop):
        result = live.record(iface, out, duration=args.duration, started=printer.started, stop=stop,
                             progress=None if args.quiet else printer.live)
    if result.stopped_by == "error":
        err.write("exposure: " + say("capture.stopped-early", "recording stopped early: {why}",
                                     why=_safe(result.error)) + "\n")
    printer.done(result.stopped_by, result.packets, result.bytes)
    return 0


def _iphone(args: argparse.Namespace) -> int:
    """The iPhone's own traffic through pcapd, then the capture check with each flow and
    finding labelled by the app behind it."""
    from exposure.collect import live
    from exposure.collect.ios.collector import iphone_probe
    from exposure.commands.scan import check_and_report, iphone_hint
    from exposure.errors import UserError

    if args.iface:
        raise UserError("--iface and --iphone do not go together: an iPhone is recorded over its USB cable",
                        key="error.capture.iface-and-iphone")
    err = sys.stderr
    if not args.out and not args.no_analysis:
        if not iphone_probe(args.iphone).trusted and not args.quiet:
            err.write(iphone_hint() + "\n")
        return _iphone_unkept(args)
    out = Path(args.out) if args.out else live.default_output().with_suffix(".pcapng")
    if out.is_symlink() or _exists(out):
        raise UserError(f"{out} already exists; choose another name with --out", key="error.capture.exists",
                        path=out)
    if not iphone_probe(args.iphone).trusted and not args.quiet:
        err.write(iphone_hint() + "\n")
    from exposure.collect.ios import pcapd

    def started(udid: str) -> None:
        if not args.quiet:
            err.write(say("capture.iphone-started", "Recording the traffic of the iPhone {udid} into {path} {until}. "
                          "Use the phone normally meanwhile (open apps, take a photo, send a message).",
                          udid=_safe(udid), path=_safe(str(out)), until=_until(args.duration)) + "\n")
            err.flush()

    def progress(elapsed: float, packets: int, size: int) -> None:
        err.write("  " + say("capture.iphone-progress", "{seconds} s  {packets} packets  {size} bytes",
                             seconds=f"{elapsed:5.0f}", packets=packets, size=size) + "\n")
        err.flush()

    cancel = threading.Event()
    # Ctrl-C ends the recording like the duration does; what was recorded is still checked.
    with _stop_on_signals(cancel, interrupt=True):
        result = pcapd.record(args.iphone, out, duration=args.duration, cancel=cancel, started=started,
                              progress=None if args.quiet else progress)
    if result.stopped_by == "error":
        err.write("exposure: " + say("capture.stopped-early", "recording stopped early: {why}",
                                     why=_safe(result.error)) + "\n")
    if not args.quiet:
        err.write(_kept_line("stopped", result.packets, result.bytes, out) + "\n")
        err.flush()
    if args.no_analysis:
        return 0
    from exposure.scan import SourceSpec

    return check_and_report(args, [SourceSpec("iphone-capture", str(out))])


def _iphone_unkept(args: argparse.Namespace) -> int:
    """Record the iPhone into a private temporary file, check it, delete it (kind "iphone-live",
    as the app's watch of an iPhone): nothing is left behind unless ``--out`` asks."""
    from exposure.commands.scan import check_and_report
    from exposure.scan import ScanHooks, SourceSpec

    stop = threading.Event()
    spec = SourceSpec("iphone-live", args.iphone or "", (("seconds", str(args.duration or 0)),))
    # Ctrl-C ends the recording like the duration does; what was recorded is still checked.
    with _stop_on_signals(stop, interrupt=True):
        return check_and_report(args, [spec], ScanHooks(progress=_IphoneProgress(sys.stderr, args), stop=stop))


class _IphoneProgress:
    """The iPhone recording's lines, when the recording is not kept."""

    def __init__(self, stream: TextIO, args: argparse.Namespace) -> None:
        self.stream = stream
        self.duration: float | None = args.duration
        self.quiet: bool = args.quiet

    def __call__(self, progress: Progress) -> None:
        from exposure.collect.live.collector import RECORDED, RECORDING, STARTED, STOPPED, STOPPED_EARLY

        if self.quiet:
            return
        counts = dict(progress.counts)
        if progress.stage == STARTED:
            until = f"for {self.duration:g} s or until Ctrl-C" if self.duration else "until you press Ctrl-C"
            self.stream.write(f"Recording the traffic of the iPhone {until}, into a private temporary file that is "
                              "deleted once it is checked (--out FILE keeps it). Use the phone normally meanwhile "
                              "(open apps, take a photo, send a message).\n")
        elif progress.stage == RECORDING:
            self.stream.write(f"  {counts.get('seconds', 0):5.0f} s  {counts.get('packets', 0)} packets\n")
        elif progress.stage in (RECORDED, STOPPED) or progress.stage.startswith(STOPPED_EARLY):
            if progress.stage.startswith(STOPPED_EARLY):
                self.stream.write(f"exposure: {_safe(progress.stage)}\n")
            self.stream.write(f"Recording stopped: {counts.get('packets', 0)} packets, {counts.get('bytes', 0)} "
                              "bytes.\n")
        else:
            return
        self.stream.flush()


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event, interrupt: bool = False) -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal, a service stop) end the recording cleanly, like
    Ctrl-C: what was recorded is kept and checked (and Ctrl-C itself with ``interrupt``, for
    a recording that does not handle it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [name for name in ("SIGTERM", "SIGHUP", *(("SIGINT",) if interrupt else ())) if hasattr(signal, name)]
    previous = {name: signal.getsignal(getattr(signal, name)) for name in names}
    for name in names:
        signal.signal(getattr(signal, name), lambda signum, frame: stop.set())
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
    """What the person sees while recording: one line when it starts, a status line each
    second with every new name once (capped per report; a name an indicator lists is
    marked at once), and where the capture is kept when recording ends."""

    def __init__(self, stream: TextIO, iface: str, out: Path | None, duration: float | None, quiet: bool) -> None:
        self.stream = stream
        self.iface = iface
        self.out = out
        self.duration = duration
        self.quiet = quiet

    def __call__(self, progress: Progress) -> None:
        from exposure.collect.live.collector import RECORDED, RECORDING, STARTED, STOPPED, STOPPED_EARLY

        counts = dict(progress.counts)
        if progress.stage == STARTED:
            self.started()
        elif progress.stage == RECORDING and not self.quiet:
            self._status(counts.get("seconds"), counts.get("packets", 0), counts.get("names", 0),
                         progress.new_names, progress.known)
        elif progress.stage in (RECORDED, STOPPED) or progress.stage.startswith(STOPPED_EARLY):
            if progress.stage.startswith(STOPPED_EARLY):
                why = progress.stage.partition(":")[2].strip() or progress.stage
                self.stream.write("exposure: " + say("capture.stopped-early", "recording stopped early: {why}",
                                                     why=_safe(why)) + "\n")
            self.done("duration" if progress.stage == RECORDED else "stopped", counts.get("packets", 0),
                      counts.get("bytes", 0))

    def started(self) -> None:
        if self.quiet:
            return
        if self.out is None:
            self.stream.write(say("capture.started-unkept", "Recording on {iface} {until}, into a private temporary "
                                  "file that is deleted once it is checked (--out FILE keeps it).",
                                  iface=_safe(self.iface), until=_until(self.duration)) + "\n")
        else:
            self.stream.write(say("capture.started", "Recording on {iface} into {path} {until}.",
                                  iface=_safe(self.iface), path=_safe(str(self.out)),
                                  until=_until(self.duration)) + "\n")
        if not self.duration or self.duration < _USEFUL_SECONDS:
            self.stream.write(say("capture.tip", "Tip: record 15 minutes or more while the device is used normally "
                                  "(restart it, take a photo, send a message): tools that report rarely can be "
                                  "missed in a short capture.") + "\n")
        self.stream.flush()

    def live(self, seen: LiveProgress) -> None:
        """For ``--no-analysis`` (the recorder's own reports, no indicators)."""
        self._status(seen.elapsed, seen.packets, seen.names, seen.new_names, ())

    def _status(self, elapsed: float | int | None, packets: int, names: int, new: tuple[tuple[str, str], ...],
                known: tuple[tuple[str, LocalText, str], ...]) -> None:
        marked = {name: (threat, role) for name, threat, role in known}
        when = say("capture.seconds", "{seconds} s", seconds=f"{elapsed:5.0f}") + "  " if elapsed is not None else ""
        lines = ["  " + when + say("capture.progress", "{packets} packets  {names} names", packets=packets,
                                   names=names) + "\n"]
        for kind, name in new[:_MAX_NAMES_PER_LINE_BATCH]:
            mark = ""
            if name in marked:
                threat, role = marked[name]
                mark = "   <- " + say("capture.known", "known: {threat} ({role})", threat=_safe(threat.get(language())),
                                          role=_role(role))
            lines.append(f"    {kind:<4}  {_safe(name)}{mark}\n")
        if len(new) > _MAX_NAMES_PER_LINE_BATCH:
            lines.append("    " + say("capture.more-names", "... and {n} more names",
                                          n=len(new) - _MAX_NAMES_PER_LINE_BATCH) + "\n")
        self.stream.write("".join(lines))
        self.stream.flush()

    def done(self, stopped_by: str, packets: int, size: int) -> None:
        if self.quiet:
            return
        how = "done" if stopped_by in ("duration", "done") else "stopped"
        self.stream.write(_kept_line(how, packets, size, self.out) + "\n")
        self.stream.flush()


_ROLE_WORDS = {"c2": "its server", "website": "its seller's website", "distribution": "where it is downloaded",
               "app": "the tool itself", "flagged": "flagged by a state system"}


def _role(role: str) -> str:
    english = _ROLE_WORDS.get(role)
    return say(f"capture.role.{role}", english) if english else role


def _until(duration: float | None) -> str:
    if duration:
        return say("capture.until-duration", "for {seconds} s or until Ctrl-C", seconds=f"{duration:g}")
    return say("capture.until-ctrl-c", "until you press Ctrl-C")


def _kept_line(how: str, packets: int, size: int, out: Path | None) -> str:
    """The last line of a recording: how much, and where the capture is kept (``out`` None: in a
    private temporary file, deleted once checked, so nothing is said of it)."""
    if how == "done":
        said = count("capture.done", packets, "Recording done: {n} packet, {size} bytes.",
                     "Recording done: {n} packets, {size} bytes.", size=size)
    else:
        said = count("capture.stopped", packets, "Recording stopped: {n} packet, {size} bytes.",
                     "Recording stopped: {n} packets, {size} bytes.", size=size)
    if out is None:
        return said
    return sentences(said, say("capture.kept", "The capture is kept in {path} (readable only by you): it may contain "
                            "private data, delete it when you no longer need it.", path=_safe(str(out.resolve()))))


def _safe(text: str, limit: int = 200) -> str:
    """Untrusted text for a terminal: control characters (escape sequences) shown as \\xNN."""
    from exposure.untrusted import shortened

    return shortened(text, limit)
