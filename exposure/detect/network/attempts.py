"""Connection attempts: TCP flows that never got past their opening (only SYNs, SYN-ACKs and
resets: never answered, refused, or dropped by the client as a port scanner does).

Nothing was exchanged in such a flow, so it is not a contact. The network heuristics hold these
flows back until the capture has been read, then:

- a device that tried ``SCAN_MIN_PORTS`` or more ports of one address was scanning it (nmap on
  a trainer's laptop, a router's probes): its attempts there are not judged by any rule, and one
  ``network.port-scan`` note (info) says so plainly, with the device and the addresses;
- every other attempt is judged as before by the rules about a device's behaviour (an address
  tried without a name lookup, tries at a steady pace: a phone app retrying a dead server is
  still worth a look), but never as Tor: a relay that never answered was not used. Addresses
  tried only on Tor's ports are said as not checked.

Indicator matches (a known stalkerware server's address) are a separate detector and see every
flow, attempts included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from exposure.detect.base import DetectContext
from exposure.detect.network.state import MAX_ADDRESSES, MAX_EVIDENCE, Caps, Seen
from exposure.observations.network import Flow

SCAN_MIN_PORTS = 10  # distinct ports of one address a device tried without any exchange


@dataclass(slots=True)
class Tried:
    """One device's attempts on one address."""

    ports: set[int] = field(default_factory=set)
    flows: list[Flow] = field(default_factory=list)  # all of them until a scan, then a sample
    times: int = 0  # connection attempts

    def add(self, flow: Flow) -> None:
        self.times += flow.count
        self.ports.add(flow.server_port)
        if len(self.ports) < SCAN_MIN_PORTS or len(self.flows) < MAX_EVIDENCE:
            self.flows.append(flow)


@dataclass(slots=True)
class Scan:
    """One device's port scans: the addresses it scanned and the attempts behind them."""

    clients: list[str]
    addresses: list[str]
    ports: int  # distinct ports tried, over all its addresses
    seen: Seen


class Attempts:
    """Attempt-only flows per (device, address), decided when the capture has been read."""

    def __init__(self, caps: Caps) -> None:
        self.table: dict[tuple[str, str], Tried] = {}
        self._caps = caps

    def add(self, device: str, address: str, flow: Flow, ctx: DetectContext) -> bool:
        """Hold ``flow`` back; False when the table is full (the flow is then judged at once)."""
        tried = self.table.get((device, address))
        if tried is None:
            if not self._caps.room(len(self.table), MAX_ADDRESSES, ctx):
                return False
            tried = self.table[(device, address)] = Tried()
        tried.add(flow)
        return True

    def unscanned(self) -> Iterator[Flow]:
        """The attempts that were not part of a port scan, in the order they came."""
        for tried in self.table.values():
            if len(tried.ports) < SCAN_MIN_PORTS:
                yield from tried.flows

    def scans(self) -> list[Scan]:
        """One per scanning device, the devices in the order they were first seen."""
        by_device: dict[str, list[tuple[str, Tried]]] = {}
        for (device, address), tried in self.table.items():
            if len(tried.ports) >= SCAN_MIN_PORTS:
                by_device.setdefault(device, []).append((address, tried))
        out = []
        for scanned in by_device.values():
            seen = Seen()
            clients: dict[str, None] = {}
            for _address, tried in scanned:
                for flow in tried.flows:
                    seen.add(flow)
                    clients.setdefault(flow.client)
            ranked = sorted(scanned, key=lambda item: (-len(item[1].ports), item[0]))
            ports = len({p for _, tried in scanned for p in tried.ports})
            seen.times = sum(tried.times for _, tried in scanned)
            out.append(Scan(list(clients), [a for a, _ in ranked], ports, seen))
        return out
