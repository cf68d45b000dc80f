"""``exposure scan --report-per-source``: one report per source instead of one for them all.

For a workshop's folder of captures: each person is given only their own results. Each
report asked for (``--html ws.html``) becomes one file per source beside it
(``ws-amina-phone.html``, ``ws-li-phone.html``); see ``exposure.report.per_source``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from exposure.document import ReportDocument
    from exposure.model import SourceSpec

OPTION = "--report-per-source"


def add_argument(parser: argparse.ArgumentParser) -> None:
    """The option, among the report options (the group that holds --html)."""
    from exposure.commands.words import say

    group = next((g for g in parser._action_groups if any(a.dest == "html" for a in g._group_actions)), parser)
    group.add_argument(OPTION, action="store_true", help=say(
        "help.scan.report-per-source", "instead of one report for every source, write one per source next to each "
        "report file asked for, named after it and the source: --pcap workshop/ --html ws.html writes "
        "ws-amina-phone.html, ws-li-phone.html... Each holds only what was found in its own source, so that each "
        "person can be given only their own results"))


def asked(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "report_per_source", False))


def check(args: argparse.Namespace, specs: Sequence[SourceSpec]) -> None:
    """Before any work: a report file to name the others after, and folders that can be written
    (the files' own names are known once the sources are read, and checked before any is written)."""
    from exposure.errors import UserError
    from exposure.files import STDOUT, check_targets

    given = [p for p in (args.json, args.md, args.html) if p]
    if not given:
        raise UserError(f"{OPTION} goes with --json FILE, --md FILE or --html FILE",
                        key="error.scan.per-source-without-report", option=OPTION)
    if STDOUT in given:
        raise UserError("one report per source needs file names, not '-'", key="error.report.per-source-stdout")
    check_targets(given, force=True)  # not written themselves: only their folders matter here
    _check_known_names(args, specs)


# Sources whose name in the report is the path given (a phone's is known once it is read).
_NAMED_AS_GIVEN = frozenset({"pcap", "androidqf", "android-dump", "iphone-dump", "ios-backup", "host"})


def _check_known_names(args: argparse.Namespace, specs: Sequence[SourceSpec]) -> None:
    """When every source is named as given (captures, folders, this computer), the files to
    write are known now: one that exists stops the command before the scan, not after it."""
    from exposure.document import SourceRecord
    from exposure.files import check_targets
    from exposure.report.per_source import file_parts, path_for

    if not specs or any(spec.kind not in _NAMED_AS_GIVEN for spec in specs):
        return
    parts = file_parts(tuple(SourceRecord(kind=spec.kind, name=spec.target) for spec in specs))
    check_targets([path_for(p, part) for part in parts for p in (args.json, args.md, args.html) if p],
                  force=args.force)


def write(report: ReportDocument, lang: str, args: argparse.Namespace) -> list[str]:
    from exposure.report.per_source import write_per_source

    return write_per_source(report, lang, json_path=args.json, md_path=args.md, html_path=args.html,
                            force=args.force)
