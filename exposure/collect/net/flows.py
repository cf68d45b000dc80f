"""Flows: packets aggregated per (protocol, client, server, server port).

Which side is the client: for TCP the sender of a SYN without ACK (the receiver of a
SYN+ACK); otherwise, and for UDP, the side with the ephemeral port when exactly one
port is below 1024, else the sender of the first packet seen. Each connection (a TCP
SYN, or a UDP/TCP 5-tuple first seen or seen again after two idle minutes) adds a start
time to its flow, up to MAX_STARTS per flow, for the beaconing heuristics.
"""

from __future__ import annotations

from collections.abc import Callable

from exposure.collect.net.results import FlowSeen

MAX_CONNS = 100_000
MAX_FLOWS = 50_000
MAX_STARTS = 200
STARTS_BUDGET = 2_000_000
IDLE = 120.0
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 58: "icmpv6", 132: "sctp", 50: "esp"}


class Conn:
    __slots__ = ("closed", "dead", "flow", "last", "sender_client")

    def __init__(self, flow: FlowSeen | None, sender_client: bool, ts: float) -> None:
        self.flow = flow
        self.sender_client = sender_client
        self.last = ts
        self.closed = False
        self.dead = False  # forgotten or replaced: a cached reference must look it up again


class FlowTable:
    """Connections being followed (capped, evicted when idle) and the flows they add up to."""

    def __init__(self, over: Callable[[str], None]) -> None:
        self.flows: dict[tuple[str, bytes, bytes, int], FlowSeen] = {}
        self._conns: dict[tuple[int, bytes, int, bytes, int], Conn] = {}
        self._starts_left = STARTS_BUDGET
        self._over = over
        # the connection the last ``add`` counted into, and whether the packet went the way it
        # was first seen: the reading loop caches them per raw address/port bytes (loop.py)
        self.last_conn: Conn | None = None
        self.last_forward = True
        # called with the client's raw address when a flow starts (macs.ClientMacs learns from it)
        self.new_client: Callable[[bytes], None] | None = None

    def add(self, proto: int, src: bytes, sport: int, dst: bytes, dport: int, ts: float, size: int,
            tcp: bool, flags: int = 0) -> None:
        """Count one packet of ``size`` IP bytes."""
        key = (proto, src, sport, dst, dport)
        conn = self._conns.get(key)
        forward = True
        if conn is None:
            conn = self._conns.get((proto, dst, dport, src, sport))
            forward = False
        new_start = conn is None or (tcp and flags & 0x12 == 0x02 and conn.closed)
        if conn is None or new_start:
            sender_client = _sender_is_client(tcp, flags, sport, dport)
            if conn is not None:
                conn.dead = True
                if not forward:
                    self._conns.pop((proto, dst, dport, src, sport), None)
            forward = True
            if sender_client:
                fkey = (PROTO_NAMES.get(proto) or str(proto), src, dst, dport)
            else:
                fkey = (PROTO_NAMES.get(proto) or str(proto), dst, src, sport)
            agg = self.flows.get(fkey)
            if agg is None:
                if len(self.flows) >= MAX_FLOWS:
                    self._over("flows (table full)")
                else:
                    agg = FlowSeen(ts)
                    self.flows[fkey] = agg
                    if self.new_client is not None:
                        self.new_client(fkey[1])
            if agg is not None and len(agg.starts) < MAX_STARTS and self._starts_left > 0:
                agg.starts.append(ts)
                self._starts_left -= 1
            if len(self._conns) >= MAX_CONNS:
                self.sweep(ts, force=True)
            conn = Conn(agg, sender_client, ts)
            self._conns[key] = conn
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

    def sweep(self, now: float, force: bool = False) -> None:
        """Forget idle and closed connections; when still full, the oldest quarter."""
        stale = [k for k, c in self._conns.items() if now - c.last > IDLE or (c.closed and now - c.last > 10.0)]
        for k in stale:
            self._conns.pop(k).dead = True
        if force and len(self._conns) >= MAX_CONNS:
            drop = len(self._conns) // 4
            for k in list(self._conns)[:drop]:
                self._conns.pop(k).dead = True
            self._over("connections (table full; some were counted as new)")


def _sender_is_client(tcp: bool, flags: int, sport: int, dport: int) -> bool:
    """Whether the sender of a connection's first packet seen is its client (module docstring)."""
    if tcp and flags & 0x12 == 0x02:
        return True
    if tcp and flags & 0x12 == 0x12:
        return False
    return not sport < 1024 <= dport
