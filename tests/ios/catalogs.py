"""Indicator catalogs built in a test, for matches the bundled profiles do not (yet) hold."""

from __future__ import annotations

from exposure.indicators.catalog import Catalog, build_catalog
from exposure.indicators.normalize import normalize
from exposure.model import Category, Indicator, IndicatorRole, IndicatorType, LocalText, Severity, Threat


def threat(threat_id: str, name: str, category: Category, severity: Severity) -> Threat:
    return Threat(threat_id, LocalText.of(en=name, zh=name), category, severity, profile="test")


def with_indicators(threats: list[Threat], indicators: list[tuple[IndicatorType, str, str]],
                    role: IndicatorRole = IndicatorRole.APP) -> Catalog:
    """The bundled profiles plus these (type, value, threat id) indicators, normalised as a
    feed's values are."""
    catalog = build_catalog(None, use_feeds=False, bundled=False)  # these values alone, not the bundled feeds
    catalog.index.add_threats(threats)
    catalog.index.add([Indicator(kind, normalize(kind, value), threat_id, "test", "test", role)
                       for kind, value, threat_id in indicators])
    return catalog
