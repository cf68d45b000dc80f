"""Volexity's indicator CSV (threat-intel repository, 2023 layout): ``value,entity_type,description``.

``entity_type`` is ``file`` (an APK's SHA-256), ``hostname`` or ``ipaddress``; values may
carry trailing spaces. The description says which tool a value belongs to and what part it
plays, and both are read from it, never from the file name:

* the family: ``BADBAZAAR`` and ``BADSIGNAL`` (the trojanised Signal and Telegram apps ESET
  calls BadBazaar too) are ``badbazaar``; ``BADSOLAR`` is ``badsolar``; anything else is
  the campaign, ``evilbamboo``;
* the role: "C2" -> ``c2``; "distribute" or "exploitation" (sites that spread the apps or
  served browser exploits) -> ``distribution``; other infrastructure found by pivoting
  -> ``other``.
"""

from __future__ import annotations

from exposure.indicators.feeds.csvfeed import header, rows
from exposure.indicators.feeds.hosts import classify
from exposure.indicators.feeds.parsed import FeedBuilder
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType, Reference

FORMAT = "volexity-csv"
HEADER = ("value", "entity_type", "description")
_REFERENCE = Reference(
    "Volexity, EvilBamboo targets mobile devices in cyber espionage campaign aimed at Tibetans, Uyghurs and "
    "Taiwanese individuals (2023-09-22); indicators BSD-2-Clause",
    "https://github.com/volexity/threat-intel/tree/main/2023/2023-09-22%20EvilBamboo",
)
FAMILIES = (("BADBAZAAR", "badbazaar", "BadBazaar"), ("BADSIGNAL", "badbazaar", "BadBazaar"),
            ("BADSOLAR", "badsolar", "BadSolar"))
CAMPAIGN = ("evilbamboo", "EvilBamboo")


def looks_like_volexity(text: str) -> bool:
    return header(text) == HEADER


def family(description: str) -> tuple[str, str]:
    upper = description.upper()
    for word, threat_id, name in FAMILIES:
        if word in upper:
            return threat_id, name
    return CAMPAIGN


def role(description: str) -> IndicatorRole:
    lower = description.lower()
    if "c2" in lower.replace(",", " ").split():
        return IndicatorRole.C2
    if "distribut" in lower or "exploitation" in lower:
        return IndicatorRole.DISTRIBUTION
    return IndicatorRole.OTHER


def parse(text: str, builder: FeedBuilder) -> None:
    for value, entity, description in rows(text, HEADER, "a Volexity indicator CSV", builder):
        threat_id, name = family(description)
        threat = builder.threat(threat_id, name, Category.SPYWARE, headline(Category.SPYWARE),
                                references=(_REFERENCE,))
        entity = entity.lower()
        if entity == "file":
            builder.add(IndicatorType.FILE_SHA256, value, threat, IndicatorRole.APP, "file")
        elif entity in ("hostname", "ipaddress"):
            kind = classify(value) if entity == "ipaddress" else IndicatorType.DOMAIN
            builder.add(kind, value, threat, role(description), entity)
        else:
            builder.warn("rows with an unknown entity_type")
