"""IP datagrams put back together from their fragments (IPv4 and IPv6), in capped tables.

At most ``MAX_FRAGMENT_SETS`` datagrams are awaited at once (the oldest is dropped when a new
one starts), each from at most ``MAX_FRAGMENT_PIECES`` pieces within 64 KiB; a datagram still
incomplete ``FRAGMENT_TIMEOUT`` seconds after its first piece is dropped at the next sweep.
A datagram is put together only once its pieces hold as many bytes as its length: a piece
that adds nothing (a duplicate, one past the limits) costs a dictionary lookup, so a capture
of crafted fragments costs no more than ordinary packets.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_FRAGMENT_SETS = 256
MAX_FRAGMENT_BYTES = 65_535 + 16
MAX_FRAGMENT_PIECES = 256
FRAGMENT_TIMEOUT = 60.0
FRAGMENTS_DROPPED = "IP fragments (incomplete datagrams dropped)"
# Counted as packets not decoded (a capture of nothing else is said to hold only such pieces)
FRAGMENTS_UNJOINED = "IP fragments never put together (their datagram was incomplete)"

FragmentKey = tuple[object, ...]  # (IP version, source, destination, identification[, protocol])


class _Datagram:
    __slots__ = ("first", "held", "pieces", "received", "total")

    def __init__(self, ts: float) -> None:
        self.pieces: dict[int, bytes] = {}
        self.total = -1
        self.first = ts
        self.held = 0  # bytes in the pieces kept (overlaps counted twice)
        self.received = 0  # fragments received, duplicates included

    def unjoined(self) -> int:
        """The fragments of this datagram, given up, to count: none without its first piece
        (a capture read in byte ranges may begin a range with the rest of one that the range
        before put together: counted alike in one pass and in ranges)."""
        return self.received if 0 in self.pieces else 0


class FragmentTable:
    """The datagrams being put together; ``over`` counts one dropped for a full table,
    ``timed_out`` one given up after FRAGMENT_TIMEOUT."""

    def __init__(self, over: Callable[[str], None], timed_out: Callable[[str], None]) -> None:
        self.awaited: dict[FragmentKey, _Datagram] = {}
        self._over = over
        self._timed_out = timed_out
        self._unjoined = 0  # fragments of datagrams given up

    def piece(self, key: FragmentKey, offset: int, more: bool, piece: bytes, ts: float) -> bytes | None:
        """Add a fragment; the whole datagram's payload once every piece is there."""
        entry = self.awaited.get(key)
        if entry is None:
            if len(self.awaited) >= MAX_FRAGMENT_SETS:
                self._unjoined += self.awaited.pop(next(iter(self.awaited))).unjoined()
                self._over(FRAGMENTS_DROPPED)
            entry = _Datagram(ts)
            self.awaited[key] = entry
        entry.received += 1
        pieces = entry.pieces
        if offset not in pieces and offset + len(piece) <= MAX_FRAGMENT_BYTES and len(pieces) < MAX_FRAGMENT_PIECES:
            pieces[offset] = piece
            entry.held += len(piece)
        elif more or entry.total >= 0:
            return None  # nothing new: a duplicate, or a piece past the limits
        if not more:
            entry.total = offset + len(piece)
        total = entry.total
        if total < 0 or entry.held < total:
            return None
        whole = bytearray()
        for start in sorted(pieces):
            if start > len(whole):
                return None
            chunk = pieces[start]
            if start + len(chunk) > len(whole):
                whole += chunk[len(whole) - start:]
        if len(whole) < total:
            return None
        del self.awaited[key]
        return bytes(whole[:total])

    def sweep(self, now: float) -> None:
        old = [k for k, d in self.awaited.items() if now - d.first > FRAGMENT_TIMEOUT]
        for key in old:
            self._unjoined += self.awaited.pop(key).unjoined()
        if old:
            self._timed_out(FRAGMENTS_DROPPED)

    def given_up(self) -> dict[str, int]:
        """At the end of the capture: the fragments never put together (those of datagrams
        dropped, and of those still awaited, that had their first piece), by reason; empty
        when there were none."""
        count = self._unjoined + sum(entry.unjoined() for entry in self.awaited.values())
        return {FRAGMENTS_UNJOINED: count} if count else {}
