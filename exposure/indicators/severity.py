"""Calibrated severity: the one table that says how serious each class of evidence is.

docs/severity.md explains this table in words and a test checks that the two agree, that
every bundled profile keeps to it, and that every detector rule has a severity the page
lists. The same kind of evidence gets the same severity for every tool: a finding's
severity is never taken from a feed or written per family, it is looked up here from what
was seen (the evidence class) and what kind of tool it belongs to (the category group).

Two modifiers are applied after the lookup, each said in the finding's text:

* **age**: an indicator whose source last saw it in use longer ago than ``VALIDITY_DAYS``
  for its type drops one level (addresses are reassigned; names expire);
* **caps**: a curated profile may cap a threat (``severity`` below the table's headline,
  with ``severity_reason``) or one indicator (``max_severity``); a cap only ever lowers.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache

from exposure.model import Category, IndicatorRole, IndicatorType, Severity


class EvidenceClass(StrEnum):
    """What was seen, from the strongest kind of evidence to the weakest."""

    APP = "app"  # the tool on the device: its package id, signing certificate or file hash
    ACTIVE = "active"  # a dual-use app running now, or holding powers it does not need
    APP_NAME = "app-name"  # a running process or a file path with the tool's name
    C2_NAME = "c2-name"  # contact with the tool's server by name (domain, URL, e-mail)
    OTHER_NAME = "other-name"  # contact, by name, with infrastructure whose part is not documented
    C2_ADDRESS = "c2-address"  # contact with a server address only, no name
    DISTRIBUTION = "distribution"  # the tool's download site
    OTHER_ADDRESS = "other-address"  # an address whose part is not documented
    WEBSITE = "website"  # the vendor's own website: a visit is not an infection
    SHARED_ADDRESS = "shared-address"  # an address inside a shared CDN/anycast network
    FLAGGED = "flagged"  # an app on a state watch list (not a spy tool)


class CategoryGroup(StrEnum):
    """Kinds of tool that share one column of the table."""

    HARMFUL = "harmful"  # stalkerware, state monitoring, spyware, forensic agents
    DUAL_USE = "dual-use"  # legitimate apps that can be used to watch someone
    FLAGGED = "flagged"  # ordinary apps a state system treats as suspicious
    HEURISTIC = "heuristic"  # patterns, not known tools (their rules list their own severities)


GROUPS: dict[Category, CategoryGroup] = {
    Category.STALKERWARE: CategoryGroup.HARMFUL,
    Category.STATE_MONITORING: CategoryGroup.HARMFUL,
    Category.SPYWARE: CategoryGroup.HARMFUL,
    Category.FORENSIC_AGENT: CategoryGroup.HARMFUL,
    Category.DUAL_USE: CategoryGroup.DUAL_USE,
    Category.FLAGGED_APP: CategoryGroup.FLAGGED,
    Category.HEURISTIC: CategoryGroup.HEURISTIC,
}

_C, _H, _M, _L, _I = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO
_E = EvidenceClass

# The table (docs/severity.md shows it; tests/indicators/test_severity.py compares them).
TABLE: dict[CategoryGroup, dict[EvidenceClass, Severity]] = {
    CategoryGroup.HARMFUL: {
        _E.APP: _C, _E.ACTIVE: _C, _E.APP_NAME: _H, _E.C2_NAME: _H, _E.OTHER_NAME: _M, _E.C2_ADDRESS: _M,
        _E.DISTRIBUTION: _M, _E.OTHER_ADDRESS: _L, _E.WEBSITE: _L, _E.SHARED_ADDRESS: _L, _E.FLAGGED: _L,
    },
    CategoryGroup.DUAL_USE: {
        _E.APP: _L, _E.ACTIVE: _M, _E.APP_NAME: _L, _E.C2_NAME: _L, _E.OTHER_NAME: _L, _E.C2_ADDRESS: _L,
        _E.DISTRIBUTION: _I, _E.OTHER_ADDRESS: _I, _E.WEBSITE: _I, _E.SHARED_ADDRESS: _I, _E.FLAGGED: _L,
    },
    CategoryGroup.FLAGGED: {e: _L for e in EvidenceClass},
}

# How long after its source last saw it an indicator still counts fully. Apps, certificates
# and hashes never expire: an app on the phone is there now, whenever it was first reported.
VALIDITY_DAYS: dict[IndicatorType, int] = {
    IndicatorType.IPV4: 730,
    IndicatorType.IPV6: 730,
    IndicatorType.CIDR: 730,
    IndicatorType.DOMAIN: 1825,
    IndicatorType.URL: 1825,
    IndicatorType.EMAIL: 1825,
}

_ADDRESS_TYPES = frozenset({IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR})
_NAME_TYPES = frozenset({IndicatorType.DOMAIN, IndicatorType.URL, IndicatorType.EMAIL})
_WEAK_APP_TYPES = frozenset({IndicatorType.PROCESS, IndicatorType.DESKTOP_PROCESS, IndicatorType.FILE_PATH})


def group_of(category: Category) -> CategoryGroup:
    return GROUPS[category]


@cache
def headline(category: Category) -> Severity:
    """The most serious a finding of this kind of tool can be (a threat's ``severity`` in a
    profile is this, or lower with a reason: a cap)."""
    group = group_of(category)
    if group is CategoryGroup.HEURISTIC:
        return Severity.MEDIUM
    return min(TABLE[group].values(), key=lambda s: s.rank)


def evidence_class(kind: IndicatorType, role: IndicatorRole, shared: bool = False) -> EvidenceClass:
    """The class of one matched indicator; ``shared``: an address inside a shared network."""
    if role is IndicatorRole.FLAGGED:
        return EvidenceClass.FLAGGED
    if kind in _ADDRESS_TYPES:
        if shared:
            return EvidenceClass.SHARED_ADDRESS
        if role is IndicatorRole.C2:
            return EvidenceClass.C2_ADDRESS
        if role is IndicatorRole.WEBSITE:
            return EvidenceClass.WEBSITE
        if role is IndicatorRole.DISTRIBUTION:
            return EvidenceClass.DISTRIBUTION
        return EvidenceClass.OTHER_ADDRESS
    if kind in _NAME_TYPES:
        return {IndicatorRole.C2: EvidenceClass.C2_NAME, IndicatorRole.WEBSITE: EvidenceClass.WEBSITE,
                IndicatorRole.DISTRIBUTION: EvidenceClass.DISTRIBUTION}.get(role, EvidenceClass.OTHER_NAME)
    if kind in _WEAK_APP_TYPES:
        return EvidenceClass.APP_NAME
    return EvidenceClass.APP


def severity_for(category: Category, evidence: EvidenceClass) -> Severity:
    group = group_of(category)
    if group is CategoryGroup.HEURISTIC:
        raise ValueError("heuristic findings take their severity from their rule (docs/detections.md)")
    return TABLE[group][evidence]


def lower(severity: Severity, levels: int = 1) -> Severity:
    """``levels`` steps less serious, never below info."""
    order = list(Severity)
    return order[min(len(order) - 1, severity.rank + levels)]


def at_most(severity: Severity, cap: Severity | None) -> Severity:
    if cap is None:
        return severity
    return severity if severity.rank >= cap.rank else cap


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` (the month's first day) or an ISO time; None when unreadable."""
    text = text.strip()[:10]
    if len(text) == 7:
        text += "-01"
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_stale(kind: IndicatorType, last_seen: str, today: date) -> bool:
    """Whether an indicator last seen on ``last_seen`` is older than its type's validity."""
    days = VALIDITY_DAYS.get(kind)
    seen = parse_day(last_seen) if last_seen else None
    if days is None or seen is None:
        return False
    return (today - seen).days > days
