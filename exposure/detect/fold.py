"""One app, one finding per device: a phone heuristic about an app that a wider finding
already names is folded into that finding, after every detector has run.

Two findings cover others about the same app on the same phone:

- the combination finding ("android.dangerous-permissions": an app can follow location,
  read messages, listen, and read the screen) holds the app's accessibility service or
  device administrator among its evidence, so the plain "can read the screen" and "has
  management powers" findings of that app would say part of it again;
- a known tool's indicator finding ("SpyLive360 found: com.wifi0") lists the app's
  accessibility service and device-administrator receiver among its evidence; the
  heuristics that say the same app "can read the screen" or "has management powers" in
  words written for ordinary apps ("often harmless", "screen readers need this") would
  count the one app three times and play it down.

A known tool is also left out of the phone's list of apps installed from outside an app store
(it was there as "often harmless", under "go through the list calmly").

A covered heuristic is dropped, its evidence kept on the finding that covers it, unless it
is the more serious of the two. The nearer cover goes first: an accessibility finding goes
into the combination, and the combination (with it) into a known tool's finding. Dual-use
and flagged-app findings ("indicator.dual-use", "indicator.flagged-app") cover nothing: for
those apps an accessibility service or admin powers are news.

Only finding fields are read here (rule, subject, severity, each evidence's device and
subject), so a scan without a phone never loads the phone observations.
"""

from __future__ import annotations

from dataclasses import replace

from exposure.model import Finding, Observation

COMBINATION_RULE = "android.dangerous-permissions"
SIDELOADED_RULE = "android.sideloaded"
KNOWN_TOOL_RULE = "indicator"
# Per-app heuristics of exposure.detect.android whose subject is the app.
FOLDED_RULES: frozenset[str] = frozenset({
    "android.accessibility", "android.device-admin", "android.notification-listener",
    COMBINATION_RULE, "android.always-on-vpn",
})
# (the covering rule, the rules it covers), nearest cover first. The combination covers only
# the watching powers it is made of (an accessibility service, device administrator or
# owner), not a notification reader or a VPN.
COVERS: tuple[tuple[str, frozenset[str]], ...] = (
    (COMBINATION_RULE, frozenset({"android.accessibility", "android.device-admin"})),
    (KNOWN_TOOL_RULE, FOLDED_RULES),
)


def fold_per_app(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each covered heuristic dropped and its evidence added to the
    finding that covers it on the same device (in the order given; nothing else changes),
    and known tools left out of the list of apps installed from outside an app store."""
    for cover, covered in COVERS:
        findings = _fold(findings, cover, covered)
    return _without_known_tools(findings)


def _without_known_tools(findings: list[Finding]) -> list[Finding]:
    """The "apps installed from outside an app store" finding without the apps a known tool's
    finding names on the same phone: listed there as "often harmless", under "go through the
    list calmly", SpyLive360 was played down by the very report that called it very serious.
    A list left empty is no finding."""
    known = {(obs.device(), obs.subject()) for f in findings if f.rule == KNOWN_TOOL_RULE for obs in f.evidence}
    if not known:
        return findings
    out = []
    for finding in findings:
        if finding.rule != SIDELOADED_RULE or not finding.evidence:
            out.append(finding)
            continue
        device = finding.evidence[0].device()
        kept = tuple(obs for obs in finding.evidence if (device, obs.subject()) not in known)
        dropped = {obs.subject() for obs in finding.evidence} - {obs.subject() for obs in kept}
        if not dropped:
            out.append(finding)
            continue
        params = dict(finding.params)
        count = max(0, int(params.get("count", len(finding.evidence))) - len(dropped))
        if not count or not kept:
            continue
        listed = [name for name in params.get("apps", "").split(", ") if name and name not in dropped]
        params.update(count=str(count), apps=", ".join(listed))
        out.append(replace(finding, evidence=kept, params=tuple(params.items()),
                           title=f"Apps installed from outside an app store: {count}"))
    return out


def _fold(findings: list[Finding], cover: str, covered: frozenset[str]) -> list[Finding]:
    named: dict[tuple[str, str], int] = {}  # (device, app) -> the covering finding
    for position, finding in enumerate(findings):
        if finding.rule == cover:
            for obs in finding.evidence:
                named.setdefault((obs.device(), obs.subject()), position)
    if not named:
        return findings
    added: dict[int, list[Observation]] = {}
    folded: set[int] = set()
    for position, finding in enumerate(findings):
        if finding.rule not in covered or not finding.evidence:
            continue
        target = named.get((finding.evidence[0].device(), finding.subject))
        if target is None or findings[target].severity.rank > finding.severity.rank:
            continue  # nothing covers it, or the heuristic is the more serious: it stays
        folded.add(position)
        added.setdefault(target, []).extend(finding.evidence)
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
