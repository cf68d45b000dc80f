"""What exposure knows about the public feeds it can import: names, profiles, categories.

A feed file gets a default name from its file name (Echap's ``ioc.yaml`` becomes
``echap-stalkerware``, ``watchware.yaml`` ``echap-watchware``, other files the slug of
their stem, e.g. ``predator.stix2`` -> ``predator``). Known feeds are attached to the
bundled profile they serve; the rest are attached to none, which means "always used".
``exposure feeds import --profile`` overrides the attachment.

Nothing about a feed's content is taken from its file name: Echap's generated STIX2 is
recognised by what it holds (``stix2.is_echap_export``), whatever it is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from exposure.indicators.feeds.parsed import slug
from exposure.model import Category, IndicatorRole

ECHAP_URL = "https://github.com/AssoEchap/stalkerware-indicators"


@dataclass(frozen=True, slots=True)
class SourceDefaults:
    profile: str = ""
    category: Category = Category.SPYWARE
    network_role: IndicatorRole = IndicatorRole.C2


_KNOWN: dict[str, SourceDefaults] = {
    "echap-stalkerware": SourceDefaults("stalkerware", Category.STALKERWARE),
    "echap-watchware": SourceDefaults("stalkerware", Category.DUAL_USE),
    "echap-samples": SourceDefaults("stalkerware", Category.STALKERWARE),
    "isdi-app-flags": SourceDefaults("stalkerware", Category.DUAL_USE),
    "volexity-evilbamboo": SourceDefaults("china-state-monitoring", Category.SPYWARE),
    "cellebrite": SourceDefaults("forensic-agents", Category.FORENSIC_AGENT),
    "wyrmspy-dragonegg": SourceDefaults("china-state-monitoring", Category.STATE_MONITORING),
    "eaglemsgspy": SourceDefaults("china-state-monitoring", Category.STATE_MONITORING),
}

_GENERIC_STEMS = {"malware", "indicators", "iocs", "ioc", "feed", "list"}
# Formats that only one publisher uses: the feed is named after it, whatever the file is called.
_FORMAT_NAMES = {"echap-samples": "echap-samples", "isdi-app-flags": "isdi-app-flags"}


def default_name(filename: str, fmt: str = "") -> str:
    """The feed name a file gets when none is given."""
    path = PurePath(filename)
    stem = path.stem.lower()
    if fmt == "echap-yaml" and stem in ("ioc", "watchware"):
        return "echap-stalkerware" if stem == "ioc" else "echap-watchware"
    if fmt in _FORMAT_NAMES:
        return _FORMAT_NAMES[fmt]
    name = slug(stem)
    if (not name or name in _GENERIC_STEMS) and path.parent.name:
        name = slug(path.parent.name) or name
    return name or "feed"


def defaults_for(default: str) -> SourceDefaults:
    """What is known about a feed with this default name (nothing, for unknown feeds)."""
    return _KNOWN.get(default, SourceDefaults())
