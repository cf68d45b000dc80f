"""The start of one direction of a TCP stream, put back in order from its segments.

Only the first few kilobytes of a direction matter (a ClientHello, a server's certificate
flight, HTTP request headers, DNS over TCP), so each buffer is capped and a handful of
out-of-order segments is kept; anything beyond is dropped and reported by ``overflow``.
"""

from __future__ import annotations

MASK = 0xFFFFFFFF
MAX_PENDING = 32


class StreamStart:
    """Contiguous bytes of one TCP direction from a known sequence number."""

    __slots__ = ("cap", "data", "kind", "last", "next_seq", "overflow", "parse_at", "pending", "pending_bytes",
                 "state")

    def __init__(self, kind: str, seq: int, payload: bytes, last: float, cap: int) -> None:
        self.kind = kind
        self.cap = cap
        self.next_seq = (seq + len(payload)) & MASK
        self.data = bytearray(payload[:cap])
        self.pending: dict[int, bytes] = {}
        self.pending_bytes = 0  # at most ``cap``: a stream holds at most twice its cap
        self.last = last
        self.overflow = len(payload) > cap
        self.state: object = None  # parser-specific
        self.parse_at = 0  # parse again once the data is this long

    def add(self, seq: int, payload: bytes) -> bool:
        """Add a segment; True if it extended the contiguous data."""
        grew = self._add_one(seq, payload)
        while grew and self.pending:
            progressed = False
            for pseq in list(self.pending):
                if (pseq - self.next_seq) & MASK >= 0x80000000 or pseq == self.next_seq:
                    piece = self.pending.pop(pseq)
                    self.pending_bytes -= len(piece)
                    self._add_one(pseq, piece)
                    progressed = True
            if not progressed:
                break
        return grew

    def _add_one(self, seq: int, payload: bytes) -> bool:
        ahead = (seq - self.next_seq) & MASK
        if ahead == 0:
            fresh = payload
        elif ahead >= 0x80000000:  # starts before what we have: keep only the new tail
            behind = (self.next_seq - seq) & MASK
            if behind >= len(payload):
                return False
            fresh = payload[behind:]
        else:
            room = self.cap - self.pending_bytes
            if len(self.pending) < MAX_PENDING and ahead < self.cap and room > 0:
                kept = payload[:min(room, self.cap - ahead)]
                self.pending[seq] = kept
                self.pending_bytes += len(kept)
            return False
        if not fresh:
            return False
        self.next_seq = (self.next_seq + len(fresh)) & MASK
        room = self.cap - len(self.data)
        if len(fresh) > room:
            self.overflow = True
            fresh = fresh[:max(room, 0)]
        self.data += fresh
        return bool(fresh)

    @property
    def full(self) -> bool:
        return len(self.data) >= self.cap
