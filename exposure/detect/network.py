"""Network heuristics: patterns in traffic that are worth a look, not proof.

In the spirit of TinyCheck and SpyGuard (facts only, no code from either): dynamic-DNS
names, rarely legitimate top-level domains, self-signed certificates, TLS on unusual
ports, cleartext HTTP carrying data, addresses contacted without a DNS lookup, Tor,
encrypted DNS (reported as a blind spot) and regular beaconing to one destination.

Every heuristic is low severity on its own. When one destination shows two or more of
them, a separate ``network.combined`` finding at medium severity says so. Private,
link-local and multicast addresses (the home network, printers, routers) are never
judged, and names used by operating systems for connectivity, time and certificate
revocation checks are left alone (see ``data/quiet_names.txt``). The certificate issuer is
never a signal on its own: free certificate authorities are most of the web.

State is kept per name, per address and per destination, each capped, so memory stays
bounded on any capture. Everything is decided in :meth:`NetworkHeuristics.finish`.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from exposure.detect.base import DetectContext
from exposure.model import Category, CheckNote, Confidence, Finding, Observation, Severity
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

RULES: tuple[str, ...] = (
    "network.dynamic-dns",
    "network.rare-tld",
    "network.self-signed-cert",
    "network.tls-unusual-port",
    "network.cleartext-data",
    "network.no-dns-lookup",
    "network.tor",
    "network.encrypted-dns",
    "network.beaconing",
    "network.combined",
)

# Ports where TLS is expected (TinyCheck's SSL-01 list, plus DoT/DoQ 853 which has its
# own note, alternative HTTPS 8443, Apple and Google push 5223/5228, TURN over TLS 5349).
TLS_PORTS = frozenset({443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5223, 5228, 5349, 8443})
# Ports whose traffic has nothing to say about a destination (DNS, DHCP, NTP, NetBIOS,
# SSDP, mDNS, LLMNR) or that have a rule of their own (853: encrypted DNS).
_SERVICE_PORTS = frozenset({53, 67, 68, 123, 137, 138, 853, 1900, 5353, 5355})
# Push notification services keep connections open and reconnect on timers.
_PUSH_PORTS = frozenset({5223, 5228, 5229, 5230})
TOR_RELAY_PORTS = frozenset({9001, 9030})  # default ORPort and DirPort of Tor relays
TOR_LOCAL_PORTS = frozenset({9050, 9051, 9150})  # a Tor client's SOCKS and control ports
HTTP_PORTS = frozenset({80, 8080})
DOT_PORT = 853

CLEARTEXT_MIN_BYTES = 4096  # client-to-server bytes over cleartext HTTP to one destination
BEACON_MIN_EVENTS = 6  # connection starts, i.e. 5 intervals
BEACON_MIN_INTERVAL = 10.0  # seconds; faster repeats are ordinary chatter
BEACON_REGULAR_SHARE = 0.8  # share of intervals within tolerance of the median
BEACON_TOLERANCE = 0.1  # +-10% of the median interval (at least 1 s)

_MAX_NAMES = 50_000
_MAX_ADDRESSES = 100_000
_MAX_STARTS = 2_000
_MAX_EVIDENCE = 20
_LIST_IN_TEXT = 10  # how many addresses or names a text lists before "and N more"

# The random host names Tor uses: a client's TLS server name www.<random>.com, and link
# certificates with subject www.<random>.net and issuer www.<random>.com (Tor's tortls.c).
# Certificates are seen only in clear (TLS 1.2). The random part is base32, so an ordinary
# word matches the pattern too: a server name counts only when it has a digit in it and
# was never looked up in DNS (Tor clients never look these names up).
_TOR_CERT_NAME = re.compile(r"^(?:cn=)?www\.[a-z2-7]{8,20}\.(?:net|com)$")
_TOR_SNI = re.compile(r"^www\.(?=[a-z2-7]*[2-7])[a-z2-7]{8,20}\.(?:net|com)$")
_MAX_TOR_CANDIDATES = 1000


# -- lists ---------------------------------------------------------------------


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
        address = _parse_address(entry)
        if address is None:
            names.add(entry)
        else:
            addresses.add(address)
    return frozenset(names), frozenset(addresses)


@lru_cache(maxsize=1 << 16)
def _parse_address(text: str) -> str | None:
    """The canonical form of an IP address, or None (cached: captures repeat addresses a lot)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


# -- names and addresses ---------------------------------------------------------


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


def _listing(values: Iterable[str], limit: int = _LIST_IN_TEXT) -> str:
    items = list(values)
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" (+{len(items) - limit})"
    return shown


# -- state -------------------------------------------------------------------------


@dataclass(slots=True)
class _Seen:
    """Observations behind one finding, capped."""

    evidence: list[Observation] = field(default_factory=list)
    times: int = 0

    def add(self, obs: Observation) -> None:
        self.times += obs.count
        if len(self.evidence) < _MAX_EVIDENCE and (not self.evidence or self.evidence[-1] is not obs):
            self.evidence.append(obs)


@dataclass(slots=True)
class _Destination:
    """Flows from one client to one destination (a name, or an address with no name) and port."""

    client: str
    name: str
    port: int
    protocol: str
    addresses: set[str] = field(default_factory=set)
    starts: set[float] = field(default_factory=set)
    bytes_out: int = 0
    bytes_in: int = 0
    seen: _Seen = field(default_factory=_Seen)


@dataclass(slots=True)
class _Hit:
    rule: str
    subject: str
    params: dict[str, str]
    seen: _Seen
    addresses: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    confidence: Confidence = Confidence.LOW


class NetworkHeuristics:
    """All network heuristics in one pass: they share the name-to-address map of the capture."""

    name = "network-heuristics"

    def __init__(self) -> None:
        self._names: dict[str, _Seen] = {}  # every name seen (DNS, SNI, Host, cert SNI)
        self._name_addresses: dict[str, set[str]] = {}  # name -> addresses it resolved/connected to
        self._answered: set[str] = set()  # addresses that appeared in a DNS answer
        self._named: set[str] = set()  # addresses with a name from DNS, TLS SNI or HTTP Host
        self._dns_seen = 0
        self._http_endpoints: set[tuple[str, int]] = set()  # (address, port) where an HTTP Host was seen
        self._tls_endpoints: set[tuple[str, int]] = set()  # ... and where a TLS server name was seen
        self._self_signed: dict[str, _Seen] = {}
        self._self_signed_addresses: dict[str, set[str]] = {}
        self._tls_ports: dict[tuple[str, int], _Seen] = {}  # (name or address, port)
        self._tls_port_addresses: dict[tuple[str, int], set[str]] = {}
        self._tor: _Seen = _Seen()
        self._tor_addresses: set[str] = set()
        self._tor_cert = False
        self._tor_shape_on_relay_port = False
        self._tor_sni: dict[str, list[ServerName]] = {}  # Tor-shaped server names, decided at the end
        self._dns_names: set[str] = set()  # names asked in DNS
        self._encrypted_dns: _Seen = _Seen()
        self._encrypted_dns_what: dict[str, set[str]] = {}  # resolver -> {"DoH", "DoT"}
        self._no_dns: dict[str, list[Flow]] = {}  # address -> flows without a name
        self._destinations: dict[tuple[str, str, int, str], _Destination] = {}
        self._full = False

    # -- streaming -------------------------------------------------------------

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        if isinstance(obs, Flow):
            self._flow(obs, ctx)
        elif isinstance(obs, DnsQuery):
            self._dns(obs, ctx)
        elif isinstance(obs, ServerName):
            self._server_name(obs, ctx)
        elif isinstance(obs, TlsCertificate):
            self._certificate(obs, ctx)
        return ()

    def _room(self, table: Sized, ctx: DetectContext, limit: int | None = None) -> bool:
        if len(table) < (_MAX_NAMES if limit is None else limit):
            return True
        if not self._full:
            self._full = True
            ctx.warn(CheckNote.of("warn.network.too-many", "network heuristics: too many distinct names or addresses; "
                                  "later ones were not judged"))
        return False

    def _name(self, name: str, obs: Observation, ctx: DetectContext, address: str = "") -> str:
        name = clean_name(name)
        if not name:
            return ""
        seen = self._names.get(name)
        if seen is None:
            if not self._room(self._names, ctx):
                return name
            seen = self._names[name] = _Seen()
        seen.add(obs)
        if address:
            self._link(name, address, ctx)
        return name

    def _link(self, name: str, address: str, ctx: DetectContext) -> None:
        addresses = self._name_addresses.get(name)
        if addresses is None:
            if not self._room(self._name_addresses, ctx):
                return
            addresses = self._name_addresses[name] = set()
        if len(addresses) < 64:
            addresses.add(address)

    def _dns(self, obs: DnsQuery, ctx: DetectContext) -> None:
        self._dns_seen += 1
        name = self._name(obs.name, obs, ctx)
        if name and len(self._dns_names) < _MAX_NAMES:
            self._dns_names.add(name)
        for answer in obs.answers:
            address = _parse_address(answer)
            if address is None:
                continue
            if name:
                self._link(name, address, ctx)
            if len(self._answered) < _MAX_ADDRESSES:
                self._answered.add(address)
                self._named.add(address)
        resolver_names, _ = encrypted_dns_resolvers()
        if name and suffix_in(name, resolver_names):
            self._encrypted(name, "DoH", obs)

    def _server_name(self, obs: ServerName, ctx: DetectContext) -> None:
        server = _parse_address(obs.server) or ""
        name = self._name(obs.name, obs, ctx, server)
        if server and len(self._named) < _MAX_ADDRESSES:
            self._named.add(server)
        if server and len(self._http_endpoints) + len(self._tls_endpoints) < _MAX_ADDRESSES:
            (self._http_endpoints if obs.protocol == "http" else self._tls_endpoints).add((server, obs.port))
        if obs.protocol == "http":
            return
        resolver_names, _ = encrypted_dns_resolvers()
        if name and suffix_in(name, resolver_names):
            self._encrypted(name, "DoT" if obs.port == DOT_PORT else "DoH", obs)
            return
        if obs.port == DOT_PORT and (not server or is_public(server)):
            self._encrypted(name or server, "DoT", obs)
            return
        if obs.protocol == "tls" and _TOR_SNI.match(name) and (not server or is_public(server)):
            found = self._tor_sni.get(name)
            if found is None and len(self._tor_sni) < _MAX_TOR_CANDIDATES:
                found = self._tor_sni[name] = []
            if found is not None and len(found) < _MAX_EVIDENCE:
                found.append(obs)
        if obs.protocol == "tls" and obs.port and obs.port not in TLS_PORTS and server and is_public(server):
            if obs.port in TOR_RELAY_PORTS:
                return  # reported as Tor
            self._tls_port(name or server, obs.port, server, obs)

    def _tls_port(self, subject: str, port: int, server: str, obs: Observation) -> None:
        key = (subject, port)
        seen = self._tls_ports.get(key)
        if seen is None:
            if len(self._tls_ports) >= _MAX_NAMES:
                return
            seen = self._tls_ports[key] = _Seen()
            self._tls_port_addresses[key] = set()
        seen.add(obs)
        if server:
            self._tls_port_addresses[key].add(server)

    def _certificate(self, obs: TlsCertificate, ctx: DetectContext) -> None:
        server = _parse_address(obs.server) or ""
        if obs.server_name:
            self._name(obs.server_name, obs, ctx, server)
        if server and not is_public(server):
            return  # routers, printers, NAS boxes: self-signed by nature
        if _TOR_CERT_NAME.match(obs.subject_name.strip().lower()) and _TOR_CERT_NAME.match(
                obs.issuer.strip().lower()) and obs.subject_name.lower() != obs.issuer.lower():
            self._tor.add(obs)
            self._tor_cert = True
            if server:
                self._tor_addresses.add(server)
            return
        if obs.port and obs.port not in TLS_PORTS and server and obs.port not in TOR_RELAY_PORTS:
            self._tls_port(clean_name(obs.server_name) or server, obs.port, server, obs)
        if obs.self_signed:
            subject = clean_name(obs.server_name) or server or obs.subject_name or obs.sha256
            seen = self._self_signed.get(subject)
            if seen is None:
                if len(self._self_signed) >= _MAX_NAMES:
                    return
                seen = self._self_signed[subject] = _Seen()
                self._self_signed_addresses[subject] = set()
            seen.add(obs)
            if server:
                self._self_signed_addresses[subject].add(server)

    def _tor_contact(self, server: str, obs: Observation) -> None:
        self._tor.add(obs)
        if len(self._tor_addresses) < _MAX_ADDRESSES:
            self._tor_addresses.add(server)

    def _encrypted(self, resolver: str, how: str, obs: Observation) -> None:
        self._encrypted_dns.add(obs)
        if len(self._encrypted_dns_what) < 1000 or resolver in self._encrypted_dns_what:
            self._encrypted_dns_what.setdefault(resolver, set()).add(how)

    def _flow(self, obs: Flow, ctx: DetectContext) -> None:
        server = _parse_address(obs.server)
        if server is None:
            return
        names = [n for n in (clean_name(n) for n in obs.server_names) if n]
        for name in names:
            self._link(name, server, ctx)
        if names and len(self._named) < _MAX_ADDRESSES:
            self._named.add(server)
        port = obs.server_port
        protocol = obs.protocol.lower()
        if port in TOR_LOCAL_PORTS and protocol == "tcp" and (is_loopback(server) or is_public(server)):
            self._tor_contact(server, obs)
            return
        if not is_public(server):
            return
        if protocol == "tcp" and port in TOR_RELAY_PORTS:
            self._tor_contact(server, obs)
            return
        _, resolver_addresses = encrypted_dns_resolvers()
        if port == DOT_PORT:
            self._encrypted(server, "DoT", obs)
            return
        if port == 443 and server in resolver_addresses:
            self._encrypted(server, "DoH", obs)
            return
        if port in _SERVICE_PORTS:
            return
        if not names and (protocol == "tcp" or (protocol == "udp" and port == 443)):
            flows = self._no_dns.get(server)
            if flows is None:
                if not self._room(self._no_dns, ctx, _MAX_ADDRESSES):
                    return
                flows = self._no_dns[server] = []
            if len(flows) < _MAX_EVIDENCE:
                flows.append(obs)
        key = (obs.client, names[0] if names else server, port, protocol)
        dest = self._destinations.get(key)
        if dest is None:
            if len(self._destinations) >= _MAX_ADDRESSES:
                return
            dest = self._destinations[key] = _Destination(obs.client, key[1], port, protocol)
        dest.addresses.add(server)
        dest.bytes_out += max(obs.bytes_out, 0)
        dest.bytes_in += max(obs.bytes_in, 0)
        dest.seen.add(obs)
        room = _MAX_STARTS - len(dest.starts)
        if room > 0 and obs.starts:
            dest.starts.update(obs.starts[:room])

    # -- conclusions ----------------------------------------------------------------

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        tor_names = self._decide_tor_names()
        hits = [hit for hit in self._hits() if not (hit.names & tor_names)]
        findings = [self._finding(hit) for hit in hits]
        findings.extend(self._combined(hits))
        findings.extend(self._notes())
        if not self._dns_seen and any(a not in self._named for a in self._no_dns):
            ctx.warn(CheckNote.of("warn.network.no-dns", "no DNS lookups were seen in this capture, so addresses "
                                  "contacted without a lookup could not be told apart (lookups made before the "
                                  "capture started, or through encrypted DNS, are invisible)"))
        return findings

    def _decide_tor_names(self) -> set[str]:
        """Tor-shaped TLS server names that were never looked up: add them to the Tor note."""
        names = set()
        for name, found in self._tor_sni.items():
            if name in self._dns_names:
                continue
            names.add(name)
            for obs in found:
                self._tor.add(obs)
                if obs.server:
                    self._tor_addresses.add(obs.server)
                if obs.port in TOR_RELAY_PORTS:
                    self._tor_shape_on_relay_port = True
        return names

    def _hits(self) -> Iterator[_Hit]:
        yield from self._name_hits()
        yield from self._certificate_hits()
        yield from self._cleartext_hits()
        yield from self._beacon_hits()
        no_dns = self._no_dns_hit()
        if no_dns is not None:
            yield no_dns

    def _addresses_of(self, name: str) -> set[str]:
        return set(self._name_addresses.get(name, ()))

    def _name_hits(self) -> Iterator[_Hit]:
        for name, seen in self._names.items():
            zone = dynamic_dns_zone(name)
            if zone:
                yield _Hit("network.dynamic-dns", name, {"zone": zone}, seen, self._addresses_of(name), {name})
            tld = rare_tld(name)
            if tld:
                yield _Hit("network.rare-tld", name, {"tld": "." + tld}, seen, self._addresses_of(name), {name})

    def _certificate_hits(self) -> Iterator[_Hit]:
        for subject, seen in self._self_signed.items():
            addresses = self._self_signed_addresses.get(subject, set())
            names = {subject} if subject not in addresses else set()
            yield _Hit("network.self-signed-cert", subject, {}, seen, set(addresses), names, Confidence.MEDIUM)
        for (subject, port), seen in self._tls_ports.items():
            addresses = self._tls_port_addresses.get((subject, port), set())
            names = {subject} if subject not in addresses else set()
            yield _Hit("network.tls-unusual-port", subject, {"port": str(port)}, seen, set(addresses), names,
                       Confidence.MEDIUM)

    def _cleartext_hits(self) -> Iterator[_Hit]:
        for dest in self._destinations.values():
            if dest.protocol != "tcp" or dest.bytes_out < CLEARTEXT_MIN_BYTES or dest.bytes_out <= dest.bytes_in:
                continue
            endpoints = [(a, dest.port) for a in dest.addresses]
            http = dest.port in HTTP_PORTS or any(e in self._http_endpoints for e in endpoints)
            if not http or is_quiet(dest.name) or any(e in self._tls_endpoints for e in endpoints):
                continue
            yield _Hit("network.cleartext-data", dest.name,
                       {"bytes": str(dest.bytes_out), "port": str(dest.port)}, dest.seen,
                       set(dest.addresses), _names_only({dest.name}, dest.addresses), Confidence.LOW)

    def _beacon_hits(self) -> Iterator[_Hit]:
        for dest in self._destinations.values():
            if len(dest.starts) < BEACON_MIN_EVENTS or dest.port in _PUSH_PORTS or is_quiet(dest.name):
                continue
            beat = beacon_interval(sorted(dest.starts))
            if beat is None:
                continue
            interval, events = beat
            confidence = Confidence.MEDIUM if events >= 2 * BEACON_MIN_EVENTS else Confidence.LOW
            yield _Hit("network.beaconing", dest.name,
                       {"interval": _seconds(interval), "events": str(events), "port": str(dest.port)},
                       dest.seen, set(dest.addresses), _names_only({dest.name}, dest.addresses), confidence)

    def _no_dns_hit(self) -> _Hit | None:
        if not self._dns_seen:
            return None  # no DNS at all in the capture: nothing to compare with (see docs)
        addresses = {a: flows for a, flows in self._no_dns.items() if a not in self._named}
        if not addresses:
            return None
        ranked = sorted(addresses, key=lambda a: -sum(f.bytes_out + f.bytes_in for f in addresses[a]))
        seen = _Seen()
        for address in ranked:
            for flow in addresses[address]:
                seen.add(flow)
        ports = {a: sorted({f.server_port for f in addresses[a]}) for a in ranked}
        shown = [f"{a} (port {', '.join(map(str, ports[a][:3]))})" for a in ranked]
        return _Hit("network.no-dns-lookup", f"{len(ranked)} address" + ("es" if len(ranked) > 1 else ""),
                    {"count": str(len(ranked)), "addresses": _listing(shown)}, seen, set(ranked), set())

    def _finding(self, hit: _Hit) -> Finding:
        params = {"subject": hit.subject, "times": str(hit.seen.times), **hit.params}
        return Finding(
            rule=hit.rule,
            severity=Severity.LOW,
            category=Category.HEURISTIC,
            title=_TITLES[hit.rule].format(**params),
            confidence=hit.confidence,
            evidence=tuple(hit.seen.evidence),
            params=tuple(params.items()),
            subject=hit.subject,
        )

    def _combined(self, hits: list[_Hit]) -> Iterator[Finding]:
        """One medium finding per destination address that shows two or more different signs."""
        by_address: dict[str, dict[str, _Hit]] = {}
        for hit in hits:
            for address in hit.addresses:
                if is_public(address):
                    by_address.setdefault(address, {}).setdefault(hit.rule, hit)
        done: set[frozenset[str]] = set()
        for address, rules in sorted(by_address.items()):
            if len(rules) < 2:
                continue
            names = sorted({n for hit in rules.values() for n in hit.names})
            subject = names[0] if names else address
            identity = frozenset({subject, *rules})
            if identity in done:
                continue  # the same name on several addresses with the same signs: say it once
            done.add(identity)
            signs = sorted(rules)
            seen = _Seen()
            for rule in signs:
                for obs in rules[rule].seen.evidence[:5]:
                    seen.add(obs)
            params = {
                "subject": subject,
                "address": address,
                "signs": ", ".join(s.removeprefix("network.") for s in signs),
                "count": str(len(signs)),
            }
            yield Finding(
                rule="network.combined",
                severity=Severity.MEDIUM,
                category=Category.HEURISTIC,
                title=_TITLES["network.combined"].format(**params),
                confidence=Confidence.MEDIUM,
                evidence=tuple(seen.evidence),
                params=tuple(params.items()),
                subject=subject,
            )

    def _notes(self) -> Iterator[Finding]:
        """Tor and encrypted DNS: one finding each, never combined with the others."""
        if self._tor.times:
            addresses = sorted(self._tor_addresses)
            params = {"subject": "Tor", "addresses": _listing(addresses), "count": str(len(addresses)),
                      "times": str(self._tor.times)}
            yield Finding(
                rule="network.tor", severity=Severity.LOW, category=Category.HEURISTIC,
                title=_TITLES["network.tor"].format(**params),
                confidence=Confidence.MEDIUM if self._tor_cert or self._tor_shape_on_relay_port else Confidence.LOW,
                evidence=tuple(self._tor.evidence), params=tuple(params.items()), subject="Tor",
            )
        if self._encrypted_dns.times:
            resolvers = sorted(self._encrypted_dns_what)
            hows = sorted({h for r in resolvers for h in self._encrypted_dns_what[r]})
            params = {"subject": _listing(resolvers, 3), "resolvers": _listing(resolvers),
                      "how": ", ".join(hows), "times": str(self._encrypted_dns.times)}
            yield Finding(
                rule="network.encrypted-dns", severity=Severity.INFO, category=Category.HEURISTIC,
                title=_TITLES["network.encrypted-dns"].format(**params),
                confidence=Confidence.HIGH,
                evidence=tuple(self._encrypted_dns.evidence), params=tuple(params.items()),
                subject="encrypted DNS",
            )


def _names_only(names: set[str], addresses: set[str]) -> set[str]:
    return {n for n in names if n not in addresses}


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def beacon_interval(starts: list[float]) -> tuple[float, int] | None:
    """(median interval, number of events) when ``starts`` (sorted) repeat at a steady pace.

    Steady means: at least BEACON_MIN_EVENTS starts, a median interval of at least
    BEACON_MIN_INTERVAL seconds, and BEACON_REGULAR_SHARE of the intervals within
    BEACON_TOLERANCE of the median (at least one second either way). Starts less than a
    second apart count as one event (a burst of parallel connections).
    """
    events: list[float] = []
    for start in starts:
        if not events or start - events[-1] >= 1.0:
            events.append(start)
    if len(events) < BEACON_MIN_EVENTS:
        return None
    gaps = [b - a for a, b in itertools.pairwise(events)]
    median = _median(gaps)
    if median < BEACON_MIN_INTERVAL:
        return None
    tolerance = max(1.0, BEACON_TOLERANCE * median)
    steady = sum(1 for gap in gaps if abs(gap - median) <= tolerance)
    if steady < BEACON_MIN_EVENTS - 1 or steady < BEACON_REGULAR_SHARE * len(gaps):
        return None
    return median, len(events)


# Short English titles (the explain layer uses network.yaml; these are the fallback).
_TITLES = {
    "network.dynamic-dns": "A dynamic-DNS name was looked up or contacted: {subject}",
    "network.rare-tld": "A name under a rarely legitimate domain ending ({tld}): {subject}",
    "network.self-signed-cert": "A server used a self-signed certificate: {subject}",
    "network.tls-unusual-port": "Encrypted (TLS) connection on an unusual port {port}: {subject}",
    "network.cleartext-data": "Data sent without encryption (HTTP, {bytes} bytes): {subject}",
    "network.no-dns-lookup": "Addresses contacted without a name lookup: {count}",
    "network.tor": "Tor-like connections: {count} address(es)",
    "network.encrypted-dns": "Encrypted DNS was used ({how}): names were hidden from this check",
    "network.beaconing": "Regular contact every {interval} s ({events} times): {subject}",
    "network.combined": "{count} different signs point to one destination: {subject}",
}
