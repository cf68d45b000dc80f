"""The report's timeline: what was seen when, across every artefact and source.

Built from the evidence of the findings (each observation that has a time), plus the
moment each phone backup was made, so a person can read "the profile was installed on the
2nd, the link came by SMS that evening, the backup was made a week later". Only what a
finding rests on is listed: the rest of a person's messages and history never enters a
report. Times are ISO 8601 in UTC; the renderers show them in local time.
"""

from __future__ import annotations

from datetime import datetime

from exposure.document import TimelineEvent
from exposure.model import Finding, SourceInfo

MAX_EVENTS = 500


def _event(moment: datetime, last: datetime | None, finding: int | None, source: str, kind: str,
           description: str, facts: tuple[tuple[str, str], ...]) -> TimelineEvent:
    return TimelineEvent(time=moment.isoformat(), last_time=last.isoformat() if last and last != moment else None,
                         finding=finding, source=source, kind=kind, description=description, facts=facts)


def timeline(findings: list[Finding], sources: list[SourceInfo]) -> list[TimelineEvent]:
    """Events sorted by time; ``finding`` is the index of the finding in the report's list
    (None for a source's own event)."""
    events: list[TimelineEvent] = []
    seen: set[tuple[int, str, str]] = set()
    for index, finding in enumerate(findings):
        for obs in finding.evidence:
            if obs.first_seen is None or (index, obs.kind, obs.describe()) in seen:
                continue
            seen.add((index, obs.kind, obs.describe()))
            events.append(_event(obs.first_seen, obs.last_seen, index, obs.source, obs.kind, obs.describe(),
                                 tuple(obs.facts().items())))
    for info in sources:
        made = info.details.get("backup made")
        if info.kind == "ios-backup" and made:
            try:
                moment = datetime.fromisoformat(made)
            except ValueError:
                continue
            events.append(_event(moment, None, None, info.name, "backup-made", "the backup was made", ()))
    events.sort(key=lambda e: (e.time, e.finding if e.finding is not None else -1))
    return events[:MAX_EVENTS]
