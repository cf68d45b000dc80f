"""UDP datagrams: DNS (port 53, and on other ports by Wireshark's heuristic), LLMNR, NetBIOS names,
tunnels, QUIC Initials, WireGuard. A mixin of the extractor (``extract``).

**Replies to DNS queries on unusual ports.** A DNS query on a port no protocol is registered for
is read by Wireshark's heuristic (``dns.looks_like_dns``), and so is its reply when the reply
passes the heuristic too; tshark 4.0 reads no more than that (it does not follow the UDP
conversation of such a query). A reply with more records than the heuristic allows (more than 100
answers, more than 10 authority or additional records) would then be lost, and with it the
addresses it gave: the servers the device contacted next would look contacted without a lookup.
So exposure remembers each such query (``AwaitedReplies``: client, server, ports and ID) for
``AWAIT_SECONDS``, and reads as DNS the reply to it, from the server's port to the client's with
the same ID, that the heuristic turns down. Its question (a reply repeats its query's) is listed
with the DNS names; tshark lists nothing from such a reply.

The table is capped (``MAX_AWAITED`` queries awaiting a reply at once; more are counted and warned
about, and not followed) and swept with the other idle tables. A capture read in byte ranges gives
exactly the one pass's result: a range other than the first that meets, in its first
``REPLIES_FROM_BEFORE_SECONDS`` (after which a query from before it has been swept), a reply whose
query it has not seen (the query may be before the cut) records it (``unknown_replies``), and the
whole file is then read in one pass; so it is when the ranges' tables together could have been
full in one pass (``awaited_peak``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from exposure.collect.net import dns as dnsmod
from exposure.collect.net import vpn
from exposure.collect.net.loop import SWEEP_SECONDS
from exposure.collect.net.quic import QuicSniffer, is_long_header
from exposure.collect.net.tunnels import UDP_TUNNEL_PORTS, Tunnels

if TYPE_CHECKING:
    from exposure.collect.net.flows import FlowTable
    from exposure.collect.net.streams import TcpStreams
    from exposure.collect.net.tables import NameTables

UDP_DNS = 53
UDP_NBNS = 137
UDP_MDNS = 5353
UDP_LLMNR = 5355
_LOCAL_NAME_PORTS = (UDP_MDNS, UDP_LLMNR)
_NOT_DNS = dnsmod.NOT_DNS_UDP_PORTS
_UDP = struct.Struct("!HHH")
_VPN_FIRST = vpn.UDP_FIRST

AWAIT_SECONDS = 30.0  # how long a query on an unusual port waits for its reply (a resolver answers in ms)
MAX_AWAITED = 1024  # queries on unusual ports awaiting their reply at once (only a scan of resolvers has more)
AWAITED_FULL = "DNS queries on unusual ports awaiting their reply (table full)"
# reading the rest of a range (after these seconds, no query from before its start is awaited)
REPLIES_FROM_BEFORE_SECONDS = AWAIT_SECONDS + 2 * SWEEP_SECONDS

# (client, client port, server, server port, ID)
AwaitedKey = tuple[bytes, int, bytes, int, int]


class RangeExtract(Protocol):
    """What a reader of one byte range of a capture (``collect/net/ranges``) records about IP
    fragments and QUIC Initials, and limits past which only one pass is exact."""

    def sweeping(self, now: float | None) -> None: ...
    def fragments_begun(self, key: tuple[object, ...]) -> None: ...
    def quic_begun(self, flow: tuple[bytes, int, bytes, int]) -> None: ...
    def limit(self, what: str) -> None: ...


class AwaitedReplies:
    """DNS queries seen on unusual ports (by the heuristic), each awaiting its reply."""

    __slots__ = ("_over", "peak", "queries", "unknown_replies", "unknown_until")

    def __init__(self, over: Callable[[str], None]) -> None:
        self.queries: dict[AwaitedKey, float] = {}  # -> time of the query
        self.peak = 0  # the most queries awaited at once
        self.unknown_replies = 0  # replies the heuristic turned down whose query was not seen, early in a range
        self.unknown_until = float("-inf")  # a byte range's reader: its start + REPLIES_FROM_BEFORE_SECONDS
        self._over = over

    def asked(self, src: bytes, sport: int, dst: bytes, dport: int, ident: int, ts: float) -> None:
        key = (src, sport, dst, dport, ident)
        queries = self.queries
        if key not in queries and len(queries) >= MAX_AWAITED:
            self._over(AWAITED_FULL)
            return
        queries[key] = ts
        if len(queries) > self.peak:
            self.peak = len(queries)

    def answered(self, src: bytes, sport: int, dst: bytes, dport: int, ident: int) -> bool:
        """Whether a reply (from ``src``) answers a query awaited; it is then no longer awaited."""
        return self.queries.pop((dst, dport, src, sport, ident), None) is not None

    def sweep(self, now: float) -> None:
        if self.queries:
            old = now - AWAIT_SECONDS
            self.queries = {key: ts for key, ts in self.queries.items() if ts >= old}


def reply_shaped(payload: bytes) -> bool:
    """A standard DNS response with one question (as a reply repeats its query's): what a reply to a
    query on an unusual port that the heuristic turned down can be."""
    return len(payload) > 12 and payload[2] & 0xF8 == 0x80 and payload[4] == 0 and payload[5] == 1


class UdpLayer(Tunnels):
    """The extractor's UDP layer; ``tables``, ``tcp``, flows and hooks come from the extractor."""

    tables: NameTables
    tcp: TcpStreams
    following: bool
    want_flows: bool
    fed: int
    hooks: RangeExtract | None
    _quic: QuicSniffer
    _awaited: AwaitedReplies
    _flow: Callable[..., None]
    _flow_table: FlowTable

    def _udp(self, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float, depth: int,
             quoted: bool, size: int) -> None:
        if end - off < 8:
            if not quoted:
                self._bad("truncated packet")
            return
        sport, dport, ulen = _UDP.unpack_from(data, off)
        if ulen >= 8 and off + ulen < end:
            end = off + ulen
        elif ulen < 8 and not quoted and ulen != 0:
            self._bad("bad UDP header")
            return
        payload = data[off + 8:end]
        if self.following:
            self._udp_following(src, sport, dst, dport, payload, ts, depth)
        elif quoted:
            if ((sport == UDP_DNS or dport == UDP_DNS) and sport not in _LOCAL_NAME_PORTS
                    and dport not in _LOCAL_NAME_PORTS) or (
                    sport not in _NOT_DNS and dport not in _NOT_DNS and dnsmod.looks_like_dns(payload)):
                self.tables.dns(payload, src, dst, ts, "udp")
        else:
            if self.want_flows:  # a long header (QUIC's handshake) opens a connection; not a DNS ID
                self._flow(17, src, sport, dst, dport, ts, size, False, 0,
                           bool(payload) and payload[0] & 0xC0 == 0xC0 and UDP_DNS not in (sport, dport))
                if payload and payload[0] in _VPN_FIRST:  # a VPN's message, on any port? (``vpn``)
                    vpn.udp_counted(self._flow_table, payload, ts, (sport, dport))
            self._udp_payload(src, sport, dst, dport, payload, ts, depth)

    def _udp_following(self, src: bytes, sport: int, dst: bytes, dport: int, payload: bytes, ts: float,
                       depth: int) -> None:
        flow = (src, sport, dst, dport)
        if self._quic.pending_for(flow):
            self.fed += 1
            for name in self._quic.datagram(flow, payload) or ():
                self.tables.server_name("quic", name, src, dst, dport, ts)
        elif sport in UDP_TUNNEL_PORTS or dport in UDP_TUNNEL_PORTS:
            self._udp_tunnel(sport, dport, payload, ts, depth)

    def _udp_payload(self, src: bytes, sport: int, dst: bytes, dport: int, payload: bytes, ts: float,
                     depth: int) -> None:
        tables = self.tables
        if sport == UDP_DNS or dport == UDP_DNS:
            if sport not in _LOCAL_NAME_PORTS and dport not in _LOCAL_NAME_PORTS:
                tables.dns(payload, src, dst, ts, "udp")
            return
        if sport == UDP_LLMNR or dport == UDP_LLMNR:
            tables.dns(payload, src, dst, ts, "udp", "llmnr")
            return
        if sport == UDP_NBNS or dport == UDP_NBNS:
            names = dnsmod.netbios_names(payload)
            if names is None:
                self._bad("damaged NetBIOS name message")
            else:
                tables.nbns(names)
            return
        if sport in UDP_TUNNEL_PORTS or dport in UDP_TUNNEL_PORTS:
            self._udp_tunnel(sport, dport, payload, ts, depth)
            return
        if payload and payload[0] & 0xC0 == 0xC0 and is_long_header(payload):
            names = self._quic.datagram((src, sport, dst, dport), payload)
            if names is not None and self.hooks is not None:
                self.hooks.quic_begun((src, sport, dst, dport))
            for name in names or ():
                tables.server_name("quic", name, src, dst, dport, ts)
            if names is not None:
                return
        wg_keys = self.tcp.keys.wireguard if self.tcp.keys is not None else None
        if wg_keys is not None and payload and self._wireguard(wg_keys, payload, ts, depth):
            return  # a WireGuard message of a tunnel whose keys the capture carries
        if sport not in _NOT_DNS and dport not in _NOT_DNS:
            if dnsmod.looks_like_dns(payload):
                self._dns_heuristic(src, sport, dst, dport, payload, ts)
            elif self._awaited.queries or ts <= self._awaited.unknown_until:  # else nothing to look for
                self._dns_reply(src, sport, dst, dport, payload, ts)

    def _dns_heuristic(self, src: bytes, sport: int, dst: bytes, dport: int, payload: bytes, ts: float) -> None:
        """DNS on ports no protocol is registered for, by the heuristic: a query awaits its reply."""
        self.tables.dns(payload, src, dst, ts, "udp")
        ident = (payload[0] << 8) | payload[1]
        if not payload[2] & 0x80:
            self._awaited.asked(src, sport, dst, dport, ident, ts)
        elif self._awaited.queries:
            self._awaited.answered(src, sport, dst, dport, ident)

    def _dns_reply(self, src: bytes, sport: int, dst: bytes, dport: int, payload: bytes, ts: float) -> None:
        """A datagram the heuristic turned down: the reply to a query awaited is read (see the module's doc)."""
        if not reply_shaped(payload):
            return
        awaited = self._awaited
        if awaited.queries and awaited.answered(src, sport, dst, dport, (payload[0] << 8) | payload[1]):
            self.tables.dns(payload, src, dst, ts, "udp")
        elif ts <= awaited.unknown_until:
            awaited.unknown_replies += 1
            if self.hooks is not None:
                self.hooks.limit("a reply to a DNS query on an unusual port, near a cut")
