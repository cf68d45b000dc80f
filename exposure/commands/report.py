"""``exposure report``: render a saved JSON report again, as HTML or Markdown, in any language."""

from __future__ import annotations

import argparse

HELP = "turn a saved JSON report into an HTML or Markdown report (in any language)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from exposure.explain.i18n import languages

    parser.add_argument("report", metavar="REPORT.json", help="a report saved with 'exposure scan --json'")
    parser.add_argument("--html", metavar="FILE", help="write the report as one HTML file")
    parser.add_argument("--md", metavar="FILE", help="write the report as Markdown")
    parser.add_argument("--lang", choices=sorted(languages()), metavar="LANG",
                        help=f"report language ({', '.join(sorted(languages()))}); default: the system's")
    parser.add_argument("--force", action="store_true", help="replace report files that already exist")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exposure.errors import UserError
    from exposure.report.render import write_html_dict, write_markdown_dict
    from exposure.report.schema import load_report

    if not args.html and not args.md:
        raise UserError("say what to write: --html FILE and/or --md FILE")
    for target in (args.html, args.md):
        if target and Path(target).exists() and not args.force:
            raise UserError(f"{target} already exists; choose another name or add --force to replace it")
    data = load_report(Path(args.report))
    if args.html:
        write_html_dict(data, Path(args.html), force=args.force, lang=args.lang)
    if args.md:
        write_markdown_dict(data, Path(args.md), force=args.force, lang=args.lang)
    return 0
