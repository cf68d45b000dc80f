"""One byte range of a big capture scanned by a process of its own (names, certificates, flows,
observations), with what the merge (``collect/net/merge``) needs to give exactly the one pass's result.

The file is cut as for names (``collect/net/parallel``). Three things cross a cut:

- **what was under way** (a TCP stream being followed, an IP datagram or QUIC Initial being put
  together): the range where it began finishes it past its end, in follow mode, as for names.
  Whatever a range finds in follow mode, and whatever the next range finds in its first
  ``WINDOW_SECONDS`` of capture time, goes to a log of calls to the name tables (with the packet's
  index from the cut) instead of the tables; the merge replays both logs in packet order, so the
  tables see everything in the one pass's order.
- **connections**: a 5-tuple first seen in the first two minutes of a range may be a connection
  of the range before, which the one pass would go on counting into that connection's flow. Such
  a connection is *provisional*: its packets are counted apart (``Provisional``), and the merge
  adds them to the right flow once it knows how the range before ended.
- **server names awaiting their certificate**: a certificate early in a range whose ClientHello
  was in the range before is logged with the connection, and the merge finds the name.

Sweeps of idle tables fall at fixed capture times (``loop.SWEEP_SECONDS``), the same in every
range as in one pass. What the merge cannot make exact (a table that filled up, packet times that
go backwards, a stream begun again in the next range before the range before finished it) makes
it read the file in one pass instead; ``RangeScan.limits`` says why.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from exposure.collect.net.extract import Extractor
from exposure.collect.net.flows import IDLE, STARTS_BUDGET, Conn, ConnKey, FlowKey
from exposure.collect.net.loop import SWEEP_SECONDS, next_sweep
from exposure.collect.net.macs import hardware_address
from exposure.collect.net.reader import Frame, Section, SnapCut, open_capture
from exposure.collect.net.results import CertSeen, DnsSeen, FlowSeen, NameSets, Seen
from exposure.collect.net.streams import StreamKey
from exposure.collect.net.tables import NameTables
from exposure.collect.net.tls import CertificateInfo
from exposure.collect.net.udp import REPLIES_FROM_BEFORE_SECONDS

# capture time at a range's start whose table calls are logged: what was under way at the cut
# is nearly always finished within it (else the file is read in one pass)
WINDOW_SECONDS = 240.0
SNI_SECONDS = IDLE + SWEEP_SECONDS  # how long a server name from before the cut may be awaited
FOLLOW_LIMIT = "something under way at the end of a range was still unfinished after its window"

Endpoint = tuple[bytes, int]
# (packet index from the cut, made by a sweep of idle tables at that packet (which comes before
# the packet itself), NameTables method, arguments)
Call = tuple[int, bool, str, tuple[Any, ...]]


@dataclass(slots=True)
class Provisional:
    """A connection first seen in the first minutes of a range, counted apart."""

    pid: int
    key: ConnKey  # as first seen (source first)
    client: Endpoint  # the side this range took as the client
    fkey: FlowKey  # the flow this range gave it
    idx: int  # packet index of its first packet
    syn: bool  # first seen by a SYN without ACK
    acc: FlowSeen  # its packets (bytes_out: sent by ``client``); one start when counted
    started: bool
    risky: bool = False  # a SYN or a pause of over 10 s before it closed (see merge)
    mac: bytes = b""  # its client's hardware address in its first frame (see merge._flows)
    closed: bool = False
    last: float = 0.0


@dataclass(slots=True)
class ConnState:
    """A connection in a range's table at its end, for the merge to carry over the cut."""

    client: Endpoint
    fkey: FlowKey | None  # None: a provisional one (``pid``), which the merge has resolved
    pid: int
    closed: bool
    last: float


@dataclass(slots=True)
class Aggregates:
    """The aggregates an :class:`~exposure.collect.net.extract.Extractor` keeps, as a range
    hands them over (:class:`RangeScan`) and as the ranges joined give them back (``merge.Joined``)."""

    names: NameSets
    dns_obs: dict[tuple[str, str, str, str], DnsSeen]
    server_obs: dict[tuple[str, str, str, str, int], Seen]
    cert_obs: dict[tuple[str, str, int], CertSeen]
    address_names: dict[str, list[str]]
    flows: dict[FlowKey, FlowSeen]


@dataclass(slots=True)
class RangeScan(Aggregates):
    """What one range found, and what the merge needs to join it to the ranges before and after."""

    flow_created: dict[FlowKey, int]  # packet index where this range created the flow
    start_idx: dict[FlowKey, array[int]]  # packet index of each start in ``flows[...].starts``
    provisionals: list[Provisional]
    conns: dict[ConnKey, ConnState]  # the connection table at the end of the range
    sni: dict[StreamKey, tuple[str, float]]  # server names awaiting a certificate, after following
    sweeps: list[tuple[int, float]]  # (packet index, capture time) of each sweep
    log: list[Call]  # table calls of the window at the start
    window_end: int  # packet index of the first table call applied, not logged (-1: none)
    follow_log: list[Call]  # table calls while following past the end
    follow_packets: int  # packets read past the end
    under_way: set[StreamKey]  # stream directions followed at the cut
    ended: dict[StreamKey, int]  # when following: packet index where each of those was finished
    begun: dict[StreamKey, int]  # in the window: where a stream (or a whole ClientHello) was begun
    fragments_at_cut: set[tuple[object, ...]]
    fragments_begun: set[tuple[object, ...]]
    quic_at_cut: set[tuple[object, ...]]
    quic_begun: set[tuple[object, ...]]
    late_misses: list[tuple[StreamKey, int, bool, float]]  # certificates after the window without a name
    packets: int = 0
    ip_packets: int = 0
    first: float = float("inf")
    now: float = 0.0  # latest packet time in the range (before following)
    first_ts: float | None = None  # time of the range's first packet
    starts_used: int = 0
    undecoded: dict[str, int] = field(default_factory=dict)
    overflow: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    end_offset: int = -1
    late_headers: int = 0
    snap_cut: SnapCut = field(default_factory=SnapCut)  # records of the range the capture cut short
    backwards: int = 0
    limits: set[str] = field(default_factory=set)
    # client address -> hardware address as the range learnt them (the first range's are the one
    # pass's), and for each flow the range created, its client's address in the frame that
    # created it (the merge learns from those in the one pass's order)
    client_macs: dict[bytes, bytes] = field(default_factory=dict)
    flow_macs: dict[FlowKey, bytes] = field(default_factory=dict)
    awaited_peak: int = 0  # the most DNS queries on unusual ports awaiting a reply at once (udp.AwaitedReplies)


class RangeHooks:
    """Records, for the merge, what the extractor of one range does near its two cuts."""

    def __init__(self, ex: Extractor, first_ts: float | None, window: bool) -> None:
        self.ex = ex
        self.first_ts = first_ts
        self.window = window and first_ts is not None  # logging the start's table calls
        self.provisional_on = self.window  # connections may be the range before's
        self.following = False
        self.cut_packets = 0
        self.window_end = -1
        self.log: list[Call] = []
        self.follow_log: list[Call] = []
        self.seen: set[ConnKey] = set()
        self.provisionals: list[Provisional] = []
        self.flow_created: dict[FlowKey, int] = {}
        self.start_idx: dict[FlowSeen, array[int]] = {}
        self.sweeps: list[tuple[int, float]] = []
        self.begun_streams: dict[StreamKey, int] = {}
        self.ended_streams: dict[StreamKey, int] = {}
        self.fragments: set[tuple[object, ...]] = set()
        self.quic: set[tuple[object, ...]] = set()
        self.flow_macs: dict[FlowKey, bytes] = {}
        self.limits: set[str] = set()
        self.in_sweep = False
        self.late_misses: list[tuple[StreamKey, int, bool, float]] = []

    def index(self) -> int:
        return self.ex.packets - self.cut_packets

    def in_window(self) -> bool:
        if not self.window or self.following:
            return False
        if self.ex._now - self.first_ts > WINDOW_SECONDS:  # type: ignore[operator]
            self.window = False
            return False
        return True

    # -- name tables ----------------------------------------------------------------------

    def logged(self, method: str, args: tuple[Any, ...]) -> bool:
        """Log a table call instead of making it (while following, and in the window)."""
        if self.following:
            self.follow_log.append((self.index(), self.in_sweep, method, args))
            return True
        if self.in_window():
            self.log.append((self.index(), self.in_sweep, method, args))
            return True
        if self.window_end < 0:
            self.window_end = self.index()
        return False

    # -- flows (flows.RangeFlows) -----------------------------------------------------------

    def provisional(self, key: ConnKey) -> bool:
        proto, src, sport, dst, dport = key
        if not self.provisional_on or key in self.seen or (proto, dst, dport, src, sport) in self.seen:
            return False
        self.seen.add(key)
        return True

    def opened(self, conn: Conn, key: ConnKey, fkey: FlowKey, ts: float, tcp: bool, flags: int) -> None:
        _proto, src, sport, dst, dport = key
        client = (src, sport) if conn.sender_client else (dst, dport)
        acc = conn.flow
        assert acc is not None
        conn.pid = len(self.provisionals)
        self.provisionals.append(Provisional(conn.pid, key, client, fkey, self.index(),
                                             tcp and flags & 0x12 == 0x02, acc, bool(acc.starts),
                                             mac=hardware_address(fkey[1], self.ex.frame)))

    def created(self, fkey: FlowKey) -> None:
        self.flow_created[fkey] = self.index()
        if not self.following:
            self.flow_macs[fkey] = hardware_address(fkey[1], self.ex.frame)

    def started(self, agg: FlowSeen) -> None:
        self.start_idx.setdefault(agg, array("q")).append(self.index())

    def risky(self, conn: Conn) -> None:
        self.provisionals[conn.pid].risky = True

    def sweeping(self, now: float | None) -> None:
        """A sweep of idle tables begins at ``now`` (None: it has ended)."""
        self.in_sweep = now is not None
        if now is None or self.following:  # past the end: the next range's
            return
        self.sweeps.append((self.index(), now))
        if self.provisional_on and now - self.first_ts > IDLE:  # type: ignore[operator]
            self.provisional_on = False  # every connection of the range before is forgotten by now

    def limit(self, what: str) -> None:
        self.limits.add(what)

    # -- streams (streams.RangeStreams), fragments and QUIC (udp.RangeExtract) ------------

    def begun(self, key: StreamKey) -> None:
        if self.in_window() and key not in self.begun_streams:
            self.begun_streams[key] = self.index()

    def ended(self, key: StreamKey) -> None:
        if self.following and key not in self.ended_streams:
            self.ended_streams[key] = self.index()

    def fragments_begun(self, key: tuple[object, ...]) -> None:
        if not self.following:
            self.fragments.add(key)

    def quic_begun(self, flow: tuple[bytes, int, bytes, int]) -> None:
        if not self.following:
            self.quic.add(flow)

    def awaited(self, conn: StreamKey) -> None:
        """A certificate after the window whose server name was not found: it may have been asked
        for before the cut (the merge checks)."""
        if self.first_ts is not None and self.ex._now - self.first_ts <= SNI_SECONDS and not self.following:
            self.late_misses.append((conn, self.index(), self.in_sweep, self.ex._now))


class LoggingTables(NameTables):
    """The name tables of a range's extractor: calls near the cuts are logged (``RangeHooks``)."""

    hooks: RangeHooks

    def dns(self, payload: bytes, src: bytes, dst: bytes, ts: float, transport: str, kind: str = "dns") -> None:
        if not self.hooks.logged("dns", (payload, src, dst, ts, transport, kind)):
            super().dns(payload, src, dst, ts, transport, kind)

    def nbns(self, names: list[str]) -> None:
        if not self.hooks.logged("nbns", (names,)):
            super().nbns(names)

    def server_name(self, protocol: str, name: str, client: bytes, server: bytes, port: int, ts: float) -> None:
        if not self.hooks.logged("server_name", (protocol, name, client, server, port, ts)):
            super().server_name(protocol, name, client, server, port, ts)

    def certificate(self, info: CertificateInfo, server: bytes, port: int, ts: float, sni: str,
                    conn: StreamKey | None = None) -> None:
        # the capture time goes with it: a name asked for in the range before must not be too old
        if not self.hooks.logged("certificate", (info, server, port, ts, sni, conn, self.hooks.ex._now)):
            if not sni and conn is not None:
                self.hooks.awaited(conn)
            super().certificate(info, server, port, ts, sni, conn)


def range_extractor(first_ts: float | None, window: bool) -> tuple[Extractor, RangeHooks]:
    """An extractor of everything (flows, certificates, observations) wired to record for the merge."""
    ex = Extractor()
    hooks = RangeHooks(ex, first_ts, window)
    tables = LoggingTables(True, ex._bad_parsed, ex._over, ex._drop)
    tables.hooks = hooks
    ex.tables = ex.tcp._tables = tables
    ex.names, ex.dns_obs, ex.server_obs = tables.names, tables.dns_obs, tables.server_obs
    ex.cert_obs, ex.address_names = tables.cert_obs, tables.address_names
    ex.hooks = hooks
    ex.tcp.hooks = hooks
    ex._flow_table.hooks = hooks
    if window and first_ts is not None:
        # whether the one pass sweeps at this range's first packet depends on the range before:
        # the merge knows (``merge.first_sweep``); here there is nothing to sweep yet
        ex._sweep_at = next_sweep(first_ts)
        # a reply early in the range whose query may be before the cut: read in one pass (see ``udp``)
        ex._awaited.unknown_until = first_ts + REPLIES_FROM_BEFORE_SECONDS
    return ex, hooks


# In a worker process: where each range reports its progress (packets, bytes read) and, last, a
# flag the parent sets to stop every range (see ``merge.scan_ranges``).
_SHARED: Any = None


def init_worker(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def scan_range(path: str, start: int, stop: int, section: Section | None, window: bool,
               slot: int = -1, shared: Any = None, poll: Callable[[], None] | None = None) -> RangeScan:
    """Scan the records from byte ``start`` to ``stop`` (``window``: not the file's first range),
    then follow what is under way past ``stop``. ``slot``: where to report progress (in ``shared``,
    else the worker's); ``poll``: called between frames (the parent, reading a range itself,
    reports everyone's progress and passes on a stop there)."""
    from exposure.collect.net.parallel import open_range, read_range

    with open_capture(path, hashing=False) as reader:
        first_ts, frames = open_range(reader, start, stop, section)
        ex, hooks = range_extractor(first_ts, window)
        if shared is None:
            shared = _SHARED

        def tick() -> bool:
            shared[2 * slot] = ex.packets
            shared[2 * slot + 1] = reader.position() - start
            if poll is not None:
                poll()
            return bool(shared[-1])

        rest = read_range(reader, ex, start, stop, frames, tick if shared is not None and slot >= 0 else None)
        if shared is not None and shared[-1]:
            rest = None  # stopped: nothing more to read
        result = RangeScan(
            ex.names, ex.dns_obs, ex.server_obs, ex.cert_obs, ex.address_names, ex.flows, hooks.flow_created,
            {}, hooks.provisionals, _conns(ex), {}, hooks.sweeps, hooks.log, -1, hooks.follow_log, 0,
            set(ex.tcp.active), hooks.ended_streams, hooks.begun_streams, set(ex._fragments.awaited), hooks.fragments,
            set(ex._quic._conns), hooks.quic, hooks.late_misses, ex.packets, ex.ip_packets, ex._first, ex._now,
            first_ts)
        result.problems, result.end_offset = dict(reader.problems), reader.cut_offset
        result.late_headers, result.dropped = reader.late_headers, dict(reader.dropped)
        result.snap_cut = reader.snap_cut.copy()  # the range's own, before following
        result.window_end = hooks.window_end
        result.client_macs = dict(ex.client_macs.by_client)  # before following: the range's own
        result.flow_macs = hooks.flow_macs
        result.awaited_peak = ex._awaited.peak
        _follow(ex, hooks, rest)
        result.follow_packets = hooks.index() if hooks.following else 0
    flows = ex.flows
    result.start_idx = {fkey: hooks.start_idx[agg] for fkey, agg in flows.items() if agg in hooks.start_idx}
    result.sni = dict(ex.tcp._sni_by_conn)
    result.starts_used = STARTS_BUDGET - ex._flow_table._starts_left
    result.backwards = ex.backwards
    for reason, count in ex.dropped.items():
        result.dropped[reason] = result.dropped.get(reason, 0) + count
    result.undecoded, result.overflow = dict(ex.undecoded), dict(ex.overflow)
    result.limits = ex.limits | hooks.limits
    for provisional in hooks.provisionals:
        provisional.last = provisional.acc.last
    return result


def _conns(ex: Extractor) -> dict[ConnKey, ConnState]:
    """The connection table as it stands, with each connection's flow (or provisional id)."""
    keys = {id(agg): fkey for fkey, agg in ex.flows.items()}
    table: dict[ConnKey, ConnState] = {}
    for key, conn in ex._flow_table._conns.items():
        _proto, src, sport, dst, dport = key
        client = (src, sport) if conn.sender_client else (dst, dport)
        fkey = keys.get(id(conn.flow)) if conn.pid < 0 else None
        if conn.pid < 0 and fkey is None:
            continue  # a connection the full flow table could not count: nothing to carry over
        table[key] = ConnState(client, fkey, conn.pid, conn.closed, conn.last)
    return table


def _follow(ex: Extractor, hooks: RangeHooks, frames: Iterator[Frame] | None) -> None:
    """Past the range's end: complete what is under way (logging what it finds), then stop."""
    if frames is None:  # the file's last range
        ex.finish()
        return
    hooks.following = True
    hooks.cut_packets = ex.packets
    ex.follow()
    packet = ex.packet
    limit = float("inf")
    for link, ts, data in frames:
        if not ex.under_way():
            break
        if limit == float("inf") and ts:
            limit = ts + WINDOW_SECONDS
        if ts > limit:
            hooks.limit(FOLLOW_LIMIT)
            break
        packet(link, ts, data)
    ex.finish()
