"""One report per source: a workshop's folder of captures, each person given only their own.

A scan of several sources is one report document. :func:`split_by_source` makes a document
for each source out of it, holding only what rests on that source: its findings (with only
the evidence read from it), its moments on the timeline, its problems while reading, and the
threats those findings name. What belongs to the scan as a whole stays in each (times,
profiles, feeds, problems not tied to a source). :func:`write_per_source` writes them next
to the paths asked for, as ``NAME-<source>.<ext>``: ``--report-per-source`` on the command
line and "one report per capture" in the app's save.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from exposure.document import FindingRecord, ReportDocument, SourceRecord, TimelineEvent
from exposure.files import STDOUT, check_targets
from exposure.model import CAPTURE_SUFFIXES

MAX_NAME = 60  # characters of a source's name kept in a file name
# What is left out of a file's name: a capture's and an archive's endings.
_ENDINGS = (".gz", ".zip", *CAPTURE_SUFFIXES)
_NOT_IN_NAMES = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and _


def split_by_source(report: ReportDocument) -> tuple[tuple[SourceRecord, ReportDocument], ...]:
    """Each source of ``report`` with a report that holds only what rests on it."""
    return tuple((source, _only(report, source)) for source in report.sources)


def _only(report: ReportDocument, source: SourceRecord) -> ReportDocument:
    name = source.name
    kept: dict[int, int] = {}  # index in report.findings -> index in the new report
    findings: list[FindingRecord] = []
    for index, finding in enumerate(report.findings):
        evidence = tuple(o for o in finding.evidence if o.source == name)
        if evidence:
            kept[index] = len(findings)
            findings.append(dataclasses.replace(finding, evidence=evidence))
    named = {f.threat for f in findings if f.threat}
    others = {s.name for s in report.sources} - {name}
    timeline = tuple(_renumbered(event, kept) for event in report.timeline
                     if event.source == name and (event.finding is None or event.finding in kept))
    return dataclasses.replace(
        report,
        sources=(dataclasses.replace(source, findings=tuple(kept[i] for i in source.findings if i in kept)),),
        findings=tuple(findings),
        threats=tuple((key, threat) for key, threat in report.threats if key in named),
        # A problem met while reading another source is that source's; one of the scan's own stays.
        warnings=tuple(w for w in report.warnings if w.source not in others),
        timeline=timeline,
    )


def _renumbered(event: TimelineEvent, kept: dict[int, int]) -> TimelineEvent:
    return event if event.finding is None else dataclasses.replace(event, finding=kept[event.finding])


def file_part(source: SourceRecord) -> str:
    """What a source adds to a report's file name: a capture's or folder's name without its
    ending, a phone's serial, "this-computer"; only letters, digits, ``.``, ``_`` and ``-``."""
    if source.kind == "host":
        return "this-computer"
    name = os.path.basename(source.name.rstrip("/\\")) or source.name
    lowered = name.lower()
    for ending in _ENDINGS:  # amina.pcap.gz -> amina
        if lowered.endswith(ending) and len(name) > len(ending):
            name, lowered = name[: -len(ending)], lowered[: -len(ending)]
    name = _NOT_IN_NAMES.sub("-", name).strip(".-")[:MAX_NAME].strip(".-")
    return name or source.kind or "source"


def file_parts(sources: tuple[SourceRecord, ...]) -> list[str]:
    """:func:`file_part` of each source, made unique (``-2``, ``-3`` after a repeated one)."""
    parts: list[str] = []
    for source in sources:
        part = base = file_part(source)
        n = 2
        while part in parts:
            part = f"{base}-{n}"
            n += 1
        parts.append(part)
    return parts


def path_for(asked: str, part: str) -> str:
    """``reports/ws.html`` and ``amina-phone`` -> ``reports/ws-amina-phone.html``."""
    path = Path(asked)
    return str(path.with_name(f"{path.stem}-{part}{path.suffix}"))


def targets(report: ReportDocument, json_path: str | None, md_path: str | None,
            html_path: str | None) -> list[tuple[ReportDocument, str | None, str | None, str | None]]:
    """Each source's report with its own (json, md, html) paths, for the formats asked for."""
    parts = file_parts(report.sources)
    out = []
    for part, (_, document) in zip(parts, split_by_source(report), strict=True):
        json_p, md_p, html_p = (path_for(p, part) if p else None for p in (json_path, md_path, html_path))
        out.append((document, json_p, md_p, html_p))
    return out


def write_per_source(report: ReportDocument, lang: str, json_path: str | None = None, md_path: str | None = None,
                     html_path: str | None = None, force: bool = False) -> list[str]:
    """Write one report per source of ``report`` next to the paths asked for; returns the
    paths written. Every name is checked first: none is written when one cannot be."""
    from exposure.errors import UserError
    from exposure.report.output import write_reports

    if STDOUT in (json_path, md_path, html_path):
        raise UserError("one report per source needs file names, not '-'", key="error.report.per-source-stdout")
    planned = targets(report, json_path, md_path, html_path)
    check_targets([p for _, *paths in planned for p in paths], force=force)
    written: list[str] = []
    for document, json_p, md_p, html_p in planned:
        written += write_reports(document, lang, json_path=json_p, md_path=md_p, html_path=html_p, force=force)
    return written
