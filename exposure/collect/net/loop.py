"""The reading loop of :class:`~exposure.collect.net.extract.Extractor`, with the commonest frame
handled in the loop itself.

Most frames of a capture are TCP segments over Ethernet and IP that carry bulk data or a
bare ACK: nothing in them can start a name (no TLS handshake record, no HTTP request, not DNS)
and they belong to no stream being followed. For those, the loop counts the packet and, when
flows are wanted, adds it to its flow, without the calls and slicing of the full path. Every
other frame goes through ``Extractor.packet``. The aggregates are exactly those of calling
``packet`` for every frame (the tests compare both on every capture).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from exposure.collect.net.flows import Conn, FlowTable
from exposure.collect.net.tcpstream import StreamStart


class Extractor(Protocol):
    """What the loop uses of :class:`exposure.collect.net.extract.Extractor` (which imports this
    module, so it is described here rather than imported)."""

    want_flows: bool
    packets: int
    ip_packets: int
    _streams: dict[tuple[bytes, int, bytes, int], StreamStart]
    _flow_table: FlowTable
    _first: float
    _now: float
    _next_sweep: int
    frame: bytes

    def packet(self, link: int, ts: float, data: bytes) -> None: ...

    def _flow(self, proto: int, src: bytes, sport: int, dst: bytes, dport: int, ts: float, size: int,
              tcp: bool, flags: int = 0) -> None: ...

    def _sweep(self) -> None: ...

# first payload bytes that can start a TLS handshake record or an HTTP request
TCP_FIRST = frozenset([0x16, *range(0x41, 0x5B)])
CUT_LINK = -1  # reader.CUT: the end of a byte range
SWEEP_EVERY = 1 << 16
KNOWN_CONNECTIONS = 1 << 16
_DNS_PORT = b"\x00\x35"


# One loop with the fast path written out: a call per frame is exactly what it saves (noqa: C901).
def feed(ex: Extractor, frames: Iterable[tuple[int, float, bytes]], tick: Callable[[], bool] | None,  # noqa: C901
         every: int) -> None:
    packet = ex.packet
    if "packet" in vars(ex):  # a caller wraps ``packet`` to see every frame (the iPhone capture): let it
        _plain(packet, frames, tick, every)
        return
    streams = ex._streams
    flow = ex._flow if ex.want_flows else None
    table = ex._flow_table
    # raw addresses and ports of a segment -> (connection, direction): a segment of a known
    # connection without SYN, FIN or RST only adds to counters, as FlowTable.add would
    known: dict[bytes, tuple[Conn, bool]] = {}
    first_bytes = TCP_FIRST
    quick = 0  # frames handled here not yet added to ex.packets
    first = ex._first
    now = ex._now
    countdown = every + 1  # ticks come after every ``every`` frames read, before the next
    for link, ts, data in frames:
        countdown -= 1
        if not countdown and tick is not None:
            countdown = every
            if quick:
                _settle(ex, quick, first, now)
                quick = 0
            if tick():
                return
        if link == 1:
            off = 14
            etype = data[12:14]
            if etype == b"\x81\x00":
                etype = data[16:18]
                off = 18
            t = 0  # where the TCP header starts, when the frame is Ethernet/IP/TCP
            if etype == b"\x08\x00":
                if len(data) >= off + 40 and data[off] == 0x45 and data[off + 9] == 6 \
                        and not (data[off + 6] & 0x3F or data[off + 7]):
                    end = off + ((data[off + 2] << 8) | data[off + 3])
                    t = off + 20
                    start = t + ((data[t + 12] >> 4) << 2)
                    # without flows, Extractor._skip_tcp also passes over a header longer than the segment
                    if not (t + 20 <= end <= len(data)) or (flow is not None and start > end):
                        t = 0
            elif etype == b"\x86\xdd" and len(data) >= off + 60 and data[off + 6] == 6:
                end = off + 40 + ((data[off + 4] << 8) | data[off + 5])
                t = off + 40
                start = t + ((data[t + 12] >> 4) << 2)
                if not (t + 20 <= end <= len(data)) or start > end:  # the full path counts these
                    t = 0
            if t and t + 20 <= start and not data[t + 13] & 5 and (
                    start >= end or (data[start] not in first_bytes and data[t:t + 2] != _DNS_PORT
                                     and data[t + 2:t + 4] != _DNS_PORT)):
                if flow is not None or streams:
                    v4 = off + 20 == t
                    src = data[t - 8:t - 4] if v4 else data[off + 8:off + 24]
                    dst = data[t - 4:t] if v4 else data[off + 24:off + 40]
                    sport = (data[t] << 8) | data[t + 1]
                    dport = (data[t + 2] << 8) | data[t + 3]
                if not streams or (src, sport, dst, dport) not in streams:
                    quick += 1
                    if ts > now:
                        now = ts
                    if ts < first and ts:
                        first = ts
                    if ex.packets + quick >= ex._next_sweep:
                        _settle(ex, quick, first, now)
                        quick = 0
                        ex._next_sweep += SWEEP_EVERY
                        ex._sweep()
                        known.clear()
                    if flow is not None:
                        flags = data[t + 13]
                        raw = data[off + 12:off + 24] if v4 else data[off + 8:off + 40] + data[t:t + 4]
                        entry = known.get(raw)
                        if entry is not None and not flags & 7 and not entry[0].dead:
                            conn, forward = entry
                            conn.last = ts
                            agg = conn.flow
                            if agg is not None:
                                if conn.sender_client == forward:
                                    agg.bytes_out += end - off
                                else:
                                    agg.bytes_in += end - off
                                agg.count += 1
                                agg.last = ts
                        else:
                            ex.frame = data  # a flow may start: the client's hardware address is in it
                            flow(6, src, sport, dst, dport, ts, end - off, True, flags)
                            if not flags & 7 and table.last_conn is not None:
                                if len(known) >= KNOWN_CONNECTIONS:
                                    known.clear()
                                known[raw] = (table.last_conn, table.last_forward)
                    continue
        if quick:
            _settle(ex, quick, first, now)
            quick = 0
        if link == CUT_LINK:  # the caller goes on from here
            return
        packet(link, ts, data)
        first = ex._first
        now = ex._now
    if quick:
        _settle(ex, quick, first, now)


def _plain(packet: Callable[[int, float, bytes], None], frames: Iterable[tuple[int, float, bytes]],
           tick: Callable[[], bool] | None, every: int) -> None:
    countdown = every + 1
    for link, ts, data in frames:
        countdown -= 1
        if not countdown and tick is not None:
            countdown = every
            if tick():
                return
        if link == CUT_LINK:
            return
        packet(link, ts, data)


def _settle(ex: Extractor, quick: int, first: float, now: float) -> None:
    ex.packets += quick
    ex.ip_packets += quick
    ex._first = first
    ex._now = now
