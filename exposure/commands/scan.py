"""``exposure scan``: check sources and write reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check a capture, an Android phone, an androidqf acquisition or this computer, and report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_argument_group("what to check (one or more)")
    what.add_argument("--pcap", action="append", default=[], metavar="FILE",
                      help="a network capture (pcap, pcapng, gzip); repeat for several")
    what.add_argument("--android", nargs="?", const="", default=None, metavar="SERIAL",
                      help="an Android phone connected over USB (adb); give its serial if several")
    what.add_argument("--save", metavar="DIR", help="with --android: keep what was read from the phone in DIR")
    what.add_argument("--android-dump", action="append", default=[], metavar="DIR",
                      help="re-check a folder written by --save")
    what.add_argument("--androidqf", action="append", default=[], metavar="DIR_OR_ZIP",
                      help="an acquisition made with Amnesty's androidqf")
    what.add_argument("--host", action="store_true", help="this computer: processes, software, settings")
    how = parser.add_argument_group("how")
    how.add_argument("--profile", action="append", default=[], metavar="ID",
                     help="only these threat profiles (see 'exposure profiles list'); default: all")
    how.add_argument("--no-feeds", action="store_true", help="use only the bundled profiles, not imported feeds")
    out = parser.add_argument_group("reports")
    out.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    out.add_argument("--md", metavar="FILE", help="write the report as Markdown")
    out.add_argument("--html", metavar="FILE", help="write the report as one HTML file")
    out.add_argument("--force", action="store_true", help="replace report files that already exist")
    from exposure.explain.i18n import languages

    out.add_argument("--lang", choices=sorted(languages()), metavar="LANG",
                     help=f"report language ({', '.join(sorted(languages()))}); default: the system's")
    out.add_argument("--quiet", action="store_true", help="do not print the summary")


def sources_from_args(args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from exposure.scan import SourceSpec

    sources = [SourceSpec("pcap", path) for path in args.pcap]
    if args.android is not None:
        options = (("save", args.save),) if args.save else ()
        sources.append(SourceSpec("android", args.android, options))
    sources += [SourceSpec("android-dump", path) for path in args.android_dump]
    sources += [SourceSpec("androidqf", path) for path in args.androidqf]
    if args.host:
        sources.append(SourceSpec("host"))
    return sources


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.scan import ScanRequest, run_scan

    sources = sources_from_args(args)
    if not sources:
        raise UserError("nothing to check: add --pcap FILE, --android, --androidqf DIR or --host")
    if args.save and args.android is None:
        raise UserError("--save goes with --android")
    if args.pcap:
        from exposure.collect.pcap import check_capture

        for path in args.pcap:
            check_capture(path)  # a file that is not a capture: one clear line, exit 2
    for target in (args.json, args.md, args.html):
        if target and Path(target).exists() and not args.force:
            raise UserError(f"{target} already exists; choose another name or add --force to replace it")
    try:
        request = ScanRequest(sources=tuple(sources), profiles=tuple(args.profile), use_feeds=not args.no_feeds)
        result = run_scan(request)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    if result.unreadable and len(result.unreadable) >= len(sources):
        raise UserError(result.unreadable[0])  # nothing could be read: say why in one line
    from exposure.report.output import write_reports

    write_reports(result, json_path=args.json, md_path=args.md, html_path=args.html,
                  force=args.force, lang=args.lang)
    if not args.quiet:
        from exposure.report.output import print_summary

        print_summary(result, lang=args.lang, stream=sys.stdout)
    return 0
