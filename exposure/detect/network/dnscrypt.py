"""DNSCrypt seen in a capture: which devices resolved names through it, and through which resolvers.

A DNSCrypt client (dnscrypt-proxy, AdGuard, Avast SecureDNS and others) first asks its resolver, in
plain DNS on the resolver's own port, for the resolver's certificate: a TXT lookup of the provider
name, by convention ``2.dnscrypt-cert.<zone>``, answered with a certificate that starts with the
bytes ``DNSC`` (https://dnscrypt.info/protocol). Its lookups then go, encrypted, to that same address
and port (UDP or TCP, often 443): they are hidden, not missing.

A certificate lookup counts when its name follows the convention or its answer carried a DNSCrypt
certificate (the collector says so on the observation), when it went over UDP (over TCP the collector
reads DNS on port 53 only), and when the device that asked also reached that address over UDP on a
port other than DNS's 53. The observation does not carry the port, but the lookup's own traffic does:
a lookup on the resolver's DNSCrypt port is such traffic, while a certificate lookup made through an
ordinary resolver on port 53 (a person testing a DNSCrypt server by hand) makes neither that resolver
nor that device a DNSCrypt user. A DNSCrypt resolver on port 53 is therefore not recognised: its
traffic cannot be told from a lookup relayed by an ordinary resolver (and port 53 is never judged).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from exposure.detect.base import DetectContext
from exposure.detect.network.lists import parse_address
from exposure.detect.network.state import MAX_RESOLVERS, Caps
from exposure.observations.network import DnsQuery

DNSCRYPT = "DNSCrypt"
CERT_LABELS = ("2", "dnscrypt-cert")  # the first labels of a DNSCrypt v2 certificate lookup


def is_dnscrypt_cert_name(name: str) -> bool:
    """``2.dnscrypt-cert.<provider zone>``: the two first labels exactly, and a zone after them."""
    labels = name.split(".", 2)
    return len(labels) == 3 and (labels[0], labels[1]) == CERT_LABELS and bool(labels[2])


def is_certificate_lookup(obs: DnsQuery, name: str) -> bool:
    return obs.transport == "udp" and (obs.certificate == DNSCRYPT or is_dnscrypt_cert_name(name))


class DnsCryptLookups:
    """Certificate lookups per (client address, resolver address); confirmed by the device's traffic."""

    def __init__(self, caps: Caps) -> None:
        self.lookups: dict[tuple[str, str], list[DnsQuery]] = {}  # (client address, resolver) -> lookups
        self.resolvers: set[str] = set()  # confirmed: their traffic is encrypted DNS
        self._caps = caps

    def lookup(self, obs: DnsQuery, ctx: DetectContext) -> None:
        resolver = parse_address(obs.resolver)
        client = parse_address(obs.client)
        if resolver is None or client is None:
            return
        self._caps.keep(self.lookups, (client, resolver), obs, MAX_RESOLVERS, ctx)

    def confirm(self, contacted: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[DnsQuery]]]:
        """The lookups whose client also reached their resolver on a port other than 53
        (``contacted``: (client, address) pairs of traffic on such ports), with the resolver."""
        if not self.lookups:
            return
        for pair in contacted:
            found = self.lookups.pop(pair, None)
            if found is not None:
                self.resolvers.add(pair[1])
                yield pair[1], found
