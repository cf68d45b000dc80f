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

import csv
import io
from collections.abc import Mapping

from exposure.indicators.feeds.parsed import FeedBuilder, FeedError, slug
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType, Reference

FORMAT = "echap-samples"
HEADER = ("sha256", "package name", "certificate", "version", "app")
_REFERENCE = Reference("Echap stalkerware-indicators, samples.csv (CC BY 4.0)",
                       "https://github.com/AssoEchap/stalkerware-indicators")
PLATFORM_NAMESPACES = ("android.", "com.android.", "com.google.android.", "com.sec.android.", "com.samsung.android.",
                       "com.huawei.android.", "com.miui.", "com.qualcomm.", "com.mediatek.")


def header(text: str) -> tuple[str, ...]:
    """The first line's column names, lower case (a byte-order mark is ignored)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return tuple(cell.strip().strip('"').lower() for cell in first.split(","))


def looks_like_samples(text: str) -> bool:
    return header(text) == HEADER


def is_platform_package(package: str) -> bool:
    return package.strip().lower().startswith(PLATFORM_NAMESPACES)


def parse(text: str, builder: FeedBuilder, aliases: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Fill ``builder``; ``aliases`` maps the slug of a family name or alias to (threat id, name)."""
    if not looks_like_samples(text):
        raise FeedError("not Echap's samples.csv (expected the columns " + ",".join(HEADER) + ")")
    known = aliases or {}
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    next(rows, None)
    app = IndicatorRole.APP
    for row in rows:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            builder.warn("rows without the five columns")
            continue
        sha256, package, certificate, _version, family = (cell.strip() for cell in row)
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
