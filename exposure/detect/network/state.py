"""What the network heuristics remember while observations stream past: one state object per
rule, and the caps every table shares.

Each table of names, addresses or destinations is capped (``MAX_NAMES``, ``MAX_ADDRESSES``,
...), and every such cap, when reached, goes through :class:`Caps`, which warns once per scan
that later names or addresses were not judged: no table drops anything silently. (Evidence
kept per finding and connection starts kept per destination are samples, not judgements.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from exposure.detect.base import DetectContext
from exposure.detect.network.beacon import BEACON_MIN_EVENTS, beacon_interval, seconds
from exposure.detect.network.lists import dynamic_dns_zone, is_quiet, rare_tld
from exposure.model import CheckNote, Confidence, Observation
from exposure.observations.network import ServerName

_K = TypeVar("_K")
_V = TypeVar("_V")

MAX_NAMES = 50_000
MAX_ADDRESSES = 100_000
MAX_STARTS = 2_000  # connection starts kept per destination for the beacon check
MAX_EVIDENCE = 20  # observations kept per finding
MAX_ADDRESSES_PER_NAME = 64
MAX_TOR_CANDIDATES = 1000
MAX_RESOLVERS = 1000
CLEARTEXT_MIN_BYTES = 4096  # client-to-server bytes over cleartext HTTP to one destination
PUSH_PORTS = frozenset({5223, 5228, 5229, 5230})  # push services keep connections open, reconnect on timers

# The random host names Tor uses: a client's TLS server name www.<random>.com, and link
# certificates with subject www.<random>.net and issuer www.<random>.com (Tor's tortls.c).
# Certificates are seen only in clear (TLS 1.2). The random part is base32, so an ordinary
# word matches the pattern too: a server name counts only when it has a digit in it and
# was never looked up in DNS (Tor clients never look these names up).
TOR_CERT_NAME = re.compile(r"^(?:cn=)?www\.[a-z2-7]{8,20}\.(?:net|com)$")
TOR_SNI = re.compile(r"^www\.(?=[a-z2-7]*[2-7])[a-z2-7]{8,20}\.(?:net|com)$")


class Caps:
    """Every table's limit; the first table that reaches its limit warns, once per scan."""

    def __init__(self) -> None:
        self.reached = False

    def room(self, size: int, limit: int, ctx: DetectContext) -> bool:
        if size < limit:
            return True
        if not self.reached:
            self.reached = True
            ctx.warn(CheckNote.of("warn.network.too-many", "network heuristics: too many distinct names or addresses; "
                                  "later ones were not judged"))
        return False

    def keep(self, table: dict[_K, list[_V]], key: _K, item: _V, limit: int, ctx: DetectContext) -> bool:
        """``item`` kept under ``key``, at most MAX_EVIDENCE a key; a new key only while ``table``
        has fewer than ``limit`` keys. False when there was no room for a new key."""
        kept = table.get(key)
        if kept is None:
            if not self.room(len(table), limit, ctx):
                return False
            kept = table[key] = []
        if len(kept) < MAX_EVIDENCE:
            kept.append(item)
        return True


@dataclass(slots=True)
class Seen:
    """Observations behind one finding, capped."""

    evidence: list[Observation] = field(default_factory=list)
    times: int = 0

    def add(self, obs: Observation) -> None:
        self.times += obs.count
        if len(self.evidence) < MAX_EVIDENCE and (not self.evidence or self.evidence[-1] is not obs):
            self.evidence.append(obs)


@dataclass(slots=True)
class Hit:
    """One rule's conclusion about one subject, before it becomes a finding."""

    rule: str
    subject: str
    params: dict[str, str]
    seen: Seen
    addresses: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    confidence: Confidence = Confidence.LOW


def names_only(names: set[str], addresses: set[str]) -> set[str]:
    return {n for n in names if n not in addresses}


class NameMap:
    """Every name seen (DNS, server names, certificate SNI) and the addresses it led to."""

    def __init__(self, caps: Caps) -> None:
        self.seen: dict[str, Seen] = {}
        self.addresses: dict[str, set[str]] = {}
        self._caps = caps

    def add(self, name: str, obs: Observation, ctx: DetectContext) -> None:
        seen = self.seen.get(name)
        if seen is None:
            if not self._caps.room(len(self.seen), MAX_NAMES, ctx):
                return
            seen = self.seen[name] = Seen()
        seen.add(obs)

    def link(self, name: str, address: str, ctx: DetectContext) -> None:
        addresses = self.addresses.get(name)
        if addresses is None:
            if not self._caps.room(len(self.addresses), MAX_NAMES, ctx):
                return
            addresses = self.addresses[name] = set()
        if address not in addresses and self._caps.room(len(addresses), MAX_ADDRESSES_PER_NAME, ctx):
            addresses.add(address)

    def addresses_of(self, name: str) -> set[str]:
        return set(self.addresses.get(name, ()))

    def hits(self) -> Iterator[Hit]:
        """network.dynamic-dns and network.rare-tld."""
        for name, seen in self.seen.items():
            zone = dynamic_dns_zone(name)
            if zone:
                yield Hit("network.dynamic-dns", name, {"zone": zone}, seen, self.addresses_of(name), {name})
            tld = rare_tld(name)
            if tld:
                yield Hit("network.rare-tld", name, {"tld": "." + tld}, seen, self.addresses_of(name), {name})


class BySubject:
    """network.self-signed-cert or network.tls-unusual-port: observations per subject (a name,
    else an address; with the port for the latter) and the addresses behind each."""

    def __init__(self, rule: str, caps: Caps) -> None:
        self.rule = rule
        self.seen: dict[tuple[str, int], Seen] = {}
        self.addresses: dict[tuple[str, int], set[str]] = {}
        self._caps = caps

    def add(self, subject: str, port: int, server: str, obs: Observation, ctx: DetectContext) -> None:
        key = (subject, port)
        seen = self.seen.get(key)
        if seen is None:
            if not self._caps.room(len(self.seen), MAX_NAMES, ctx):
                return
            seen = self.seen[key] = Seen()
            self.addresses[key] = set()
        seen.add(obs)
        if server:
            self.addresses[key].add(server)

    def hits(self) -> Iterator[Hit]:
        for (subject, port), seen in self.seen.items():
            addresses = self.addresses.get((subject, port), set())
            names = {subject} if subject not in addresses else set()
            params = {"port": str(port)} if port else {}
            yield Hit(self.rule, subject, params, seen, set(addresses), names, Confidence.MEDIUM)


@dataclass(slots=True)
class Destination:
    """Flows from one client to one destination (a name, or an address with no name) and port."""

    client: str
    name: str
    port: int
    protocol: str
    addresses: set[str] = field(default_factory=set)
    starts: set[float] = field(default_factory=set)
    bytes_out: int = 0
    bytes_in: int = 0
    seen: Seen = field(default_factory=Seen)


class Destinations:
    """network.cleartext-data and network.beaconing: traffic per destination."""

    def __init__(self, caps: Caps) -> None:
        self.table: dict[tuple[str, str, int, str], Destination] = {}
        self.http_endpoints: set[tuple[str, int]] = set()  # (address, port) where an HTTP Host was seen
        self.tls_endpoints: set[tuple[str, int]] = set()  # ... and where a TLS server name was seen
        self._caps = caps

    def endpoint(self, protocol: str, server: str, port: int, ctx: DetectContext) -> None:
        if self._caps.room(len(self.http_endpoints) + len(self.tls_endpoints), MAX_ADDRESSES, ctx):
            (self.http_endpoints if protocol == "http" else self.tls_endpoints).add((server, port))

    def add(self, client: str, name: str, port: int, protocol: str, server: str, bytes_out: int, bytes_in: int,
            starts: tuple[float, ...], obs: Observation, ctx: DetectContext) -> None:
        key = (client, name, port, protocol)
        dest = self.table.get(key)
        if dest is None:
            if not self._caps.room(len(self.table), MAX_ADDRESSES, ctx):
                return
            dest = self.table[key] = Destination(client, name, port, protocol)
        dest.addresses.add(server)
        dest.bytes_out += max(bytes_out, 0)
        dest.bytes_in += max(bytes_in, 0)
        dest.seen.add(obs)
        room = MAX_STARTS - len(dest.starts)
        if room > 0 and starts:  # a sample: the pace of the first starts is the pace
            dest.starts.update(starts[:room])

    def cleartext_hits(self) -> Iterator[Hit]:
        for dest in self.table.values():
            if dest.protocol != "tcp" or dest.bytes_out < CLEARTEXT_MIN_BYTES or dest.bytes_out <= dest.bytes_in:
                continue
            # HTTP only where a request (its Host) was seen on that address and port: other traffic on
            # port 80 can be encrypted (WeChat's mmtls records in wa1kpcap's multi.pcap)
            endpoints = [(a, dest.port) for a in dest.addresses]
            http = any(e in self.http_endpoints for e in endpoints)
            if not http or is_quiet(dest.name) or any(e in self.tls_endpoints for e in endpoints):
                continue
            yield Hit("network.cleartext-data", dest.name, {"bytes": str(dest.bytes_out), "port": str(dest.port)},
                      dest.seen, set(dest.addresses), names_only({dest.name}, dest.addresses), Confidence.LOW)

    def beacon_hits(self) -> Iterator[Hit]:
        for dest in self.table.values():
            if len(dest.starts) < BEACON_MIN_EVENTS or dest.port in PUSH_PORTS or is_quiet(dest.name):
                continue
            beat = beacon_interval(sorted(dest.starts))
            if beat is None:
                continue
            interval, events = beat
            confidence = Confidence.MEDIUM if events >= 2 * BEACON_MIN_EVENTS else Confidence.LOW
            yield Hit("network.beaconing", dest.name,
                      {"interval": seconds(interval), "events": str(events), "port": str(dest.port)},
                      dest.seen, set(dest.addresses), names_only({dest.name}, dest.addresses), confidence)


class TorSigns:
    """network.tor: relay and SOCKS ports, Tor-shaped link certificates and server names."""

    def __init__(self, caps: Caps) -> None:
        self.seen = Seen()
        self.addresses: set[str] = set()
        self.cert = False
        self.shape_on_relay_port = False
        self.candidates: dict[str, list[ServerName]] = {}  # Tor-shaped server names, decided at the end
        self._caps = caps

    def contact(self, server: str, obs: Observation, ctx: DetectContext) -> None:
        self.seen.add(obs)
        if server and self._caps.room(len(self.addresses), MAX_ADDRESSES, ctx):
            self.addresses.add(server)

    def candidate(self, name: str, obs: ServerName, ctx: DetectContext) -> None:
        self._caps.keep(self.candidates, name, obs, MAX_TOR_CANDIDATES, ctx)

    def decide(self, looked_up: set[str], relay_ports: frozenset[int]) -> set[str]:
        """Tor-shaped TLS server names that were never looked up: add them to the Tor note."""
        names = set()
        for name, found in self.candidates.items():
            if name in looked_up:
                continue
            names.add(name)
            for obs in found:
                self.seen.add(obs)
                if obs.server:
                    self.addresses.add(obs.server)
                if obs.port in relay_ports:
                    self.shape_on_relay_port = True
        return names


class EncryptedDns:
    """network.encrypted-dns: resolvers reached over DoH, DoT or DNSCrypt (a blind spot, said as such)."""

    def __init__(self, caps: Caps) -> None:
        self.seen = Seen()
        self.how: dict[str, set[str]] = {}  # resolver -> {"DoH", "DoT"}
        self._caps = caps

    def add(self, resolver: str, how: str, obs: Observation, ctx: DetectContext) -> None:
        self.seen.add(obs)
        if resolver in self.how or self._caps.room(len(self.how), MAX_RESOLVERS, ctx):
            self.how.setdefault(resolver, set()).add(how)
