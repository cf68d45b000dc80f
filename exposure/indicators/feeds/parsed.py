"""What a feed parser produces: validated indicators, their threats, counts and warnings.

Parsers feed raw values to :class:`FeedBuilder`, which validates and normalises each one
(``exposure.indicators.normalize``), keeps one indicator per (threat, type, value, role),
counts unique values per type and role, and tallies what it had to skip, by reason, so
that one bad entry never aborts a file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from exposure.indicators.normalize import InvalidValue, normalize
from exposure.model import Category, Indicator, IndicatorRole, IndicatorType, LocalText, Reference, Severity, Threat


class FeedError(ValueError):
    """A file that cannot be read as a feed at all (the message is one plain line)."""


_NON_SLUG = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
_MAX_TEXT = 200
_MAX_ALIASES = 50


def plain(text: str) -> str:
    """A feed's display text made safe to show: no control or bidi characters, length capped."""
    return " ".join(_CONTROL.sub(" ", text).split())[:_MAX_TEXT]


def slug(text: str) -> str:
    """Lower-case, runs of anything but [a-z0-9] become '-', stripped of '-'."""
    return _NON_SLUG.sub("-", text.lower()).strip("-")[:_MAX_TEXT]


def count_key(kind: IndicatorType, role: IndicatorRole) -> str:
    return f"{kind.value}/{role.value}"


# How counts are printed, in this order; other keys fall back to "<type> (<role>)".
COUNT_LABELS: dict[str, str] = {
    "package/app": "package ids",
    "ios-bundle/app": "iPhone app ids",
    "desktop-app/app": "desktop app ids",
    "cert-sha1/app": "certificate SHA-1s",
    "cert-sha256/app": "certificate SHA-256s",
    "cert-md5/app": "certificate MD5s",
    "domain/c2": "C2 domains",
    "ipv4/c2": "C2 IPv4 addresses",
    "ipv6/c2": "C2 IPv6 addresses",
    "cidr/c2": "C2 address ranges",
    "url/c2": "C2 URLs",
    "domain/website": "vendor websites",
    "domain/distribution": "download sites",
    "url/distribution": "download URLs",
    "ipv4/distribution": "download addresses",
    "ipv4/website": "vendor website addresses",
    "domain/other": "domains",
    "ipv4/other": "IPv4 addresses",
    "ipv6/other": "IPv6 addresses",
    "cidr/other": "address ranges",
    "url/other": "URLs",
    "file-sha256/app": "file SHA-256s",
    "file-sha1/app": "file SHA-1s",
    "file-md5/app": "file MD5s",
    "process/app": "phone process names",
    "desktop-process/app": "computer program names",
    "file-path/app": "file paths",
    "config-profile/app": "iOS configuration profile ids",
    "email/other": "e-mail addresses",
}


def count_label(key: str) -> str:
    if key in COUNT_LABELS:
        return COUNT_LABELS[key]
    kind, _, role = key.partition("/")
    return f"{kind} ({role})"


def describe_counts(counts: tuple[tuple[str, int], ...]) -> str:
    order = {key: i for i, key in enumerate(COUNT_LABELS)}
    parts = sorted(counts, key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return ", ".join(f"{n} {count_label(key)}" for key, n in parts) or "no indicators"


def describe_warnings(warnings: Counter[str]) -> str:
    return "; ".join(f"{reason}: {n}" for reason, n in sorted(warnings.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed feed file, ready to store."""

    format: str
    indicators: tuple[Indicator, ...]
    threats: tuple[Threat, ...]
    counts: tuple[tuple[str, int], ...]
    warnings: Counter[str]
    version: str = ""


@dataclass(slots=True)
class FeedBuilder:
    """Collects validated indicators and threats for one feed.

    ``counts`` are distinct valid values per type and role, as written in the feed.
    """

    name: str
    profile: str
    indicators: list[Indicator] = field(default_factory=list)
    threats: dict[str, Threat] = field(default_factory=dict)
    warnings: Counter[str] = field(default_factory=Counter)
    _seen: set[tuple[str, IndicatorType, str, IndicatorRole]] = field(default_factory=set)
    _unique: dict[str, set[str]] = field(default_factory=dict)

    def threat(
        self,
        threat_id: str,
        name: str,
        category: Category,
        severity: Severity = Severity.HIGH,
        aliases: tuple[str, ...] = (),
        references: tuple[Reference, ...] = (),
    ) -> str:
        """Declare a threat (first declaration wins) and return its id."""
        if threat_id not in self.threats:
            name = plain(name)
            aliases = tuple(plain(a) for a in aliases[:_MAX_ALIASES])
            self.threats[threat_id] = Threat(
                id=threat_id[:_MAX_TEXT],
                name=LocalText.of(en=name),
                category=category,
                severity=severity,
                profile=self.profile,
                aliases=tuple(a for a in aliases if a and a != name),
                references=references,
            )
        return threat_id

    def warn(self, reason: str, n: int = 1) -> None:
        self.warnings[reason] += n

    def add(
        self, kind: IndicatorType, raw: object, threat: str, role: IndicatorRole, where: str = "",
        supporting: bool = False,
    ) -> bool:
        """Validate and add one value; on a bad value count a warning and return False.

        ``supporting``: never a finding on its own (docs/profiles.md, "Precedence")."""
        if not isinstance(raw, str):
            self.warn(f"{where or kind.value} values that are not text")
            return False
        try:
            value = normalize(kind, raw)
        except InvalidValue:
            self.warn(f"{where or kind.value} values that are not a valid {kind.value}")
            return False
        # Counted as written: Android ids are case-sensitive on the phone (Echap lists
        # both app.EasyLogger and app.Easylogger), though the index matches ignoring case.
        self._unique.setdefault(count_key(kind, role), set()).add(raw.strip())
        self.add_normal(kind, value, threat, role, supporting)
        return True

    def add_normal(
        self, kind: IndicatorType, value: str, threat: str, role: IndicatorRole, supporting: bool = False
    ) -> None:
        key = (threat, kind, value, role)
        if key in self._seen:
            return
        self._seen.add(key)
        self.indicators.append(Indicator(type=kind, value=value, threat=threat, profile=self.profile,
                                         source=self.name, role=role, supporting=supporting))

    def build(self, fmt: str, version: str = "") -> ParsedFeed:
        counts = tuple(sorted((key, len(values)) for key, values in self._unique.items()))
        return ParsedFeed(
            format=fmt,
            indicators=tuple(self.indicators),
            threats=tuple(self.threats.values()),
            counts=counts,
            warnings=Counter(self.warnings),
            version=version,
        )
