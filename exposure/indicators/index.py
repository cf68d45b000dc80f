"""One in-memory index over the chosen profiles and feeds.

It answers "is this name / address / app / certificate / hash known, and why?" with the
list of matching :class:`~exposure.model.Indicator` objects (each names its threat,
profile and feed). Lookups are dictionary probes:

* domains match on label boundaries: ``c2.example.net`` matches itself and
  ``x.c2.example.net``, never ``example.net`` nor ``notc2.example.net``; most names
  match nothing, and are turned away by one probe with their last few characters;
* addresses match exactly, or by CIDR range (one probe per prefix length in use);
* processes match by exact name, or by prefix when the observed name is 15 characters
  long (the kernel truncates ``comm``);
* everything else matches its normalised form exactly.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exposure.indicators.normalize import lookup_form
from exposure.model import Indicator, IndicatorKey, IndicatorType, Threat

_NO_HITS: tuple[Indicator, ...] = ()
# Types a lazy table may hold: matched by their exact normalised value.
LAZY_TYPES = frozenset({IndicatorType.PACKAGE, IndicatorType.IOS_BUNDLE, IndicatorType.DESKTOP_APP,
                        IndicatorType.CERT_MD5, IndicatorType.CERT_SHA1, IndicatorType.CERT_SHA256,
                        IndicatorType.FILE_MD5, IndicatorType.FILE_SHA1, IndicatorType.FILE_SHA256})
# Types whose indicators may be added later (``add_later``): values seen in traffic; a check of
# this computer looks up at most its connections' addresses, a check of a phone's apps none.
ADDRESS_TYPES = frozenset({IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR})
NETWORK_TYPES = ADDRESS_TYPES | {IndicatorType.DOMAIN, IndicatorType.URL}
_DOMAIN_ONLY = frozenset({IndicatorType.DOMAIN})
_LATER_LOCK = threading.Lock()
_KERNEL_COMM_LENGTH = 15
_MEMO_SIZE = 1 << 12
_MAX_DOMAIN = 253
# How many trailing characters of a name the first probe looks at. Longer windows turn
# away more names, but an indicator shorter than the window needs one key for every
# character that can stand before it, so the window is at most two longer than the
# shortest indicator (at most 129 keys for each of those).
_WINDOW_MAX = 7
_ASCII = tuple(chr(code) for code in range(128))


@dataclass(slots=True)
class LazyTable:
    """Indicators of one type kept as the entries they were stored in until a lookup asks
    for their value: the bundled feeds hold thousands of app ids and hashes, and a scan
    matches a handful, so only those become ``Indicator`` objects (see BENCHMARKS.md)."""

    entries: Mapping[str, Any]  # normalised value -> its stored entry
    make: Callable[[str, Any], tuple[Indicator, ...]]  # (value, entry) -> its indicators
    excluded: set[str] = field(default_factory=set)  # values the precedence rule took out or replaced
    # The threat ids of a value without making objects (for the shared-certificate rule).
    threats: Callable[[str], set[str]] | None = None
    _made: dict[str, tuple[Indicator, ...]] = field(default_factory=dict)

    def get(self, value: str) -> tuple[Indicator, ...]:
        made = self._made.get(value)
        if made is None:
            entry = self.entries.get(value)
            made = _NO_HITS if entry is None or value in self.excluded else self.make(value, entry)
            self._made[value] = made
        return made

    def forget(self, value: str) -> None:
        """Drop what was made for ``value`` (after excluding it)."""
        self._made.pop(value, None)

    def values(self) -> Iterator[str]:
        return (v for v in self.entries if v not in self.excluded)

    def __len__(self) -> int:
        """How many values it holds (a value with several threats counts once)."""
        return len(self.entries) - len(self.excluded & self.entries.keys())


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
        # Every suffix, at a label boundary and with at least one dot, of every domain
        # indicator, mapped to ALL the indicators that a name ending in that suffix
        # matches (its own, then its parents'; the empty tuple when none). The set of
        # keys is closed under "drop the first label", so the longest suffix of a name
        # that is a key holds the whole answer, and a hit needs no concatenation.
        self._suffixes: dict[str, tuple[Indicator, ...]] = {}
        # The last ``-self._window`` characters of every name that can match a domain
        # indicator (see _index_windows): a name whose ending is not here matches nothing.
        self._windows: frozenset[str] = frozenset()
        self._longest_key = 0
        self._window = -_WINDOW_MAX
        # The two above are made at the first name looked up after domains were added (a
        # check of this computer looks up none: ~2.5 ms saved), never on the way of a lookup
        # whose answer is remembered.
        self._domains_indexed = True
        self._size = 0
        self._source_dates: dict[str, str] = {}
        self._lazy: dict[IndicatorType, list[LazyTable]] = {}
        self._lazy_threats: list[tuple[Mapping[str, Any], Callable[[str, Any], Threat]]] = []
        # Each feed's own declaration of a threat id: Echap names FindMyKids both in its
        # stalkerware file and in its watchware file (see ``listing``).
        self._curated: set[str] = set()
        self._declared: dict[str, dict[str, Threat]] = {}
        self._lazy_declared: dict[str, tuple[Mapping[str, Any], Callable[[str, Any], Threat]]] = {}
        self._later: list[tuple[frozenset[IndicatorType], Sequence[Indicator]]] = []
        self.add_threats(threats)
        self.add(indicators)

    def add_lazy(self, kind: IndicatorType, table: LazyTable) -> None:
        """Indicators of an exact-match ``kind`` (``LAZY_TYPES``) made only when looked up."""
        if kind not in LAZY_TYPES:
            raise ValueError(f"{kind.value} indicators cannot be kept as lazy rows")
        self._lazy.setdefault(kind, []).append(table)

    def add_later(self, indicators: Sequence[Indicator], kinds: Iterable[IndicatorType]) -> None:
        """Indicators of ``kinds`` (``NETWORK_TYPES`` only), added in their order, after those
        added so far, the first time a lookup of one of those kinds, a count or another ``add``
        needs them: ``indicators`` may make its objects only when first read
        (``LazyIndicators``), so a check that looks up no such value never makes them."""
        kinds = frozenset(kinds)
        if not kinds <= NETWORK_TYPES:
            raise ValueError("only network indicators can be added later")
        self._later.append((kinds, indicators))
        self._memo.clear()
        if IndicatorType.DOMAIN in kinds:
            self._domains_indexed = False  # the first domain lookup adds them

    def _add_pending(self, kinds: frozenset[IndicatorType] = NETWORK_TYPES) -> None:
        """Add what waits for one of ``kinds``: everything kept aside up to the last of those,
        so that each kind's indicators are always added in the order they were given."""
        # One thread adds them while another waits (a check winding down in the app beside a
        # new one): they leave the list only once added, so no lookup sees them half added.
        with _LATER_LOCK:
            last = max((n for n, (held, _) in enumerate(self._later) if held & kinds), default=-1)
            for held, indicators in self._later[:last + 1]:
                if any(ind.type not in held for ind in indicators):
                    raise ValueError("an indicator added later is not of the kinds it was given with")
                self._add_now(indicators)
            self._later = self._later[last + 1:]

    def __getstate__(self) -> dict[str, Any]:
        """Kept (pickled) with every indicator made."""
        if self._later:
            self._add_pending()
        return self.__dict__

    def add_lazy_threats(self, rows: Mapping[str, Any], make: Callable[[str, Any], Threat], source: str = "") -> None:
        """Threats made only when asked for; a threat added with ``add_threats`` comes first.
        ``source``: the feed that declares them (``listing``)."""
        self._lazy_threats.append((rows, make))
        if source:
            self._lazy_declared.setdefault(source, (rows, make))

    def set_source_dates(self, dates: dict[str, str]) -> None:
        """How recent each feed's data is (feed name -> YYYY-MM-DD), for the age rule."""
        self._source_dates.update(dates)

    def source_date(self, source: str) -> str:
        """The date of a feed's data, "" for a profile or an unknown feed."""
        return self._source_dates.get(source, "")

    @staticmethod
    def shared_network(address: str) -> str:
        """The operator of the shared CDN/anycast network holding ``address``, or ""."""
        from exposure.indicators.shared_networks import shared_networks

        return shared_networks().owner(address)

    def add_threats(self, threats: Iterable[Threat], source: str = "", *, curated: bool = False) -> None:
        """``source``: the feed that declares them; ``curated``: a profile's threats, which are
        what they say whichever feed also names them."""
        for threat in threats:
            self._threats.setdefault(threat.id, threat)
            if curated:
                self._curated.add(threat.id)
            elif source:
                self._declared.setdefault(source, {}).setdefault(threat.id, threat)

    def listing(self, source: str, threat_id: str) -> Threat | None:
        """The threat as ``source`` (the feed of a matched indicator) declares it: a feed that
        lists a value decides what kind of tool it is listed as (docs/profiles.md,
        "Precedence"). A profile's threat is the same for every feed; else ``threat``."""
        declared = None if threat_id in self._curated else self._declared_by(source, threat_id)
        return declared or self.threat(threat_id)

    def _declared_by(self, source: str, threat_id: str) -> Threat | None:
        declared = self._declared.get(source, {}).get(threat_id)
        lazy = self._lazy_declared.get(source)
        if declared is None and lazy is not None:
            row = lazy[0].get(threat_id)
            if row is not None:
                declared = self._declared.setdefault(source, {})[threat_id] = lazy[1](threat_id, row)
        return declared

    def listings(self, threat_id: str) -> list[Threat]:
        """Every feed's declaration of ``threat_id`` (the profile's alone when it is curated)."""
        if threat_id in self._curated:
            found = self.threat(threat_id)
            return [found] if found else []
        sources = dict.fromkeys([*self._declared, *self._lazy_declared])
        return [t for t in (self._declared_by(source, threat_id) for source in sources) if t is not None]

    def add(self, indicators: Iterable[Indicator]) -> None:
        """Add indicators whose values are already normalised."""
        if self._later:
            self._add_pending()
        self._add_now(indicators)

    def _add_now(self, indicators: Iterable[Indicator]) -> None:
        self._memo.clear()
        added_domains = False
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
                added_domains = True
        if added_domains:
            self._domains_indexed = False

    def index_domains(self) -> None:
        """Make the suffix and window tables of the domain indicators now, if they are not
        yet (a lookup makes them when it needs them)."""
        if self._later:
            self._add_pending(_DOMAIN_ONLY)
        if not self._domains_indexed:
            self._index_suffixes()
            self._domains_indexed = True

    def _index_suffixes(self) -> None:
        suffixes: dict[str, tuple[Indicator, ...]] = {}
        for value in self._domains:
            dot = value.find(".")
            while dot >= 0:
                # Keys are added whole-name first, so the loop only needs the ones not
                # seen yet; their answers are filled in below, shortest first.
                suffixes.setdefault(value, _NO_HITS)
                value = value[dot + 1 :]
                dot = value.find(".")
        get = self._domains.get
        for key in sorted(suffixes, key=lambda k: k.count(".")):
            parent = key[key.find(".") + 1 :]
            inherited = suffixes.get(parent, _NO_HITS) if "." in parent else _NO_HITS
            suffixes[key] = get(key, _NO_HITS) + inherited
        self._suffixes = suffixes
        self._longest_key = max(map(len, suffixes), default=0)
        self._index_windows()

    def _index_windows(self) -> None:
        """The endings that a name matching some domain indicator can have.

        A normalised name matching ``v`` is ``v`` or ends in ``.v``; when ``v`` is at
        least as long as the window, the window is its own ending. When it is shorter,
        the window holds the whole name, or the dot before ``v`` and what comes before
        the dot: the window is never more than two longer than the shortest indicator,
        so at most one character, and any ASCII character can be there.
        """
        values = list(self._domains)
        size = min(_WINDOW_MAX, min((len(v) for v in values), default=_WINDOW_MAX) + 2)
        windows: set[str] = set()
        for value in values:
            if len(value) >= size:
                windows.add(value[-size:])
                continue
            windows.add(value)
            windows.add("." + value)
            if len(value) + 2 == size:
                windows.update(char + "." + value for char in _ASCII)
        self._windows = frozenset(windows)
        self._window = -size

    def __len__(self) -> int:
        if self._later:
            self._add_pending()
        return self._size + sum(len(t) for tables in self._lazy.values() for t in tables)

    def threat(self, threat_id: str) -> Threat | None:
        found = self._threats.get(threat_id)
        if found is None:
            for rows, make in self._lazy_threats:
                row = rows.get(threat_id)
                if row is not None:
                    found = self._threats[threat_id] = make(threat_id, row)
                    break
        return found

    @property
    def threats(self) -> dict[str, Threat]:
        for rows, _make in self._lazy_threats:
            for threat_id in rows:
                self.threat(threat_id)
        return dict(self._threats)

    def counts(self) -> dict[IndicatorType, int]:
        if self._later:
            self._add_pending()
        out = {t: sum(len(v) for v in table.values()) for t, table in self._exact.items()}
        out[IndicatorType.CIDR] = sum(
            len(v) for nets in self._networks.values() for table in nets.values() for v in table.values()
        )
        for kind, tables in self._lazy.items():
            out[kind] += sum(len(t) for t in tables)
        return {t: n for t, n in out.items() if n}

    def values(self, kind: IndicatorType) -> Iterator[str]:
        if self._later:
            self._add_pending()
        lazy = [v for t in self._lazy.get(kind, ()) for v in t.values() if v not in self._exact[kind]]
        return iter([*self._exact[kind], *dict.fromkeys(lazy)])

    # -- lookups -----------------------------------------------------------------

    def lookup_domain(self, name: str) -> tuple[Indicator, ...]:
        """Indicators for ``name`` or any parent at a label boundary.

        Case-insensitive, trailing dots ignored, IDN names compared in punycode. Any
        other character counts: " evil.com" is not evil.com, as in DNS. Answers are
        remembered for up to ``_MEMO_SIZE`` names (then forgotten all at once): traffic
        asks about the same few names again and again, and a memo this small stays in
        the CPU's cache.
        """
        memo = self._memo
        hits = memo.get(name)
        if hits is not None:
            return hits
        if not self._domains_indexed:
            self.index_domains()
        if name.isascii() and name.islower() and name[-1:] != "." and len(name) <= _MAX_DOMAIN:
            # Already normal, as names from traffic nearly always are. Nearly every name
            # matches nothing, and its last few characters show it.
            if name[self._window :] not in self._windows:
                hits = _NO_HITS
            else:
                # Its longest suffix that is a key, left to right. The keys are closed
                # under "drop the first label" and each carries its parents' hits, so
                # the first found is the whole answer; a name this short has at most
                # 127 labels. (The same walk as _lookup_unusual's, written out here:
                # calling a shared helper cost 5-10 % on new names under cloud parents.)
                suffixes = self._suffixes
                hits = suffixes.get(name)
                start = 0
                while hits is None:
                    start = name.find(".", start) + 1
                    if not start:
                        hits = _NO_HITS
                        break
                    hits = suffixes.get(name[start:])
        else:
            hits = self._lookup_unusual(name)
            if len(name) > _MAX_DOMAIN:
                return hits  # never remember absurdly long names: thousands would be a lot of memory
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[name] = hits
        return hits

    def _lookup_unusual(self, name: str) -> tuple[Indicator, ...]:
        """Hits for a name that needs normalising or is longer than a DNS name can be.

        A long name starts at its first label boundary within reach of the longest key,
        so even a hostile megabyte-long name costs at most a few hundred short probes.
        """
        name = lookup_form(IndicatorType.DOMAIN, name) or ""
        start = 0
        if len(name) > self._longest_key:
            start = name.find(".", len(name) - self._longest_key - 1) + 1
            if not start:
                return _NO_HITS
        suffixes = self._suffixes
        while True:
            hits = suffixes.get(name[start:])
            if hits is not None:
                return hits
            start = name.find(".", start) + 1
            if not start:
                return _NO_HITS

    def lookup_ip(self, address: str) -> tuple[Indicator, ...]:
        if self._later:
            self._add_pending(ADDRESS_TYPES)
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

    def lookup_process(self, name: str, kind: IndicatorType = IndicatorType.PROCESS) -> tuple[Indicator, ...]:
        """A phone's process names (``process``) or a computer's (``desktop-process``), never both."""
        table = self._exact[kind]
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
        if kind in (IndicatorType.PROCESS, IndicatorType.DESKTOP_PROCESS):
            return self.lookup_process(value, kind)
        if kind is IndicatorType.FILE_PATH:
            return self._lookup_path(value)
        if self._later and kind in NETWORK_TYPES:
            self._add_pending(frozenset({kind}))
        normal = lookup_form(kind, value)
        if normal is None:
            return _NO_HITS
        hits = self._exact[kind].get(normal, _NO_HITS)
        for table in self._lazy.get(kind, ()):
            found = table.get(normal)
            if found:
                hits = hits + found
        return hits

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
