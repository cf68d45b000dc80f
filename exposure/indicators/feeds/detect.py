"""Recognise a feed file's format and parse it with the right reader.

Formats: ``echap-yaml`` (Echap ``ioc.yaml``/``watchware.yaml``), ``echap-samples``
(Echap ``samples.csv``), ``stix2`` (a STIX 2.1 bundle), ``isdi-app-flags`` (ISDi
``app-flags.csv``), ``volexity-csv`` (Volexity's ``iocs.csv``), ``hosts`` (a hosts file or
a plain one-value-per-line list). The format is sniffed from the content, never trusted
from the file name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from exposure.indicators.feeds import echap, hosts, isdi, limits, samples, stix2, volexity
from exposure.indicators.feeds.limits import MAX_FEED_BYTES
from exposure.indicators.feeds.parsed import FeedBuilder, FeedError, ParsedFeed, describe_warnings
from exposure.indicators.feeds.sources import SourceDefaults, default_name, defaults_for

__all__ = ["MAX_FEED_BYTES", "FeedFile", "check_name", "decode", "parse_feed", "sniff"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_YAML_HINT = re.compile(r"^(-\s|[A-Za-z_][\w-]*:(\s|$))", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class FeedFile:
    """A parsed feed file, with the name and profile it will be stored under."""

    name: str
    profile: str
    parsed: ParsedFeed
    licence: str = ""  # the licence and credit the publisher asks for, when the format tells


ECHAP_LICENCE = "CC BY 4.0: Echap, AssoEchap/stalkerware-indicators"
LICENCES = {
    echap.FORMAT: ECHAP_LICENCE,
    samples.FORMAT: ECHAP_LICENCE,
    isdi.FORMAT: "MIT: Copyright (c) 2018 Cornell University (ISDi)",
    volexity.FORMAT: "BSD-2-Clause: Copyright 2022 by Volexity, Inc.",
}


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise FeedError(
            f"{name[:80]!r} is not a usable feed name: use lower-case letters, digits, '.', '-' and '_'",
            key="error.feeds.bad-name", name=repr(name[:80]))
    return name


def decode(data: bytes) -> str:
    if len(data) > MAX_FEED_BYTES:
        size = MAX_FEED_BYTES // (1024 * 1024)
        raise FeedError(f"the file is larger than {size} MiB", key="error.feeds.too-large", size=size)
    if b"\x00" in data[:4096]:
        raise FeedError("not a text file", key="error.feeds.not-text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError("not a text file (not UTF-8)", key="error.feeds.not-utf8") from None


def sniff(text: str) -> tuple[str, object]:
    """``(format, loaded document)``; the document is the text itself for lists."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        data = stix2.load_json(text)
        if stix2.looks_like_stix(data):
            assert isinstance(data, dict)
            limits.check_stix2_size(data)
            return stix2.FORMAT, data
        raise FeedError("a JSON file that is not a STIX2 bundle", key="error.feeds.json-not-stix2")
    if _YAML_HINT.search(text[:65536]):
        try:
            data = echap.load_yaml(text)
        except FeedError:
            if head.startswith("-"):
                raise  # a YAML list, so most likely a broken Echap file: say where
            data = None
        if echap.looks_like_echap(data):
            return echap.FORMAT, data
        if isinstance(data, dict) and "indicators" in data:
            raise FeedError("this is the mvt-indicators index, not a feed: 'exposure feeds update' reads it",
                            key="error.feeds.mvt-index")
        if isinstance(data, list | dict):
            raise FeedError("a YAML file that is not an Echap indicator file", key="error.feeds.yaml-not-echap")
    for fmt, looks_like in _CSV_FORMATS:
        if looks_like(text):
            return fmt, text
    if hosts.looks_like_list(text):
        return hosts.FORMAT, text
    raise FeedError("format not recognised (expected Echap YAML or samples.csv, a STIX2 bundle, ISDi's "
                    "app-flags.csv, a Volexity CSV, or a hosts or plain list)", key="error.feeds.unknown-format")


_CSV_FORMATS = ((samples.FORMAT, samples.looks_like_samples), (isdi.FORMAT, isdi.looks_like_app_flags),
                (volexity.FORMAT, volexity.looks_like_volexity))


def _parse(fmt: str, document: object, text: str, builder: FeedBuilder, defaults: SourceDefaults) -> str:
    """Fill ``builder`` with the reader of ``fmt``; returns the feed's version, when it has one."""
    if fmt == echap.FORMAT:
        echap.parse(document, builder)
    elif fmt == stix2.FORMAT:
        return stix2.parse(document, builder, defaults)
    elif fmt == samples.FORMAT:
        samples.parse(text, builder, _echap_names())
    elif fmt == isdi.FORMAT:
        isdi.parse(text, builder)
    elif fmt == volexity.FORMAT:
        volexity.parse(text, builder)
    else:
        hosts.parse(text, builder, defaults)
    return ""


def parse_feed(data: bytes, filename: str, name: str | None = None, profile: str | None = None) -> FeedFile:
    """Parse a feed file's bytes; raises FeedError with one plain line when it cannot."""
    text = decode(data)
    fmt, document = sniff(text)
    default = default_name(filename, fmt)
    defaults = stix2.ECHAP_EXPORT if fmt == stix2.FORMAT and stix2.is_echap_export(document) else defaults_for(default)
    feed_name = check_name(default if name is None else name)
    feed_profile = defaults.profile if profile is None else profile
    builder = FeedBuilder(name=feed_name, profile=feed_profile)
    try:
        version = _parse(fmt, document, text, builder, defaults)
    except csv.Error as exc:  # a lone carriage return, a field over 128 KiB (found by the fuzz suite)
        raise FeedError(f"not a readable CSV file ({exc})") from None
    limits.check_indicator_count(len(builder.indicators))
    if not builder.indicators:
        skipped = sum(builder.warnings.values())
        if not skipped:
            raise FeedError("no usable indicators in the file", key="error.feeds.no-indicators")
        why = describe_warnings(builder.warnings)
        raise FeedError(f"no usable indicators in the file ({skipped} values skipped: {why})",
                        key="error.feeds.no-indicators-skipped", skipped=skipped, why=why)
    licence = ECHAP_LICENCE if defaults is stix2.ECHAP_EXPORT else LICENCES.get(fmt, "")
    return FeedFile(name=feed_name, profile=feed_profile, parsed=builder.build(fmt, version), licence=licence)


def _echap_names() -> dict[str, tuple[str, str]]:
    """Echap's family names and aliases, from the snapshot bundled in the package."""
    return echap.bundled_aliases()
