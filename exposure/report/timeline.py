"""The report's timeline: what was seen when, across every artefact and source.

Built from the evidence of the findings (each observation that has a time), plus the
moment each phone backup was made, so a person can read "the profile was installed on the
2nd, the link came by SMS that evening, the backup was made a week later". Only what a
finding rests on is listed: the rest of a person's messages and history never enters a
report. Times are ISO 8601 in UTC; the renderers show them in local time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from exposure.document import FindingRecord, TimelineEvent
from exposure.model import Finding, SourceInfo

MAX_EVENTS = 500


def timeline(findings: Iterable[tuple[Finding, FindingRecord]], sources: Iterable[SourceInfo]) -> list[TimelineEvent]:
    """Events sorted by time, from each finding and its record (whose evidence is already
    written as the report writes it); ``finding`` is the index of the finding in the
    report's list (None for a source's own event)."""
    events: list[TimelineEvent] = []
    seen: set[tuple[int, str, str]] = set()
    for index, (finding, record) in enumerate(findings):
        for obs, written in zip(finding.evidence, record.evidence, strict=True):
            if obs.first_seen is None or written.first_seen is None:
                continue
            key = (index, written.kind, written.description)
            if key in seen:
                continue
            seen.add(key)
            spans = obs.last_seen is not None and obs.last_seen != obs.first_seen
            events.append(TimelineEvent(time=written.first_seen, last_time=written.last_seen if spans else None,
                                        finding=index, source=written.source, kind=written.kind,
                                        description=written.description, facts=written.facts))
    for info in sources:
        made = info.details.get("backup made")
        if info.kind == "ios-backup" and made:
            try:
                moment = datetime.fromisoformat(made)
            except ValueError:
                continue
            events.append(TimelineEvent(time=moment.isoformat(), last_time=None, finding=None, source=info.name,
                                        kind="backup-made", description="the backup was made", facts=()))
    events.sort(key=lambda e: (e.time, e.finding if e.finding is not None else -1))
    return events[:MAX_EVENTS]
