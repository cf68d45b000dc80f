"""The packet loop: from link-layer frames to names, certificates and flows.

:class:`Extractor` takes frames one at a time (``packet``) and keeps only aggregates
and small, capped working tables, so memory stays flat on any capture size. The work is
split by layer:

- ``links``: link types (Ethernet with 802.1Q/QinQ, PPPoE and MPLS; Linux cooked v1/v2,
  raw IP, BSD loopback, NFLOG, PPP/HDLC, PPPoE without Ethernet, 802.11 data in clear (+ radio headers),
  Apple PKTAP, PPI, ARCNET), one named constant and one method each;
- this module: IPv4 (fragments reassembled), IPv6 (extension headers, fragments), TCP and
  ICMP (the DNS inside ICMP errors, as Wireshark reads it: not inside a redirect);
- ``udp``: UDP (DNS, with the reply to a query on an unusual port that the heuristic turns down,
  LLMNR, NetBIOS, QUIC; a mixin);
- ``tunnels``: IP-in-IP, IPsec AH and IPComp, GRE (ERSPAN, transparent Ethernet, PPTP), VXLAN,
  Geneve, Teredo, GTP-U, WireGuard with its keys in the capture (``wireguard``);
- ``streams``: TCP directions followed for TLS ClientHellos and certificates, HTTP/1.x
  requests, cleartext HTTP/2 and DNS over TCP;
- ``tables``: the capped tables of names and aggregates the results are read from;
- ``flows``: packets aggregated per (protocol, client, server, server port).

Names: DNS questions over UDP and TCP (port 53; on a UDP port Wireshark gives to no other
protocol, when the message passes its strict heuristic), DNS carried in cleartext HTTP/1.1 and HTTP/2
(DNS over HTTPS without TLS), TLS ClientHello and QUIC Initial server names, HTTP Host
headers; NetBIOS and LLMNR names as kinds of their own.

What cannot be decoded is counted in ``undecoded`` by reason; tables that reach their
cap count what they had to drop in ``overflow``; limits that only a capture built to exhaust
memory reaches (names longer than a host name can be, megabytes of names) count in ``dropped``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable

from exposure.collect.net.flows import FlowTable
from exposure.collect.net.fragments import FragmentTable
from exposure.collect.net.links import LINK_HANDLERS, LINKTYPE_ETHERNET
from exposure.collect.net.loop import PARSER_ERROR, TCP_FIRST, feed, next_sweep
from exposure.collect.net.macs import ClientMacs
from exposure.collect.net.quic import QuicSniffer
from exposure.collect.net.reader import NO_CUT, CaptureReader
from exposure.collect.net.results import FlowSeen, NameSets
from exposure.collect.net.streams import MAX_STREAMS, TcpStreams
from exposure.collect.net.tables import NameTables, address_text
from exposure.collect.net.tunnels import IP_AH, IP_COMP, MAX_DEPTH
from exposure.collect.net.udp import AwaitedReplies, RangeExtract, UdpLayer
from exposure.collect.net.vpn import TCP_LENGTH_HIGH, tcp_counted

__all__ = ["MAX_STREAMS", "PARSER_ERROR", "Extractor", "NameSets", "address_text"]  # re-exported for callers

_TCP = struct.Struct("!HHIIBB")
_V6_EXT = frozenset({0, 43, 60, 135, 139, 140})
# ICMP errors whose quoted DNS Wireshark reads; not a redirect (5), whose datagram is still forwarded
_ICMP_ERRORS = frozenset({3, 4, 11, 12})
_ICMPV6_ERRORS = frozenset({1, 2, 3, 4})


class Extractor(UdpLayer):
    """Feed frames with :meth:`packet`; read the aggregates afterwards."""

    def __init__(self, *, flows: bool = True, certificates: bool = True, observations: bool = True) -> None:
        self.want_flows = flows
        self.want_certs = certificates
        self.want_obs = observations
        self.packets = 0
        self.ip_packets = 0
        self._first = float("inf")
        self.undecoded: dict[str, int] = {}
        self.overflow: dict[str, int] = {}
        self.dropped: dict[str, int] = {}  # cut off by limits against oversized (hostile) captures
        self.following = False  # only complete what is under way (see ``follow``)
        self.backwards = 0  # packets whose time is before an earlier packet's
        # caps reached whose effect depends on the order of everything before (a table full): a
        # capture read in byte ranges is then read again in one pass (collect/net/ranges)
        self.limits: set[str] = set()
        self.hooks: RangeExtract | None = None  # set when reading one byte range of a capture
        self.fed = 0  # packets that fed what was under way, while following
        self._completing = False
        self.tables = NameTables(observations, self._bad_parsed, self._over, self._drop)
        self.names = self.tables.names
        self.dns_obs = self.tables.dns_obs
        self.server_obs = self.tables.server_obs
        self.cert_obs = self.tables.cert_obs
        self.address_names = self.tables.address_names
        self._flow_table = FlowTable(self._over)
        self._flow = self._flow_table.add
        self.frame = b""  # the Ethernet frame being read: client_macs learns from it
        self.client_macs = ClientMacs()
        if flows:
            self._flow_table.new_client = self._new_client
        self.flows: dict[tuple[str, bytes, bytes, int], FlowSeen] = self._flow_table.flows
        self.tcp = TcpStreams(self.tables, self._bad_parsed, self._over, certificates)
        self._streams = self.tcp.active
        self._fragments = FragmentTable(self._over, self._timed_out)
        self._quic = QuicSniffer()
        self._awaited = AwaitedReplies(self._over)  # DNS queries on unusual ports (see ``udp``)
        self._now = 0.0
        self._sweep_at = 0.0  # the capture time of the next sweep of idle tables (loop.SWEEP_SECONDS)

    def follow(self) -> None:
        """From now on, only feed what is under way (TCP streams being followed, IP datagrams
        being reassembled, QUIC Initials being put together) and start nothing new, nor count
        flows: how a reader of one byte range of a capture finishes what crosses the end of its range."""
        self.following = True
        self.tcp.following = True
        self.want_flows = False

    def under_way(self) -> bool:
        return bool(self._streams or self._fragments.awaited or self._quic.pending())

    @property
    def first_time(self) -> float | None:
        """The earliest packet time (epoch seconds), None if no packet had one."""
        return self._first if self._first != float("inf") else None

    @property
    def last_time(self) -> float | None:
        return self._now or None

    # -- bookkeeping ------------------------------------------------------------------

    def _bad(self, reason: str) -> None:
        """A packet that could not be decoded (while following, its range counts it)."""
        if not self.following or self._completing:
            self.undecoded[reason] = self.undecoded.get(reason, 0) + 1

    def _bad_parsed(self, reason: str) -> None:
        """Damage found by a parser of what was gathered (a stream, a message)."""
        self.undecoded[reason] = self.undecoded.get(reason, 0) + 1

    def _over(self, reason: str) -> None:
        self.overflow[reason] = self.overflow.get(reason, 0) + 1
        self.limits.add(reason)

    def _timed_out(self, reason: str) -> None:
        """Something given up after a while (not a full table: no limit)."""
        self.overflow[reason] = self.overflow.get(reason, 0) + 1

    def _drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def finish(self) -> None:
        """Parse what is still buffered (streams cut off by the end of the capture)."""
        self.tcp.finish(lambda: self._bad_parsed(PARSER_ERROR))
        self.overflow.update(self._quic.given_up())
        unjoined = self._fragments.given_up()
        if unjoined and self.hooks is not None:  # a range may hold pieces of a datagram the one before completed
            self.hooks.limit("IP fragments never put together")
        self.undecoded.update(unjoined)

    def _new_client(self, client: bytes) -> None:
        self.client_macs.learn(client, self.frame)

    def _sweep(self) -> None:
        now = self._now
        if self.hooks is not None:
            self.hooks.sweeping(now)
        self._flow_table.sweep(now)
        self.tcp.sweep(now)
        self._fragments.sweep(now)
        self._awaited.sweep(now)
        if self.hooks is not None:
            self.hooks.sweeping(None)

    # -- frames -------------------------------------------------------------------------

    def packet(self, link: int, ts: float, data: bytes) -> None:
        self.packets += 1
        if ts > self._now:
            self._now = ts
            if ts >= self._sweep_at:
                self._sweep_at = next_sweep(ts)
                self._sweep()
        elif ts < self._now:
            self.backwards += 1
        if ts < self._first and ts:
            self._first = ts
        self.frame = data if link == LINKTYPE_ETHERNET else b""  # only this frame teaches a hardware address
        try:
            if link == LINKTYPE_ETHERNET:
                # fast path: Ethernet, at most one VLAN tag, IPv4 without options or fragments
                off = 14
                etype = data[12:14]
                if etype == b"\x81\x00":
                    etype = data[16:18]
                    off = 18
                if etype == b"\x08\x00" and len(data) >= off + 20 and data[off] == 0x45 \
                        and not (data[off + 6] & 0x3F or data[off + 7]):
                    total = (data[off + 2] << 8) | data[off + 3]
                    end = off + total
                    if total >= 20 and end <= len(data):
                        self.ip_packets += 1
                        proto = data[off + 9]
                        if proto == 6 and self._skip_tcp(data, off + 20, end):
                            return
                        self._l4(proto, data[off + 12:off + 16], data[off + 16:off + 20], data,
                                 off + 20, end, ts, 0, False, total)
                        return
                elif etype == b"\x86\xdd" and len(data) >= off + 40 and data[off + 6] in (6, 17):
                    end = off + 40 + ((data[off + 4] << 8) | data[off + 5])
                    if off + 40 < end <= len(data):
                        self.ip_packets += 1
                        self._l4(data[off + 6], data[off + 8:off + 24], data[off + 24:off + 40], data,
                                 off + 40, end, ts, 0, False, end - off)
                        return
                self._ether(data, 0, ts, 0)
                return
            handler = LINK_HANDLERS.get(link)
            if handler is None:
                self._bad(f"unsupported link type {link}")
            else:
                handler(self, data, ts)
        except (IndexError, struct.error, ValueError):
            self._bad("damaged packet")
        except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
            self._bad(PARSER_ERROR)

    def run(self, source: Iterable[tuple[int, float, bytes]] | CaptureReader, tick: Callable[[], bool] | None = None,
            every: int = 50_000, start: int = 0, stop: int = NO_CUT) -> bool:
        """``packet`` for every frame of ``source`` (frames, or an open capture read from byte
        ``start`` to ``stop``), the commonest frames handled in the loop (see ``loop``); ``tick`` is
        called every ``every`` frames and stops the reading when it returns True. True when the
        reading stopped at ``stop``. TLS keys: the reader's, unless given (``tcp.keys``)."""
        if self.tcp.keys is None and isinstance(source, CaptureReader):
            self.tcp.keys = source.secrets
        return feed(self, source, tick, every, start, stop)

    def _skip_tcp(self, data: bytes, t: int, end: int) -> bool:
        """Whether a TCP segment can be skipped without a closer look: when only names are
        wanted, most segments are bulk data or bare ACKs of streams nobody is following."""
        if self.want_flows or self._streams or end - t < 20:
            return False
        start = t + ((data[t + 12] >> 4) << 2)
        if start < t + 20 or data[t + 13] & 5:
            return False
        if start >= end:
            return True
        return data[start] not in TCP_FIRST and data[t:t + 2] != b"\x00\x35" and data[t + 2:t + 4] != b"\x00\x35"

    # -- IP -----------------------------------------------------------------------------

    def _ip(self, data: bytes, off: int, end: int, ts: float, depth: int, quoted: bool) -> None:
        if depth > MAX_DEPTH:
            self._bad("too many nested tunnels")
            return
        if end - off < 1:
            self._bad("truncated packet")
            return
        version = data[off] >> 4
        if version == 4:
            self._ipv4(data, off, end, ts, depth, quoted)
        elif version == 6:
            self._ipv6(data, off, end, ts, depth, quoted)
        else:
            self._bad("bad IP header")

    def _ipv4(self, data: bytes, off: int, end: int, ts: float, depth: int, quoted: bool) -> None:
        if end - off < 20:
            self._bad("truncated packet")
            return
        ihl = (data[off] & 15) * 4
        total = (data[off + 2] << 8) | data[off + 3]
        if ihl < 20:
            self._bad("bad IP header")
            return
        if total == 0:  # segmentation offload: the length is not filled in
            total = end - off
        if total < ihl:
            self._bad("bad IP header")
            return
        if off + total < end:
            end = off + total
        if end - off < ihl:
            self._bad("truncated packet")
            return
        proto = data[off + 9]
        src = data[off + 12:off + 16]
        dst = data[off + 16:off + 20]
        frag = (data[off + 6] << 8) | data[off + 7]
        if frag & 0x3FFF and not quoted:
            if off + total <= end:  # the frame holds the whole fragment
                ident = (data[off + 4] << 8) | data[off + 5]
                self._fragment((4, src, dst, ident, proto), (frag & 0x1FFF) * 8, bool(frag & 0x2000),
                               data[off + ihl:end], proto, src, dst, ts, depth)
                return
            if frag & 0x1FFF:  # a later fragment cut short by the capture: not read (as Wireshark)
                self._bad("truncated packet")
                return
            # a first fragment cut short (its datagram cannot be put together): read as far as it
            # goes, as Wireshark does; its DNS question is there
        if not quoted and not depth:
            self.ip_packets += 1
        self._l4(proto, src, dst, data, off + ihl, end, ts, depth, quoted, total)

    def _ipv6(self, data: bytes, off: int, end: int, ts: float, depth: int, quoted: bool) -> None:
        if end - off < 40:
            self._bad("truncated packet")
            return
        plen = (data[off + 4] << 8) | data[off + 5]
        if plen and off + 40 + plen < end:
            end = off + 40 + plen
        nh = data[off + 6]
        src = data[off + 8:off + 24]
        dst = data[off + 24:off + 40]
        pos = off + 40
        while nh in _V6_EXT or nh == 44 or nh == 51:
            if pos + 8 > end:
                self._bad("truncated packet")
                return
            if nh == 44:
                fo = (data[pos + 2] << 8) | data[pos + 3]
                ident = int.from_bytes(data[pos + 4:pos + 8], "big")
                inner = data[pos]
                if not quoted and (fo & 0xFFF9):
                    if not plen or off + 40 + plen <= end:  # the frame holds the whole fragment
                        self._fragment((6, src, dst, ident), fo & 0xFFF8, bool(fo & 1), data[pos + 8:end],
                                       inner, src, dst, ts, depth)
                        return
                    if fo & 0xFFF8:  # a later fragment cut short: not read; a first one is read (as IPv4)
                        self._bad("truncated packet")
                        return
                nh = inner
                pos += 8
            elif nh == 51:
                nh, size = data[pos], (data[pos + 1] + 2) * 4
                pos += size
            else:
                nh, size = data[pos], (data[pos + 1] + 1) * 8
                pos += size
        if pos > end:
            self._bad("truncated packet")
            return
        if not quoted and not depth:
            self.ip_packets += 1
        self._l4(nh, src, dst, data, pos, end, ts, depth, quoted, end - off)

    def _fragment(self, key: tuple[object, ...], offset: int, more: bool, piece: bytes, proto: int,
                  src: bytes, dst: bytes, ts: float, depth: int) -> None:
        table = self._fragments
        if key not in table.awaited:
            if self.following:  # only finish what is under way
                return
            if self.hooks is not None:
                self.hooks.fragments_begun(key)
        elif self.following:
            self.fed += 1
        payload = table.piece(key, offset, more, piece, ts)
        if payload is None:
            return
        if self.following and self.hooks is not None:
            self.hooks.limit("a fragmented datagram completed past the end of the range")
        if not depth:
            self.ip_packets += 1
        completing, self._completing = self._completing, self.following
        try:
            self._l4(proto, src, dst, payload, 0, len(payload), ts, depth, False, len(payload))
        finally:
            self._completing = completing

    # -- transport ------------------------------------------------------------------------

    def _l4(self, proto: int, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float,
            depth: int, quoted: bool, size: int) -> None:
        if proto == 17:
            self._udp(src, dst, data, off, end, ts, depth, quoted, size)
        elif proto == 6:
            self._tcp(src, dst, data, off, end, ts, quoted, size)
        elif proto == 1 or proto == 58:
            if quoted or self.following:
                return
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)
            if end - off >= 8 and data[off] in (_ICMP_ERRORS if proto == 1 else _ICMPV6_ERRORS):
                self._ip(data, off + 8, end, ts, depth + 1, True)
        elif quoted:
            return
        elif proto == IP_AH or proto == IP_COMP:  # headers before the packet's own protocol, not flows
            self._ipsec(proto, src, dst, data, off, end, ts, depth, size)
        else:
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)
            if proto == 4 or proto == 41:
                self._ip(data, off, end, ts, depth + 1, False)
            elif proto == 47:
                self._gre(data, off, end, ts, depth)

    def _tcp(self, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float, quoted: bool,
             size: int) -> None:
        if end - off < 20:
            if not quoted:
                self._bad("truncated packet")
            return
        sport, dport, seq, _ack, hl, flags = _TCP.unpack_from(data, off)
        hlen = (hl >> 4) * 4
        if hlen < 20:
            if not quoted:
                self._bad("bad TCP header")
            return
        if quoted:
            return
        if self.following:
            if (src, sport, dst, dport) not in self._streams:
                return
            self.fed += 1
        if self.want_flows:
            self._flow(6, src, sport, dst, dport, ts, size, True, flags)
        if off + hlen > end:
            self._bad("truncated packet")
            return
        start = off + hlen
        if start < end and data[start] < TCP_LENGTH_HIGH and self.want_flows:  # OpenVPN over TCP? (``vpn``)
            tcp_counted(self._flow_table, data[start:end], ts, (sport, dport))
        streams = self._streams
        # only slice and look closer at a payload that may matter: most are bulk data
        if start < end and (data[start] in TCP_FIRST or sport == 53 or dport == 53
                            or (streams and (src, sport, dst, dport) in streams)):
            self.tcp.segment((src, sport, dst, dport), seq + (1 if flags & 2 else 0), data[start:end], ts)
        if flags & 5 and streams:  # FIN or RST: parse what a stream holds, then forget it
            self.tcp.close((src, sport, dst, dport))
