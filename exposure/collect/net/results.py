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
    """What ``exposure names`` prints: lower-case names per kind.

    The first four kinds are tshark-names' (unicast DNS, TLS and QUIC server names, HTTP
    Host); ``nbns`` (NetBIOS Name Service, as Wireshark renders them, e.g. ``fileserver<20>``)
    and ``llmnr`` (link-local multicast name resolution) are local-network names that
    tshark-names leaves out, kept apart so the ``dns`` list compares with it."""

    dns: set[str] = field(default_factory=set)
    tls_sni: set[str] = field(default_factory=set)
    quic_sni: set[str] = field(default_factory=set)
    http_host: set[str] = field(default_factory=set)
    nbns: set[str] = field(default_factory=set)
    llmnr: set[str] = field(default_factory=set)

    KINDS = ("dns", "tls_sni", "quic_sni", "http_host", "nbns", "llmnr")
    TSHARK_KINDS = KINDS[:4]

    def as_json(self) -> dict[str, list[str]]:
        """tshark-names' four kinds always; ``nbns`` and ``llmnr`` only when the capture had some."""
        out = {kind: sorted(getattr(self, kind)) for kind in self.TSHARK_KINDS}
        for kind in self.KINDS[4:]:
            if getattr(self, kind):
                out[kind] = sorted(getattr(self, kind))
        return out

    def update(self, other: NameSets) -> None:
        for kind in self.KINDS:
            getattr(self, kind).update(getattr(other, kind))

    def total(self) -> int:
        return sum(len(getattr(self, kind)) for kind in self.KINDS)


class Seen:
    """How often something was seen, and when first and last."""

    __slots__ = ("count", "first", "last")

    def __init__(self, ts: float) -> None:
        self.count = 0
        self.first = ts
        self.last = ts


class DnsSeen(Seen):
    __slots__ = ("answers", "dnscrypt_cert")

    def __init__(self, ts: float) -> None:
        super().__init__(ts)
        self.answers: dict[str, None] = {}  # the first MAX_ANSWERS addresses, in the order seen
        self.dnscrypt_cert = False  # an answer carried a DNSCrypt resolver certificate


class CertSeen(Seen):
    __slots__ = ("info", "sni")

    def __init__(self, ts: float, info: CertificateInfo, sni: str) -> None:
        super().__init__(ts)
        self.info = info
        self.sni = sni


class FlowSeen(Seen):
    """``count`` is packets; ``starts`` connection start times (capped); ``opened`` the packets
    that open a connection (a TCP SYN, a QUIC long header): none when every connection of the
    flow was under way before the capture began; ``setup`` the TCP packets that only open or
    refuse a connection (SYN, SYN-ACK, RST): all of them when nothing was exchanged."""

    __slots__ = ("bytes_in", "bytes_out", "opened", "setup", "starts")

    def __init__(self, ts: float) -> None:
        super().__init__(ts)
        self.bytes_out = 0
        self.bytes_in = 0
        self.opened = 0
        self.setup = 0
        self.starts: array[float] = array("d")
