"""An iPhone's own traffic recorded through pcapd (kind "iphone-capture"): the normal
capture check, with every flow, name and certificate labelled by the processes behind it.

pcapd names the process of each packet; ``pcapd.py`` keeps it in the packet's pcapng
comment (``PID: …, ProcName: …, EPID: …, EProcName: …``). Here the capture goes through the
same reader and extractor as any capture, and a small side table maps each conversation
(protocol, addresses, port) to the process names seen on it. DNS lookups are made by
iOS's resolver (mDNSResponder), so they carry its name rather than the app's.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exposure.collect.base import CollectContext
from exposure.collect.net.extract import Extractor, address_text
from exposure.collect.net.flows import PROTO_NAMES
from exposure.collect.net.reader import CaptureReader
from exposure.collect.pcap import PcapCollector
from exposure.model import CheckNote, Observation, SourceInfo
from exposure.observations.ios import AppDnsQuery, AppFlow, AppServerName, AppTlsCertificate, IosProcess
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

if TYPE_CHECKING:
    from exposure.model import SourceSpec

# pymobiledevice3's comment: "PID: 1, ProcName: x, EPID: 2, EProcName: y, SVC: 0".
_COMMENT = re.compile(r"ProcName: (?P<proc>[^,]*), EPID: \d*, EProcName: (?P<eproc>[^,]*)")
_LINK_ETHERNET = 1
_LINK_RAW = 101
_MAX_KEYS = 200_000
_MAX_NAMES_PER_KEY = 8
_LISTED = 20

Key = tuple[str, str, str, int]


def process_of(comment: str) -> str:
    """The process a packet belongs to: the effective one (the app a system daemon acts for)
    when pcapd names it, else the one that sent or received it."""
    found = _COMMENT.search(comment)
    if found is None:
        return ""
    name = (found.group("eproc").strip() or found.group("proc").strip())[:64]
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def endpoints(link: int, data: bytes) -> tuple[str, str, int, str, int] | None:
    """(protocol, source, source port, destination, destination port) of a TCP/UDP packet."""
    if link == _LINK_ETHERNET:
        if len(data) < 14:
            return None
        ethertype, data = struct.unpack_from("!H", data, 12)[0], data[14:]
        if ethertype not in (0x0800, 0x86DD):
            return None
    elif link != _LINK_RAW:
        return None
    if len(data) >= 20 and data[0] >> 4 == 4:
        proto, src, dst, rest = data[9], data[12:16], data[16:20], data[(data[0] & 0x0F) * 4:]
    elif len(data) >= 40 and data[0] >> 4 == 6:
        proto, src, dst, rest = data[6], data[8:24], data[24:40], data[40:]
    else:
        return None
    if proto not in (6, 17) or len(rest) < 4:
        return None
    sport, dport = struct.unpack_from("!HH", rest)
    return PROTO_NAMES[proto], address_text(src), sport, address_text(dst), dport


class IphoneCaptureCollector(PcapCollector):
    by_device = False  # one phone: pcapd gives mobile-data packets a made-up hardware address

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.info = SourceInfo(kind="iphone-capture", name=path)
        self.by_conversation: dict[Key, set[str]] = {}
        self.by_server: dict[Key, set[str]] = {}
        self.packets_by_process: dict[str, int] = {}

    def _read(self, reader: CaptureReader, ex: Extractor, ctx: CollectContext) -> None:
        """The normal reading, with each frame's process noted first (from its comment)."""
        reader.keep_comments = True
        extract = ex.packet

        def packet(link: int, ts: float, data: bytes) -> None:
            self._label(link, data, reader.comment)
            extract(link, ts, data)

        ex.packet = packet  # type: ignore[method-assign]
        super()._read(reader, ex, ctx)

    def _label(self, link: int, data: bytes, comment: str) -> None:
        name = process_of(comment)
        if not name:
            return
        self.packets_by_process[name] = self.packets_by_process.get(name, 0) + 1
        found = endpoints(link, data)
        if found is None:
            return
        proto, src, sport, dst, dport = found
        for table, key in ((self.by_conversation, (proto, src, dst, dport)),
                           (self.by_conversation, (proto, dst, src, sport)),
                           (self.by_server, (proto, "", dst, dport)), (self.by_server, (proto, "", src, sport))):
            names = table.get(key)
            if names is None:
                if len(table) >= _MAX_KEYS:
                    continue
                names = table[key] = set()
            if len(names) < _MAX_NAMES_PER_KEY:
                names.add(name)

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        for obs in super().collect(ctx):
            yield self._labelled(obs)
        if not self.packets_by_process:
            self.info.add_not_checked(CheckNote.of("iphone.capture-no-processes",
                                                   "which app made each connection (the capture names no process)"))
            return
        self.info.add_checked(CheckNote.of("iphone.capture-processes", "which app made each connection"))
        busiest = sorted(self.packets_by_process.items(), key=lambda item: (-item[1], item[0]))
        self.info.details["apps in the traffic"] = ", ".join(f"{n} ({c})" for n, c in busiest[:_LISTED]) + (
            ", …" if len(busiest) > _LISTED else "")
        self.info.counts["processes in the traffic"] = len(busiest)
        for name, count in busiest:
            yield IosProcess("iphone-capture", self.path, name, origin="traffic", count=count)

    def _names(self, table: dict[Key, set[str]], key: Key) -> tuple[str, ...]:
        return tuple(sorted(table.get(key, ())))

    def _labelled(self, obs: Observation) -> Observation:
        if isinstance(obs, Flow):
            names = self._names(self.by_conversation, (obs.protocol, obs.client, obs.server, obs.server_port))
            return AppFlow(**_fields(obs), processes=names)
        if isinstance(obs, ServerName):
            proto = "udp" if obs.protocol == "quic" else "tcp"
            names = self._names(self.by_conversation, (proto, obs.client, obs.server, obs.port))
            return AppServerName(**_fields(obs), processes=names)
        if isinstance(obs, DnsQuery):
            proto = "tcp" if obs.transport == "tcp" else "udp"
            names = self._names(self.by_conversation, (proto, obs.client, obs.resolver, 53))
            return AppDnsQuery(**_fields(obs), processes=names)
        if isinstance(obs, TlsCertificate):
            names = self._names(self.by_server, ("tcp", "", obs.server, obs.port))
            return AppTlsCertificate(**_fields(obs), processes=names)
        return obs


def _fields(obs: Observation) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(obs, f.name) for f in dataclasses.fields(obs)}


def is_iphone_capture(path: str | Path) -> bool:
    """Whether ``path`` is a pcapng recorded from an iPhone by pcapd (its section header
    names iOS or pymobiledevice3), so that a re-check labels its packets by process too."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if head[:4] != b"\x0a\x0d\x0d\x0a" or len(head) < 28:
        return False
    order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    length = struct.unpack_from(order + "I", head, 4)[0]
    pos, end = 24, min(length - 4, len(head))
    while pos + 4 <= end:
        code, size = struct.unpack_from(order + "HH", head, pos)
        value = head[pos + 4:pos + 4 + size]
        if code == 0:
            break
        if (code == 3 and value.startswith(b"iOS")) or (code == 4 and value == b"pymobiledevice3"):
            return True
        pos += 4 + ((size + 3) & ~3)
    return False


def make_collector(spec: SourceSpec) -> IphoneCaptureCollector:
    from exposure.collect.base import CollectorError

    if not spec.target:
        raise CollectorError("no capture file given")
    return IphoneCaptureCollector(spec.target)
