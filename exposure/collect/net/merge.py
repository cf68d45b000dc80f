"""Join the byte ranges of a capture scanned apart (``collect/net/ranges``) into exactly what one
pass over the whole file finds, or say that it cannot (None: read the file in one pass).

Ranges are joined in file order. For each cut, the merge

1. checks what it cannot make exact: a table that filled up in a range, packet times going
   backwards, a stream the next range began again before the range before finished it, a
   fragmented datagram or QUIC Initial on both sides of the cut;
2. settles the next range's provisional connections: each either goes on with a connection of
   the range before (the one pass would have counted its packets there) or is a new one;
3. replays the logged table calls of the range before (past its end) and of the next range (its
   first minutes) in packet order, then adds the rest of the next range's tables, which all
   came later.
"""

from __future__ import annotations

import gc
import itertools
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TypeVar

from exposure.collect.net.flows import CLOSED_IDLE, IDLE, MAX_FLOWS, MAX_STARTS, STARTS_BUDGET, ConnKey, FlowKey
from exposure.collect.net.loop import next_sweep
from exposure.collect.net.macs import MAX_CLIENTS, ClientMacs
from exposure.collect.net.ranges import Aggregates, Call, ConnState, Endpoint, Provisional, RangeScan
from exposure.collect.net.reader import SnapCut
from exposure.collect.net.results import FlowSeen, Seen, VpnEvidence
from exposure.collect.net.streams import StreamKey
from exposure.collect.net.tables import (
    MAX_ADDRESS_NAMES,
    MAX_ADDRESS_NAMES_EACH,
    MAX_ANSWERS,
    MAX_NAME_CHARS,
    MAX_NAME_OBS,
    MAX_NAMES,
    NameTables,
)
from exposure.collect.net.udp import MAX_AWAITED

_K = TypeVar("_K")
_V = TypeVar("_V", bound=Seen)
PROGRESS_SECONDS = 0.25  # how often the reading of the ranges reports its progress
_NAME_KINDS = (("dns", "dns"), ("tls_sni", "tls"), ("quic_sni", "quic"), ("http_host", "http"), ("nbns", "nbns"),
               ("llmnr", "llmnr"))  # NameSets kind -> the table's character count key


@dataclass(slots=True)
class Carried:
    """A connection as the one pass would have it at a cut."""

    client: Endpoint
    fkey: FlowKey
    closed: bool
    last: float


@dataclass
class Joined(Aggregates):
    """The aggregates of the whole capture, read as :class:`~exposure.collect.net.extract.Extractor`'s."""

    packets: int = 0
    ip_packets: int = 0
    undecoded: dict[str, int] = field(default_factory=dict)
    overflow: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    snap_cut: SnapCut = field(default_factory=SnapCut)
    first: float = float("inf")
    now: float = 0.0
    stopped: bool = False  # the reading was stopped: this is what the first range had read
    client_macs: ClientMacs = field(default_factory=ClientMacs)

    @property
    def first_time(self) -> float | None:
        return self.first if self.first != float("inf") else None

    @property
    def last_time(self) -> float | None:
        return self.now or None


class _NotExact(Exception):
    """The ranges cannot be joined into the one pass's result."""


def join(results: list[RangeScan], stops: list[int]) -> Joined | str:
    """The ranges' results joined (``stops``: where each range was to end), or why they cannot be."""
    for i, result in enumerate(results):
        if result.limits:
            return f"a limit was reached: {sorted(result.limits)[0]}"
        if result.backwards or result.late_headers:
            return "packet times go backwards" if result.backwards else "pcapng headers after packets"
        if i < len(results) - 1 and result.end_offset != stops[i]:
            return "a range did not end at its cut (damage, or not a record boundary)"
    if sum(result.awaited_peak for result in results) > MAX_AWAITED:
        return "DNS queries on unusual ports awaiting a reply (the table may have been full)"
    try:
        merged = _Merge(results[0])
        for before, after in itertools.pairwise(results):
            merged.add(before, after)
    except _NotExact as exc:
        return str(exc)
    return merged.joined


class _Merge:
    def __init__(self, first: RangeScan) -> None:
        self.joined = joined = Joined(first.names, first.dns_obs, first.server_obs, first.cert_obs,
                                      first.address_names, first.flows)
        _add_counts(joined, first)
        joined.client_macs.by_client.update(first.client_macs)  # the first range's are the one pass's
        self.tables = NameTables(True, self._bad, self._over, self._drop)
        self.tables.names, self.tables.dns_obs, self.tables.server_obs = joined.names, joined.dns_obs, joined.server_obs
        self.tables.cert_obs, self.tables.address_names = joined.cert_obs, joined.address_names
        self._count_chars()
        self.starts_used = first.starts_used
        self.conns: dict[ConnKey, Carried] = {}
        self.sni: dict[StreamKey, tuple[str, float]] = {}
        self._carry({}, first, [])

    def _bad(self, reason: str) -> None:
        self.joined.undecoded[reason] = self.joined.undecoded.get(reason, 0) + 1

    def _over(self, reason: str) -> None:
        raise _NotExact(reason)  # a table the one pass would have found full

    def _drop(self, reason: str) -> None:
        if "million characters" in reason:
            raise _NotExact(reason)
        self.joined.dropped[reason] = self.joined.dropped.get(reason, 0) + 1

    def _count_chars(self) -> None:
        names = self.joined.names
        self.tables._chars = {key: sum(map(len, getattr(names, kind))) for kind, key in _NAME_KINDS}

    # -- one cut ----------------------------------------------------------------------------

    def add(self, before: RangeScan, after: RangeScan) -> None:
        if after.first_ts is None:  # an empty range
            _add_counts(self.joined, after)
            return
        self._check(before, after)
        if next_sweep(self.joined.now) <= after.first_ts:
            # the one pass swept at the range's first packet (the range itself had nothing to sweep)
            after.sweeps.insert(0, (1, after.first_ts))
        resolved = self._flows(after)
        self._replay(before.follow_log, after)
        self._tables(after)
        _add_counts(self.joined, after)
        self.starts_used += after.starts_used
        if self.starts_used >= STARTS_BUDGET:
            raise _NotExact("connection starts")
        self._carry(resolved, after, after.sweeps)

    def _check(self, before: RangeScan, after: RangeScan) -> None:
        if self.joined.now > after.first_ts:  # type: ignore[operator]
            raise _NotExact("packet times go backwards at a cut")
        for key in before.under_way:
            begun = after.begun.get(key)
            if begun is not None and begun < before.ended.get(key, 1 << 62):
                raise _NotExact(f"a stream followed past a cut was begun again after it (port {key[3]})")
        if (after.window_end >= 0 and any(call[0] >= after.window_end for call in before.follow_log)) \
                or before.follow_packets > after.packets:
            raise _NotExact("what was under way at a cut was finished past the next range's window")
        if before.fragments_at_cut & after.fragments_begun or before.quic_at_cut & after.quic_begun:
            raise _NotExact("a fragmented datagram or QUIC Initial on both sides of a cut")
        for conn, idx, in_sweep, now in after.late_misses:
            if self._awaited(conn, idx, not in_sweep, now, after.sweeps):
                raise _NotExact("a certificate long after its ClientHello, across a cut")

    # -- flows ------------------------------------------------------------------------------

    def _flows(self, after: RangeScan) -> dict[int, Carried]:
        """Settle the provisional connections and add the range's flows; for each provisional
        connection, the connection the one pass would have had (for the next cut)."""
        resolved: dict[int, Carried] = {}
        # (packet index, flow, its packets, its client's hardware address in the frame that began it)
        created: list[tuple[int, FlowKey, FlowSeen, bytes]] = [
            (after.flow_created[fkey], fkey, agg, after.flow_macs.get(fkey, b"")) for fkey, agg in after.flows.items()]
        starts = {fkey: list(zip(after.start_idx.get(fkey, ()), agg.starts, strict=True))
                  for fkey, agg in after.flows.items()}
        going_on: list[tuple[Carried, Provisional]] = []
        for p in after.provisionals:
            proto, src, sport, dst, dport = p.key
            carried = self.conns.get(p.key) or self.conns.get((proto, dst, dport, src, sport))
            if carried is not None and _alive(carried, p.idx, after.sweeps) and not (p.syn and carried.closed):
                if carried.closed and p.risky:
                    raise _NotExact("a closed connection went on past a cut")
                going_on.append((carried, p))
                resolved[p.pid] = Carried(carried.client, carried.fkey, carried.closed, p.last)
                continue
            created.append((p.idx, p.fkey, p.acc, p.mac))
            if p.started:
                starts.setdefault(p.fkey, []).append((p.idx, p.acc.starts[0]))
            resolved[p.pid] = Carried(p.client, p.fkey, False, p.last)
        flows = self.joined.flows
        created.sort(key=lambda item: item[0])  # (one flow per index: a packet begins at most one)
        macs = self.joined.client_macs.by_client
        for _idx, fkey, agg, mac in created:
            into = flows.get(fkey)
            if into is None:
                if len(flows) >= MAX_FLOWS:
                    raise _NotExact("flows (table full)")
                into = flows[fkey] = FlowSeen(agg.first)
                # where the one pass began this flow, it learnt its client's hardware address
                if mac and fkey[1] not in macs and len(macs) < MAX_CLIENTS:
                    macs[fkey[1]] = mac
            _add_flow(into, agg, False)
        for fkey, more in starts.items():
            kept = flows[fkey].starts
            for _idx, ts in sorted(more, key=lambda item: item[0]):
                if len(kept) >= MAX_STARTS:
                    break
                kept.append(ts)
        for carried, p in going_on:
            _add_flow(flows[carried.fkey], p.acc, p.client != carried.client)
        return resolved

    def _carry(self, resolved: dict[int, Carried], after: RangeScan, sweeps: list[tuple[int, float]]) -> None:
        """The connections and awaited server names the one pass would have at ``after``'s end."""
        conns: dict[ConnKey, Carried] = {}
        for key, state in after.conns.items():
            carried = _carried(state, resolved)
            if _alive(carried, 1 << 62, sweeps):  # a connection closed before the cut is forgotten sooner
                conns[key] = carried
        touched = {p.key for p in after.provisionals}
        for key, carried in self.conns.items():  # the range before's, untouched and not swept
            proto, src, sport, dst, dport = key
            back = (proto, dst, dport, src, sport)
            if key in touched or back in touched or key in after.conns or back in after.conns:
                continue  # went on (or was replaced) in the range
            if _alive(carried, 1 << 62, sweeps):
                conns[key] = carried
        self.conns = conns
        sni = dict(after.sni)
        for skey, (name, ts) in self.sni.items():
            if skey not in sni and not any(now - ts > IDLE for _idx, now in sweeps):
                sni[skey] = (name, ts)
        self.sni = sni

    # -- name tables --------------------------------------------------------------------------

    def _replay(self, follow_log: list[Call], after: RangeScan) -> None:
        """The calls logged on both sides of the cut, in the one pass's order."""
        # at one packet: a sweep first (the range before's streams first, as they were first in
        # the one pass's table), then the packet itself
        calls = [(idx, not swept, 0, n, method, args) for n, (idx, swept, method, args) in enumerate(follow_log)]
        calls += [(idx, not swept, 1, n, method, args) for n, (idx, swept, method, args) in enumerate(after.log)]
        calls.sort(key=lambda call: call[:4])
        tables = self.tables
        for idx, after_sweep, side, _n, method, args in calls:
            if method == "dns":
                tables.dns(*args)
            elif method == "server_name":
                tables.server_name(*args)
            elif method == "nbns":
                tables.nbns(*args)
            else:
                info, server, port, ts, sni, conn, now = args
                if not sni and side and conn is not None:
                    sni = self._awaited(conn, idx, after_sweep, now, after.sweeps)
                tables.certificate(info, server, port, ts, sni)

    def _awaited(self, conn: StreamKey, idx: int, after_sweep: bool, now: float,
                 sweeps: list[tuple[int, float]]) -> str:
        """The server name asked for before the cut that the one pass would still have had (a
        sweep forgets old names after closing idle streams, whose certificates still find them)."""
        entry = self.sni.get(conn)
        if entry is None or entry[1] > now:
            return ""
        if any((at < idx or (at == idx and after_sweep)) and when - entry[1] > IDLE for at, when in sweeps):
            return ""
        return entry[0]

    def _tables(self, after: RangeScan) -> None:
        joined = self.joined
        joined.names.update(after.names)
        self._count_chars()
        for kind, key in _NAME_KINDS:
            if len(getattr(joined.names, kind)) > MAX_NAMES or self.tables._chars[key] > MAX_NAME_CHARS:
                raise _NotExact("names")
        for dkey, seen in after.dns_obs.items():
            into = _entry(joined.dns_obs, dkey, seen, MAX_NAME_OBS)
            if into is not seen:
                _add_seen(into, seen)
                into.dnscrypt_cert = into.dnscrypt_cert or seen.dnscrypt_cert
                for answer in seen.answers:
                    if answer not in into.answers and len(into.answers) < MAX_ANSWERS:
                        into.answers[answer] = None
        for skey, seen_name in after.server_obs.items():
            into_name = _entry(joined.server_obs, skey, seen_name, MAX_NAME_OBS)
            if into_name is not seen_name:
                _add_seen(into_name, seen_name)
        for ckey, cert in after.cert_obs.items():
            into_cert = _entry(joined.cert_obs, ckey, cert, MAX_NAME_OBS)
            if into_cert is not cert:
                _add_seen(into_cert, cert)
                into_cert.sni = into_cert.sni or cert.sni
        _add_address_names(joined.address_names, after.address_names)


def _add_address_names(into: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for address, names in more.items():
        known = into.get(address)
        if known is None:
            if len(into) >= MAX_ADDRESS_NAMES:
                raise _NotExact("DNS answers (table full)")
            into[address] = names
            continue
        for name in names:
            if name not in known and len(known) < MAX_ADDRESS_NAMES_EACH:
                known.append(name)


def _alive(carried: Carried, idx: int, sweeps: list[tuple[int, float]]) -> bool:
    """Whether a connection of the range before is still known at packet ``idx`` of the next."""
    for at, now in sweeps:
        if at > idx:
            break
        if now - carried.last > IDLE or (carried.closed and now - carried.last > CLOSED_IDLE):
            return False
    return True


def _carried(state: ConnState, resolved: dict[int, Carried]) -> Carried:
    if state.fkey is not None:
        return Carried(state.client, state.fkey, state.closed, state.last)
    was = resolved[state.pid]
    return Carried(was.client, was.fkey, was.closed or state.closed, state.last)


def _add_flow(into: FlowSeen, agg: FlowSeen, swapped: bool) -> None:
    """Add a flow's (or a provisional connection's) packets; ``swapped``: its client is the other side."""
    if swapped:
        into.bytes_out += agg.bytes_in
        into.bytes_in += agg.bytes_out
    else:
        into.bytes_out += agg.bytes_out
        into.bytes_in += agg.bytes_in
    into.count += agg.count
    into.opened += agg.opened
    into.setup += agg.setup
    into.last = max(into.last, agg.last)
    if agg.vpn is not None:  # what each part showed of a VPN tunnel (a handshake may span a cut)
        if into.vpn is None:
            into.vpn = VpnEvidence()
        into.vpn.add(agg.vpn, swapped)


def _entry(table: dict[_K, _V], key: _K, seen: _V, cap: int) -> _V:
    into = table.get(key)
    if into is None:
        if len(table) >= cap:
            raise _NotExact("observations (table full)")
        table[key] = seen
        return seen
    return into


def _add_seen(into: Seen, seen: Seen) -> None:
    into.count += seen.count
    into.last = seen.last


def _add_counts(joined: Joined, result: RangeScan) -> None:
    joined.packets += result.packets
    joined.ip_packets += result.ip_packets
    joined.snap_cut.add(result.snap_cut)
    joined.first = min(joined.first, result.first)
    joined.now = max(joined.now, result.now)
    for table, into in ((result.undecoded, joined.undecoded), (result.overflow, joined.overflow),
                        (result.dropped, joined.dropped), (result.problems, joined.problems)):
        for reason, count in table.items():
            into[reason] = into.get(reason, 0) + count


def scan_in_parallel(path: str, workers: int, min_bytes: int, progress: Callable[[int, int], None] | None = None,
                     stopped: Callable[[], bool] | None = None) -> Joined | None:
    """Everything the capture holds, read by ``workers`` processes; None when it must be read in one
    pass (small or gzip files, no record boundary found, or ranges that cannot be joined exactly)."""
    found = scan_ranges(path, workers, min_bytes, progress, stopped)
    return found if isinstance(found, Joined) else None


def scan_ranges(path: str, workers: int, min_bytes: int, progress: Callable[[int, int], None] | None = None,
                stopped: Callable[[], bool] | None = None) -> Joined | str:
    """As ``scan_in_parallel``, saying why when the file is to be read in one pass. ``progress`` is
    told the packets and bytes read so far, about four times a second; when ``stopped`` says so,
    every range stops and what the first one read is returned (``Joined.stopped``)."""
    from exposure.collect.net import parallel
    from exposure.collect.net.ranges import init_worker, scan_range

    planned = parallel.plan_ranges(path, workers, min_bytes)
    if planned is None:
        return "small, compressed or no record boundary found"
    ranges, section = planned
    context = parallel.pool_context()
    shared = context.Array("q", 2 * len(ranges) + 1, lock=False)
    due = [0.0]  # when progress is next reported

    def poll() -> None:
        now = time.monotonic()
        if now < due[0]:
            return
        due[0] = now + PROGRESS_SECONDS
        if progress is not None:
            progress(sum(shared[0:-1:2]), sum(shared[1:-1:2]))
        if stopped is not None and stopped():
            shared[-1] = 1

    # The processes forked below share this one's objects (the indicator catalog, the modules)
    # until they write to them; frozen, the garbage collector of a child no longer does. Garbage
    # is collected first: frozen and then unfrozen, it stayed uncollected, and an app checking
    # capture after capture grew by a few MB each (54 -> 78 MB over six 400k captures; 62 with this).
    gc.collect()
    gc.freeze()
    try:
        with ProcessPoolExecutor(len(ranges) - 1, mp_context=context, initializer=init_worker,
                                 initargs=(shared,)) as pool:
            futures = [pool.submit(scan_range, path, start, stop, section, True, i)
                       for i, (start, stop) in enumerate(ranges) if i]
            # this process reads the first range itself: one process fewer, holding its own memory
            own = scan_range(path, ranges[0][0], ranges[0][1], section, False, 0, shared, poll)
            while wait(futures, timeout=PROGRESS_SECONDS).not_done:
                poll()
            results = [own, *(future.result() for future in futures)]
    except Exception as exc:  # a process that failed or could not start: one pass is always right
        return f"a reading process failed ({exc!r})"
    finally:
        gc.unfreeze()
    if shared[-1]:
        first = join(results[:1], [ranges[0][1]])
        if isinstance(first, Joined):
            first.stopped = True
        return first
    return join(results, [stop for _start, stop in ranges])
