"""What the capture collectors see in network traffic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation


def _address_type(address: str) -> IndicatorType:
    return IndicatorType.IPV6 if ":" in address else IndicatorType.IPV4


def _device(source: str, client_mac: str) -> str:
    """A capture holds the traffic of every device on its network: one whose hardware address
    is known is a device of its own (under all its addresses, IPv4 and IPv6 alike), the rest
    are the capture's."""
    return f"{source} · {client_mac}" if client_mac else source


@dataclass(frozen=True, slots=True)
class DnsQuery(Observation):
    """A DNS name looked up (from a query or an answer), and the addresses it resolved to."""

    kind = "dns-query"
    name: str
    client: str = ""  # the address that asked
    resolver: str = ""
    answers: tuple[str, ...] = ()  # addresses from A/AAAA answers
    transport: str = "udp"  # udp | tcp
    client_mac: str = ""  # the asking device's hardware address, when the capture shows it
    certificate: str = ""  # "DNSCrypt" when a TXT answer carried a DNSCrypt resolver's certificate

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.DOMAIN, self.name)

    def describe(self) -> str:
        return f"DNS lookup of {self.name}"

    def device(self) -> str:
        return _device(self.source, self.client_mac)

    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class ServerName(Observation):
    """A server name a client asked for: TLS ClientHello SNI, QUIC Initial SNI or HTTP Host."""

    kind = "server-name"
    name: str
    protocol: str  # "tls" | "quic" | "http"
    client: str = ""
    server: str = ""
    port: int = 0
    client_mac: str = ""

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.DOMAIN, self.name)
        if self.server:
            yield IndicatorKey(_address_type(self.server), self.server)

    def describe(self) -> str:
        what = {"tls": "encrypted (TLS) connection", "quic": "QUIC connection", "http": "web (HTTP) request"}
        return f"{what.get(self.protocol, self.protocol)} to {self.name}"

    def device(self) -> str:
        return _device(self.source, self.client_mac)

    def subject(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class TlsCertificate(Observation):
    """A server certificate seen in clear (TLS 1.2 and earlier)."""

    kind = "tls-certificate"
    sha1: str
    sha256: str
    subject_name: str = ""
    issuer: str = ""
    self_signed: bool = False
    names: tuple[str, ...] = ()  # subject CN and subjectAltName DNS names
    server: str = ""
    port: int = 0
    server_name: str = ""  # the SNI the client asked for, if any
    client_mac: str = ""  # the one device seen talking to that server and port, when there is one

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.CERT_SHA1, self.sha1)
        yield IndicatorKey(IndicatorType.CERT_SHA256, self.sha256)
        for name in self.names:
            if "." in name:
                yield IndicatorKey(IndicatorType.DOMAIN, name.lstrip("*."))

    def describe(self) -> str:
        return f"server certificate for {self.subject_name or self.server}"

    def device(self) -> str:
        return _device(self.source, self.client_mac)

    def subject(self) -> str:
        return self.server_name or (self.names[0] if self.names else self.sha256)


@dataclass(frozen=True, slots=True)
class Flow(Observation):
    """One conversation between two endpoints, aggregated over the capture."""

    kind = "flow"
    protocol: str  # "tcp" | "udp" | other IP protocol name or number
    client: str
    client_port: int
    server: str
    server_port: int
    bytes_out: int = 0  # client -> server
    bytes_in: int = 0
    packets: int = 0
    server_names: tuple[str, ...] = ()  # names the server's address was resolved from in this capture
    # Start times of the flow's bursts/connections (for beaconing), capped by the collector.
    starts: tuple[float, ...] = ()
    client_mac: str = ""
    # Packets that opened a connection (a TCP SYN, a QUIC long header): 0 when every connection
    # was under way before the capture began; None where the source does not say.
    opened: int | None = None
    # TCP packets that only opened or refused a connection (SYN, SYN-ACK, RST), either way; None
    # where the source does not say.
    setup_packets: int | None = None

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(_address_type(self.server), self.server)

    def attempt_only(self) -> bool:
        """A TCP flow whose connections never got past their opening: a SYN was seen and every
        packet was a SYN, a SYN-ACK or a reset (never answered, refused, or dropped by the client
        as a port scanner does). Nothing was exchanged: no contact. False where the source does
        not say."""
        return (self.protocol == "tcp" and bool(self.opened) and self.setup_packets is not None
                and self.setup_packets >= self.packets)

    def describe(self) -> str:
        via = f" ({', '.join(self.server_names)})" if self.server_names else ""
        port = f" port {self.server_port}" if self.protocol in ("tcp", "udp") else ""  # ESP has no ports
        return f"{self.protocol.upper()} traffic from {self.client} to {self.server}{via}{port}"

    def device(self) -> str:
        return _device(self.source, self.client_mac)

    def subject(self) -> str:
        return self.server_names[0] if self.server_names else self.server
