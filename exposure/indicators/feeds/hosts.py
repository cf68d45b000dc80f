"""Hosts files and plain lists: one value per line, ``#`` comments.

``0.0.0.0 name`` / ``127.0.0.1 name`` lines (block-list hosts files) give domains; other
lines hold one value, classified by its shape: an IP address, a CIDR range, a URL, a
hash (32, 40 or 64 hex digits: file MD5, SHA-1, SHA-256) or a domain name. Echap's
``generated/hosts`` (bare C2 domains) reads as such a list.

A list says nothing about which tool a value belongs to: all its values belong to one
threat named after the feed, with medium severity.
"""

from __future__ import annotations

import ipaddress

from exposure.indicators.feeds.parsed import FeedBuilder
from exposure.indicators.feeds.sources import SourceDefaults
from exposure.model import IndicatorRole, IndicatorType, Severity

FORMAT = "hosts"

_SINK_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::", "::1", "0"}  # noqa: S104 - text we read, not a bind
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback"}
_HASH_TYPES = {32: IndicatorType.FILE_MD5, 40: IndicatorType.FILE_SHA1, 64: IndicatorType.FILE_SHA256}
_HEX = set("0123456789abcdefABCDEF")


def parse(text: str, builder: FeedBuilder, defaults: SourceDefaults) -> None:
    threat = builder.threat(builder.name, builder.name, defaults.category, Severity.MEDIUM)
    role = defaults.network_role
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        if len(tokens) > 1:
            if tokens[0] not in _SINK_ADDRESSES:
                builder.warn("lines with several values that are not hosts-file lines")
                continue
            for name in tokens[1:]:
                if name.lower() not in _LOCAL_NAMES:
                    builder.add(IndicatorType.DOMAIN, name, threat, role, "hosts")
            continue
        value = tokens[0]
        builder.add(classify(value), value, threat, IndicatorRole.APP if _is_hash(value) else role, "list")


def _is_hash(value: str) -> bool:
    return len(value) in _HASH_TYPES and set(value) <= _HEX


def classify(value: str) -> IndicatorType:
    """The indicator type a lone value most likely is."""
    if _is_hash(value):
        return _HASH_TYPES[len(value)]
    if "://" in value:
        return IndicatorType.URL
    if "/" in value:
        return IndicatorType.CIDR
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return IndicatorType.DOMAIN
    return IndicatorType.IPV4 if addr.version == 4 else IndicatorType.IPV6


def looks_like_list(text: str) -> bool:
    """Whether most non-comment lines hold one value or a hosts-file pair."""
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()[:200]]
    lines = [ln for ln in lines if ln]
    if not lines:
        return False
    good = sum(1 for ln in lines if len(ln.split()) == 1 or ln.split()[0] in _SINK_ADDRESSES)
    return good * 10 >= len(lines) * 9
