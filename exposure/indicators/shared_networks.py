"""Address ranges that many unrelated sites share: CDN and anycast networks.

Files in ``data/shared-networks/`` (one range per line, ``# name:`` the operator, ``#``
comments citing where the list comes from and when it was taken): Cloudflare, Google,
Amazon CloudFront, Fastly, Akamai. Nothing is downloaded: the lists ship with exposure.

An indicator address inside one of these ranges says little: thousands of sites answer
from it. A contact with such an address alone is at most low (docs/severity.md), and the
finding names the network so the person knows why.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "data" / "shared-networks"


class SharedNetworks:
    """Which operator's shared network an address belongs to, by prefix-length tables."""

    def __init__(self, ranges: dict[str, list[str]]) -> None:
        self._tables: dict[int, dict[int, dict[int, str]]] = {4: {}, 6: {}}
        for owner, networks in ranges.items():
            for text in networks:
                net = ipaddress.ip_network(text, strict=False)
                self._tables[net.version].setdefault(net.prefixlen, {})[int(net.network_address)] = owner

    def owner(self, address: str) -> str:
        """The operator whose shared network holds ``address`` (an address or a CIDR), or ""."""
        try:
            net = ipaddress.ip_network(address.strip(), strict=False)
        except ValueError:
            return ""
        bits = net.max_prefixlen
        value = int(net.network_address)
        for prefix, table in self._tables[net.version].items():
            if prefix > net.prefixlen:
                continue  # a range wider than the shared network is not inside it
            found = table.get((value >> (bits - prefix)) << (bits - prefix) if prefix else 0)
            if found:
                return found
        return ""

    def __len__(self) -> int:
        return sum(len(t) for tables in self._tables.values() for t in tables.values())


def read_ranges(folder: Path = FOLDER) -> dict[str, list[str]]:
    """``{operator: [ranges]}`` from the data files."""
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        owner = path.stem
        ranges: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# name:"):
                owner = line.split(":", 1)[1].strip()
            text = line.split("#", 1)[0].strip()
            if text:
                ranges.append(text)
        out[owner] = ranges
    return out


@cache
def shared_networks() -> SharedNetworks:
    try:
        return SharedNetworks(read_ranges())
    except (OSError, ValueError):
        return SharedNetworks({})
