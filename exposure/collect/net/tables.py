"""What the packet loop keeps about names: capped tables, and counts of what the caps dropped.

:class:`NameTables` receives every DNS message, server name (TLS, QUIC, HTTP) and server
certificate the parsers find, and keeps

- ``names``: the distinct names per kind (what ``exposure names`` prints);
- ``dns_obs``, ``server_obs``, ``cert_obs``: aggregates per (name, client, server, ...),
  from which the collector makes observations (only when observations are wanted);
- ``address_names``: the names each address was given in DNS answers.

Every table is capped (count and, for names, length and total size), so a hostile capture
cannot grow memory without bound; what a cap drops is counted in ``overflow`` by reason,
and the collector turns each reason into a warning. A full table of observations bounds
memory, not what is compared with the lists: past ``MAX_NAME_OBS`` each new name (each new
certificate) is still kept, once, without its devices (its client, resolver and server are
``COMPACT``), up to ``MAX_COMPACT`` more; only past that is anything left out, counted as
``NAMES_NOT_COMPARED``, which makes the capture "partly checked" (``collect/traffic_notes``).
Otherwise 50,000 decoy lookups would hide a later contact with a stalkerware server.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from exposure.collect.net import dns as dnsmod
from exposure.collect.net.results import CertSeen, DnsSeen, NameSets, Seen
from exposure.collect.net.tls import CertificateInfo
from exposure.collect.net.wire_text import wire_length

MAX_NAME_OBS = 50_000
# Names (certificates) kept without their devices once a table of observations is full: as many
# as ``exposure names`` lists (MAX_NAMES), ~300 bytes each; with at most COMPACT_ANSWERS answers.
MAX_COMPACT = 200_000
COMPACT_ANSWERS = 8
COMPACT = ""  # the client, resolver or server of an observation kept without its devices
NAMES_NOT_COMPARED = "names not compared with the lists (too many different ones)"
MAX_ANSWERS = 64  # addresses kept per DNS name (and client, resolver): the first ones seen
MAX_ADDRESS_NAMES = 50_000
MAX_ADDRESS_NAMES_EACH = 8  # names kept per answered address: the first ones seen
MAX_NAMES = 200_000  # per kind; a capture with more distinct names is likely DNS tunnelling
# A host name has at most 253 characters (RFC 1035: 255 bytes on the wire). DNS names are
# capped on the wire by the DNS parser; server names (TLS, QUIC, HTTP Host) here.
MAX_NAME_LENGTH = 253
# Total characters kept per kind of name: 200,000 real names average ~25 characters, so this
# is never reached by real traffic, only by a capture built to exhaust memory.
MAX_NAME_CHARS = 16_000_000
DNS_CACHE_ENTRIES = 4096
DNS_CACHE_MESSAGE = 512  # only messages up to this size are cached: the cache stays under ~2 MB
ADDRESS_TEXTS = 65_536

TOO_LONG = "server names longer than 253 characters (not kept)"
TOO_LONG_DNS = "DNS names longer than 255 bytes (not kept)"

_NTOP = socket.inet_ntop
_AF4 = socket.AF_INET
_AF6 = socket.AF_INET6


def address_text(raw: bytes) -> str:
    return _NTOP(_AF4 if len(raw) == 4 else _AF6, raw)


class NameTables:
    """The capped tables of names and aggregates; ``bad`` and ``over`` count problems."""

    def __init__(self, observations: bool, bad: Callable[[str], None], over: Callable[[str], None],
                 drop: Callable[[str], None] | None = None) -> None:
        self.want_obs = observations
        self.names = NameSets()
        self.dns_obs: dict[tuple[str, str, str, str], DnsSeen] = {}
        self.server_obs: dict[tuple[str, str, str, str, int], Seen] = {}
        self.cert_obs: dict[tuple[str, str, int], CertSeen] = {}
        self.address_names: dict[str, list[str]] = {}
        self._bad = bad
        self._over = over
        self._drop = drop or over
        self._chars: dict[str, int] = {}
        self._dns_cache: dict[bytes, dnsmod.DnsMessage | None] = {}
        self._question_cache: dict[bytes, tuple[list[str], bool] | None] = {}
        self._plans: dict[tuple[bytes, bytes, bytes, str, str], list[DnsSeen]] = {}
        self._addr_text: dict[bytes, str] = {}
        self._compact = 0  # observations kept without their devices (MAX_COMPACT)

    def drop(self, reason: str) -> None:
        """Something longer than real traffic can be was read only in part (counted as dropped)."""
        self._drop(reason)

    def text(self, raw: bytes) -> str:
        text = self._addr_text.get(raw)
        if text is None:
            if len(self._addr_text) >= ADDRESS_TEXTS:
                self._addr_text.clear()
            text = self._addr_text[raw] = address_text(raw)
        return text

    def _keep(self, kind: str, target: set[str], low: str, what: str) -> bool:
        """Add ``low`` to ``target`` within the caps; False if it was dropped."""
        if low in target:
            return True
        chars = self._chars.get(kind, 0) + len(low)
        if len(target) >= MAX_NAMES:
            self._over(f"{what} (too many distinct names)")
            return False
        if chars > MAX_NAME_CHARS:
            self._drop(f"{what} beyond {MAX_NAME_CHARS // 1_000_000} million characters")
            return False
        self._chars[kind] = chars
        target.add(low)
        return True

    # -- DNS ---------------------------------------------------------------------------

    def dns(self, payload: bytes, src: bytes, dst: bytes, ts: float, transport: str, kind: str = "dns") -> None:
        """One DNS-shaped message (DNS, LLMNR: ``kind``); without observations only its questions."""
        if not self.want_obs:
            self._dns_names(payload, kind)
            return
        # traffic repeats the same lookups: a message that differs only by its ID parses the same,
        # and between the same two hosts it only counts again what it counted the first time
        cache_key = payload[2:]
        plan_key = (cache_key, src, dst, transport, kind)
        plan = self._plans.get(plan_key)
        if plan is not None:
            for agg in plan:
                agg.count += 1
                agg.last = ts
            return
        msg = self._dns_cache.get(cache_key)
        if msg is None:
            msg = dnsmod.parse_message(payload)
            if len(payload) <= DNS_CACHE_MESSAGE:
                if len(self._dns_cache) >= DNS_CACHE_ENTRIES:
                    self._dns_cache.clear()
                self._dns_cache[cache_key] = msg
        if msg is None:
            self._bad("damaged DNS message")
            return
        clean = msg.complete and not msg.too_long
        if msg.too_long:
            self._drop(TOO_LONG_DNS)
        elif not msg.complete:
            self._bad("damaged DNS message")
        target = self.names.dns if kind == "dns" else self.names.llmnr
        for q in msg.questions:
            clean = self._keep(kind, target, q.lower(), "DNS names") and clean
        touched: list[DnsSeen] | None = []
        if msg.questions:
            if msg.response:
                client, resolver = dst, src
            else:
                client, resolver = src, dst
            touched = self._dns_seen(msg, self.text(client), self.text(resolver), ts, transport)
        # the same message again would only add to the counts of what it touched (its answers
        # and names are already kept): unless something was damaged or did not fit
        if clean and touched is not None and len(payload) <= DNS_CACHE_MESSAGE:
            if len(self._plans) >= DNS_CACHE_ENTRIES:
                self._plans.clear()
            self._plans[plan_key] = touched

    def _dns_names(self, payload: bytes, kind: str) -> None:
        found = self._questions(payload)
        if found is None:
            self._bad("damaged DNS message")
            return
        questions, too_long = found
        if too_long:
            self._drop(TOO_LONG_DNS)
        target = self.names.dns if kind == "dns" else self.names.llmnr
        for q in questions:
            self._keep(kind, target, q.lower(), "DNS names")

    def _questions(self, payload: bytes) -> tuple[list[str], bool] | None:
        """Question names, remembered per message minus its ID (traffic repeats lookups)."""
        if len(payload) > DNS_CACHE_MESSAGE:
            return dnsmod.question_names(payload)
        key = payload[2:]
        questions = self._question_cache.get(key, False)
        if questions is False:
            questions = dnsmod.question_names(payload)
            if len(self._question_cache) >= DNS_CACHE_ENTRIES:
                self._question_cache.clear()
            self._question_cache[key] = questions
        return questions  # type: ignore[return-value]

    def _dns_seen(self, msg: dnsmod.DnsMessage, client: str, resolver: str, ts: float,
                  transport: str) -> list[DnsSeen] | None:
        """Count the message; the aggregates it counted in, None when a table was full."""
        touched: list[DnsSeen] | None = []
        answers = [a for _, a in msg.addresses]
        # names in the answers count too: a CNAME can point an innocent-looking question at a C2 name
        looked_up = dict.fromkeys(q.lower() for q in msg.questions)
        for owner, target in msg.cnames:
            looked_up[owner] = None
            looked_up[target] = None
        for owner, _addr in msg.addresses:
            looked_up[owner] = None
        for low in looked_up:
            if low == "<root>" or not low:
                continue
            key = (low, client, resolver, transport)
            agg = self.dns_obs.get(key)
            most = MAX_ANSWERS
            if agg is None:
                if len(self.dns_obs) >= MAX_NAME_OBS:
                    self._over("DNS names (table full)")
                    agg = self._compact_dns(low, ts)
                    if agg is None:
                        touched = None
                        continue
                    most = COMPACT_ANSWERS
                else:
                    agg = DnsSeen(ts)
                    self.dns_obs[key] = agg
            agg.count += 1
            agg.last = ts
            if msg.dnscrypt_cert:
                agg.dnscrypt_cert = True
            kept = agg.answers
            for answer in answers:
                if answer not in kept:
                    if len(kept) >= most:
                        break
                    kept[answer] = None
            if touched is not None:
                touched.append(agg)
        if msg.addresses and not self._name_addresses(msg):
            touched = None
        return touched

    def _compact_dns(self, low: str, ts: float) -> DnsSeen | None:
        """The lookups of ``low`` counted without their devices (the table is full); None when
        even those are too many (counted as not compared)."""
        key = (low, COMPACT, COMPACT, COMPACT)
        agg = self.dns_obs.get(key)
        if agg is None:
            if not self._room():
                return None
            agg = self.dns_obs[key] = DnsSeen(ts)
        return agg

    def _room(self) -> bool:
        """Whether one more observation may be kept without its devices (else it is counted)."""
        if self._compact >= MAX_COMPACT:
            self._over(NAMES_NOT_COMPARED)
            return False
        self._compact += 1
        return True

    def _name_addresses(self, msg: dnsmod.DnsMessage) -> bool:
        """Remember the names each answered address was given; False when the table was full."""
        whole = True
        qname = msg.questions[0].lower()
        for owner, addr in msg.addresses:
            known = self.address_names.get(addr)
            if known is None:
                if len(self.address_names) >= MAX_ADDRESS_NAMES:
                    self._over("DNS answers (table full)")
                    whole = False
                    continue
                known = []
                self.address_names[addr] = known
            for name in (qname, owner):
                if name not in known and len(known) < MAX_ADDRESS_NAMES_EACH:
                    known.append(name)
        return whole

    def nbns(self, names: list[str]) -> None:
        for name in names:
            self._keep("nbns", self.names.nbns, name.lower(), "NetBIOS names")

    # -- server names and certificates ------------------------------------------------

    def server_name(self, protocol: str, name: str, client: bytes, server: bytes, port: int, ts: float) -> None:
        low = name.lower()
        if protocol == "http":
            if low.startswith("["):
                low = low[1:low.index("]")] if "]" in low else low
            elif low.count(":") == 1:
                low = low.split(":")[0]
        if not low:
            return
        if len(low) > MAX_NAME_LENGTH and wire_length(low) > MAX_NAME_LENGTH:  # a \\xNN is one byte
            self._drop(TOO_LONG)
            return
        target = self.names.tls_sni if protocol == "tls" else (
            self.names.quic_sni if protocol == "quic" else self.names.http_host)
        if not self._keep(protocol, target, low, f"{protocol} server names"):
            if self.want_obs:  # one name more than are kept: not compared either
                self._over(NAMES_NOT_COMPARED)
            return
        if not self.want_obs:
            return
        key = (protocol, low, self.text(client), self.text(server), port)
        agg = self.server_obs.get(key)
        if agg is None:
            if len(self.server_obs) >= MAX_NAME_OBS:
                self._over("server names (table full)")
                key = (protocol, low, COMPACT, COMPACT, 0)
                agg = self.server_obs.get(key)
                if agg is None and not self._room():
                    return
            if agg is None:
                agg = Seen(ts)
                self.server_obs[key] = agg
        agg.count += 1
        agg.last = ts

    def certificate(self, info: CertificateInfo, server: bytes, port: int, ts: float, sni: str,
                    conn: tuple[bytes, int, bytes, int] | None = None) -> None:
        """A server certificate; ``sni`` the name its client asked for, if known (``conn``: the
        server's direction of the connection, which a byte range's reader may resolve later)."""
        if not self.want_obs:
            return
        key = (info.sha256, address_text(server), port)
        cert = self.cert_obs.get(key)
        if cert is None:
            if len(self.cert_obs) >= MAX_NAME_OBS:
                self._over("certificates (table full)")
                key = (info.sha256, COMPACT, 0)
                cert = self.cert_obs.get(key)
                if cert is None and not self._room():
                    return
            if cert is None:
                cert = CertSeen(ts, info, sni)
                self.cert_obs[key] = cert
        cert.count += 1
        cert.last = ts
        if sni and not cert.sni:
            cert.sni = sni
