"""The traffic of a phone on this laptop's temporary Wi-Fi network (kind "hotspot").

A live watch of the access point's interface (:class:`~exposure.collect.live.collector.
LiveCollector`: recorded into a private capture, new names shown as they come, then read as
``scan --pcap`` reads a file), which then says which device the phone was: every device
seen on the network other than this laptop, by its hardware (MAC) address and its IPv4 and
IPv6 addresses. When no device but the laptop was seen, the source was not checked: no phone
joined, or it sent nothing.

Options of its SourceSpec (target: the access point's interface): those of a live watch
(``seconds``, ``out``, ``folder``) and ``network``, the network's name, for the report.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.base import CheckNote, CollectContext, Progress
from exposure.collect.hotspot.access_point import stop_on
from exposure.collect.live.collector import LiveCollector, interface_of, watch_seconds
from exposure.collect.pcap import device_addresses
from exposure.model import Observation, SourceInfo

if TYPE_CHECKING:
    from exposure.model import SourceSpec

DEVICES_LISTED = 10
PHONE_FOUND = "phone found"  # the progress stage that says which device the phone was


def own_addresses(iface: str) -> tuple[set[str], set[str]]:
    """This laptop's hardware and IP addresses on ``iface`` (empty when it cannot be read)."""
    import psutil

    macs: set[str] = set()
    addresses: set[str] = set()
    for addr in psutil.net_if_addrs().get(iface, ()):
        if addr.family == psutil.AF_LINK:
            macs.add(addr.address.lower().replace("-", ":"))
        elif addr.family in (socket.AF_INET, socket.AF_INET6):
            addresses.add(addr.address.split("%", 1)[0])
    return macs, addresses


class HotspotCollector(LiveCollector):
    """Watch the access point's interface, then check what the phone sent and name the phone."""

    def __init__(self, iface: str, seconds: float | None = None, out: str = "", folder: str = "",
                 network: str = "") -> None:
        super().__init__(iface, seconds, out, folder)
        self.info = SourceInfo(kind="hotspot", name=iface)
        self.info.details["interface"] = iface
        self.network = network
        if network:
            self.info.details["network"] = network
        self.phones: dict[str, list[str]] = {}  # hardware address -> addresses, once read

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        mine = own_addresses(self.iface)  # before the watch: the interface exists now
        yield from super().collect(ctx)
        if ctx.cancel.is_set() or self.reader is None:
            return
        self.phones = joined_devices(self.reader.devices, *mine)
        note = self._say_who()
        if note is not None:  # the command line prints it; the app shows it in the report
            ctx.progress(Progress(self.info.name, PHONE_FOUND, (), 1.0, note))

    def _watch(self, path: Path, ctx: CollectContext) -> bool:
        try:
            return super()._watch(path, ctx)
        finally:
            # Recording is over (or could not start): the access point goes now, not after the
            # check, so the laptop's own Wi-Fi comes back while the capture is read.
            stop_on(self.iface)

    def _say_who(self) -> CheckNote | None:
        """Which device the phone was (the note, first of what was checked), or why none was."""
        info, network = self.info, self.network or self.iface
        if not self.phones:
            info.unread = CheckNote.of("error.hotspot.no-phone", f"no phone was seen on the network {network}: it "
                                       "did not join it, or sent nothing while it was recorded", network=network)
            return None
        listed = sorted(self.phones.items())
        text = "; ".join(f"{mac} ({', '.join(addresses)})" for mac, addresses in listed[:DEVICES_LISTED])
        info.details["phone" if len(listed) == 1 else "devices on the network"] = text
        if len(listed) == 1:
            [(mac, addresses)] = listed
            note = CheckNote.of("hotspot.phone", f"the phone on the network {network}: hardware address {mac}, "
                                f"addresses {', '.join(addresses)}", network=network, mac=mac,
                                addresses=", ".join(addresses))
        else:
            note = CheckNote.of("hotspot.devices", f"the {len(listed)} devices that joined the network {network}: "
                                f"{text}", network=network, count=len(listed), devices=text)
        info.checked.insert(0, note)
        return note


def joined_devices(devices: dict[str, str], own_macs: set[str], own_ips: set[str]) -> dict[str, list[str]]:
    """Hardware address -> addresses of each device seen on the network, this laptop left out."""
    theirs = {address: mac for address, mac in devices.items() if mac not in own_macs and address not in own_ips}
    return device_addresses(theirs)


def make_collector(spec: SourceSpec) -> HotspotCollector:
    return HotspotCollector(interface_of(spec), watch_seconds(spec), spec.option("out"), spec.option("folder"),
                            spec.option("network"))
