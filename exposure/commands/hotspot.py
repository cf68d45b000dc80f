"""``exposure hotspot``: a phone joins a temporary Wi-Fi network on this laptop, its traffic is
recorded while the check runs, then checked as ``scan --pcap`` checks a file.

Needs administrator rights (recording), said first. On Linux with NetworkManager it makes the
network itself (a bland name, a random password, a QR code to join), and takes it down when
recording ends, restoring the laptop's Wi-Fi as it was: at the end, on an error, on Ctrl-C
and on SIGTERM/SIGHUP. Elsewhere it says why in one line, shows how to share a connection by
hand (macOS, Windows), and records the interface the person picks.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from exposure.commands import words

if TYPE_CHECKING:
    from exposure.collect.base import Progress
    from exposure.collect.hotspot.access_point import AccessPoint
    from exposure.collect.live import Interface
    from exposure.model import SourceSpec

HELP = ("help.hotspot", "let a phone join a temporary Wi-Fi network on this laptop, record its traffic, then check "
        "it")
DEFAULT_SECONDS = 15 * 60
_BLACK_ON_WHITE = "\x1b[30;107m"
_RESET = "\x1b[0m"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=_seconds, default=DEFAULT_SECONDS, metavar="SECONDS",
                        help=words.say("help.hotspot.duration", "stop recording after this many seconds (default: "
                                 "{seconds}, 15 minutes; Ctrl-C stops earlier and checks what was recorded)",
                                 seconds=DEFAULT_SECONDS))
    parser.add_argument("--wifi-device", metavar="DEVICE",
                        help=words.say("help.hotspot.wifi-device", "the Wi-Fi card to make the network on "
                                       "(default: the first that can)"))
    parser.add_argument("--iface", metavar="IFACE",
                        help=words.say("help.hotspot.iface", "where no network can be made here: the interface the "
                                 "phone's traffic passes through (a hotspot you started by hand)"))
    parser.add_argument("--out", metavar="FILE.pcap",
                        help=words.say("help.hotspot.out", "keep the recording in this file (default: deleted once "
                                 "checked)"))
    from exposure.commands.scan import add_check_options, add_report_options

    add_check_options(parser)
    add_report_options(parser, quiet_help=words.say("help.capture.quiet", "do not print progress or the summary"))


def _seconds(text: str) -> float:
    from exposure.commands.capture import _seconds as seconds

    return seconds(text)


def run(args: argparse.Namespace) -> int:
    from exposure.collect import live
    from exposure.collect.hotspot import access_point
    from exposure.commands.scan import check_report_paths
    from exposure.errors import UserError
    from exposure.explain.i18n import resolve_language

    check_report_paths(args)
    if args.out and (Path(args.out).is_symlink() or Path(args.out).exists()):
        raise UserError(f"{args.out} already exists; choose another name with --out", key="error.capture.exists",
                        path=args.out)
    if not live.can_capture():  # first: without the rights nothing below could work
        raise live.privilege_error()
    lang = resolve_language(args.lang)
    say = _Say(sys.stderr, lang, args.quiet)
    try:
        device = access_point.find_device(args.wifi_device or "")
    except access_point.HotspotUnavailable as exc:
        iface = _manual(args, exc, say)
        return _check(args, say, _spec(args, iface, ""))
    point = access_point.start(device)
    try:
        say.joining(point, args.duration)
        return _check(args, say, _spec(args, point.device, point.ssid))
    finally:
        # Normally gone as soon as recording ended (the collector stops it); here for an error,
        # Ctrl-C or a signal before that.
        access_point.stop(point)
        say.restored(point)


def _spec(args: argparse.Namespace, iface: str, network: str) -> SourceSpec:
    from exposure.scan import SourceSpec

    options = [("seconds", str(args.duration)), ("network", network)]
    if args.out:
        options.append(("out", args.out))
    return SourceSpec("hotspot", iface, tuple(options))


def _check(args: argparse.Namespace, say: _Say, spec: SourceSpec) -> int:
    from exposure.commands.capture import _stop_on_signals
    from exposure.commands.scan import check_and_report
    from exposure.scan import ScanHooks

    stop = threading.Event()
    with _stop_on_signals(stop):  # SIGTERM/SIGHUP end the recording like Ctrl-C: it is still checked
        return check_and_report(args, [spec], ScanHooks(progress=_Watching(say, spec, args), stop=stop))


class _Watching:
    """The capture command's status lines while recording (each new name once, a known one
    marked), without its lines about a kept file: the recording is deleted once checked."""

    def __init__(self, say: _Say, spec: SourceSpec, args: argparse.Namespace) -> None:
        from exposure.commands.capture import _Progress

        self.say = say
        self.printer = _Progress(say.stream, spec.target, Path(args.out or spec.target), args.duration, args.quiet)

    def __call__(self, progress: Progress) -> None:
        from exposure.collect.hotspot.collector import PHONE_FOUND
        from exposure.collect.live.collector import RECORDING

        if progress.stage == RECORDING:
            self.printer(progress)
        elif progress.stage == PHONE_FOUND and progress.reading is not None and not self.say.quiet:
            from exposure.explain.lines import plain
            from exposure.explain.notes import check_line

            what = plain(check_line(progress.reading, self.say.lang))
            self.say.line(_safe(self.say.t("hotspot.found", what=what)))


def _manual(args: argparse.Namespace, why: Exception, say: _Say) -> str:
    """No network can be made here: say why in one line, how to share by hand, and which
    interface to record (``--iface``, or asked for on a terminal)."""
    from exposure.collect.live import list_interfaces
    from exposure.errors import UserError

    say.manual(why)
    if args.iface:
        return str(args.iface)
    found = [i for i in list_interfaces() if not i.name.startswith("lo")]
    if not found or not sys.stdin.isatty():
        raise UserError("give the network interface the phone's traffic passes through with --iface (see "
                        "'exposure capture --list-ifaces')", key="error.hotspot.give-iface")
    return _pick(found, say, sys.stdin)


def _pick(found: list[Interface], say: _Say, answers: TextIO) -> str:
    from exposure.errors import UserError
    from exposure.untrusted import shortened

    for number, iface in enumerate(found, 1):
        state = "up" if iface.up else "down"
        say.line(f"  {number}. {shortened(iface.name, 40)}  {state}  {' '.join(iface.addresses[:2])}")
    for _attempt in range(3):
        say.stream.write(say.t("hotspot.pick.prompt"))
        say.stream.flush()
        answer = answers.readline().strip()
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            return found[int(answer) - 1].name
    raise UserError("give the network interface the phone's traffic passes through with --iface (see "
                    "'exposure capture --list-ifaces')", key="error.hotspot.give-iface")


class _Say:
    """What the person reads on the terminal, in their language."""

    def __init__(self, stream: TextIO, lang: str, quiet: bool) -> None:
        self.stream = stream
        self.lang = lang
        self.quiet = quiet

    def t(self, key: str, **params: str) -> str:
        from exposure.explain.lines import plain
        from exposure.explain.texts import tf

        return plain(tf(key, self.lang, **params))

    def line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def manual(self, why: Exception) -> None:
        from exposure.explain.lines import plain
        from exposure.explain.notes import error_line

        self.line(self.t("hotspot.unavailable", reason=plain(error_line(why, self.lang))))
        for key in ("hotspot.manual.macos", "hotspot.manual.windows"):
            self.line(f"  - {self.t(key)}")
        self.line(self.t("hotspot.pick"))

    def joining(self, point: AccessPoint, seconds: float) -> None:
        from exposure.collect.hotspot.joining import qr_rows

        # The name and password are what the phone needs: shown even with --quiet.
        self.line(self.t("hotspot.ready"))
        self.line(f"  {self.t('hotspot.network', ssid=point.ssid)}")
        self.line(f"  {self.t('hotspot.password', password=point.password)}")
        self.line(self.t("hotspot.scan"))
        colour = self.stream.isatty()
        for row in qr_rows(point.qr_payload):
            self.line(f"  {_BLACK_ON_WHITE}{row}{_RESET}" if colour else f"  {row}")
        if self.quiet:
            return
        self.line(self.t("hotspot.bland"))
        if point.state.previous_name:
            self.line(self.t("hotspot.paused", previous=_safe(point.state.previous_name)))
        self.line(self.t("hotspot.uplink"))
        self.line(self.t("hotspot.use"))
        self.line(self.until(seconds))

    def until(self, seconds: float) -> str:
        """When the recording stops by itself: in minutes when they are whole, else in seconds;
        "1 minute" and "1 second" said as such (``.one``)."""
        if seconds % 60:
            one = ".one" if seconds == 1 else ""
            return self.t(f"hotspot.until.seconds{one}", seconds=f"{seconds:g}")
        one = ".one" if seconds == 60 else ""
        return self.t(f"hotspot.until{one}", minutes=f"{seconds / 60:g}")

    def restored(self, point: AccessPoint) -> None:
        from exposure.explain.lines import plain
        from exposure.explain.notes import error_line

        if point.problems:
            for problem in point.problems:
                self.line(f"exposure: {_safe(plain(error_line(problem, self.lang)))}")
        elif not self.quiet:
            self.line(self.t("hotspot.restored", ssid=point.ssid))


def _safe(text: str) -> str:
    from exposure.untrusted import shortened

    return shortened(text, 200)
