"""The table of TCP stream directions being followed (``streams.TcpStreams.active``), keyed both
ways the code looks them up, and what a reader of one byte range of a capture records of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from exposure.collect.net.tables import NameTables
from exposure.collect.net.tcpstream import StreamStart

StreamKey = tuple[bytes, int, bytes, int]  # (source, source port, destination, destination port)


class WindowOutput:
    """What the streams of one TCP direction begun early in a byte range found (see ``resumed_until``)."""

    def __init__(self, over: Callable[[str], None]) -> None:
        self.undecoded: dict[str, int] = {}
        self.tables = NameTables(False, self.bad, over, over)

    def bad(self, reason: str) -> None:
        self.undecoded[reason] = self.undecoded.get(reason, 0) + 1


class ActiveStreams(dict[StreamKey, StreamStart]):
    """The directions being followed, by key; ``raw`` holds each key as the packet bytes of its
    addresses and ports (source, destination, source port, destination port), which the reading
    loop looks up without building the key (``loop.py``)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: set[bytes] = set()

    def __setitem__(self, key: StreamKey, stream: StreamStart) -> None:
        super().__setitem__(key, stream)
        self.raw.add(raw_key(key))

    def pop(self, key: StreamKey, default: StreamStart | None = None) -> StreamStart | None:  # type: ignore[override]
        stream = super().pop(key, None)
        if stream is None:
            return default
        self.raw.discard(raw_key(key))
        return stream

    def clear(self) -> None:
        super().clear()
        self.raw.clear()


def raw_key(key: StreamKey) -> bytes:
    src, sport, dst, dport = key
    return src + dst + sport.to_bytes(2, "big") + dport.to_bytes(2, "big")


class RangeStreams(Protocol):
    """What a reader of one byte range of a capture (``collect/net/ranges``) records about streams."""

    def begun(self, key: StreamKey) -> None: ...

    def ended(self, key: StreamKey) -> None: ...
