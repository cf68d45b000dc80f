"""TLS connections whose keys the capture carries: their client's requests, decrypted and read.

When a ClientHello's client random has keys in the capture (``keylog``), ``streams`` hands
the client's direction of that connection here: its records are decrypted
(``tls_decrypt``), and the plaintext goes to a second :class:`~exposure.collect.net.streams.TcpStreams`
as if it had been sent in clear, so HTTP/1.x Hosts, HTTP/2 ``:authority`` and DNS messages
(DNS over HTTPS, DNS over TLS) are found by the same parsers as cleartext ones.

Bounded: only the first ``DECRYPT_CAP`` bytes of each such direction are read, at most
``MAX_SESSIONS`` connections are decrypted at once, at most ``MAX_DECRYPTED`` bytes per capture,
and no new connection is tried after ``MAX_FAILED`` records failed; records that fail to
decrypt are counted, never read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from exposure.collect.net.tcpstream import StreamStart
from exposure.collect.net.tls_decrypt import BAD_RECORDS, EARLY_UNREAD, ClientDecryptor, server_hello

StreamKey = tuple[bytes, int, bytes, int]  # as in streams.py (which imports this module)

DECRYPT_CAP = 64 * 1024  # bytes of a client's direction read: its first requests' headers are there
# connections decrypted at once: each holds at most a record and DECRYPT_CAP of segments out of order
MAX_SESSIONS = 256
SESSIONS_FULL = "TLS connections with keys decrypted at once (table full)"
MAX_DECRYPTED = 64 << 20  # plaintext bytes per capture
# records that failed to decrypt, per capture, after which no new connection is tried (each failure
# costs a decryption of up to 18 KB: keys built to mislead cannot make a scan slow)
MAX_FAILED = 4096
TOO_MANY_FAILED = "TLS connections with keys not tried (too many records did not decrypt)"
DNS_OVER_TLS = 853
DECRYPTED_KIND = "tlsd"
TOTAL_CAP = "decrypted TLS data (cap per capture reached)"
H2_AUTHORITY = True  # report decrypted HTTP/2 :authority as HTTP hosts (benchmarks/compare_names turns it off)


class InnerStreams(Protocol):
    """What is used here of the :class:`~exposure.collect.net.streams.TcpStreams` the plaintext feeds."""

    h2_hosts: bool

    def segment(self, key: StreamKey, seq: int, payload: bytes, ts: float) -> None: ...

    def close(self, key: StreamKey) -> None: ...

    def sweep(self, now: float) -> None: ...

    def finish(self, on_error: Callable[[], None]) -> None: ...


class KeyedStreams:
    """The decrypted connections of one capture, and the streams their plaintext feeds (``inner``:
    a TcpStreams of its own, made by ``streams``)."""

    def __init__(self, inner: InnerStreams, bad: Callable[[str], None], over: Callable[[str], None]) -> None:
        self.inner = inner
        self.inner.h2_hosts = H2_AUTHORITY
        self.sessions: dict[StreamKey, ClientDecryptor] = {}  # by the server's direction
        self.connections = 0  # connections with keys whose client sent data that decrypted
        self._left = MAX_DECRYPTED
        self._failed = 0
        self._bad = bad
        self._over = over

    def start(self, key: StreamKey, stream: StreamStart, secrets: dict[str, bytes], client_random: bytes) -> bool:
        """Follow the client's direction ``key`` (its stream holds the ClientHello) to decrypt it;
        False when too many records have failed to decrypt already."""
        if self._failed >= MAX_FAILED or len(self.sessions) >= MAX_SESSIONS:
            self._over(TOO_MANY_FAILED if self._failed >= MAX_FAILED else SESSIONS_FULL)
            return False
        decryptor = ClientDecryptor(secrets, client_random)
        stream.kind = DECRYPTED_KIND
        stream.cap = DECRYPT_CAP
        stream.parse_at = 0
        stream.state = decryptor
        self.sessions[_server_side(key)] = decryptor
        return True

    def server_hello(self, key: StreamKey, body: bytes) -> None:
        """A ServerHello in the server's direction ``key``: the version, suite and random it chose."""
        decryptor = self.sessions.get(key)
        if decryptor is not None and decryptor.hello is None:
            decryptor.hello = server_hello(body)

    def parse(self, key: StreamKey, stream: StreamStart, final: bool) -> bool:
        """Decrypt the whole records the direction holds; True when it is finished."""
        decryptor = stream.state
        assert isinstance(decryptor, ClientDecryptor)
        plains, consumed = decryptor.feed(bytes(stream.data), final or stream.full)
        inner = (key[0], key[1], key[2], 53) if key[3] == DNS_OVER_TLS else key  # DNS over TCP inside
        for plain in plains:
            if not plain:
                continue
            if len(plain) > self._left:
                self._over(TOTAL_CAP)
                decryptor.given_up = TOTAL_CAP
                break
            self._left -= len(plain)
            if not decryptor.decrypted_seq:
                self.connections += 1
            self.inner.segment(inner, decryptor.decrypted_seq, plain, stream.last)
            decryptor.decrypted_seq += len(plain)
        if consumed:
            del stream.data[:consumed]
            stream.cap -= consumed
        if not (decryptor.given_up or final or stream.full):
            return False
        self.inner.close(inner)
        self.sessions.pop(_server_side(key), None)
        decryptor.settle()
        self._failed += decryptor.failed
        for _ in range(decryptor.failed):
            self._bad(BAD_RECORDS)
        for _ in range(decryptor.early_unread):  # a warning of their own, not among those that failed
            self._bad(EARLY_UNREAD)
        if decryptor.given_up and decryptor.given_up not in (BAD_RECORDS, TOTAL_CAP):
            self._bad(decryptor.given_up)
        return True


def _server_side(key: StreamKey) -> StreamKey:
    src, sport, dst, dport = key
    return dst, dport, src, sport
