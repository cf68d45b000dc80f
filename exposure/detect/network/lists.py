"""The lists the network heuristics read (``exposure/detect/data/``) and the name and address
checks built on them: dynamic-DNS zones, rarely legitimate top-level domains, names
operating systems contact on their own (left alone), encrypted-DNS resolvers; label-boundary
suffix matching; public, private and loopback addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

LIST_IN_TEXT = 10  # how many addresses or names a text lists before "(+N)"


def _read_list(name: str) -> tuple[str, ...]:
    text = resources.files("exposure.detect").joinpath("data", name).read_text("utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    return tuple(out)


@cache
def dynamic_dns_zones() -> frozenset[str]:
    return frozenset(_read_list("dynamic_dns.txt"))


@cache
def rare_tlds() -> frozenset[str]:
    return frozenset(_read_list("rare_tlds.txt"))


@cache
def quiet_names() -> frozenset[str]:
    return frozenset(_read_list("quiet_names.txt"))


@cache
def encrypted_dns_resolvers() -> tuple[frozenset[str], frozenset[str]]:
    """(resolver names, resolver addresses)."""
    names, addresses = set(), set()
    for entry in _read_list("doh_resolvers.txt"):
        address = parse_address(entry)
        if address is None:
            names.add(entry)
        else:
            addresses.add(address)
    return frozenset(names), frozenset(addresses)


@lru_cache(maxsize=1 << 16)
def parse_address(text: str) -> str | None:
    """The canonical form of an IP address, or None (cached: captures repeat addresses a lot)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def clean_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def suffix_in(name: str, zones: frozenset[str]) -> str:
    """The zone ``name`` equals or sits under, on a label boundary; "" if none."""
    if name in zones:
        return name
    dot = name.find(".")
    while dot >= 0:
        name = name[dot + 1 :]
        if name in zones:
            return name
        dot = name.find(".")
    return ""


def dynamic_dns_zone(name: str) -> str:
    """The dynamic-DNS zone ``name`` was handed out under; "" for the provider's own site."""
    zone = suffix_in(name, dynamic_dns_zones())
    if not zone or name == zone or name == "www." + zone:
        return ""
    return zone


def rare_tld(name: str) -> str:
    if "." not in name:
        return ""
    tld = name.rsplit(".", 1)[1]
    return tld if tld in rare_tlds() else ""


def is_quiet(name: str) -> bool:
    first = name.split(".", 1)[0]
    return first.startswith(("ocsp", "crl")) or bool(suffix_in(name, quiet_names()))


def is_encrypted_dns_name(name: str) -> bool:
    return bool(name) and bool(suffix_in(name, encrypted_dns_resolvers()[0]))


@lru_cache(maxsize=1 << 16)
def is_public(address: str) -> bool:
    """Whether an address is on the internet (not private, link-local, multicast, reserved)."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return False
    return addr.is_global and not addr.is_multicast


@lru_cache(maxsize=1 << 10)
def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def listing(values: Iterable[str], limit: int = LIST_IN_TEXT) -> str:
    items = list(values)
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" (+{len(items) - limit})"
    return shown
