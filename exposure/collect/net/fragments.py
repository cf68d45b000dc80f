"""IP datagrams put back together from their fragments (IPv4 and IPv6), in capped tables.

At most ``MAX_FRAGMENT_SETS`` datagrams are awaited at once (the oldest is dropped when a new
one starts), each from at most ``MAX_FRAGMENT_PIECES`` pieces within 64 KiB; a datagram still
incomplete ``FRAGMENT_TIMEOUT`` seconds after its first piece is dropped at the next sweep.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_FRAGMENT_SETS = 256
MAX_FRAGMENT_BYTES = 65_535 + 16
MAX_FRAGMENT_PIECES = 256
FRAGMENT_TIMEOUT = 60.0
FRAGMENTS_DROPPED = "IP fragments (incomplete datagrams dropped)"

FragmentKey = tuple[object, ...]  # (IP version, source, destination, identification[, protocol])


class _Datagram:
    __slots__ = ("first", "pieces", "total")

    def __init__(self, ts: float) -> None:
        self.pieces: dict[int, bytes] = {}
        self.total = -1
        self.first = ts


class FragmentTable:
    """The datagrams being put together; ``over`` counts one dropped for a full table,
    ``timed_out`` one given up after FRAGMENT_TIMEOUT."""

    def __init__(self, over: Callable[[str], None], timed_out: Callable[[str], None]) -> None:
        self.awaited: dict[FragmentKey, _Datagram] = {}
        self._over = over
        self._timed_out = timed_out

    def piece(self, key: FragmentKey, offset: int, more: bool, piece: bytes, ts: float) -> bytes | None:
        """Add a fragment; the whole datagram's payload once every piece is there."""
        entry = self.awaited.get(key)
        if entry is None:
            if len(self.awaited) >= MAX_FRAGMENT_SETS:
                self.awaited.pop(next(iter(self.awaited)))
                self._over(FRAGMENTS_DROPPED)
            entry = _Datagram(ts)
            self.awaited[key] = entry
        pieces = entry.pieces
        if offset not in pieces and offset + len(piece) <= MAX_FRAGMENT_BYTES and len(pieces) < MAX_FRAGMENT_PIECES:
            pieces[offset] = piece
        if not more:
            entry.total = offset + len(piece)
        total = entry.total
        if total < 0:
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
            del self.awaited[key]
        if old:
            self._timed_out(FRAGMENTS_DROPPED)
