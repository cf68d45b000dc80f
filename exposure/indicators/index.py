"""One in-memory index over the chosen profiles and feeds.

It answers "is this name / address / app / certificate / hash known, and why?" with the
list of matching :class:`~exposure.model.Indicator` objects (each names its threat,
profile and feed). Lookups are dictionary probes:

* domains match on label boundaries: ``c2.example.net`` matches itself and
  ``x.c2.example.net``, never ``example.net`` nor ``notc2.example.net``;
* addresses match exactly, or by CIDR range (one probe per prefix length in use);
* processes match by exact name, or by prefix when the observed name is 15 characters
  long (the kernel truncates ``comm``);
* everything else matches its normalised form exactly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from exposure.indicators.normalize import lookup_form
from exposure.model import Indicator, IndicatorKey, IndicatorType, Threat

_NO_HITS: tuple[Indicator, ...] = ()
_KERNEL_COMM_LENGTH = 15
_MEMO_SIZE = 1 << 16
_MAX_DOMAIN = 253


@dataclass(frozen=True, slots=True)
class Hit:
    """Indicators that matched one looked-up value."""

    key: IndicatorKey
    indicators: tuple[Indicator, ...]


class IndicatorIndex:
    """Indicators grouped by type for fast lookup, plus the threats they belong to."""

    def __init__(self, indicators: Iterable[Indicator] = (), threats: Iterable[Threat] = ()) -> None:
        self._exact: dict[IndicatorType, dict[str, tuple[Indicator, ...]]] = {t: {} for t in IndicatorType}
        self._domains = self._exact[IndicatorType.DOMAIN]
        self._networks: dict[int, dict[int, dict[int, tuple[Indicator, ...]]]] = {4: {}, 6: {}}
        self._threats: dict[str, Threat] = {}
        self._memo: dict[str, tuple[Indicator, ...]] = {}
        # The last two labels of every domain indicator: a name whose last two labels are
        # not here cannot match (every indicator domain has a dot), so most misses cost
        # one set probe instead of a probe per parent.
        self._domain_tails: set[str] = set()
        self._size = 0
        self.add_threats(threats)
        self.add(indicators)

    def add_threats(self, threats: Iterable[Threat]) -> None:
        for threat in threats:
            self._threats.setdefault(threat.id, threat)

    def add(self, indicators: Iterable[Indicator]) -> None:
        """Add indicators whose values are already normalised."""
        self._memo.clear()
        for ind in indicators:
            self._size += 1
            if ind.type is IndicatorType.CIDR:
                net = ipaddress.ip_network(ind.value, strict=False)
                by_prefix = self._networks[net.version].setdefault(net.prefixlen, {})
                base = int(net.network_address)
                by_prefix[base] = (*by_prefix.get(base, _NO_HITS), ind)
                continue
            table = self._exact[ind.type]
            table[ind.value] = (*table.get(ind.value, _NO_HITS), ind)
            if ind.type is IndicatorType.DOMAIN:
                value = ind.value
                self._domain_tails.add(value[value.rfind(".", 0, value.rfind(".")) + 1 :])

    def __len__(self) -> int:
        return self._size

    def threat(self, threat_id: str) -> Threat | None:
        return self._threats.get(threat_id)

    @property
    def threats(self) -> dict[str, Threat]:
        return dict(self._threats)

    def counts(self) -> dict[IndicatorType, int]:
        out = {t: sum(len(v) for v in table.values()) for t, table in self._exact.items()}
        out[IndicatorType.CIDR] = sum(
            len(v) for nets in self._networks.values() for table in nets.values() for v in table.values()
        )
        return {t: n for t, n in out.items() if n}

    def values(self, kind: IndicatorType) -> Iterator[str]:
        return iter(self._exact[kind])

    # -- lookups -----------------------------------------------------------------

    def lookup_domain(self, name: str) -> tuple[Indicator, ...]:
        """Indicators for ``name`` or any parent at a label boundary.

        Answers are remembered for up to ``_MEMO_SIZE`` names (then forgotten all at
        once): traffic asks about the same few names again and again. A name whose
        last two labels end no indicator is a miss after one set probe.
        """
        memo = self._memo
        hits = memo.get(name)
        if hits is not None:
            return hits
        key = name
        if not name.isascii() or not name.islower() or name[-1:] == ".":
            name = lookup_form(IndicatorType.DOMAIN, name) or ""
        if len(name) > _MAX_DOMAIN:
            # No indicator is longer than a DNS name can be: probe only the parents that
            # fit, so a hostile megabyte-long "name" costs no more than a real one.
            cut = name.find(".", len(name) - _MAX_DOMAIN - 1)
            name = name[cut + 1 :] if cut >= 0 else ""
        last = name.rfind(".")
        if name[name.rfind(".", 0, last) + 1 :] not in self._domain_tails:
            hits = _NO_HITS
        else:
            hits = self._walk_domain(name)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        if len(key) <= _MAX_DOMAIN:
            memo[key] = hits
        return hits

    def _walk_domain(self, name: str) -> tuple[Indicator, ...]:
        get = self._domains.get
        hits = get(name, _NO_HITS)
        # Parents at each dot, but never the last label alone: an indicator domain
        # always has a dot (normalize.domain), so a bare TLD cannot match.
        dot = name.find(".")
        after = name.find(".", dot + 1)
        while after > 0:
            found = get(name[dot + 1 :])
            if found:
                hits = hits + found if hits else found
            dot = after
            after = name.find(".", dot + 1)
        return hits

    def lookup_ip(self, address: str) -> tuple[Indicator, ...]:
        try:
            addr = ipaddress.ip_address(address.strip())
        except ValueError:
            return _NO_HITS
        kind = IndicatorType.IPV4 if addr.version == 4 else IndicatorType.IPV6
        hits = self._exact[kind].get(str(addr), _NO_HITS)
        nets = self._networks[addr.version]
        if nets:
            bits = 32 if addr.version == 4 else 128
            value = int(addr)
            for prefix, table in nets.items():
                base = (value >> (bits - prefix)) << (bits - prefix) if prefix else 0
                found = table.get(base)
                if found:
                    hits = hits + found
        return hits

    def lookup_process(self, name: str) -> tuple[Indicator, ...]:
        table = self._exact[IndicatorType.PROCESS]
        hits = table.get(name, _NO_HITS)
        if len(name) == _KERNEL_COMM_LENGTH:
            for value, found in table.items():
                if value != name and value.startswith(name):
                    hits = hits + found
        return hits

    def lookup(self, kind: IndicatorType, value: str) -> tuple[Indicator, ...]:
        """Indicators matching an observed value of the given type."""
        if kind is IndicatorType.DOMAIN:
            return self.lookup_domain(value)
        if kind in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR):
            return self.lookup_ip(value)
        if kind is IndicatorType.PROCESS:
            return self.lookup_process(value)
        if kind is IndicatorType.FILE_PATH:
            return self._lookup_path(value)
        normal = lookup_form(kind, value)
        if normal is None:
            return _NO_HITS
        return self._exact[kind].get(normal, _NO_HITS)

    def _lookup_path(self, path: str) -> tuple[Indicator, ...]:
        hits: tuple[Indicator, ...] = _NO_HITS
        for value, found in self._exact[IndicatorType.FILE_PATH].items():
            if path.startswith(value):
                hits = hits + found
        return hits

    def match(self, keys: Iterable[IndicatorKey]) -> list[Hit]:
        """Hits for each key that matched anything."""
        out = []
        for key in keys:
            found = self.lookup(key.type, key.value)
            if found:
                out.append(Hit(key, found))
        return out
