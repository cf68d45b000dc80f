"""``exposure scan``: check sources and write reports."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from exposure.commands import per_source
from exposure.commands.words import listed, say

if TYPE_CHECKING:
    from exposure.collect.base import Progress
    from exposure.document import ReportDocument
    from exposure.model import SourceSpec
    from exposure.scan import ScanHooks, ScanResult

HELP = ("help.scan", "check a capture, an Android phone, an iPhone or its backup, an androidqf acquisition or this "
        "computer, and report")
SEVERITIES = ("critical", "high", "medium", "low", "info")
# The profiles a scan uses only when asked for (``opt_in: true``; a test keeps this list true),
# named in --help without reading the profiles.
OPT_IN_PROFILES = ("flagged-apps-xinjiang",)


IPHONE_HINT = ("Unlock the iPhone and keep it unlocked. If it asks 'Trust This Computer?', tap Trust and enter the "
               "passcode (exposure waits up to 2 minutes). exposure only reads: it changes nothing on the phone.")


def iphone_hint() -> str:
    return say("cli.iphone-hint", IPHONE_HINT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from exposure.model import CAPTURE_SUFFIXES

    what = parser.add_argument_group(say("help.scan.what", "what to check (one or more)"))
    what.add_argument("--pcap", action="extend", nargs="+", default=[], metavar="FILE_OR_FOLDER",
                      help=say("help.scan.pcap", "network captures (pcap, pcapng, gzip), or folders of them: every "
                               "file directly in a folder whose name ends in {suffixes} (or that and .gz), sorted "
                               "by name, not its subfolders. Several captures are checked at once, one per core, "
                               "each on its own, in one report with a section for each",
                               suffixes=listed(CAPTURE_SUFFIXES)))
    what.add_argument("--android", action="append", nargs="?", const="", default=[], metavar="SERIAL",
                      help=say("help.scan.android", "an Android phone connected over USB (adb); with several "
                               "connected, give its serial, and give --android SERIAL once for each phone to check"))
    what.add_argument("--iphone", action="append", nargs="?", const="", default=[], metavar="UDID",
                      help=say("help.scan.iphone", "an iPhone connected over USB (unlock it, tap Trust); with "
                               "several connected, give its UDID, and give --iphone UDID once for each phone to "
                               "check"))
    what.add_argument("--save", metavar="DIR",
                      help=say("help.scan.save", "with --android or --iphone (one phone): keep what was read from "
                               "the phone in DIR"))
    what.add_argument("--android-dump", action="append", default=[], metavar="DIR",
                      help=say("help.scan.android-dump", "re-check a folder written by --android --save"))
    what.add_argument("--iphone-dump", action="append", default=[], metavar="DIR",
                      help=say("help.scan.iphone-dump", "re-check a folder written by --iphone --save"))
    what.add_argument("--androidqf", action="append", default=[], metavar="DIR_OR_ZIP",
                      help=say("help.scan.androidqf", "an acquisition made with Amnesty's androidqf"))
    what.add_argument("--ios-backup", action="append", default=[], metavar="DIR",
                      help=say("help.scan.ios-backup", "an iPhone backup folder made by Finder, iTunes or Apple "
                               "Devices (encrypted or not)"))
    what.add_argument("--password-file", metavar="FILE",
                      help=say("help.scan.password-file", "with --ios-backup: a file whose first line is the "
                               "backup's password (otherwise you are asked for it; it is never taken on the "
                               "command line)"))
    what.add_argument("--host", action="store_true",
                      help=say("help.scan.host", "this computer: processes, software, settings"))
    add_check_options(parser)
    add_report_options(parser, quiet_help=say("help.scan.quiet", "do not print the summary"))
    per_source.add_argument(parser)


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """Which profiles and feeds to check against (shared with 'exposure capture')."""
    how = parser.add_argument_group(say("help.scan.how", "how to check"))
    how.add_argument("--profile", action="append", default=[], metavar="ID",
                     help=say("help.scan.profile", "only these threat profiles (see 'exposure profiles list'); "
                              "default: every profile except {opt_in} (used only when asked for)",
                              opt_in=listed(OPT_IN_PROFILES)))
    how.add_argument("--no-feeds", action="store_true",
                     help=say("help.scan.no-feeds", "use only the bundled profiles, not imported feeds"))
    how.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                     help=say("help.scan.fail-on", "exit with 1 when a finding at or above this severity is made "
                              "({severities}); exit codes: 0 done, 1 such a finding, 2 an error or a source that "
                              "could not be checked, wholly or partly (2 comes before 1)",
                              severities=listed(SEVERITIES)))


def add_report_options(parser: argparse.ArgumentParser, quiet_help: str) -> None:
    """Report files, language and --quiet (shared with 'exposure capture')."""
    from exposure.explain.i18n import languages

    out = parser.add_argument_group(say("help.reports", "reports ('-' as FILE: standard output)"))
    out.add_argument("--json", metavar="FILE", help=say("help.reports.json", "write the full report as JSON"))
    out.add_argument("--md", metavar="FILE", help=say("help.reports.md", "write the report as Markdown"))
    out.add_argument("--html", metavar="FILE", help=say("help.reports.html", "write the report as one HTML file"))
    out.add_argument("--force", action="store_true",
                     help=say("help.reports.force", "replace report files that already exist"))
    out.add_argument("--lang", choices=sorted(languages()), metavar="LANG",
                     help=say("help.reports.lang", "report language ({languages}); default: the system's",
                              languages=listed(sorted(languages()))))
    out.add_argument("--quiet", action="store_true", help=quiet_help)


def check_report_paths(args: argparse.Namespace) -> None:
    """Before any work: every report file asked for can be written (one line if not)."""
    from exposure.files import check_targets

    if per_source.asked(args):
        per_source.check(args, sources_from_args(args))
        return
    check_targets((args.json, args.md, args.html), force=args.force)


def check_and_report(args: argparse.Namespace, sources: Sequence[SourceSpec],
                     hooks: ScanHooks | None = None) -> int:
    """Run the one scan pipeline on ``sources``, write the reports asked for, print the
    summary; the exit code says what a script needs to know (see ``--fail-on``)."""
    from exposure.explain.i18n import resolve_language
    from exposure.files import STDOUT
    from exposure.indicators.catalog import build_catalog, build_catalog_to_keep
    from exposure.report.document import from_result
    from exposure.report.output import print_summary, write_reports
    from exposure.scan import ScanRequest, run_scan

    request = ScanRequest(sources=tuple(sources), profiles=tuple(args.profile), use_feeds=not args.no_feeds)
    # the process's own command keeps its catalog to the exit (cli.main); an unknown profile: a UserError
    build = build_catalog_to_keep if getattr(args, "whole_process", False) else build_catalog
    catalog = build(request.profiles or None, request.use_feeds)
    result = run_scan(request, hooks, catalog)
    lang = resolve_language(args.lang)
    report = from_result(result)
    if result.sources and all(info.unread is not None for info in result.sources):
        _say_not_checked(report, lang)  # nothing could be read: say why, no report
        return 2
    # A report on standard output keeps it to itself: the summary goes to stderr then.
    stream = sys.stderr if STDOUT in (args.json, args.md, args.html) else sys.stdout
    if per_source.asked(args):
        written = per_source.write(report, lang, args)
    else:
        written = write_reports(report, lang, json_path=args.json, md_path=args.md, html_path=args.html,
                                force=args.force)
    if not args.quiet:
        print_summary(report, lang, stream=stream, written=written)
    return exit_code(result, getattr(args, "fail_on", None))


def exit_code(result: ScanResult, fail_on: str | None) -> int:
    """2: a source could not be checked, or only partly (a phone whose app list could not be
    read); 1: a finding at or above ``fail_on``; else 0. 2 comes before 1: a script must
    learn that something was not checked, which a 1 would hide (the findings are in the report)."""
    from exposure.model import Severity

    if any(info.unread is not None or info.partly is not None for info in result.sources):
        return 2
    if fail_on and any(f.severity.rank <= Severity(fail_on).rank for f in result.findings):
        return 1
    return 0


# Not-checked lines that say "see the problems listed": the warnings are printed after them.
POINTS_TO_PROBLEMS = frozenset({"error.androidqf.unreadable"})


def _say_not_checked(report: ReportDocument, lang: str) -> None:
    from exposure.explain.lines import plain
    from exposure.explain.notes import reason_line, warning_line
    from exposure.explain.sources import source_name
    from exposure.explain.summary import not_checked_line
    from exposure.explain.texts import tf
    from exposure.untrusted import shown

    for source in report.sources:
        alone = len(report.sources) == 1 and not (source.unread and source.unread.key.startswith("error.source."))
        # One source that failed to open says its own one line ("no Android phone found: ..."),
        # one that was opened and gave nothing is named ("... empty.pcap: it holds no packets").
        line = reason_line(source.unread, lang) if alone else not_checked_line(source, lang)
        sys.stderr.write(f"exposure: {shown(plain(line))}\n")
    # A line that points to the problems met on the way (a damaged file, say) has them after it.
    said = {(s.unread.key, s.unread.text) for s in report.sources if s.unread}
    if not any(key in POINTS_TO_PROBLEMS for key, _ in said):
        return
    for warning in report.warnings:
        if (warning.key, warning.message) not in said:
            line = tf("cli.warning", lang, source=source_name(report, warning.source, lang),
                      message=warning_line(warning, lang))
            sys.stderr.write(f"exposure: {shown(plain(line))}\n")


def phones(given: list[str], option: str) -> list[str]:
    """The phones ``--android``/``--iphone`` asked for, each once, in the order given (""
    for "the one connected"). Several are several sources; "the one connected" among
    several cannot say which: one line, never a phone dropped."""
    from exposure.errors import UserError

    chosen = list(dict.fromkeys(given))
    if len(given) > 1 and "" in chosen:
        name = "SERIAL" if option == "--android" else "UDID"
        example = f"{option} {name} {option} {name}"
        raise UserError(f"to check several phones, name each one: {example}",
                        key="error.scan.several-phones-unnamed", example=example)
    return chosen


def sources_from_args(args: argparse.Namespace) -> list[SourceSpec]:
    from exposure import scan as pipeline  # imported late: the command line starts without the pipeline

    sources: list[SourceSpec] = []
    if args.pcap:  # the capture reader is imported only when there is a capture to read
        sources += pipeline.capture_sources(args.pcap)
    saved = (("save", args.save),) if args.save else ()
    sources += [pipeline.SourceSpec("android", serial, saved) for serial in phones(args.android, "--android")]
    sources += [pipeline.SourceSpec("android-dump", path) for path in args.android_dump]
    sources += [pipeline.SourceSpec("iphone", udid, saved) for udid in phones(args.iphone, "--iphone")]
    sources += [pipeline.SourceSpec("iphone-dump", path) for path in args.iphone_dump]
    sources += [pipeline.SourceSpec("androidqf", path) for path in args.androidqf]
    options = (("password_file", args.password_file),) if args.password_file else ()
    sources += [pipeline.SourceSpec("ios-backup", path, options) for path in args.ios_backup]
    if args.host:
        sources.append(pipeline.SourceSpec("host"))
    return sources


class ProgressLine:
    """One line on the terminal, rewritten in place, for the check of several captures:
    how many are done and how much of all their bytes was read."""

    def __init__(self, lang: str, stream: TextIO) -> None:
        self.lang = lang
        self.stream = stream
        self.shown = ""
        self.ended = False

    def __call__(self, progress: Progress) -> None:
        from exposure.explain.lines import plain, words
        from exposure.explain.texts import tf

        counts = dict(progress.counts)
        if progress.source != "captures" or "total" not in counts:
            return
        text = plain(tf("cli.progress.captures", self.lang, done=words(str(counts.get("done", 0))),
                        total=words(str(counts["total"])), percent=words(f"{progress.fraction or 0.0:.0%}")))
        if text != self.shown and not self.ended:
            self.stream.write("\r" + text.ljust(len(self.shown)))
            self.stream.flush()
            self.shown = text
        if counts.get("done") == counts["total"]:
            self.end()  # before the summary is printed

    def end(self) -> None:
        if self.shown and not self.ended:
            self.stream.write("\n")
            self.stream.flush()
        self.ended = True


def _iphone_ready(args: argparse.Namespace) -> None:
    """One line and exit 2 when no iPhone can be read (usbmuxd missing, none, several...);
    before a phone that does not trust this computer yet, say what to tap."""
    from exposure.collect.ios.collector import iphone_probe

    untrusted = [udid for udid in phones(args.iphone, "--iphone") if not iphone_probe(udid).trusted]
    if untrusted and not args.quiet:
        print(iphone_hint(), file=sys.stderr, flush=True)


def _backup_passwords(args: argparse.Namespace) -> None:
    """Before any work: an encrypted backup needs its password, from --password-file or
    typed at a terminal (never echoed, never on the command line); else one line, exit 2."""
    from exposure.collect.ios_backup import passwords
    from exposure.collect.ios_backup.collector import NEEDS_PASSWORD, NEEDS_PASSWORD_KEY, is_encrypted
    from exposure.errors import UserError

    if args.password_file:
        passwords.from_file(args.password_file)  # a missing or empty file: one line before any work
        return
    for folder in args.ios_backup:
        if not is_encrypted(folder):
            continue
        if not sys.stdin.isatty():
            raise UserError(NEEDS_PASSWORD.format(folder=folder), key=NEEDS_PASSWORD_KEY, folder=folder)
        import getpass

        try:
            typed = getpass.getpass(f"Password of the encrypted backup {folder} (not shown): ")
        except (EOFError, KeyboardInterrupt):
            raise UserError(NEEDS_PASSWORD.format(folder=folder), key=NEEDS_PASSWORD_KEY, folder=folder) from None
        if not typed:
            raise UserError(NEEDS_PASSWORD.format(folder=folder), key=NEEDS_PASSWORD_KEY, folder=folder)
        passwords.give(folder, typed)


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError

    sources = sources_from_args(args)
    if not sources:
        raise UserError("nothing to check: add --pcap FILE, --android, --iphone, --androidqf DIR, --ios-backup DIR "
                        "or --host", key="error.scan.nothing-to-check")
    if args.password_file and not args.ios_backup:
        raise UserError("--password-file goes with --ios-backup")
    devices = [spec for spec in sources if spec.kind in ("android", "iphone")]
    if args.save and len({spec.kind for spec in devices}) != 1:
        raise UserError("--save goes with either --android or --iphone", key="error.scan.save-without-phone")
    if args.save and len(devices) > 1:
        raise UserError("--save keeps what was read from one phone: check one phone at a time to save it",
                        key="error.scan.save-several-phones")
    check_report_paths(args)  # before any work: the phone may take minutes to read, a password be asked
    if args.ios_backup:
        _backup_passwords(args)
    captures = [spec.target for spec in sources if spec.kind in ("pcap", "iphone-capture")]
    if len(captures) == 1:
        from exposure.collect.pcap import check_capture

        # One file that is not a capture: one clear line, exit 2. Among several, it is a
        # source not checked (said first in the report) and the others are checked.
        check_capture(captures[0])
    if args.iphone:
        _iphone_ready(args)
    if len(captures) < 2 or args.quiet or not sys.stderr.isatty():
        return check_and_report(args, sources)
    from exposure.explain.i18n import resolve_language
    from exposure.scan import ScanHooks

    line = ProgressLine(resolve_language(args.lang), sys.stderr)
    try:
        return check_and_report(args, sources, ScanHooks(progress=line))
    finally:
        line.end()
