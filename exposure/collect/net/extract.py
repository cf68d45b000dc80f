"""The packet loop: from link-layer frames to names, certificates and flows.

:class:`Extractor` takes frames one at a time (``packet``) and keeps only aggregates
and small, capped working tables, so memory stays flat on any capture size:

- link layers Ethernet (802.1Q/QinQ, PPPoE, MPLS), Linux cooked v1/v2, raw IP, BSD
  loopback, NFLOG, PPP/HDLC, 802.11 data in clear (radiotap), Apple PKTAP;
  IPv4 (fragments reassembled), IPv6 (extension headers, fragments);
  tunnels IP-in-IP, GRE (incl. ERSPAN, transparent Ethernet), VXLAN, Geneve, Teredo, GTP-U;
- DNS question names over UDP and TCP (unicast DNS, port 53; on other UDP ports above 1023
  when the message passes Wireshark's strict DNS heuristic) and A/AAAA answers;
  the DNS inside ICMP error messages (the quoted original packet) as Wireshark does;
- TLS ClientHello server names (ClientHello reassembled over segments) on any TCP port;
- QUIC v1/v2 (and late drafts) Initial server names, decrypted;
- HTTP/1.x Host headers (usual ports by method, any port when the request line says HTTP/1.x);
- TLS 1.0-1.2 server certificates;
- flows aggregated per (protocol, client, server, server port) (see ``flows``, which also
  says how the client side is chosen).

What cannot be decoded is counted in ``undecoded`` by reason; tables that reach their
cap count what they had to drop in ``overflow``.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from exposure.collect.net import dns as dnsmod
from exposure.collect.net.flows import IDLE, FlowTable
from exposure.collect.net.http import request_hosts, request_start
from exposure.collect.net.quic import QuicSniffer, is_long_header
from exposure.collect.net.results import CertSeen, DnsSeen, FlowSeen, NameSets, Seen
from exposure.collect.net.tcpstream import StreamStart
from exposure.collect.net.tls import (
    CERTIFICATE,
    CLIENT_HELLO,
    SERVER_HELLO,
    CertificateInfo,
    certificate_chain,
    client_hello_names,
    describe_certificate,
    looks_like_record,
    record_handshakes,
)

__all__ = ["PARSER_ERROR", "Extractor", "NameSets", "address_text"]  # NameSets re-exported for callers

PARSER_ERROR = "internal parser error"
MAX_DEPTH = 6
MAX_STREAMS = 1024
MAX_FRAGMENT_SETS = 256
MAX_FRAGMENT_BYTES = 65_535 + 16
MAX_FRAGMENT_PIECES = 256
MAX_NAME_OBS = 50_000
MAX_ADDRESS_NAMES = 50_000
MAX_NAMES = 200_000  # per kind; a capture with more distinct names is likely DNS tunnelling
SWEEP_EVERY = 1 << 16
# Buffers per stream direction (at most MAX_STREAMS of them, each holding at most twice its
# cap with out-of-order segments: under 64 MB in all): a ClientHello with a post-quantum key
# share is about 2 KB, a server's certificate flight rarely above 16 KB.
TLS_CAP = 24 * 1024
HTTP_CAP = 8 * 1024
DNS_TCP_CAP = 32 * 1024  # over the life of a stream (parsed messages are dropped)

_U16 = struct.Struct("!H")
_TCP = struct.Struct("!HHIIBB")
_UDP = struct.Struct("!HHH")
_NTOP4 = socket.inet_ntop
_AF4 = socket.AF_INET
_AF6 = socket.AF_INET6
_VLAN = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
_RAW_LINKS = frozenset({101, 12, 14, 228, 229})
_NULL_V6 = frozenset({24, 28, 30})
_V6_EXT = frozenset({0, 43, 60, 135, 139, 140})
# first payload bytes that can start a TLS handshake record or an HTTP request
_TCP_FIRST = frozenset([0x16, *range(0x41, 0x5B)])


def address_text(raw: bytes) -> str:
    return _NTOP4(_AF4 if len(raw) == 4 else _AF6, raw)


class _Fragments:
    __slots__ = ("first", "pieces", "total")

    def __init__(self, ts: float) -> None:
        self.pieces: dict[int, bytes] = {}
        self.total = -1
        self.first = ts


class Extractor:
    """Feed frames with :meth:`packet`; read the aggregates afterwards."""

    def __init__(self, *, flows: bool = True, certificates: bool = True, observations: bool = True) -> None:
        self.want_flows = flows
        self.want_certs = certificates
        self.want_obs = observations
        self.names = NameSets()
        self.packets = 0
        self.ip_packets = 0
        self._first = float("inf")
        self.undecoded: dict[str, int] = {}
        self.overflow: dict[str, int] = {}
        self.dns_obs: dict[tuple[str, str, str, str], DnsSeen] = {}
        self.server_obs: dict[tuple[str, str, str, str, int], Seen] = {}
        self.cert_obs: dict[tuple[str, str, int], CertSeen] = {}
        self._flow_table = FlowTable(self._over)
        self._flow = self._flow_table.add
        self.flows: dict[tuple[str, bytes, bytes, int], FlowSeen] = self._flow_table.flows
        self.address_names: dict[str, list[str]] = {}
        self._streams: dict[tuple[bytes, int, bytes, int], StreamStart] = {}
        self._fragments: dict[tuple[object, ...], _Fragments] = {}
        self._sni_by_conn: dict[tuple[bytes, int, bytes, int], str] = {}
        self._quic = QuicSniffer()
        self._dns_cache: dict[bytes, dnsmod.DnsMessage | None] = {}
        self._addr_text: dict[bytes, str] = {}
        self._now = 0.0
        self._next_sweep = SWEEP_EVERY

    @property
    def first_time(self) -> float | None:
        """The earliest packet time (epoch seconds), None if no packet had one."""
        return self._first if self._first != float("inf") else None

    @property
    def last_time(self) -> float | None:
        return self._now or None

    # -- bookkeeping ------------------------------------------------------------------

    def _bad(self, reason: str) -> None:
        self.undecoded[reason] = self.undecoded.get(reason, 0) + 1

    def _text(self, raw: bytes) -> str:
        text = self._addr_text.get(raw)
        if text is None:
            if len(self._addr_text) >= 65536:
                self._addr_text.clear()
            text = self._addr_text[raw] = address_text(raw)
        return text

    def _over(self, reason: str) -> None:
        self.overflow[reason] = self.overflow.get(reason, 0) + 1

    def finish(self) -> None:
        """Parse what is still buffered (streams cut off by the end of the capture)."""
        for key, stream in list(self._streams.items()):
            try:
                self._stream_done(key, stream, final=True)
            except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
                self._bad(PARSER_ERROR)
        self._streams.clear()
        if self._quic.overflow:
            self.overflow["QUIC connections"] = self._quic.overflow

    # -- link layer ---------------------------------------------------------------------

    def packet(self, link: int, ts: float, data: bytes) -> None:
        self.packets += 1
        if ts > self._now:
            self._now = ts
        if ts < self._first and ts:
            self._first = ts
        if self.packets >= self._next_sweep:
            self._next_sweep += SWEEP_EVERY
            self._sweep()
        try:
            if link == 1:
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
            elif link in _RAW_LINKS:
                if link == 229 and data[:1] and data[0] >> 4 != 6:
                    self._bad("bad IP header")  # an IPv6-only link (Wireshark's IPv4 dissector takes both)
                else:
                    self._ip(data, 0, len(data), ts, 0, False)
            elif link == 258 or link == 149:  # Apple PKTAP: a header, then the frame in its own link type
                if len(data) < 8:
                    self._bad("truncated packet")
                    return
                hlen, inner = struct.unpack_from("<II", data, 0)
                if hlen < 8 or hlen > len(data) or inner in (258, 149):
                    self._bad("damaged packet")
                    return
                self.packets -= 1
                self.packet(inner, ts, data[hlen:])
            elif link == 113:  # Linux cooked v1
                if len(data) < 16:
                    self._bad("truncated packet")
                else:
                    self._ethertype(_U16.unpack_from(data, 14)[0], data, 16, ts, 0)
            elif link == 276:  # Linux cooked v2
                if len(data) < 20:
                    self._bad("truncated packet")
                else:
                    self._ethertype(_U16.unpack_from(data, 0)[0], data, 20, ts, 0)
            elif link == 0 or link == 108:  # BSD loopback (host / network byte order)
                if len(data) < 4:
                    self._bad("truncated packet")
                    return
                family = struct.unpack_from("<I" if link == 0 and data[0] else "!I", data, 0)[0]
                if family == 2 or family in _NULL_V6:
                    self._ip(data, 4, len(data), ts, 0, False)
                else:
                    self._bad("not IP (loopback family)")
            elif link == 9 or link == 50 or link == 104:  # PPP, PPP in HDLC framing, Cisco HDLC
                off = 2 if data[:1] in (b"\xff", b"\x0f", b"\x8f") else 0
                proto = (data[off] << 8) | data[off + 1]
                if proto in (0x21, 0x57, 0x0800, 0x86DD):
                    self._ip(data, off + 2, len(data), ts, 0, False)
            elif link == 239:  # Linux NFLOG (Android and iptables logging): the IP packet is one TLV
                self._nflog(data, ts)
            elif link == 127:  # radiotap + 802.11
                if len(data) < 4:
                    self._bad("truncated packet")
                else:
                    self._wifi(data, data[2] | (data[3] << 8), ts)
            elif link == 105:
                self._wifi(data, 0, ts)
            else:
                self._bad(f"unsupported link type {link}")
        except (IndexError, struct.error, ValueError):
            self._bad("damaged packet")
        except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
            self._bad(PARSER_ERROR)

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
        return data[start] not in _TCP_FIRST and data[t:t + 2] != b"\x00\x35" and data[t + 2:t + 4] != b"\x00\x35"

    def _nflog(self, data: bytes, ts: float) -> None:
        pos = 4
        n = len(data)
        while pos + 4 <= n:
            # TLV lengths and types are in the capturing host's byte order (almost always little-endian)
            tlen, ttype = struct.unpack_from("<HH", data, pos)
            if tlen < 4 or pos + tlen > n:
                tlen, ttype = struct.unpack_from("!HH", data, pos)
                if tlen < 4 or pos + tlen > n:
                    self._bad("truncated packet")
                    return
            if ttype == 9:  # NFULA_PAYLOAD
                self._ip(data, pos + 4, pos + tlen, ts, 0, False)
                return
            pos += (tlen + 3) & ~3

    def _wifi(self, data: bytes, off: int, ts: float) -> None:
        """802.11 data frames in clear (an open network or a capture on the access point)."""
        if len(data) < off + 24:
            self._bad("truncated packet")
            return
        fc0, fc1 = data[off], data[off + 1]
        if (fc0 >> 2) & 3 != 2 or fc1 & 0x40:  # not a data frame, or encrypted
            return
        hlen = 30 if fc1 & 3 == 3 else 24
        if fc0 & 0x80:  # QoS data
            hlen += 2
            if fc1 & 0x80:  # HT control with the order bit
                hlen += 4
        pos = off + hlen
        if data[pos:pos + 6] == b"\xaa\xaa\x03\x00\x00\x00" and len(data) >= pos + 8:
            self._ethertype((data[pos + 6] << 8) | data[pos + 7], data, pos + 8, ts, 0)

    def _ether(self, data: bytes, off: int, ts: float, depth: int) -> None:
        if len(data) < off + 14:
            self._bad("truncated packet")
            return
        etype = (data[off + 12] << 8) | data[off + 13]
        self._ethertype(etype, data, off + 14, ts, depth)

    def _ethertype(self, etype: int, data: bytes, off: int, ts: float, depth: int) -> None:
        while etype in _VLAN:
            if len(data) < off + 4:
                self._bad("truncated packet")
                return
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        if etype == 0x0800 or etype == 0x86DD:
            self._ip(data, off, len(data), ts, depth, False)
        elif etype == 0x8864:  # PPPoE session
            if len(data) < off + 8:
                self._bad("truncated packet")
                return
            proto = (data[off + 6] << 8) | data[off + 7]
            if proto == 0x21 or proto == 0x57:
                self._ip(data, off + 8, len(data), ts, depth, False)
        elif etype == 0x8847 or etype == 0x8848:  # MPLS: skip the label stack
            while off + 4 <= len(data):
                bottom = data[off + 2] & 1
                off += 4
                if bottom:
                    if off < len(data) and data[off] >> 4 in (4, 6):
                        self._ip(data, off, len(data), ts, depth, False)
                    elif off + 4 < len(data) and data[off:off + 4] == b"\x00\x00\x00\x00":
                        self._ether(data, off + 4, ts, depth + 1)  # pseudowire control word
                    return
            self._bad("truncated packet")

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
                ident = (data[off + 4] << 8) | data[off + 5]
                self._fragment((4, src, dst, ident, proto), (frag & 0x1FFF) * 8, bool(frag & 0x2000),
                               data[off + ihl:end], proto, src, dst, ts, depth)
                return
            if not quoted and not depth:
                self.ip_packets += 1
            self._l4(proto, src, dst, data, off + ihl, end, ts, depth, quoted, total)
        elif version == 6:
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
                        self._fragment((6, src, dst, ident), fo & 0xFFF8, bool(fo & 1), data[pos + 8:end],
                                       inner, src, dst, ts, depth)
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
        else:
            self._bad("bad IP header")

    def _fragment(self, key: tuple[object, ...], offset: int, more: bool, piece: bytes, proto: int,
                  src: bytes, dst: bytes, ts: float, depth: int) -> None:
        entry = self._fragments.get(key)
        if entry is None:
            if len(self._fragments) >= MAX_FRAGMENT_SETS:
                self._fragments.pop(next(iter(self._fragments)))
                self._over("IP fragments (incomplete datagrams dropped)")
            entry = _Fragments(ts)
            self._fragments[key] = entry
        pieces = entry.pieces
        if offset not in pieces and offset + len(piece) <= MAX_FRAGMENT_BYTES and len(pieces) < MAX_FRAGMENT_PIECES:
            pieces[offset] = piece
        if not more:
            entry.total = offset + len(piece)
        total = entry.total
        if total < 0:
            return
        whole = bytearray()
        for start in sorted(pieces):
            if start > len(whole):
                return
            chunk = pieces[start]
            if start + len(chunk) > len(whole):
                whole += chunk[len(whole) - start:]
        if len(whole) < total:
            return
        del self._fragments[key]
        if not depth:
            self.ip_packets += 1
        payload = bytes(whole[:total])
        self._l4(proto, src, dst, payload, 0, len(payload), ts, depth, False, total)

    # -- transport ------------------------------------------------------------------------

    def _l4(self, proto: int, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float,
            depth: int, quoted: bool, size: int) -> None:
        if proto == 17:
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
            if quoted:
                if ((sport == 53 or dport == 53) and sport not in (5353, 5355) and dport not in (5353, 5355)) or (
                        sport >= 1024 and dport >= 1024 and dnsmod.looks_like_dns(payload)):
                    self._dns(payload, src, dst, sport, dport, ts, "udp")
                return
            if self.want_flows:
                self._flow(17, src, sport, dst, dport, ts, size, False)
            if sport == 53 or dport == 53:
                if sport not in (5353, 5355) and dport not in (5353, 5355):
                    self._dns(payload, src, dst, sport, dport, ts, "udp")
                return
            if dport == 4789 or sport == 4789:  # VXLAN
                if len(payload) >= 8 + 14 and payload[0] & 0x08:
                    self._ether(payload, 8, ts, depth + 1)
                return
            if dport == 3544 or sport == 3544:  # Teredo
                self._teredo(payload, ts, depth)
                return
            if dport == 6081 or sport == 6081:  # Geneve
                if len(payload) >= 8:
                    hlen = 8 + (payload[0] & 0x3F) * 4
                    ptype = (payload[2] << 8) | payload[3]
                    if ptype == 0x6558:
                        self._ether(payload, hlen, ts, depth + 1)
                    else:
                        self._ethertype(ptype, payload, hlen, ts, depth + 1)
                return
            if dport == 2152 or sport == 2152:  # GTP-U
                self._gtp(payload, ts, depth)
                return
            if payload and payload[0] & 0xC0 == 0xC0 and is_long_header(payload):
                names = self._quic.datagram((src, sport, dst, dport), payload)
                if names:
                    for name in names:
                        self._server_name("quic", name, src, dst, dport, ts)
                if names is not None:
                    return
            if sport >= 1024 and dport >= 1024 and dnsmod.looks_like_dns(payload):
                self._dns(payload, src, dst, sport, dport, ts, "udp")
        elif proto == 6:
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
            if self.want_flows:
                self._flow(6, src, sport, dst, dport, ts, size, True, flags)
            if off + hlen > end:
                self._bad("truncated packet")
                return
            start = off + hlen
            if start < end:
                # only slice and look closer at a payload that may matter: most are bulk data
                if (data[start] in _TCP_FIRST or sport == 53 or dport == 53
                        or (self._streams and (src, sport, dst, dport) in self._streams)):
                    self._tcp_payload(src, sport, dst, dport, seq + (1 if flags & 2 else 0), data[start:end], ts)
            if flags & 5:  # FIN or RST: parse what a stream holds, then forget it
                key = (src, sport, dst, dport)
                stream = self._streams.pop(key, None)
                if stream is not None:
                    self._stream_done(key, stream, final=True)
        elif proto == 1 or proto == 58:
            if quoted:
                return
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)
            if end - off >= 8:
                icmp_type = data[off]
                errors = (3, 4, 5, 11, 12) if proto == 1 else (1, 2, 3, 4)
                if icmp_type in errors:
                    self._ip(data, off + 8, end, ts, depth + 1, True)
        elif quoted:
            return
        elif proto == 4 or proto == 41:
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)
            self._ip(data, off, end, ts, depth + 1, False)
        elif proto == 47:
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)
            self._gre(data, off, end, ts, depth)
        else:
            if self.want_flows:
                self._flow(proto, src, 0, dst, 0, ts, size, False)

    def _gre(self, data: bytes, off: int, end: int, ts: float, depth: int) -> None:
        if end - off < 4:
            self._bad("truncated packet")
            return
        flags, ver = data[off], data[off + 1] & 7
        ptype = (data[off + 2] << 8) | data[off + 3]
        pos = off + 4
        if flags & 0xC0:
            pos += 4
        if flags & 0x20:
            pos += 4
        if flags & 0x10:
            pos += 4
        if ver == 1 and data[off + 1] & 0x80:
            pos += 4
        payload = data[pos:end]
        if ptype == 0x6558:
            self._ether(payload, 0, ts, depth + 1)
        elif ptype == 0x88BE:  # ERSPAN type II (type I has no header)
            self._ether(payload, 8 if flags & 0x10 else 0, ts, depth + 1)
        elif ptype == 0x22EB:  # ERSPAN type III
            if len(payload) >= 12:
                self._ether(payload, 12 + (8 if payload[11] & 1 else 0), ts, depth + 1)
        elif ptype == 0x880B:  # PPP (PPTP)
            if payload[:2] == b"\xff\x03":
                payload = payload[2:]
            if len(payload) >= 2 and payload[0] == 0 and payload[1] in (0x21, 0x57):
                self._ip(payload, 2, len(payload), ts, depth + 1, False)
            elif len(payload) >= 1 and payload[0] in (0x21, 0x57):
                self._ip(payload, 1, len(payload), ts, depth + 1, False)
        else:
            self._ethertype(ptype, payload, 0, ts, depth + 1)

    def _teredo(self, payload: bytes, ts: float, depth: int) -> None:
        pos = 0
        while len(payload) >= pos + 2 and payload[pos] == 0:
            if payload[pos + 1] == 1:  # authentication indicator
                if len(payload) < pos + 4:
                    return
                pos += 4 + payload[pos + 2] + payload[pos + 3] + 8 + 1
            elif payload[pos + 1] == 0:  # origin indication
                pos += 8
            else:
                return
        if len(payload) >= pos + 40 and payload[pos] >> 4 == 6:
            self._ip(payload, pos, len(payload), ts, depth + 1, False)

    def _gtp(self, payload: bytes, ts: float, depth: int) -> None:
        if len(payload) < 8 or payload[0] >> 5 != 1 or payload[1] != 0xFF:
            return
        pos = 8
        if payload[0] & 0x07:
            pos = 12
            next_type = payload[11] if len(payload) >= 12 else 0
            while next_type and pos < len(payload):
                size = payload[pos] * 4
                if size == 0:
                    return
                next_type = payload[pos + size - 1] if pos + size <= len(payload) else 0
                pos += size
        if pos < len(payload) and payload[pos] >> 4 in (4, 6):
            self._ip(payload, pos, len(payload), ts, depth + 1, False)

    # -- flows ----------------------------------------------------------------------------

    def _sweep(self) -> None:
        now = self._now
        self._flow_table.sweep(now)
        old = [k for k, s in self._streams.items() if now - s.last > IDLE]
        for skey in old:
            self._stream_done(skey, self._streams.pop(skey), final=True)
        oldfrag = [k for k, f in self._fragments.items() if now - f.first > 60.0]
        for fkey in oldfrag:
            del self._fragments[fkey]
        if oldfrag:
            self._over("IP fragments (incomplete datagrams dropped)")

    # -- TCP payloads ---------------------------------------------------------------------

    def _tcp_payload(self, src: bytes, sport: int, dst: bytes, dport: int, seq: int, payload: bytes,
                     ts: float) -> None:
        key = (src, sport, dst, dport)
        stream = self._streams.get(key)
        if stream is not None:
            stream.last = ts
            if stream.kind == "http" and stream.state is None and request_start(payload, dport):
                # a new request while the previous one waited for its headers
                self._stream_done(key, self._streams.pop(key), final=True)
            elif stream.add(seq, payload):
                self._stream_progress(key, stream)
                return
            else:
                return
        if (dport == 53 or sport == 53) and sport not in (5353, 5355) and dport not in (5353, 5355):
            self._new_stream(key, "dns", seq, payload, ts, DNS_TCP_CAP)
            return
        first = payload[0]
        if first == 0x16:
            if len(payload) < 6:  # a record header cut short: wait for the rest
                if payload[1:2] in (b"", b"\x03"):
                    self._new_stream(key, "tls", seq, payload, ts, TLS_CAP)
            elif looks_like_record(payload):
                hs_type = payload[5]
                if hs_type == CLIENT_HELLO or (hs_type == SERVER_HELLO and self.want_certs):
                    self._new_stream(key, "tls", seq, payload, ts, TLS_CAP)
            return
        if 0x41 <= first <= 0x5A and request_start(payload, dport):
            self._new_stream(key, "http", seq, payload, ts, HTTP_CAP)

    def _new_stream(self, key: tuple[bytes, int, bytes, int], kind: str, seq: int, payload: bytes, ts: float,
                    cap: int) -> None:
        stream = StreamStart(kind, seq, payload, ts, cap)
        if self._stream_progress(key, stream):
            return
        if len(self._streams) >= MAX_STREAMS:
            old = next(iter(self._streams))
            self._stream_done(old, self._streams.pop(old), final=True)
            self._over("TCP streams (table full; parsed early)")
        self._streams[key] = stream

    def _stream_progress(self, key: tuple[bytes, int, bytes, int], stream: StreamStart) -> bool:
        """Parse what the stream holds; True when it is finished (and no longer tracked).

        An unfinished message is parsed again only once the buffer has grown by a quarter,
        so a stream cut into tiny segments costs linear, not quadratic, time."""
        size = len(stream.data)
        if size < stream.parse_at and not stream.full:
            return False
        finished = self._stream_parse(key, stream, final=stream.full)
        if finished:
            self._streams.pop(key, None)
        elif stream.kind != "dns":
            stream.parse_at = size + max(1, size // 4)
        return finished

    def _stream_done(self, key: tuple[bytes, int, bytes, int], stream: StreamStart, final: bool) -> None:
        self._stream_parse(key, stream, final=final)

    def _stream_parse(self, key: tuple[bytes, int, bytes, int], stream: StreamStart, final: bool) -> bool:
        src, sport, dst, dport = key
        data = bytes(stream.data)
        ts = stream.last
        kind = stream.kind
        if kind == "tls":
            hs = record_handshakes(data)
            server_side = False
            for hs_type, body in hs.messages:
                if hs_type == CLIENT_HELLO:
                    names = client_hello_names(body)
                    if names is None:
                        self._bad("damaged TLS ClientHello")
                        return True
                    for name in names:
                        self._server_name("tls", name, src, dst, dport, ts)
                        self._sni_by_conn[(dst, dport, src, sport)] = name.lower()
                        if len(self._sni_by_conn) > MAX_STREAMS:
                            self._sni_by_conn.pop(next(iter(self._sni_by_conn)))
                    return True
                if hs_type == SERVER_HELLO:
                    if not self.want_certs:
                        return True
                    server_side = True
                elif hs_type == CERTIFICATE and server_side:
                    chain = certificate_chain(body)
                    if chain:
                        info = describe_certificate(chain[0])
                        if info is not None:
                            self._certificate(info, src, sport, dst, ts, self._sni_by_conn.get(key, ""))
                    return True
            if final and hs.need_more and not server_side:
                self._bad("incomplete TLS ClientHello")
            if server_side:  # the certificate may follow in later records
                return final or hs.done
            return final or hs.done or not hs.need_more
        if kind == "http":
            pos = 0
            while True:
                hosts, complete = request_hosts(data[pos:])
                if not complete and not final:
                    if hosts:
                        for host in hosts:
                            self._server_name("http", host, src, dst, dport, ts)
                        stream.state = True  # reported; wait for nothing more
                        return True
                    return False
                for host in hosts:
                    self._server_name("http", host, src, dst, dport, ts)
                if not complete:
                    return True
                # pipelined requests without a body follow directly
                idx = data.find(b"\n\r\n", pos)
                idx2 = data.find(b"\n\n", pos)
                cands = [i + 3 for i in (idx,) if i >= 0] + [i + 2 for i in (idx2,) if i >= 0]
                if not cands:
                    return True
                pos = min(cands)
                if pos >= len(data) or not request_start(data[pos:], dport):
                    return True
        if kind == "dns":
            consumed = int(stream.state or 0)  # type: ignore[call-overload]
            while len(data) - consumed >= 2:
                mlen = (data[consumed] << 8) | data[consumed + 1]
                if len(data) - consumed - 2 < mlen:
                    if final:
                        self._dns(data[consumed + 2:], src, dst, sport, dport, ts, "tcp")
                        return True
                    break
                self._dns(data[consumed + 2:consumed + 2 + mlen], src, dst, sport, dport, ts, "tcp")
                consumed += 2 + mlen
            stream.state = consumed
            if stream.full or final:
                return True
            # keep memory flat: drop what has been parsed
            if consumed:
                del stream.data[:consumed]
                stream.cap -= consumed
                stream.state = 0
            return False
        return True

    # -- results --------------------------------------------------------------------------

    def _dns(self, payload: bytes, src: bytes, dst: bytes, sport: int, dport: int, ts: float,
             transport: str) -> None:
        if not self.want_obs:
            questions = dnsmod.question_names(payload)
            if questions is None:
                self._bad("damaged DNS message")
                return
            names = self.names.dns
            if len(names) < MAX_NAMES:
                names.update(q.lower() for q in questions)
            else:
                self._over("DNS names (too many distinct names)")
            return
        # traffic repeats the same lookups: a message that differs only by its ID parses the same
        cache_key = payload[2:]
        msg = self._dns_cache.get(cache_key)
        if msg is None:
            msg = dnsmod.parse_message(payload)
            if len(payload) <= 512:  # small messages only: the cache stays under ~2 MB
                if len(self._dns_cache) >= 4096:
                    self._dns_cache.clear()
                self._dns_cache[cache_key] = msg
        if msg is None:
            self._bad("damaged DNS message")
            return
        if not msg.complete:
            self._bad("damaged DNS message")
        names = self.names.dns
        for q in msg.questions:
            low = q.lower()
            if len(names) < MAX_NAMES:
                names.add(low)
            elif low not in names:
                self._over("DNS names (too many distinct names)")
        if not self.want_obs or not msg.questions:
            return
        if msg.response:
            client, resolver = dst, src
        else:
            client, resolver = src, dst
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
            key = (low, self._text(client), self._text(resolver), transport)
            agg = self.dns_obs.get(key)
            if agg is None:
                if len(self.dns_obs) >= MAX_NAME_OBS:
                    self._over("DNS names (table full)")
                    continue
                agg = DnsSeen(ts)
                self.dns_obs[key] = agg
            agg.count += 1
            agg.last = ts
            if len(agg.answers) < 64:
                agg.answers.update(answers[:64])
        if msg.addresses:
            qname = msg.questions[0].lower()
            for owner, addr in msg.addresses:
                known = self.address_names.get(addr)
                if known is None:
                    if len(self.address_names) >= MAX_ADDRESS_NAMES:
                        self._over("DNS answers (table full)")
                        continue
                    known = []
                    self.address_names[addr] = known
                for name in (qname, owner):
                    if name not in known and len(known) < 8:
                        known.append(name)

    def _server_name(self, protocol: str, name: str, client: bytes, server: bytes, port: int, ts: float) -> None:
        low = name.lower()
        if protocol == "http":
            if low.startswith("["):
                low = low[1:low.index("]")] if "]" in low else low
            elif low.count(":") == 1:
                low = low.split(":")[0]
        if not low:
            return
        target = {"tls": self.names.tls_sni, "quic": self.names.quic_sni, "http": self.names.http_host}[protocol]
        if len(target) < MAX_NAMES:
            target.add(low)
        elif low not in target:
            self._over(f"{protocol} server names (too many distinct names)")
        if not self.want_obs:
            return
        key = (protocol, low, self._text(client), self._text(server), port)
        agg = self.server_obs.get(key)
        if agg is None:
            if len(self.server_obs) >= MAX_NAME_OBS:
                self._over("server names (table full)")
                return
            agg = Seen(ts)
            self.server_obs[key] = agg
        agg.count += 1
        agg.last = ts

    def _certificate(self, info: CertificateInfo, server: bytes, port: int, client: bytes, ts: float,
                     sni: str) -> None:
        if not self.want_obs:
            return
        key = (info.sha256, address_text(server), port)
        cert = self.cert_obs.get(key)
        if cert is None:
            if len(self.cert_obs) >= MAX_NAME_OBS:
                self._over("certificates (table full)")
                return
            cert = CertSeen(ts, info, sni)
            self.cert_obs[key] = cert
        cert.count += 1
        cert.last = ts
        if sni and not cert.sni:
            cert.sni = sni


ProgressFn = Callable[[int], None]
