"""TCP streams followed for names: TLS handshakes, HTTP/1.x requests, cleartext HTTP/2, DNS over TCP.

A direction of a TCP connection is followed only when its first payload looks like one
of these (a TLS handshake record, an HTTP request or the first letters of its method,
the HTTP/2 preface, or port 53), and then only its first few kilobytes, put back in
order by :class:`~exposure.collect.net.tcpstream.StreamStart`. At most ``MAX_STREAMS``
directions are followed at once; each buffer is capped (``TLS_CAP``, ``HTTP_CAP``, and
over the life of the stream ``DNS_TCP_CAP`` and ``H2_CAP``), so memory stays bounded
whatever the capture holds. Streams are parsed when their buffer has grown by a quarter,
at FIN/RST, when idle, when the table is full and at the end of the capture.

Padding must not hide a name. A ClientHello is read to its end, up to the largest that
OpenSSL accepts (``MAX_CLIENT_HELLO``) for a few of them at a time (``MAX_LARGE_HELLOS``); an
HTTP request's head is skimmed for its ``Host`` past ``HTTP_CAP``, keeping only its request
line and the line being read, up to ``MAX_HTTP_HEAD`` (more than servers accept). What is
still cut is counted (``HELLO_CUT``, ``HTTP_HEAD_CUT``) and said in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exposure.collect.net.http import HTTP_PORTS, dns_param, host_value, method_prefix, request_head, request_start
from exposure.collect.net.http2 import PREFACE, H2Reader, starts_preface
from exposure.collect.net.stream_table import ActiveStreams as ActiveStreams  # (re-exported: loop.py)
from exposure.collect.net.stream_table import RangeStreams, WindowOutput
from exposure.collect.net.stream_table import StreamKey as StreamKey  # (re-exported: merge, ranges, parallel)
from exposure.collect.net.tables import NameTables
from exposure.collect.net.tcpstream import StreamStart
from exposure.collect.net.tls import (
    CERTIFICATE,
    CLIENT_HELLO,
    SERVER_HELLO,
    certificate_chain,
    client_hello_names,
    describe_certificate,
    looks_like_record,
    record_handshakes,
)

if TYPE_CHECKING:
    from exposure.collect.net.keyed import KeyedStreams
    from exposure.collect.net.keylog import KeyLog

MAX_STREAMS = 1024
# Buffers per stream direction (at most MAX_STREAMS of them, each holding at most twice its
# cap with out-of-order segments: under 64 MB in all): a ClientHello with a post-quantum key
# share is about 2 KB, a server's certificate flight rarely above 16 KB.
TLS_CAP = 24 * 1024
HTTP_CAP = 8 * 1024
DNS_TCP_CAP = 32 * 1024  # over the life of a stream (parsed messages are dropped)
H2_CAP = 64 * 1024  # over the life of a stream (parsed frames are dropped)
IDLE = 120.0
# OpenSSL's CLIENT_HELLO_MAX_LENGTH (ssl/statem/statem_local.h): servers refuse a longer ClientHello
MAX_CLIENT_HELLO = 131_396
# A large ClientHello's buffer: the message, its record headers (records of 512 bytes or more; a
# hello cut into smaller ones fits while it is small), within twice MAX_CLIENT_HELLO
HELLO_RECORD_MIN = 512
MAX_LARGE_HELLOS = 16  # large buffers at a time: with their out-of-order segments, under 9 MB
MAX_HTTP_HEAD = 1024 * 1024  # Apache accepts 100 header lines of 8 KiB: a longer head is not a real request
HELLO_CUT = "TLS ClientHellos longer than exposure reads (their server name may be missed)"
HTTP_HEAD_CUT = "HTTP request headers longer than exposure reads (their Host may be missed)"
# Ports where Wireshark (4.0, `tshark -G decodes`) reads TLS without its heuristic, so it also
# waits for a record header cut short: HTTPS, TLS-wrapped mail, LDAP, DNS, SIP, AMQP, MQTT, ...
TLS_PORTS = frozenset({324, 443, 465, 636, 802, 853, 993, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252, 3496,
                       5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017})


RESUME_WINDOW = 2 * IDLE
MAX_SNI = 16_384  # server names awaiting their certificate: a few minutes of a busy capture's handshakes
_NO_SNI = ("", 0.0)


@dataclass(slots=True)
class _HttpProgress:
    pos: int = 0  # where the next request starts; hosts before it were reported
    body_from: int = 0  # a DNS-over-HTTPS body awaited at body_from, body_len long
    body_len: int = 0
    tentative: bool = False  # only the first letters of a method seen so far
    reported: bool = False
    hosts_done: int = 0  # Host headers of the current request already reported
    param_done: bool = False  # its request line was looked at for ?dns=
    skimmed: int = 0  # bytes of header lines read and dropped while looking for the Host


class TcpStreams:
    """The stream directions being followed, and what their parsers found (into ``tables``)."""

    def __init__(self, tables: NameTables, bad: Callable[[str], None], over: Callable[[str], None],
                 certificates: bool) -> None:
        self.hooks: RangeStreams | None = None  # set when reading one byte range of a capture
        self.following = False  # only complete the streams under way (Extractor.follow)
        self.active = ActiveStreams()
        self._tables = tables
        self._bad = bad
        self._over = over
        self._want_certs = certificates
        # the server name each client asked for, by the server's direction of the connection,
        # with when: kept IDLE seconds (for the certificate that follows in that direction)
        self._sni_by_conn: dict[StreamKey, tuple[str, float]] = {}
        # When reading a byte range that starts in the middle of a capture (collect/net/parallel):
        # DNS-over-TCP streams begun until this capture time may be the rest of a stream begun
        # before the range (which that range completes); what they find is kept apart, per
        # direction, for the merge to keep or drop.
        self.resumed_until = float("-inf")
        self.window: dict[StreamKey, WindowOutput] = {}
        self._window_keys: set[StreamKey] = set()
        # TLS keys stored in the capture (the reader's, set by Extractor.run), and the connections
        # they decrypt (collect/net/keyed, made when a ClientHello has keys)
        self.keys: KeyLog | None = None
        self.keyed: KeyedStreams | None = None
        self.h2_hosts = False  # report HTTP/2 :authority (decrypted HTTP/2 only: see keyed.py)

    # -- segments -------------------------------------------------------------------------

    def segment(self, key: StreamKey, seq: int, payload: bytes, ts: float) -> None:
        """A TCP payload (not empty) of the direction ``key`` at sequence number ``seq``."""
        stream = self.active.get(key)
        if stream is not None:
            stream.last = ts
            state = stream.state
            if (stream.kind == "http" and (state is None or not (state.reported or state.tentative))  # type: ignore[attr-defined]
                    and request_start(payload, key[3], key[1])):
                # a new request while the previous one waited for its headers
                self.close(key)
                if self.following:  # the new one is the next range's
                    return
            elif stream.add(seq, payload):
                self._progress(key, stream)
                return
            else:
                return
        sport, dport = key[1], key[3]
        if (dport == 53 or sport == 53) and sport not in (5353, 5355) and dport not in (5353, 5355):
            self._new(key, "dns", seq, payload, ts, DNS_TCP_CAP)
            return
        first = payload[0]
        if first == 0x16:
            if len(payload) < 6:  # a record header alone, or cut short: wait for the rest where tshark does
                if (len(payload) == 5 and payload[1] == 3 and payload[2] <= 4) or (
                        payload[1:2] in (b"", b"\x03") and (dport in TLS_PORTS or sport in TLS_PORTS)):
                    self._new(key, "tls", seq, payload, ts, TLS_CAP)
            elif looks_like_record(payload):
                hs_type = payload[5]
                if hs_type == CLIENT_HELLO:
                    if not self._whole_client_hello(key, payload, ts):
                        self._new(key, "tls", seq, payload, ts, self._hello_cap(payload))
                elif hs_type == SERVER_HELLO and (self._want_certs or (self.keyed is not None
                                                                       and key in self.keyed.sessions)):
                    self._new(key, "tls", seq, payload, ts, TLS_CAP)
            return
        if 0x41 <= first <= 0x5A:
            self._start_http(key, seq, payload, ts)

    def _hello_cap(self, payload: bytes) -> int:
        """The buffer for a ClientHello that begins ``payload``: TLS_CAP, or as long as a larger
        one says it is (within MAX_CLIENT_HELLO, for MAX_LARGE_HELLOS streams at a time)."""
        if len(payload) < 9:
            return TLS_CAP
        size = min((payload[6] << 16) | (payload[7] << 8) | payload[8], MAX_CLIENT_HELLO)
        want = 9 + size + 5 * (size // HELLO_RECORD_MIN + 1)
        if want <= TLS_CAP or sum(1 for s in self.active.values() if s.cap > TLS_CAP) >= MAX_LARGE_HELLOS:
            return TLS_CAP
        return want

    def _start_http(self, key: StreamKey, seq: int, payload: bytes, ts: float) -> None:
        sport, dport = key[1], key[3]
        if request_start(payload, dport, sport):
            self._new(key, "http", seq, payload, ts, HTTP_CAP)
        elif starts_preface(payload):
            self._new(key, "h2", seq, payload, ts, H2_CAP)
        elif (dport in HTTP_PORTS or sport in HTTP_PORTS) and method_prefix(payload):
            self._new(key, "http", seq, payload, ts, HTTP_CAP, _HttpProgress(tentative=True))

    def _whole_client_hello(self, key: StreamKey, payload: bytes, ts: float) -> bool:
        """The fast path: a ClientHello whole in one record in one segment is read in place
        (no stream, no record walk, no copy). False when it is not whole."""
        if len(payload) < 9 or self.keys:  # with keys, the stream may be followed further (_tls)
            return False
        size = (payload[6] << 16) | (payload[7] << 8) | payload[8]
        if len(payload) < 9 + size or ((payload[3] << 8) | payload[4]) < 4 + size:
            return False
        if self.hooks is not None:
            self.hooks.begun(key)
        self._hello_names(key, payload, size, ts)
        return True

    def _in_window(self, key: StreamKey, parse: Callable[[], bool | None]) -> bool | None:
        output = self.window.get(key)
        if output is None:
            output = self.window[key] = WindowOutput(self._over)
        saved = self._tables, self._bad
        self._tables, self._bad = output.tables, output.bad
        try:
            return parse()
        finally:
            self._tables, self._bad = saved

    def _hello_names(self, key: StreamKey, payload: bytes, size: int, ts: float) -> None:
        names = client_hello_names(payload[9:9 + size])
        if names is None:
            self._bad("damaged TLS ClientHello")
            return
        self._client_hello(key, names, ts)

    def _client_hello(self, key: StreamKey, names: list[str], ts: float) -> None:
        src, sport, dst, dport = key
        for name in names:
            self._tables.server_name("tls", name, src, dst, dport, ts)
            if self._want_certs:
                self._sni_by_conn[(dst, dport, src, sport)] = (name.lower(), ts)
                if len(self._sni_by_conn) > MAX_SNI:
                    self._sni_by_conn.pop(next(iter(self._sni_by_conn)))
                    self._over("TLS server names awaiting a certificate (table full)")

    def close(self, key: StreamKey) -> None:
        """FIN or RST (or a new request): parse what the direction holds, then forget it."""
        stream = self.active.pop(key, None)
        if stream is not None:
            if self.hooks is not None:
                self.hooks.ended(key)
            self._parse(key, stream, final=True)

    def sweep(self, now: float) -> None:
        for key in [k for k, s in self.active.items() if now - s.last > IDLE]:
            self.close(key)
        if self.keyed is not None:
            self.keyed.inner.sweep(now)
        if self._sni_by_conn:
            sni = self._sni_by_conn
            for key in [k for k, (_name, ts) in sni.items() if now - ts > IDLE]:
                del sni[key]

    def finish(self, on_error: Callable[[], None]) -> None:
        """Parse what is still buffered (streams cut off by the end of the capture)."""
        for key, stream in list(self.active.items()):
            if self.hooks is not None:
                self.hooks.ended(key)
            try:
                self._parse(key, stream, final=True)
            except Exception:  # hostile input must never stop a scan; counted, tests assert it stays 0
                on_error()
        self.active.clear()
        if self.keyed is not None:
            self.keyed.inner.finish(on_error)

    def _new(self, key: StreamKey, kind: str, seq: int, payload: bytes, ts: float, cap: int,
             state: object = None) -> None:
        stream = StreamStart(kind, seq, payload, ts, cap)
        stream.state = state
        if self.hooks is not None:
            self.hooks.begun(key)
        # Only a DNS-over-TCP stream, or a request known by its first letters, can begin with
        # bytes from the middle of another stream: a TLS record header with a ClientHello, a
        # request line or the HTTP/2 preface in mid-stream would give the same names either way.
        if ts <= self.resumed_until and (kind == "dns" or isinstance(state, _HttpProgress)):
            self._window_keys.add(key)
        else:
            self._window_keys.discard(key)
        if self._progress(key, stream):
            return
        if len(self.active) >= MAX_STREAMS:
            self.close(next(iter(self.active)))
            self._over("TCP streams (table full; parsed early)")
        self.active[key] = stream

    def _progress(self, key: StreamKey, stream: StreamStart) -> bool:
        """Parse what the stream holds; True when it is finished (and no longer tracked).

        An unfinished message is parsed again only once the buffer has grown by a quarter,
        so a stream cut into tiny segments costs linear, not quadratic, time."""
        size = len(stream.data)
        if size < stream.parse_at and not stream.full:
            return False
        finished = self._parse(key, stream, final=stream.full)
        if finished:
            if self.active.pop(key, None) is not None and self.hooks is not None:
                self.hooks.ended(key)
        elif stream.kind == "http" or stream.kind == "tls":
            stream.parse_at = len(stream.data) + max(1, len(stream.data) // 4)
        return finished

    def _parse(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        if key in self._window_keys:
            return bool(self._in_window(key, lambda: self._parse_kind(key, stream, final)))
        return self._parse_kind(key, stream, final)

    def _parse_kind(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        kind = stream.kind
        if kind == "tls":
            return self._tls(key, stream, final)
        if kind == "http":
            return self._http(key, stream, final)
        if kind == "dns":
            return self._dns(key, stream, final)
        if kind == "h2":
            return self._h2(key, stream, final)
        return self.keyed is not None and self.keyed.parse(key, stream, final)

    # -- parsers --------------------------------------------------------------------------

    def _tls(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        src, sport, _dst, _dport = key
        hs = record_handshakes(bytes(stream.data))
        server_side = False
        for hs_type, body in hs.messages:
            if hs_type == CLIENT_HELLO:
                names = client_hello_names(body)
                if names is None:
                    self._bad("damaged TLS ClientHello")
                    return True
                self._client_hello(key, names, stream.last)
                return not self._keys_for(key, stream, body)
            if hs_type == SERVER_HELLO:
                if self.keyed is not None:
                    self.keyed.server_hello(key, body)
                if not self._want_certs:
                    return True
                server_side = True
            elif hs_type == CERTIFICATE and server_side:
                chain = certificate_chain(body)
                if chain:
                    info = describe_certificate(chain[0])
                    if info is not None:
                        self._tables.certificate(info, src, sport, stream.last,
                                                 self._sni_by_conn.get(key, _NO_SNI)[0], key)
                return True
        if final and hs.need_more and not server_side:
            if stream.overflow:
                self._tables.drop(HELLO_CUT)
            else:
                self._bad("incomplete TLS ClientHello")
        if server_side:  # the certificate may follow in later records
            return final or hs.done
        return final or hs.done or not hs.need_more

    def _keys_for(self, key: StreamKey, stream: StreamStart, hello: bytes) -> bool:
        """Whether the capture has keys for this ClientHello's connection: then its client's
        direction is followed further, to be decrypted."""
        secrets = self.keys.get(hello[2:34]) if self.keys else None
        if not secrets:
            return False
        if self.keyed is None:
            from exposure.collect.net.keyed import KeyedStreams  # only for captures with keys

            self.keyed = KeyedStreams(TcpStreams(self._tables, self._bad, self._over, False), self._bad, self._over)
        return self.keyed.start(key, stream, secrets, hello[2:34])

    # One branch per step of reading requests in order: the line, the headers, a DNS body, the
    # next pipelined request (noqa: C901).
    def _http(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:  # noqa: C901
        src, sport, dst, dport = key
        data = bytes(stream.data)
        ts = stream.last
        progress = stream.state
        if not isinstance(progress, _HttpProgress):
            progress = stream.state = _HttpProgress()
        if progress.tentative:
            if method_prefix(data) and not final:
                return False  # still only the first letters of a method
            if not request_start(data, dport, sport):
                return True
            progress.tentative = False
        while True:
            if progress.body_len:
                body_end = progress.body_from + progress.body_len
                if len(data) < body_end and not (final or stream.full):
                    return False
                body = data[progress.body_from:body_end]
                if body:
                    self._tables.dns(body, src, dst, ts, "http")
                progress.pos, progress.body_len = body_end, 0
                if progress.pos >= len(data) or not request_start(data[progress.pos:], dport, sport):
                    return True
            head = request_head(data[progress.pos:])
            for host in head.hosts[progress.hosts_done:]:
                self._tables.server_name("http", host, src, dst, dport, ts)
            if head.hosts:
                progress.hosts_done = len(head.hosts)
                progress.reported = True
            if head.method == b"GET" and not progress.param_done:
                progress.param_done = True
                message = dns_param(head.target)
                if message:
                    self._tables.dns(message, src, dst, ts, "http")
            if not head.complete:
                if not head.hosts and not final:
                    return self._skim(stream, progress, data)
                if not head.hosts and stream.overflow:
                    self._tables.drop(HTTP_HEAD_CUT)
                # wait for the rest of the headers, unless the Host is known and no DNS body can follow
                return final or (bool(head.hosts) and head.method != b"POST")
            progress.hosts_done, progress.param_done = 0, False
            body_from = progress.pos + head.end
            if head.dns_body:
                progress.body_from, progress.body_len = body_from, head.content_length
                continue
            # pipelined requests follow directly (after a body, when one was announced)
            progress.pos = body_from + head.content_length
            if progress.pos >= len(data) or not request_start(data[progress.pos:], dport, sport):
                return True

    def _skim(self, stream: StreamStart, progress: _HttpProgress, data: bytes) -> bool:
        """A head still without its Host: drop the header lines read (keeping the request line,
        those that say a DNS body follows, and the line being read), so that the buffer has
        room for the rest; True (finished, counted) past MAX_HTTP_HEAD or when bytes were cut."""
        if stream.overflow:  # the buffer filled before its lines could be dropped: bytes are missing
            self._tables.drop(HTTP_HEAD_CUT)
            return True
        pos = progress.pos
        line_end = data.find(b"\n", pos)
        last_end = data.rfind(b"\n")
        if line_end < 0 or last_end <= line_end or len(data) < HTTP_CAP // 2:
            return False
        kept = b"".join([line for line in data[line_end + 1:last_end + 1].splitlines(keepends=True)
                         if line.lower().startswith((b"content-type:", b"content-length:"))][:4])
        progress.skimmed += last_end - line_end - len(kept)
        if progress.skimmed > MAX_HTTP_HEAD:
            self._tables.drop(HTTP_HEAD_CUT)
            return True
        # the requests before this one were read: only this one's request line and what follows stay
        stream.data[:] = data[pos:line_end + 1] + kept + data[last_end + 1:]
        progress.pos = 0
        return False

    def _dns(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        src, _sport, dst, _dport = key
        data = stream.data
        consumed = 0
        while len(data) - consumed >= 2:
            mlen = (data[consumed] << 8) | data[consumed + 1]
            if len(data) - consumed - 2 < mlen:
                if final:
                    self._tables.dns(bytes(data[consumed + 2:]), src, dst, stream.last, "tcp")
                    return True
                break
            self._tables.dns(bytes(data[consumed + 2:consumed + 2 + mlen]), src, dst, stream.last, "tcp")
            consumed += 2 + mlen
        if stream.full or final:
            return True
        # keep memory flat: drop what has been parsed
        if consumed:
            del data[:consumed]
            stream.cap -= consumed
        return False

    def _h2(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        src, _sport, dst, _dport = key
        reader = stream.state
        start = 0
        if not isinstance(reader, H2Reader):
            if len(stream.data) < len(PREFACE):
                return final
            if bytes(stream.data[:len(PREFACE)]) != PREFACE:
                return True
            reader = stream.state = H2Reader()
            start = len(PREFACE)
        messages, consumed = reader.read(bytes(stream.data), start)
        for message in messages:
            self._tables.dns(message, src, dst, stream.last, "http")
        if self.h2_hosts:
            for host in reader.hosts:
                self._tables.server_name("http", host_value(host), src, dst, key[3], stream.last)
            reader.hosts.clear()
        if reader.broken or stream.full or final:
            return True
        if consumed:
            del stream.data[:consumed]
            stream.cap -= consumed
        return False
