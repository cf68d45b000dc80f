"""One tool, one finding per device: a phone heuristic about an app that a known tool's
indicator finding already names is folded into that finding.

The indicator finding ("SpyLive360 found: com.wifi0") lists the app's accessibility
service and device-administrator receiver among its evidence; the heuristics that say
the same app "can read the screen" or "has management powers" in words written for
ordinary apps ("often harmless", "screen readers need this") would count the one app
three times and play it down. They are dropped, their evidence kept on the indicator
finding, unless the heuristic is the more serious of the two. Dual-use and flagged-app
findings ("indicator.dual-use", "indicator.flagged-app") keep their heuristics: for those
apps an accessibility service or admin powers are news.

Only finding fields are read here (rule, subject, severity, each evidence's device and
subject), so a scan without a phone never loads the phone observations.
"""

from __future__ import annotations

from dataclasses import replace

from exposure.model import Finding, Observation

# Per-app heuristics of exposure.detect.android whose subject is the app.
FOLDED_RULES: frozenset[str] = frozenset({
    "android.accessibility", "android.device-admin", "android.notification-listener",
    "android.dangerous-permissions", "android.always-on-vpn",
})
KNOWN_TOOL_RULE = "indicator"


def fold_into_known_tools(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each folded heuristic dropped and its evidence added to the
    known tool's finding on the same device (in the order given; nothing else changes)."""
    named: dict[tuple[str, str], int] = {}  # (device, app) -> the known tool's finding
    for position, finding in enumerate(findings):
        if finding.rule == KNOWN_TOOL_RULE:
            for obs in finding.evidence:
                named.setdefault((obs.device(), obs.subject()), position)
    if not named:
        return findings
    added: dict[int, list[Observation]] = {}
    folded: set[int] = set()
    for position, finding in enumerate(findings):
        if finding.rule not in FOLDED_RULES or not finding.evidence:
            continue
        tool = named.get((finding.evidence[0].device(), finding.subject))
        if tool is None or findings[tool].severity.rank > finding.severity.rank:
            continue  # no known tool names it, or the heuristic is the more serious: it stays
        folded.add(position)
        added.setdefault(tool, []).extend(finding.evidence)
    out = []
    for position, finding in enumerate(findings):
        if position in folded:
            continue
        extra: list[Observation] = []
        for obs in added.get(position, ()):
            if obs not in finding.evidence and obs not in extra:
                extra.append(obs)
        out.append(replace(finding, evidence=(*finding.evidence, *extra)) if extra else finding)
    return out
