"""What the packet loop keeps: names per kind and small aggregate records.

Aggregates are plain slotted classes (cheaper than frozen dataclasses in the hot loop);
the collector turns them into frozen observations at the end.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from exposure.collect.net.tls import CertificateInfo


@dataclass(slots=True)
class NameSets:
    """What ``exposure names`` prints: lower-case names per kind."""

    dns: set[str] = field(default_factory=set)
    tls_sni: set[str] = field(default_factory=set)
    quic_sni: set[str] = field(default_factory=set)
    http_host: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, list[str]]:
        return {"dns": sorted(self.dns), "tls_sni": sorted(self.tls_sni),
                "quic_sni": sorted(self.quic_sni), "http_host": sorted(self.http_host)}

    def update(self, other: NameSets) -> None:
        self.dns |= other.dns
        self.tls_sni |= other.tls_sni
        self.quic_sni |= other.quic_sni
        self.http_host |= other.http_host


class Seen:
    """How often something was seen, and when first and last."""

    __slots__ = ("count", "first", "last")

    def __init__(self, ts: float) -> None:
        self.count = 0
        self.first = ts
        self.last = ts


class DnsSeen(Seen):
    __slots__ = ("answers",)

    def __init__(self, ts: float) -> None:
        super().__init__(ts)
        self.answers: set[str] = set()


class CertSeen(Seen):
    __slots__ = ("info", "sni")

    def __init__(self, ts: float, info: CertificateInfo, sni: str) -> None:
        super().__init__(ts)
        self.info = info
        self.sni = sni


class FlowSeen(Seen):
    """``count`` is packets; ``starts`` connection start times (capped)."""

    __slots__ = ("bytes_in", "bytes_out", "starts")

    def __init__(self, ts: float) -> None:
        super().__init__(ts)
        self.bytes_out = 0
        self.bytes_in = 0
        self.starts: array[float] = array("d")
