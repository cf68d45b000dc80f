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
    refuse a connection (SYN, SYN-ACK, RST): all of them when nothing was exchanged; ``vpn`` what
    its messages showed of a VPN tunnel (``vpn``), None for almost every flow."""

    __slots__ = ("bytes_in", "bytes_out", "opened", "setup", "starts", "vpn")

    def __init__(self, ts: float) -> None:
        super().__init__(ts)
        self.bytes_out = 0
        self.bytes_in = 0
        self.opened = 0
        self.setup = 0
        self.starts: array[float] = array("d")
        self.vpn: VpnEvidence | None = None


# --- what a flow's messages showed of a VPN tunnel (told in ``vpn``) -------------------

# WireGuard transport messages that keep their receiver index and count up, each way, when no
# handshake was seen: a run of this many in both directions is the protocol's alone.
MIN_STEPS = 4
CLIENT, SERVER = 1, 2  # OpenVPN hard resets seen, per direction (bits)
# Each kind's usual port (as TUNNEL_FLOWS): a flow's server port may be the other end's (a
# capture that begins with a packet from the server), so a tunnel that used its usual port on
# either end is not said to be on another one.
USUAL_PORTS = {"wireguard": 51820, "openvpn": 1194}
USUAL_BITS = {51820: 1, 1194: 2}


class VpnEvidence:
    """What a flow showed of a tunnel, per direction (0: sent by the flow's client, 1: by its server)."""

    __slots__ = ("answered", "initiated", "last", "resets", "steps", "usual")

    def __init__(self) -> None:
        self.initiated: set[tuple[int, bytes]] = set()  # WireGuard: (direction, sender index) of initiations
        self.answered: set[tuple[int, bytes]] = set()  # (direction, receiver index) of responses
        self.steps = [0, 0]  # transport messages in step with the one before (same receiver, higher counter)
        self.last: list[tuple[bytes, int] | None] = [None, None]
        self.resets = [0, 0]  # OpenVPN: CLIENT | SERVER resets seen
        self.usual = 0  # bits of USUAL_BITS: the usual ports its messages were seen on (either end)

    def on_usual_port(self, kind: str) -> bool:
        return bool(self.usual & USUAL_BITS[USUAL_PORTS[kind]])

    def kind(self) -> str | None:
        if any((1 - d, index) in self.answered for d, index in self.initiated) or min(self.steps) >= MIN_STEPS:
            return "wireguard"
        if any(self.resets[d] & CLIENT and self.resets[1 - d] & SERVER for d in (0, 1)):
            return "openvpn"
        return None

    def add(self, other: VpnEvidence, swapped: bool) -> None:
        """Add what another part of the capture showed of the flow (``swapped``: its client is the other side)."""
        def turn(d: int) -> int:
            return 1 - d if swapped else d

        self.initiated.update((turn(d), index) for d, index in other.initiated)
        self.answered.update((turn(d), index) for d, index in other.answered)
        self.usual |= other.usual
        for d in (0, 1):
            self.steps[turn(d)] += other.steps[d]
            self.resets[turn(d)] |= other.resets[d]


# --- what a capture's flows say about what could be read -------------------------------

# Tunnels whose contents cannot be read without their keys, told by the flows alone: IPsec ESP
# is IP protocol 50 (RFC 4303), or inside UDP 4500 behind NAT (RFC 3948); its key exchange on UDP
# 500 (RFC 7296) carries no traffic, and a port that is only a number (ordinary DNS answered on
# port 500 is in our captures) proves nothing. OpenVPN's registered port is 1194 (UDP or TCP);
# WireGuard's usual port is UDP 51820. On any other port (OpenVPN over TCP 443, WireGuard on a
# provider's own port) WireGuard and OpenVPN are told by the shape of their messages (``vpn``).
TUNNEL_FLOWS: dict[tuple[str, int], str] = {
    ("esp", 0): "ipsec",
    ("udp", 4500): "ipsec",
    ("udp", 1194): "openvpn",
    ("tcp", 1194): "openvpn",
    ("udp", 51820): "wireguard",
}
TUNNEL_KINDS = ("wireguard", "ipsec", "openvpn")


def tunnel_counts(flows: dict[tuple[str, bytes, bytes, int], FlowSeen]) -> dict[str, int]:
    """The packets and flows of each kind of tunnel (``wireguard_tunnel_packets``,
    ``wireguard_tunnel_flows``, ...), and ``open_public_flows``: the flows outside them to
    a public address (what could still show a name). A kind of tunnel told only by its messages,
    never on its usual port at either end, gives the busiest port it was seen on
    (``openvpn_tunnel_tcp_port``, ``wireguard_tunnel_udp_port``). Empty when no tunnel was seen."""
    from ipaddress import ip_address  # only at the end of a capture, once per flow

    packets = dict.fromkeys(TUNNEL_KINDS, 0)
    flow_count = dict.fromkeys(TUNNEL_KINDS, 0)
    other_port: dict[str, tuple[int, str, int]] = {}  # kind -> (packets, protocol, port)
    public = 0
    usual: set[str] = set()  # kinds seen on their usual port (then no other port is said)
    for (protocol, _client, server, port), seen in flows.items():
        kind = TUNNEL_FLOWS.get((protocol, port))
        if kind is not None:
            usual.add(kind)
        elif seen.vpn is not None:
            kind = seen.vpn.kind()
            if kind is not None and seen.vpn.on_usual_port(kind):
                usual.add(kind)
            elif kind is not None and seen.count > other_port.get(kind, (-1, "", 0))[0]:
                other_port[kind] = (seen.count, protocol, port)
        if kind is not None:
            packets[kind] += seen.count
            flow_count[kind] += 1
        elif len(server) in (4, 16) and ip_address(server).is_global:
            public += 1
    if not any(flow_count.values()):
        return {}
    out = {"open_public_flows": public}
    for kind in TUNNEL_KINDS:
        if flow_count[kind]:
            out[f"{kind}_tunnel_packets"] = packets[kind]
            out[f"{kind}_tunnel_flows"] = flow_count[kind]
        if kind in other_port and kind not in usual:
            _count, protocol, port = other_port[kind]
            out[f"{kind}_tunnel_{protocol}_port"] = port
    return out
