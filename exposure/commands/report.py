"""``exposure report``: render a saved JSON report again, as HTML or Markdown, in any language."""

from __future__ import annotations

import argparse

from exposure.commands.words import listed, say

HELP = ("help.report", "turn a saved JSON report into an HTML or Markdown report (in any language)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from exposure.explain.i18n import languages

    parser.add_argument("report", metavar="REPORT.json",
                        help=say("help.report.report", "a report saved with 'exposure scan --json'"))
    parser.add_argument("--html", metavar="FILE", help=say("help.report.html", "write the report as one HTML file "
                                                           "('-': standard output)"))
    parser.add_argument("--md", metavar="FILE", help=say("help.report.md", "write the report as Markdown ('-': "
                                                         "standard output)"))
    parser.add_argument("--lang", choices=sorted(languages()), metavar="LANG",
                        help=say("help.reports.lang", "report language ({languages}); default: the system's",
                                 languages=listed(sorted(languages()))))
    parser.add_argument("--force", action="store_true",
                        help=say("help.reports.force", "replace report files that already exist"))


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from exposure.errors import UserError
    from exposure.explain.i18n import resolve_language
    from exposure.files import STDOUT, check_targets, write_private
    from exposure.report.json_report import read_report
    from exposure.report.output import print_written
    from exposure.report.render import html_text, markdown_text

    if not args.html and not args.md:
        raise UserError("say what to write: --html FILE and/or --md FILE", key="error.report.what")
    check_targets((args.html, args.md), force=args.force)
    report = read_report(Path(args.report))  # untrusted: checked against the schema, one line if not ours
    lang = resolve_language(args.lang)
    written = []
    for target, render in ((args.html, html_text), (args.md, markdown_text)):
        if not target:
            continue
        text = render(report, lang)
        if target == STDOUT:
            sys.stdout.write(text)
        else:
            write_private(Path(target), text.encode("utf-8"), force=args.force)
            written.append(target)
    print_written(written, lang, sys.stderr if STDOUT in (args.html, args.md) else sys.stdout)
    return 0
