"""The one place where indicator matches become findings.

Every observation says which values to look up (``indicator_keys``). Hits are grouped by
threat and by what the observation is about (its ``subject``: an app id, a host name), so
that a package id and its certificate, or a DNS query and a TLS connection to the same
name, make one finding with all the evidence. Indicators marked ``supporting`` (a shared
certificate, a common name) never make a finding on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from exposure.detect.base import DetectContext
from exposure.model import (
    Category,
    Confidence,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    Observation,
    Severity,
)

_EXACT_APP_TYPES = frozenset({
    IndicatorType.PACKAGE, IndicatorType.CERT_MD5, IndicatorType.CERT_SHA1, IndicatorType.CERT_SHA256,
    IndicatorType.FILE_MD5, IndicatorType.FILE_SHA1, IndicatorType.FILE_SHA256,
})
_MAX_EVIDENCE = 50


@dataclass(slots=True)
class _Group:
    threat: str
    subject: str
    indicators: dict[tuple[IndicatorType, str, str], Indicator] = field(default_factory=dict)
    evidence: list[Observation] = field(default_factory=list)
    seen: int = 0


class IndicatorDetector:
    """Looks up every observation in the index and groups the hits into findings."""

    name = "indicators"

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _Group] = {}

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        keys = list(obs.indicator_keys())
        if not keys:
            return ()
        for hit in ctx.index.match(keys):
            for ind in hit.indicators:
                group = self._groups.get((ind.threat, obs.subject()))
                if group is None:
                    group = self._groups[(ind.threat, obs.subject())] = _Group(ind.threat, obs.subject())
                group.indicators.setdefault((ind.type, ind.value, ind.source), ind)
                if not group.evidence or group.evidence[-1] is not obs:
                    group.seen += obs.count
                    if len(group.evidence) < _MAX_EVIDENCE:
                        group.evidence.append(obs)
        return ()

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for group in self._groups.values():
            finding = self._finding(group, ctx)
            if finding is not None:
                yield finding

    def _finding(self, group: _Group, ctx: DetectContext) -> Finding | None:
        indicators = sorted(group.indicators.values(), key=lambda i: (i.supporting, _role_rank(i.role)))
        if all(ind.supporting for ind in indicators):
            return None
        threat = ctx.index.threat(group.threat)
        main = indicators[0]
        category = threat.category if threat else Category.SPYWARE
        severity = threat.severity if threat else Severity.HIGH
        if main.role is IndicatorRole.FLAGGED:
            category = Category.FLAGGED_APP
        elif main.role in (IndicatorRole.WEBSITE, IndicatorRole.DISTRIBUTION):
            # Visiting a vendor's site or download page is not an infection.
            severity = _at_most(severity, Severity.MEDIUM if main.role is IndicatorRole.DISTRIBUTION
                                else Severity.LOW)
        confidence = _confidence(indicators)
        name = threat.name.get("en") if threat else group.threat
        return Finding(
            rule="indicator" if main.role is not IndicatorRole.FLAGGED else "indicator.flagged-app",
            severity=severity,
            category=category,
            title=f"{name}: {group.subject}",
            confidence=confidence,
            evidence=tuple(group.evidence),
            indicators=tuple(indicators),
            threat=group.threat,
            subject=group.subject,
            params=(("name", name), ("subject", group.subject), ("role", main.role.value),
                    ("times", str(group.seen))),
        )


def _role_rank(role: IndicatorRole) -> int:
    order = [IndicatorRole.APP, IndicatorRole.C2, IndicatorRole.FLAGGED, IndicatorRole.DISTRIBUTION,
             IndicatorRole.WEBSITE, IndicatorRole.OTHER]
    return order.index(role)


def _at_most(severity: Severity, cap: Severity) -> Severity:
    return severity if severity.rank >= cap.rank else cap


def _confidence(indicators: list[Indicator]) -> Confidence:
    strong = [i for i in indicators if not i.supporting]
    if any(i.type in _EXACT_APP_TYPES for i in strong) or len({i.type for i in strong}) > 1:
        return Confidence.HIGH
    if any(i.type is IndicatorType.DOMAIN and i.role is IndicatorRole.C2 for i in strong):
        return Confidence.HIGH
    if any(i.type in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR) for i in strong):
        return Confidence.MEDIUM  # addresses are shared and reassigned
    return Confidence.MEDIUM
