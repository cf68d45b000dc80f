"""Flows: packets aggregated per (protocol, client, server, server port).

Which side is the client: for TCP the sender of a SYN without ACK (the receiver of a
SYN+ACK); otherwise, and for UDP, the side with the ephemeral port when exactly one
port is below 1024, else the sender of the first packet seen. Each connection (a TCP
SYN, or a UDP/TCP 5-tuple first seen or seen again after two idle minutes) adds a start
time to its flow, up to MAX_STARTS per flow, for the beaconing heuristics.

Idle connections are forgotten when the capture's clock passes a full minute
(``loop.SWEEP_SECONDS``): after ``IDLE`` seconds without a packet, or 10 seconds after a FIN
or RST. Where a sweep falls depends only on the packets' times, in every capture, so a
capture read in byte ranges by several processes gives the one pass's flows.

A full table (``MAX_FLOWS``) bounds memory, not what is compared with the lists: a connection
to a server that has no flow yet then counts into one flow per (protocol, server), with no
client (``COMPACT_CLIENT``) and port 0, up to ``MAX_COMPACT_FLOWS`` servers; only past that is
a connection left out, counted as ``FLOWS_NOT_COMPARED`` (the capture is "partly checked").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from exposure.collect.net.results import FlowSeen

MAX_CONNS = 100_000
MAX_FLOWS = 50_000
MAX_COMPACT_FLOWS = 200_000  # servers counted without their clients once MAX_FLOWS is reached
COMPACT_CLIENT = b""
FLOWS_FULL = "flows (table full)"
FLOWS_NOT_COMPARED = "conversations not compared with the lists (too many different ones)"
MAX_STARTS = 200
STARTS_BUDGET = 2_000_000
IDLE = 120.0
CLOSED_IDLE = 10.0  # a connection after FIN or RST is forgotten sooner
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 58: "icmpv6", 132: "sctp", 50: "esp"}


FlowKey = tuple[str, bytes, bytes, int]  # (protocol, client, server, server port)
ConnKey = tuple[int, bytes, int, bytes, int]  # (protocol, source, source port, destination, destination port)


class Conn:
    __slots__ = ("closed", "dead", "flow", "last", "pid", "sender_client")

    def __init__(self, flow: FlowSeen | None, sender_client: bool, ts: float) -> None:
        self.flow = flow
        self.sender_client = sender_client
        self.last = ts
        self.closed = False
        self.dead = False  # forgotten or replaced: a cached reference must look it up again
        self.pid = -1  # reading a byte range: the provisional connection this is (see RangeFlows)


class RangeFlows(Protocol):
    """What a reader of one byte range of a capture (``collect/net/ranges``) records about flows."""

    def provisional(self, key: ConnKey) -> bool: ...

    def opened(self, conn: Conn, key: ConnKey, fkey: FlowKey, ts: float, tcp: bool, flags: int) -> None: ...

    def created(self, fkey: FlowKey) -> None: ...

    def started(self, agg: FlowSeen) -> None: ...

    def risky(self, conn: Conn) -> None: ...

    def limit(self, what: str) -> None: ...


class FlowTable:
    """Connections being followed (capped, evicted when idle) and the flows they add up to."""

    def __init__(self, over: Callable[[str], None]) -> None:
        self.flows: dict[FlowKey, FlowSeen] = {}
        self._conns: dict[ConnKey, Conn] = {}
        self._starts_left = STARTS_BUDGET
        self._compact = 0  # flows kept without their clients (MAX_COMPACT_FLOWS)
        self._over = over
        self.hooks: RangeFlows | None = None  # set when reading one byte range of a capture
        # the connection the last ``add`` counted into, and whether the packet went the way it
        # was first seen: the reading loop caches them per raw address/port bytes (loop.py)
        self.last_conn: Conn | None = None
        self.last_forward = True
        # called with the client's raw address when a flow starts (macs.ClientMacs learns from it)
        self.new_client: Callable[[bytes], None] | None = None

    def add(self, proto: int, src: bytes, sport: int, dst: bytes, dport: int, ts: float, size: int,
            tcp: bool, flags: int = 0, opening: bool = False) -> None:
        """Count one packet of ``size`` IP bytes (``opening``: a UDP packet that opens a
        connection, a QUIC long header; a TCP SYN without ACK is one too)."""
        key = (proto, src, sport, dst, dport)
        conn = self._conns.get(key)
        forward = True
        if conn is None:
            conn = self._conns.get((proto, dst, dport, src, sport))
            forward = False
        if conn is None or (tcp and flags & 0x12 == 0x02 and conn.closed):  # a new connection
            if conn is not None:
                conn.dead = True
                if not forward:
                    self._conns.pop((proto, dst, dport, src, sport), None)
            conn = self._open(key, conn is None, ts, tcp, flags)
            forward = True
        elif conn.pid >= 0 and not conn.closed and (
                (tcp and flags & 0x12 == 0x02) or ts - conn.last > CLOSED_IDLE):
            self.hooks.risky(conn)  # type: ignore[union-attr]
        conn.last = ts
        if flags & 5:
            conn.closed = True
        self.last_conn, self.last_forward = conn, forward
        flow = conn.flow
        if flow is None:
            return
        if conn.sender_client == forward:
            flow.bytes_out += size
        else:
            flow.bytes_in += size
        flow.count += 1
        flow.last = ts
        if opening or (tcp and flags & 0x12 == 0x02):  # (the reading loop leaves these to here)
            flow.opened += 1
        if tcp and flags & 0x06:  # SYN, SYN-ACK or RST (the reading loop leaves these to here too)
            flow.setup += 1

    def _open(self, key: ConnKey, first: bool, ts: float, tcp: bool, flags: int) -> Conn:
        """A new connection (``first``: no other one with its addresses and ports is known)."""
        proto, src, sport, dst, dport = key
        if tcp and flags & 0x12 == 0x02:
            sender_client = True
        elif tcp and flags & 0x12 == 0x12:
            sender_client = False
        else:
            sender_client = not sport < 1024 <= dport
        name = PROTO_NAMES.get(proto) or str(proto)
        fkey = (name, src, dst, dport) if sender_client else (name, dst, src, sport)
        hooks = self.hooks
        provisional = hooks is not None and first and hooks.provisional(key)
        agg = FlowSeen(ts) if provisional else self.flows.get(fkey)  # provisional: counted apart
        if agg is None:
            if len(self.flows) >= MAX_FLOWS:
                agg = self._compact_flow(fkey, ts)
            else:
                agg = FlowSeen(ts)
                self.flows[fkey] = agg
                if hooks is not None:
                    hooks.created(fkey)
                if self.new_client is not None:  # (a provisional connection's client: see merge.py)
                    self.new_client(fkey[1])
        if agg is not None and len(agg.starts) < MAX_STARTS and self._starts_left > 0:
            agg.starts.append(ts)
            self._starts_left -= 1
            if hooks is not None:
                hooks.started(agg)
        if len(self._conns) >= MAX_CONNS:
            if hooks is not None:
                hooks.limit("connections")
            self.sweep(ts, force=True)
        conn = Conn(agg, sender_client, ts)
        self._conns[key] = conn
        if provisional:
            hooks.opened(conn, key, fkey, ts, tcp, flags)  # type: ignore[union-attr]
        return conn

    def _compact_flow(self, fkey: FlowKey, ts: float) -> FlowSeen | None:
        """The flow of ``fkey``'s server counted without its client (the table is full); None
        when even those are too many."""
        self._over(FLOWS_FULL)
        name, _client, server, _port = fkey
        ckey = (name, COMPACT_CLIENT, server, 0)
        agg = self.flows.get(ckey)
        if agg is None:
            if self._compact >= MAX_COMPACT_FLOWS:
                self._over(FLOWS_NOT_COMPARED)
                return None
            self._compact += 1
            agg = self.flows[ckey] = FlowSeen(ts)
            if self.hooks is not None:
                self.hooks.created(ckey)
        return agg

    def sweep(self, now: float, force: bool = False) -> None:
        """Forget idle and closed connections; when still full, the oldest quarter."""
        idle, closed = now - IDLE, now - CLOSED_IDLE  # last packet before these: forgotten
        stale = [k for k, c in self._conns.items() if c.last < idle or (c.closed and c.last < closed)]
        for k in stale:
            self._conns.pop(k).dead = True
        if force and len(self._conns) >= MAX_CONNS:
            drop = len(self._conns) // 4
            for k in list(self._conns)[:drop]:
                self._conns.pop(k).dead = True
            self._over("connections (table full; some were counted as new)")
