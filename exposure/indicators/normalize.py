"""Checking and normalising indicator values, so that the index compares like with like.

Every value that enters the index (from a profile or a feed) and every value looked up
goes through the same functions here. Invalid values raise :class:`InvalidValue` with a
short reason, so that loaders can skip or reject them with a clear message.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable

from exposure.model import IndicatorType


class InvalidValue(ValueError):
    """A value that is not a valid indicator of its type."""


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
# A desktop package name as dpkg, rpm, snap or a Windows uninstall key spells it
# ("anydesk", "chrome-remote-desktop", "libstdc++6", "TeamViewer"): no dots needed.
_DESKTOP_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._-]*$")
_HEX = re.compile(r"^[0-9a-f]+$")
_HASH_LENGTHS = {
    IndicatorType.CERT_MD5: 32,
    IndicatorType.CERT_SHA1: 40,
    IndicatorType.CERT_SHA256: 64,
    IndicatorType.FILE_MD5: 32,
    IndicatorType.FILE_SHA1: 40,
    IndicatorType.FILE_SHA256: 64,
}


def domain_for_lookup(name: str) -> str:
    """Lower-case, without trailing dots, IDN in punycode. Never raises.

    Whitespace is kept: in DNS " evil.com" is another name. Values read from files are
    stripped before they get here (see :func:`domain`).
    """
    name = name.rstrip(".").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return name
    return name


def domain(value: str) -> str:
    """A valid domain name, normalised; raises InvalidValue otherwise."""
    raw = value.strip()
    if not raw or "/" in raw or ":" in raw or " " in raw or "@" in raw:
        raise InvalidValue(f"not a domain name: {value!r}")
    name = domain_for_lookup(raw)
    if name.startswith("*."):
        name = name[2:]  # a wildcard means the same as our label-boundary rule
    if len(name) > 253 or "." not in name:
        raise InvalidValue(f"not a domain name: {value!r}")
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise InvalidValue(f"not a domain name: {value!r}")
    if labels[-1].isdigit():
        raise InvalidValue(f"not a domain name (looks like an address): {value!r}")
    return name


def ip_address(value: str) -> tuple[IndicatorType, str]:
    """A valid IPv4 or IPv6 address, normalised, and its type."""
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        raise InvalidValue(f"not an IP address: {value!r}") from None
    return (IndicatorType.IPV4 if addr.version == 4 else IndicatorType.IPV6), str(addr)


def cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise InvalidValue(f"not a network range: {value!r}") from None


def hex_digest(value: str, expected_length: int | None = None) -> str:
    """Lower-case hex without colons, spaces or a ``0x``; checks the length if given."""
    text = value.strip().lower().replace(":", "").replace(" ", "")
    if text.startswith("0x"):
        text = text[2:]
    if not text or not _HEX.match(text):
        raise InvalidValue(f"not a hexadecimal hash: {value!r}")
    if expected_length is not None and len(text) != expected_length:
        raise InvalidValue(f"a hash of {expected_length} hex digits was expected: {value!r}")
    return text


def package(value: str) -> str:
    """An app id in lower case: an Android application id, an iPhone bundle id (kept apart as
    ``ios-bundle``) or a computer's package name or bundle id (``desktop-app``); the three are
    never compared with each other.

    Case is folded within each platform. Apple treats bundle ids without regard to case;
    Android ids are case-sensitive, but the lists are written by hand and disagree with the
    apps they describe (Echap lists ``app.Easylogger`` where its samples have
    ``app.EasyLogger``): a case slip must not hide a stalkerware, and no two apps in the
    lists differ only by case."""
    text = value.strip()
    if not (_PACKAGE.match(text) or _DESKTOP_PACKAGE.match(text)) or len(text) > 255:
        raise InvalidValue(f"not an app id: {value!r}")
    return text.lower()


def config_profile(value: str) -> str:
    """An iOS configuration profile's UUID (or identifier), upper-case as iOS writes UUIDs."""
    text = value.strip()
    if not text or len(text) > 255 or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidValue(f"not a configuration profile id: {value!r}")
    return text.upper()


def url(value: str) -> str:
    text = value.strip()
    if "://" not in text or any(c.isspace() for c in text):
        raise InvalidValue(f"not a URL: {value!r}")
    scheme, _, rest = text.partition("://")
    host, sep, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{sep}{path}"


def _address(kind: IndicatorType) -> Callable[[str], str]:
    def check(value: str) -> str:
        found, text = ip_address(value)
        if found is not kind:
            raise InvalidValue(f"not an {kind.value.upper()} address: {value!r}")
        return text

    return check


def _process_name(value: str) -> str:
    text = value.strip()
    if not text or "\x00" in text:
        raise InvalidValue(f"not a process name: {value!r}")
    return text


def _email(value: str) -> str:
    text = value.strip().lower()
    if text.count("@") != 1 or any(c.isspace() for c in text):
        raise InvalidValue(f"not an e-mail address: {value!r}")
    return text


def _file_path(value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidValue("empty path")
    return text


# One checker per kind of indicator (tests/indicators check that every kind has one).
NORMALIZERS: dict[IndicatorType, Callable[[str], str]] = {
    IndicatorType.DOMAIN: domain,
    IndicatorType.IPV4: _address(IndicatorType.IPV4),
    IndicatorType.IPV6: _address(IndicatorType.IPV6),
    IndicatorType.CIDR: cidr,
    IndicatorType.PACKAGE: package,
    IndicatorType.IOS_BUNDLE: package,
    IndicatorType.DESKTOP_APP: package,
    IndicatorType.URL: url,
    IndicatorType.PROCESS: _process_name,
    IndicatorType.DESKTOP_PROCESS: _process_name,
    IndicatorType.EMAIL: _email,
    IndicatorType.FILE_PATH: _file_path,
    IndicatorType.CONFIG_PROFILE: config_profile,
    **{kind: functools.partial(hex_digest, expected_length=length) for kind, length in _HASH_LENGTHS.items()},
}


def normalize(kind: IndicatorType, value: str) -> str:
    """The normalised form of ``value`` as an indicator of ``kind``; raises InvalidValue."""
    if not isinstance(value, str):
        raise InvalidValue(f"expected text, got {type(value).__name__}")
    check = NORMALIZERS.get(kind)
    if check is None:
        raise InvalidValue(f"unknown indicator type {kind!r}")
    return check(value)


def lookup_form(kind: IndicatorType, value: str) -> str | None:
    """Normalise an observed value for lookup; None when it cannot match anything."""
    if kind is IndicatorType.DOMAIN:
        return domain_for_lookup(value)
    try:
        return normalize(kind, value)
    except InvalidValue:
        return None
