"""The host of a web link as the lists know it: a domain, or an address in its usual form.

A browser opens ``http://1161841391/``, ``http://0x45.0x40.0x4a.0xef/`` and ``http://69.64.74.239/``
as the same server: the URL Standard (WHATWG, "IPv4 parser") reads a host whose last label is a
number as an IPv4 address, each part in decimal, hex (``0x``) or octal (a leading ``0``), the last
part filling the bytes left. A link written that way must be compared with the lists' addresses,
not looked up as a domain called "1161841391".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from exposure.model import IndicatorKey, IndicatorType

IPV4_PARTS = 4
HEX_PREFIXES = ("0x", "0X")


def link_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a browser would contact for ``host``, or None when ``host`` is a name."""
    bare = host.strip().rstrip(".")
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare.split("%", 1)[0])
        except ValueError:
            return None
    return _whatwg_ipv4(bare)


def link_host_keys(host: str) -> Iterator[IndicatorKey]:
    """The indicator key of a link's host: an IPv4 or IPv6 address in its usual form, else a domain."""
    if not host:
        return
    address = link_address(host)
    if address is None:
        yield IndicatorKey(IndicatorType.DOMAIN, host)
    else:
        yield IndicatorKey(IndicatorType.IPV4 if address.version == 4 else IndicatorType.IPV6, str(address))


def _whatwg_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if not parts or len(parts) > IPV4_PARTS or _number(parts[-1]) is None:
        return None  # its last label is not a number: a name
    numbers = [_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for index, n in enumerate(values[:-1]):
        address += n * 256 ** (3 - index)
    return ipaddress.IPv4Address(address)


def _number(part: str) -> int | None:
    if not part or not part.isascii():
        return None
    radix = 10
    digits = part
    if part.startswith(HEX_PREFIXES):
        radix, digits = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        radix, digits = 8, part[1:]
    if not digits:
        return 0
    try:
        return int(digits, radix) if digits.isalnum() else None
    except ValueError:
        return None


def address_shown(host: str) -> str:
    """``host`` as written, with the address a browser reads it as when that is written otherwise
    (``1161841391 (= 69.64.74.239)``), so the evidence shows why it matched a listed address."""
    address = link_address(host)
    if address is None or str(address) == host.strip("[]"):
        return host
    return f"{host} (= {address})"
