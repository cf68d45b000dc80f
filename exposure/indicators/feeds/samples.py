"""Echap's ``samples.csv``: one stalkerware APK per row.

Columns (research/formats.md §1): ``SHA256,Package Name,Certificate,Version,App``. The
SHA-256 is the APK file's hash; the package id and the signing-certificate SHA-1 are given
for about half the rows. ``App`` names the family with Echap's name or one of its aliases
(``Copy9`` is TheTruthSpy): with the names of Echap's ``ioc.yaml`` at hand (``aliases``)
each row joins the same threat as the YAML, so hits from both make one finding.

A package id under a platform namespace (``com.android.``, ``com.google.android.``,
``com.sec.android.``...) is kept as *supporting* only: a sample that calls itself
``com.android.system`` says nothing about another app of that name.
"""

from __future__ import annotations

from collections.abc import Mapping

from exposure.indicators.feeds.csvfeed import header, rows
from exposure.indicators.feeds.parsed import FeedBuilder, slug
from exposure.indicators.feeds.screen import PLATFORM_NAMESPACES, is_platform_package
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType, Reference

FORMAT = "echap-samples"
HEADER = ("sha256", "package name", "certificate", "version", "app")
__all__ = ["FORMAT", "HEADER", "PLATFORM_NAMESPACES", "is_platform_package", "looks_like_samples", "parse"]
_REFERENCE = Reference("Echap stalkerware-indicators, samples.csv (CC BY 4.0)",
                       "https://github.com/AssoEchap/stalkerware-indicators")


def looks_like_samples(text: str) -> bool:
    return header(text) == HEADER


def parse(text: str, builder: FeedBuilder, aliases: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Fill ``builder``; ``aliases`` maps the slug of a family name or alias to (threat id, name)."""
    known = aliases or {}
    app = IndicatorRole.APP
    for sha256, package, certificate, _version, family in rows(text, HEADER, "Echap's samples.csv", builder):
        if not slug(family):
            builder.warn("rows without an app name")
            continue
        threat_id, name = known.get(slug(family), (slug(family), family))
        threat = builder.threat(threat_id, name, Category.STALKERWARE, headline(Category.STALKERWARE),
                                references=(_REFERENCE,))
        builder.add(IndicatorType.FILE_SHA256, sha256, threat, app, "SHA256")
        if package:
            builder.add(IndicatorType.PACKAGE, package, threat, app, "Package Name",
                        supporting=is_platform_package(package))
        if certificate:
            builder.add(IndicatorType.CERT_SHA1, certificate, threat, app, "Certificate")
