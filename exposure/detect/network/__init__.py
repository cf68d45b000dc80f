"""Network heuristics: patterns in traffic that are worth a look, not proof.

In the spirit of TinyCheck and SpyGuard (facts only, no code from either): dynamic-DNS
names, rarely legitimate top-level domains, self-signed certificates, TLS on unusual
ports, cleartext HTTP carrying data, addresses contacted without a DNS lookup, Tor,
encrypted DNS (DoT, DoH and DNSCrypt, reported as a blind spot) and regular beaconing to one
destination.

Every heuristic is low severity on its own. When one destination shows two or more of
them, a separate ``network.combined`` finding at medium severity says so. Private,
link-local and multicast addresses (the home network, printers, routers) are never
judged, and names used by operating systems for connectivity, time and certificate
revocation checks are left alone (see ``data/quiet_names.txt``). The certificate issuer is
never a signal on its own: free certificate authorities are most of the web.

The parts: ``lists`` (the data files and name/address checks), ``beacon`` (the pace maths),
``state`` (one state object per rule, and the caps every table shares, which always warn),
``dnscrypt`` (DNSCrypt's certificate lookups and the resolvers they show), ``combined`` (one
finding per destination with several signs, holding only that destination's evidence).
This module routes observations to them and turns their hits into findings in
:meth:`NetworkHeuristics.finish`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from exposure.detect.base import DetectContext
from exposure.detect.network.attempts import SCAN_MIN_PORTS, Attempts, Scan
from exposure.detect.network.beacon import BEACON_MIN_EVENTS, BEACON_REGULAR_SHARE, BEACON_TOLERANCE, beacon_interval
from exposure.detect.network.combined import combined_findings
from exposure.detect.network.dnscrypt import DNSCRYPT, DnsCryptLookups, is_certificate_lookup
from exposure.detect.network.lists import (
    clean_name,
    dynamic_dns_zone,
    encrypted_dns_resolvers,
    is_encrypted_dns_name,
    is_loopback,
    is_public,
    listing,
    parse_address,
    rare_tld,
)
from exposure.detect.network.state import (
    CLEARTEXT_MIN_BYTES,
    MAX_ADDRESSES,
    MAX_NAMES,
    TOR_CERT_NAME,
    TOR_SNI,
    BySubject,
    Caps,
    Destinations,
    EncryptedDns,
    Hit,
    NameMap,
    Seen,
    TorSigns,
)
from exposure.model import Category, CheckNote, Confidence, Finding, Observation, Severity
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

__all__ = ["BEACON_MIN_EVENTS", "BEACON_REGULAR_SHARE", "BEACON_TOLERANCE", "CLEARTEXT_MIN_BYTES", "RULES",
           "NetworkHeuristics", "beacon_interval", "dynamic_dns_zone", "rare_tld"]

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
    "network.port-scan",
)

# Ports where TLS is expected (TinyCheck's SSL-01 list, plus DoT/DoQ 853 which has its
# own note, alternative HTTPS 8443, Apple and Google push 5223/5228, TURN over TLS 5349, SIP
# over TLS 5061), and the ports of protocols that switch to TLS inside their own conversation:
# FTP 21, SMTP 25 and 587, POP3 110, NNTP 119, IMAP 143, LDAP 389, RDP 3389, ManageSieve 4190,
# XMPP 5222 and 5269. A mail app's STARTTLS on 587 is ordinary, not a sign (nDPI's
# smtp-starttls.pcap and imap-starttls.pcap were flagged before).
STARTTLS_PORTS = frozenset({21, 25, 110, 119, 143, 389, 587, 3389, 4190, 5222, 5269})
TLS_PORTS = frozenset({443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 5223, 5228, 5349, 8443}
                      | STARTTLS_PORTS)
# Ports whose traffic has nothing to say about a destination (DNS, DHCP, NTP, NetBIOS,
# SSDP, mDNS, LLMNR) or that have a rule of their own (853: encrypted DNS).
SERVICE_PORTS = frozenset({53, 67, 68, 123, 137, 138, 853, 1900, 5353, 5355})
TOR_RELAY_PORTS = frozenset({9001, 9030})  # default ORPort and DirPort of Tor relays
TOR_LOCAL_PORTS = frozenset({9050, 9051, 9150})  # a Tor client's SOCKS and control ports
DOT_PORT = 853
DNS_PORT = 53


class NetworkHeuristics:
    """All network heuristics in one pass: they share the name-to-address map of the capture."""

    name = "network-heuristics"

    def __init__(self) -> None:
        self.caps = Caps()
        self._names = NameMap(self.caps)
        self._named: set[str] = set()  # addresses with a name from DNS, TLS SNI or HTTP Host
        self._dns_seen = 0
        self._dns_names: set[str] = set()  # names asked in DNS
        self._self_signed = BySubject("network.self-signed-cert", self.caps)
        self._tls_ports = BySubject("network.tls-unusual-port", self.caps)
        self._destinations = Destinations(self.caps)
        self._tor = TorSigns(self.caps)
        self._encrypted = EncryptedDns(self.caps)
        self._no_dns: dict[tuple[str, str], list[Flow]] = {}  # (device, address) -> flows without a name
        self._encrypted_users: set[str] = set()  # devices seen using encrypted DNS: their lookups are hidden
        self._dnscrypt = DnsCryptLookups(self.caps)
        # (client, address) reached over UDP on a port the destinations table leaves out, other than
        # DNS's (a DNSCrypt resolver on 5353 is reached that way): DNSCrypt's lookups are confirmed by it
        self._service_contacts: set[tuple[str, str]] = set()
        self._attempts = Attempts(self.caps)  # flows that never got past their opening
        self._tor_tries: set[str] = set()  # addresses tried on Tor's ports, never answered (not port scans)

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

    def _name(self, name: str, obs: Observation, ctx: DetectContext, address: str = "") -> str:
        name = clean_name(name)
        if name:
            self._names.add(name, obs, ctx)
            if address:
                self._names.link(name, address, ctx)
        return name

    def _mark_named(self, address: str, ctx: DetectContext) -> None:
        if address not in self._named and self.caps.room(len(self._named), MAX_ADDRESSES, ctx):
            self._named.add(address)

    def _dns(self, obs: DnsQuery, ctx: DetectContext) -> None:
        self._dns_seen += 1
        name = self._name(obs.name, obs, ctx)
        if name and name not in self._dns_names and self.caps.room(len(self._dns_names), MAX_NAMES, ctx):
            self._dns_names.add(name)
        for answer in obs.answers:
            address = parse_address(answer)
            if address is None:
                continue
            if name:
                self._names.link(name, address, ctx)
            self._mark_named(address, ctx)
        if is_encrypted_dns_name(name):
            self._encrypted_dns(name, "DoH", obs, ctx)
        if is_certificate_lookup(obs, name):
            self._dnscrypt.lookup(obs, ctx)  # a DNSCrypt client asking its resolver for its certificate

    def _server_name(self, obs: ServerName, ctx: DetectContext) -> None:
        server = parse_address(obs.server) or ""
        name = self._name(obs.name, obs, ctx, server)
        if server:
            self._mark_named(server, ctx)
            self._destinations.endpoint(obs.protocol, server, obs.port, ctx)
        if obs.protocol == "http":
            return
        if is_encrypted_dns_name(name):
            self._encrypted_dns(name, "DoT" if obs.port == DOT_PORT else "DoH", obs, ctx)
            return
        if obs.port == DOT_PORT and (not server or is_public(server)):
            self._encrypted_dns(name or server, "DoT", obs, ctx)
            return
        if obs.protocol == "tls" and TOR_SNI.match(name) and (not server or is_public(server)):
            self._tor.candidate(name, obs, ctx)
        if obs.protocol == "tls" and obs.port and obs.port not in TLS_PORTS and server and is_public(server):
            if obs.port in TOR_RELAY_PORTS:
                return  # reported as Tor
            self._tls_ports.add(name or server, obs.port, server, obs, ctx)

    def _encrypted_dns(self, resolver: str, how: str, obs: DnsQuery | ServerName | Flow, ctx: DetectContext) -> None:
        self._encrypted.add(resolver, how, obs, ctx)
        device = _device(obs)
        if device not in self._encrypted_users and self.caps.room(len(self._encrypted_users), MAX_ADDRESSES, ctx):
            self._encrypted_users.add(device)

    def _certificate(self, obs: TlsCertificate, ctx: DetectContext) -> None:
        server = parse_address(obs.server) or ""
        if obs.server_name:
            self._name(obs.server_name, obs, ctx, server)
        if server and not is_public(server):
            return  # routers, printers, NAS boxes: self-signed by nature
        if TOR_CERT_NAME.match(obs.subject_name.strip().lower()) and TOR_CERT_NAME.match(
                obs.issuer.strip().lower()) and obs.subject_name.lower() != obs.issuer.lower():
            self._tor.cert = True
            self._tor.contact(server, obs, ctx)
            return
        if obs.port and obs.port not in TLS_PORTS and server and obs.port not in TOR_RELAY_PORTS:
            self._tls_ports.add(clean_name(obs.server_name) or server, obs.port, server, obs, ctx)
        if obs.self_signed:
            subject = clean_name(obs.server_name) or server or obs.subject_name or obs.sha256
            self._self_signed.add(subject, 0, server, obs, ctx)

    def _flow(self, obs: Flow, ctx: DetectContext) -> None:
        server = parse_address(obs.server)
        if server is None:
            return
        names = [n for n in (clean_name(n) for n in obs.server_names) if n]
        for name in names:
            self._names.link(name, server, ctx)
        if names:
            self._mark_named(server, ctx)
        if obs.attempt_only() and (is_public(server) or is_loopback(server)) and \
                self._attempts.add(_device(obs), server, obs, ctx):
            return  # judged once the capture has been read: it may be part of a port scan
        self._judge_flow(obs, server, names, ctx)

    def _judge_flow(self, obs: Flow, server: str, names: list[str], ctx: DetectContext, attempt: bool = False) -> None:
        """``attempt``: a flow that never got past its opening and was not part of a port scan."""
        port = obs.server_port
        protocol = obs.protocol.lower()
        tor_port = (port in TOR_LOCAL_PORTS and is_loopback(server)) or (
            port in TOR_LOCAL_PORTS | TOR_RELAY_PORTS and is_public(server))
        if protocol == "tcp" and tor_port:
            if attempt:  # a relay that never answered was not used
                self._tor_tries.add(server)
            else:
                self._tor.contact(server, obs, ctx)
            return
        if not is_public(server):
            return
        if attempt and (port == DOT_PORT or (port == 443 and server in encrypted_dns_resolvers()[1])):
            # never answered (Android's Private DNS probing a network that blocks it): no name was
            # hidden, the device's lookups went by plain DNS, where they are judged as usual
            return
        if port == DOT_PORT:
            self._encrypted_dns(server, "DoT", obs, ctx)
            return
        if port == 443 and server in encrypted_dns_resolvers()[1]:
            self._encrypted_dns(server, "DoH", obs, ctx)
            return
        if port in SERVICE_PORTS:
            if protocol == "udp" and port != DNS_PORT and self.caps.room(len(self._service_contacts),
                                                                           MAX_ADDRESSES, ctx):
                self._service_contacts.add((parse_address(obs.client) or obs.client, server))
            return
        # not a flow whose every connection was under way when the capture began (no TCP SYN, no
        # QUIC long header): its lookup, if it had one, came before the capture too
        if not names and (protocol == "tcp" or (protocol == "udp" and port == 443)) and obs.opened != 0:
            if not self.caps.keep(self._no_dns, (_device(obs), server), obs, MAX_ADDRESSES, ctx):
                return
        self._destinations.add(obs.client, names[0] if names else server, port, protocol, server, obs.bytes_out,
                               obs.bytes_in, obs.starts, obs, ctx)

    # -- conclusions ----------------------------------------------------------------

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        for flow in self._attempts.unscanned():
            server = parse_address(flow.server) or flow.server
            self._judge_flow(flow, server, [n for n in map(clean_name, flow.server_names) if n], ctx, attempt=True)
        self._confirm_dnscrypt(ctx)
        tor_names = self._tor.decide(self._dns_names, TOR_RELAY_PORTS)
        hits = [hit for hit in self._hits() if not (hit.names & tor_names)]
        findings = [_finding(hit) for hit in hits]
        findings.extend(self._combined(hits))
        findings.extend(self._notes())
        findings.extend(_port_scan(scan) for scan in self._attempts.scans())
        if untried := len(self._tor_tries - self._tor.addresses):
            ctx.not_checked(CheckNote.of("pcap.tor-unanswered", "whether Tor was used at addresses tried on Tor's "
                                         "ports: the connections never opened, nothing was exchanged (addresses: "
                                         f"{untried})", count=untried))
        if not self._dns_seen and any(not self._unjudged(a) for _, a in self._no_dns):
            ctx.not_checked(CheckNote.of("pcap.no-dns", "whether addresses were contacted without a name lookup: no "
                                         "DNS lookups were seen (lookups made before the capture started, or through "
                                         "encrypted DNS, are invisible)"))
        elif hidden := self._hidden_lookups():
            ctx.not_checked(CheckNote.of("pcap.dns-hidden", "whether addresses were contacted without a name lookup, "
                                         "by a device that used encrypted DNS, which hides its lookups (addresses not "
                                         f"judged: {hidden})", count=hidden))
        return findings

    def _confirm_dnscrypt(self, ctx: DetectContext) -> None:
        """DNSCrypt certificate lookups whose device also reached that resolver over UDP on another
        port than 53 (the lookup itself, on the resolver's DNSCrypt port, is such traffic): the device
        is an encrypted-DNS user, the resolver's traffic is its encrypted lookups."""
        contacted = ((parse_address(d.client) or d.client, a) for d in self._destinations.table.values()
                     if d.protocol == "udp" for a in d.addresses)
        for resolver, lookups in self._dnscrypt.confirm(chain(contacted, self._service_contacts)):
            for obs in lookups:
                self._encrypted_dns(resolver, DNSCRYPT, obs, ctx)

    def _unjudged(self, address: str) -> bool:
        """Named, or a DNSCrypt resolver (its traffic is the lookups themselves)."""
        return address in self._named or address in self._dnscrypt.resolvers

    def _hidden_lookups(self) -> int:
        """Addresses whose flows without a name all come from devices that used encrypted DNS."""
        judged = {a for (device, a) in self._no_dns if device not in self._encrypted_users}
        return len({a for (_, a) in self._no_dns if not self._unjudged(a) and a not in judged})

    def _hits(self) -> Iterator[Hit]:
        yield from self._names.hits()
        yield from self._self_signed.hits()
        yield from self._tls_ports.hits()
        yield from self._destinations.cleartext_hits()
        resolvers = self._dnscrypt.resolvers
        # a DNSCrypt client asks its resolver at its own pace: that is its lookups, not a beacon
        yield from (hit for hit in self._destinations.beacon_hits()
                    if not (hit.addresses and hit.addresses <= resolvers))
        no_dns = self._no_dns_hit()
        if no_dns is not None:
            yield no_dns

    def _no_dns_hit(self) -> Hit | None:
        if not self._dns_seen:
            return None  # no DNS at all in the capture: nothing to compare with (see docs)
        # A device that used encrypted DNS looked its names up where the capture cannot see: that
        # it reached addresses without a visible lookup says nothing (wa1kpcap's multi.pcap, a
        # phone with DoT to AliDNS and DNSPod, reaching 7 addresses on port 80 that way).
        addresses: dict[str, list[Flow]] = {}
        for (device, address), flows in self._no_dns.items():
            if not self._unjudged(address) and device not in self._encrypted_users:
                addresses.setdefault(address, []).extend(flows)
        if not addresses:
            return None
        ranked = sorted(addresses, key=lambda a: -sum(f.bytes_out + f.bytes_in for f in addresses[a]))
        seen = Seen()
        for address in ranked:
            for flow in addresses[address]:
                seen.add(flow)
        ports = {a: sorted({f.server_port for f in addresses[a]}) for a in ranked}
        shown = [f"{a} (port {', '.join(map(str, ports[a][:3]))})" for a in ranked]
        return Hit("network.no-dns-lookup", f"{len(ranked)} address" + ("es" if len(ranked) > 1 else ""),
                   {"count": str(len(ranked)), "addresses": listing(shown)}, seen, set(ranked), set())

    def _combined(self, hits: list[Hit]) -> Iterator[Finding]:
        """One medium finding per destination address that shows two or more different signs."""
        return combined_findings(hits, TITLES["network.combined"])

    def _notes(self) -> Iterator[Finding]:
        """Tor and encrypted DNS: one finding each, never combined with the others."""
        tor = self._tor
        if tor.seen.times:
            addresses = sorted(tor.addresses)
            params = {"subject": "Tor", "addresses": listing(addresses), "count": str(len(addresses)),
                      "times": str(tor.seen.times)}
            yield Finding(rule="network.tor", severity=Severity.LOW, category=Category.HEURISTIC,
                          title=TITLES["network.tor"].format(**params),
                          confidence=Confidence.MEDIUM if tor.cert or tor.shape_on_relay_port else Confidence.LOW,
                          evidence=tuple(tor.seen.evidence), params=tuple(params.items()), subject="Tor")
        encrypted = self._encrypted
        if encrypted.seen.times:
            resolvers = sorted(encrypted.how)
            hows = sorted({h for r in resolvers for h in encrypted.how[r]})
            params = {"subject": listing(resolvers, 3), "resolvers": listing(resolvers), "how": ", ".join(hows),
                      "times": str(encrypted.seen.times)}
            yield Finding(rule="network.encrypted-dns", severity=Severity.INFO, category=Category.HEURISTIC,
                          title=TITLES["network.encrypted-dns"].format(**params), confidence=Confidence.HIGH,
                          evidence=tuple(encrypted.seen.evidence), params=tuple(params.items()),
                          subject="encrypted DNS")


def _device(obs: DnsQuery | ServerName | Flow) -> str:
    """The device behind an observation: its hardware address where the capture shows it, else its address."""
    return obs.client_mac or obs.client


def _port_scan(scan: Scan) -> Finding:
    """Said plainly, at info: a scan's attempts are not contacts and were not judged."""
    params = {"subject": listing(scan.clients, 3), "addresses": listing(scan.addresses),
              "count": str(len(scan.addresses)), "ports": str(scan.ports), "times": str(scan.seen.times),
              "min_ports": str(SCAN_MIN_PORTS)}
    return Finding(rule="network.port-scan", severity=Severity.INFO, category=Category.HEURISTIC,
                   title=TITLES["network.port-scan"].format(**params), confidence=Confidence.HIGH,
                   evidence=tuple(scan.seen.evidence), params=tuple(params.items()), subject=params["subject"])


def _finding(hit: Hit) -> Finding:
    params = {"subject": hit.subject, "times": str(hit.seen.times), **hit.params}
    return Finding(rule=hit.rule, severity=Severity.LOW, category=Category.HEURISTIC,
                   title=TITLES[hit.rule].format(**params), confidence=hit.confidence,
                   evidence=tuple(hit.seen.evidence), params=tuple(params.items()), subject=hit.subject)


# Short English titles (the explain layer uses network.yaml; these are the fallback).
TITLES = {
    "network.dynamic-dns": "A dynamic-DNS name was looked up or contacted: {subject}",
    "network.rare-tld": "A name under a rarely legitimate domain ending ({tld}): {subject}",
    "network.self-signed-cert": "A server used a self-signed certificate: {subject}",
    "network.tls-unusual-port": "Encrypted (TLS) connection on an unusual port {port}: {subject}",
    "network.cleartext-data": "Data sent without encryption (HTTP, {bytes} bytes): {subject}",
    "network.no-dns-lookup": "Addresses contacted without a name lookup: {count}",
    "network.tor": "Addresses with Tor-like connections: {count}",
    "network.encrypted-dns": "Encrypted DNS was used ({how}): names were hidden from this check",
    "network.beaconing": "Regular contact every {interval} s ({events} times): {subject}",
    "network.combined": "{count} different signs point to one destination: {subject}",
    "network.port-scan": "A port scan: {subject} tried {ports} ports without opening a connection (addresses: {count})",
}
