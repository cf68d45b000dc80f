"""The reading loop of :class:`~exposure.collect.net.extract.Extractor`, with the commonest frame
handled in the loop itself.

Most frames of a capture are TCP segments over Ethernet and IP that carry bulk data or a
bare ACK: nothing in them can start a name (no TLS handshake record, no HTTP request, not DNS)
and they belong to no stream being followed. For those, the loop counts the packet and, when
flows are wanted, adds it to its flow, without the calls and slicing of the full path. Every
other frame goes through ``Extractor.packet``. The aggregates are exactly those of calling
``packet`` for every frame (the tests compare both on every capture).

A pcap file read by our own reader is read here record by record, straight from the reader's
buffer: a frame handled by the fast path is never copied out of it, and no generator or tuple
stands between the file and the loop. Other captures (pcapng, scapy's reader) come as frames.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from exposure.collect.net.flows import CLOSED_IDLE, Conn, FlowTable
from exposure.collect.net.reader import CHUNK, MAX_RECORD, NO_CUT, READ_ERRORS, CaptureReader
from exposure.collect.net.results import FlowSeen
from exposure.collect.net.streams import ActiveStreams, TcpStreams
from exposure.collect.net.tables import NameTables
from exposure.collect.net.vpn import OPENVPN_RESETS, TCP_LENGTH_HIGH, UDP_FIRST, tcp_counted, tcp_payload, udp_counted


class Extractor(Protocol):
    """What the loop uses of :class:`exposure.collect.net.extract.Extractor` (which imports this
    module, so it is described here rather than imported)."""

    want_flows: bool
    packets: int
    backwards: int
    ip_packets: int
    _streams: ActiveStreams
    tables: NameTables
    tcp: TcpStreams
    _flow_table: FlowTable
    _first: float
    _now: float
    _sweep_at: float
    frame: bytes

    def packet(self, link: int, ts: float, data: bytes) -> None: ...

    def _bad(self, reason: str) -> None: ...

    def _flow(self, proto: int, src: bytes, sport: int, dst: bytes, dport: int, ts: float, size: int,
              tcp: bool, flags: int = 0, opening: bool = False) -> None: ...

    def _sweep(self) -> None: ...


PARSER_ERROR = "internal parser error"
FlowAdd = Callable[..., None]  # FlowTable.add
Segment = Callable[[tuple[bytes, int, bytes, int], int, bytes, float], None]
DnsTable = Callable[[bytes, bytes, bytes, float, str], None]
# first payload bytes that can start a TLS handshake record or an HTTP request
TCP_FIRST = frozenset([0x16, *range(0x41, 0x5B)])
# and those that can start the length of OpenVPN's first packet over TCP (``vpn``): the fast path
# passes them over unless the third byte is a hard reset's opcode and flows are wanted
_LOOK_CLOSER = TCP_FIRST | frozenset(range(TCP_LENGTH_HIGH))
CUT_LINK = -1  # reader.CUT: the end of a byte range
# Idle tables are swept when the capture's clock passes a multiple of this many seconds, so
# that where a sweep falls depends on the packets' times only, never on where reading began.
SWEEP_SECONDS = 60.0
KNOWN_CONNECTIONS = 1 << 16
_LOCAL_PORTS = (b"\x14\xe9", b"\x14\xeb")  # mDNS (5353) and LLMNR (5355), which are not read as DNS
_IPV4 = b"\x08\x00"
_IPV6 = b"\x86\xdd"
_VLAN = b"\x81\x00"


def next_sweep(now: float) -> float:
    """The capture time at which the next sweep is due, ``now`` being the latest time seen."""
    return (now // SWEEP_SECONDS + 1) * SWEEP_SECONDS


def feed(ex: Extractor, source: Iterable[tuple[int, float, bytes]] | CaptureReader,
         tick: Callable[[], bool] | None, every: int, start: int = 0, stop: int = NO_CUT) -> bool:
    """Feed every frame of ``source`` (frames, or an open capture) to ``ex``; ``tick`` is called
    every ``every`` frames and stops the reading when it returns True. A pcap file is read from
    the record at byte ``start`` to the first record at or past ``stop``. True when the reading
    stopped at ``stop`` (or at a CUT frame), where the caller may go on."""
    if "packet" in vars(ex):  # a caller wraps ``packet`` to see every frame (the iPhone capture): let it
        frames = source.frames() if isinstance(source, CaptureReader) else source
        return _plain(ex.packet, frames, tick, every)
    if isinstance(source, CaptureReader):
        if source.format != "pcap" or source.backend != "native":
            return _loop(ex, source.frames(), None, tick, every, stop)
        try:
            return _loop(ex, None, source, tick, every, stop, start)
        except READ_ERRORS:
            source.read_error()
            return False
    return _loop(ex, iter(source), None, tick, every, stop)


# One loop with the record reading and the fast path written out: a call per frame is exactly
# what it saves (noqa: C901).
def _loop(ex: Extractor, frames: Iterator[tuple[int, float, bytes]] | None,  # noqa: C901
          reader: CaptureReader | None, tick: Callable[[], bool] | None, every: int, stop: int,
          start: int = 0) -> bool:
    packet = ex.packet
    dns = ex.tables.dns
    segment = ex.tcp.segment
    streams = ex._streams
    flow = ex._flow if ex.want_flows else None
    table = ex._flow_table
    # raw addresses and ports of a segment -> (connection, its flow, whether the sender is the
    # client): a segment of a known, live connection without FIN or RST only adds to counters,
    # as FlowTable.add would
    known: dict[bytes, tuple[Conn, FlowSeen | None, bool]] = {}
    followed = streams.raw  # the streams' keys as raw bytes (the same layout)
    first_bytes = _LOOK_CLOSER
    resets = OPENVPN_RESETS
    quick = 0  # frames handled here not yet added to ex.packets
    first = ex._first
    now = ex._now
    sweep_at = ex._sweep_at
    countdown = every + 1  # ticks come after every ``every`` frames read, before the next
    # the record reader's state (pcap): buf[pos:end] is what was read and not yet used
    buf = b""
    pos = end = 0
    base = 0  # the file offset of buf[0]
    if reader is not None:
        layout = reader.pcap_layout(start)
        if layout is None:
            return False
        unpack, rec_len, unit, link, base = layout
        read = reader.read_chunk
        snap = reader.snap_length
        cut_short = reader.snap_cut.note
    a = z = 0  # the frame is buf[a:z]
    while True:
        if reader is None:
            item = next(frames, None)  # type: ignore[arg-type]
            if item is None:
                break
            link, ts, buf = item
            a, z = 0, len(buf)
        else:
            if end - pos < rec_len:
                # a record header cut by the end of the buffer is completed by a small read, so
                # that a new buffer always starts on a record and is never copied
                more = read(rec_len - (end - pos) if pos < end else CHUNK)
                base += pos
                buf = buf[pos:] + more
                pos, end = 0, len(buf)
                if end < rec_len:
                    if end:
                        reader.problem("truncated last packet")
                    break
            if base + pos >= stop:
                reader.cut_offset = base + pos
                if quick:
                    _settle(ex, quick, first, now)
                return True
            sec, frac, caplen, wire = unpack(buf, pos)
            if caplen > MAX_RECORD:
                reader.problem("damaged packet record (impossible length)")
                break
            a = pos + rec_len
            z = a + caplen
            if z > end:
                more = read(z - end)  # the rest of this record only (see above)
                if not more:
                    reader.problem("truncated last packet")
                    break
                base += pos
                buf = buf[pos:] + more
                pos, end = 0, len(buf)
                continue
            pos = z
            if caplen < wire:  # the capture kept only the first bytes of the frame
                cut_short(caplen, wire, snap)
            ts = sec + frac * unit
        countdown -= 1
        if not countdown and tick is not None:
            countdown = every
            if quick:
                _settle(ex, quick, first, now)
                quick = 0
            if tick():
                return False
        if link == 1:
            off = a + 14
            etype = buf[a + 12:a + 14]
            if etype == _VLAN:
                etype = buf[a + 16:a + 18]
                off = a + 18
            t = 0  # where the TCP header starts, when the frame is Ethernet/IP/TCP
            if etype == _IPV4:
                if z >= off + 40 and buf[off] == 0x45 and not (buf[off + 6] & 0x3F or buf[off + 7]):
                    stop_ip = off + ((buf[off + 2] << 8) | buf[off + 3])
                    t = off + 20
                    if buf[off + 9] == 6:
                        begin = t + ((buf[t + 12] >> 4) << 2)
                        # without flows and streams, Extractor._skip_tcp also passes over a header longer
                        # than the segment; otherwise the full path counts it as truncated
                        if not (t + 20 <= stop_ip <= z) or (begin > stop_ip and (flow is not None or streams)):
                            t = 0
                    else:
                        # a DNS datagram (port 53 on one side, no local name port on the other) whose
                        # lengths agree: Extractor.dns_datagram, without the calls of the full path
                        if buf[off + 9] == 17 and stop_ip <= z and (
                                (buf[t + 1] == 53 and not buf[t] and buf[t + 2:t + 4] not in _LOCAL_PORTS) or (
                                 buf[t + 3] == 53 and not buf[t + 2] and buf[t:t + 2] not in _LOCAL_PORTS)):
                            end_udp = t + ((buf[t + 4] << 8) | buf[t + 5])
                            if t + 8 <= end_udp <= stop_ip:
                                if quick:
                                    _settle(ex, quick, first, now)
                                    quick = 0
                                if flow is not None:
                                    ex.frame = buf[a:z] if reader is not None else buf
                                dns_datagram(ex, flow, dns, ts, buf[off + 12:off + 16], (buf[t] << 8) | buf[t + 1],
                                             buf[off + 16:off + 20], (buf[t + 2] << 8) | buf[t + 3],
                                             buf[t + 8:end_udp], stop_ip - off)
                                first = ex._first
                                now = ex._now
                                sweep_at = ex._sweep_at
                                continue
                        t = 0
            elif etype == _IPV6 and z >= off + 60 and buf[off + 6] == 6:
                stop_ip = off + 40 + ((buf[off + 4] << 8) | buf[off + 5])
                t = off + 40
                begin = t + ((buf[t + 12] >> 4) << 2)
                if not (t + 20 <= stop_ip <= z) or begin > stop_ip:  # the full path counts these
                    t = 0
            if t and t + 20 <= begin and not (flags := buf[t + 13]) & 5 and (
                    begin >= stop_ip or ((buf[begin] not in first_bytes or (
                        buf[begin] < TCP_LENGTH_HIGH and (flow is None or begin + 2 >= stop_ip
                                                          or buf[begin + 2] not in resets)))
                                         and (buf[t + 1] != 53 or buf[t]) and (buf[t + 3] != 53 or buf[t + 2]))):
                # (not port 53)
                v4 = off + 20 == t
                # addresses and ports as they lie in the packet: the key of the caches below (names
                # alone, with no stream followed, need none)
                raw = (buf[off + 12:off + 24] if v4 else buf[off + 8:off + 40] + buf[t:t + 4]) \
                    if streams or flow is not None else b""
                if not streams or raw not in followed:
                    quick += 1
                    if ts < first and ts:
                        first = ts
                    if ts > now:
                        now = ts
                        if now >= sweep_at:
                            _settle(ex, quick, first, now)
                            quick = 0
                            sweep_at = ex._sweep_at = next_sweep(now)
                            ex._sweep()
                            known.clear()
                    elif ts < now:
                        ex.backwards += 1
                    if flow is not None:
                        entry = known.get(raw)
                        if entry is not None:
                            conn = entry[0]
                            # a SYN (which starts a new connection on a closed one), a SYN-ACK (counted
                            # as a connection's setup) and a packet after a pause (which a byte range's
                            # reader notes) go to FlowTable.add
                            if not conn.dead and not flags & 0x02 and now - conn.last <= CLOSED_IDLE:
                                conn.last = ts
                                agg = entry[1]
                                if agg is not None:
                                    if entry[2]:
                                        agg.bytes_out += stop_ip - off
                                    else:
                                        agg.bytes_in += stop_ip - off
                                    agg.count += 1
                                    agg.last = ts
                                continue
                        if quick:
                            _settle(ex, quick, first, now)
                            quick = 0
                        ex.frame = buf[a:z] if reader is not None else buf  # a flow may start: the
                        # client's hardware address is in its frame (Extractor.client_macs)
                        flow(6, buf[t - 8:t - 4] if v4 else buf[off + 8:off + 24], (buf[t] << 8) | buf[t + 1],
                             buf[t - 4:t] if v4 else buf[off + 24:off + 40], (buf[t + 2] << 8) | buf[t + 3], ts,
                             stop_ip - off, True, flags)
                        conn = table.last_conn  # type: ignore[assignment]
                        if conn is not None:
                            if len(known) >= KNOWN_CONNECTIONS:
                                known.clear()
                            out = conn.sender_client == table.last_forward
                            known[raw] = (conn, conn.flow, out)
                            # the other direction: addresses and ports swapped
                            back = (buf[off + 16:off + 20] + buf[off + 12:off + 16] if v4
                                    else buf[off + 24:off + 40] + buf[off + 8:off + 24])
                            known[back + buf[t + 2:t + 4] + buf[t:t + 2]] = (conn, conn.flow, not out)
                    continue
            if t and t + 20 <= begin < stop_ip and not (flags := buf[t + 13]) & 5:
                # a payload that may begin a name, or of a stream being followed: TcpStreams.segment
                if quick:
                    _settle(ex, quick, first, now)
                    quick = 0
                count(ex, ts)
                first = ex._first
                now = ex._now
                sweep_at = ex._sweep_at
                v4 = off + 20 == t
                add = flow
                if flow is not None:
                    # a segment of a known, live connection only adds to counters (as above)
                    entry = known.get(buf[off + 12:off + 24] if v4 else buf[off + 8:off + 40] + buf[t:t + 4])
                    if entry is not None and not (conn := entry[0]).dead and not flags & 0x02 \
                            and now - conn.last <= CLOSED_IDLE:
                        conn.last = ts
                        agg = entry[1]
                        if agg is not None:
                            if entry[2]:
                                agg.bytes_out += stop_ip - off
                            else:
                                agg.bytes_in += stop_ip - off
                            agg.count += 1
                            agg.last = ts
                        add = None
                    else:
                        ex.frame = buf[a:z] if reader is not None else buf
                tcp_segment(ex, add, segment, ts, buf[t - 8:t - 4] if v4 else buf[off + 8:off + 24],
                            (buf[t] << 8) | buf[t + 1], buf[t - 4:t] if v4 else buf[off + 24:off + 40],
                            (buf[t + 2] << 8) | buf[t + 3], int.from_bytes(buf[t + 4:t + 8]), buf[begin:stop_ip],
                            stop_ip - off, flags)
                if flow is not None and buf[begin] < TCP_LENGTH_HIGH:  # OpenVPN over TCP? (as Extractor._tcp)
                    ports = ((buf[t] << 8) | buf[t + 1], (buf[t + 2] << 8) | buf[t + 3])
                    try:
                        if add is not None:
                            tcp_counted(table, buf[begin:stop_ip], ts, ports)
                        elif entry[1] is not None:  # type: ignore[index]
                            tcp_payload(entry[1], 0 if entry[2] else 1, buf[begin:stop_ip], ts,  # type: ignore[index]
                                        ports)
                    except Exception:  # hostile input must never stop a scan (as tcp_segment)
                        ex._bad(PARSER_ERROR)
                continue
        if quick:
            _settle(ex, quick, first, now)
            quick = 0
        if link == CUT_LINK:  # the caller goes on from here
            return True
        packet(link, ts, buf[a:z] if reader is not None else buf)
        first = ex._first
        now = ex._now
        sweep_at = ex._sweep_at
    if quick:
        _settle(ex, quick, first, now)
    return False


def dns_datagram(ex: Extractor, flow: FlowAdd | None, dns: DnsTable, ts: float, src: bytes, sport: int,
                 dst: bytes, dport: int, payload: bytes, size: int) -> None:
    """What ``Extractor.packet`` does with a DNS datagram over IPv4 without options or fragments
    (``flow``: ``Extractor._flow`` when flows are wanted; ``dns``: ``NameTables.dns``)."""
    count(ex, ts)
    try:
        if flow is not None:
            flow(17, src, sport, dst, dport, ts, size, False)
            if payload and payload[0] in UDP_FIRST:  # a VPN on port 53? (as Extractor._udp)
                udp_counted(ex._flow_table, payload, ts, (sport, dport))
        dns(payload, src, dst, ts, "udp")
    except (IndexError, struct.error, ValueError):
        ex._bad("damaged packet")
    except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
        ex._bad(PARSER_ERROR)


def tcp_segment(ex: Extractor, flow: FlowAdd | None, segment: Segment, ts: float, src: bytes, sport: int,
                dst: bytes, dport: int, seq: int, payload: bytes, size: int, flags: int) -> None:
    """What ``Extractor.packet`` does with a TCP segment without FIN or RST whose payload may begin a
    name (or belongs to a stream being followed), over IPv4 without options or fragments or IPv6
    without extension headers (``segment``: ``TcpStreams.segment``; ``count`` was called)."""
    try:
        if flow is not None:
            flow(6, src, sport, dst, dport, ts, size, True, flags)
        segment((src, sport, dst, dport), seq + 1 if flags & 2 else seq, payload, ts)
    except (IndexError, struct.error, ValueError):
        ex._bad("damaged packet")
    except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
        ex._bad(PARSER_ERROR)


def count(ex: Extractor, ts: float) -> None:
    """A packet's counts and times, as ``Extractor.packet`` keeps them (idle tables swept on time)."""
    ex.packets += 1
    ex.ip_packets += 1
    if ts > ex._now:
        ex._now = ts
        if ts >= ex._sweep_at:
            ex._sweep_at = next_sweep(ts)
            ex._sweep()
    elif ts < ex._now:
        ex.backwards += 1
    if ts < ex._first and ts:
        ex._first = ts


def _plain(packet: Callable[[int, float, bytes], None], frames: Iterable[tuple[int, float, bytes]],
           tick: Callable[[], bool] | None, every: int) -> bool:
    countdown = every + 1
    for link, ts, data in frames:
        countdown -= 1
        if not countdown and tick is not None:
            countdown = every
            if tick():
                return False
        if link == CUT_LINK:
            return True
        packet(link, ts, data)
    return False


def _settle(ex: Extractor, quick: int, first: float, now: float) -> None:
    ex.packets += quick
    ex.ip_packets += quick
    ex._first = first
    ex._now = now
