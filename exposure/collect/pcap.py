"""The capture collector: reads a pcap/pcapng file (possibly gzip) and yields what it saw.

Frames go through :class:`exposure.collect.net.extract.Extractor`, which keeps only
aggregates, so memory stays flat. At the end the collector yields one observation per
aggregate: :class:`DnsQuery` per (name, client, resolver, transport),
:class:`ServerName` per (protocol, name, client, server, port), :class:`TlsCertificate`
per (certificate, server, port) and :class:`Flow` per (protocol, client, server, server
port; ``client_port`` is 0 because connections from many client ports are summed, and
``starts`` holds up to 200 connection start times). ``Flow.server_names`` come from the
DNS answers seen in the same capture.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.base import CheckNote, CollectContext, CollectorError, Progress
from exposure.collect.net.extract import Extractor, address_text
from exposure.collect.net.keylog import KeyLog
from exposure.collect.net.macs import mac_text
from exposure.collect.net.reader import CaptureReader, NotACapture, SnapCut, open_capture
from exposure.collect.net.results import tunnel_counts
from exposure.collect.net.tls_decrypt import EARLY_UNREAD
from exposure.collect.traffic_notes import not_compared_counts
from exposure.model import FILE_DAMAGE, Observation, SourceInfo
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

if TYPE_CHECKING:
    from exposure.collect.net.merge import Joined
    from exposure.model import SourceSpec

    Aggregates = Extractor | Joined  # what one pass, or the ranges joined, found

PROGRESS_EVERY = 50_000
SPLIT_BYTES = 64 << 20  # captures at least this big are read on every core (collect/net/merge)
COLLECTOR = "pcap"
HASH_CHUNK = 1 << 20  # bytes the SHA-256 of the file is read in
# A hardware address seen with more IPv4 addresses than this is a router or a bridge passing
# others' traffic, not one device: its addresses are not put together.
MAX_IPV4_PER_DEVICE = 2
DEVICES_LISTED = 20
_READING = CheckNote.of("reading.capture", "the packets in the capture")
# What every readable capture is looked at for (keys in exposure/explain/checks.yaml).
_CHECKED = (
    ("pcap.dns", "DNS lookups and answers (UDP and TCP)"),
    ("pcap.tls-sni", "TLS server names (SNI)"),
    ("pcap.quic-sni", "QUIC server names"),
    ("pcap.http-host", "HTTP Host headers"),
    ("pcap.tls-certificates", "TLS server certificates (TLS 1.2 and earlier)"),
    ("pcap.flows", "connections (flows)"),
)


def open_checked(path: str | Path, backend: str = "native", hashing: bool = True) -> CaptureReader:
    """Open a capture or raise CollectorError with one plain line (without the path: the
    pipeline names the source beside each of its warnings)."""
    try:
        return open_capture(path, backend, hashing)
    except NotACapture as exc:
        if "gzip" in str(exc):
            raise CollectorError(str(exc), key="error.pcap.damaged-gzip") from None
        raise CollectorError(str(exc), key="error.pcap.not-a-capture") from None
    except IsADirectoryError:
        raise CollectorError("is a folder, not a capture file", key="error.pcap.folder") from None
    except OSError as exc:
        problem = exc.strerror or str(exc)
        raise CollectorError(f"cannot be read ({problem})", key="error.pcap.unreadable", problem=problem) from None


def check_capture(path: str | Path) -> None:
    """Raise UserError ("PATH: not a capture file ...") unless ``path`` is a readable capture."""
    from exposure.errors import UserError

    try:
        open_checked(path).close()
    except CollectorError as exc:
        # The same reason, with the file named (errors.yaml: error.capture-file.*).
        key = exc.key.replace("error.pcap.", "error.capture-file.", 1)
        raise UserError(f"{path}: {exc}", key=key, path=path, **dict(exc.params)) from None


def _when(ts: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(ts, UTC) if ts else None
    except (OverflowError, OSError, ValueError):
        return None


class PcapCollector:
    """Reads one capture file."""

    # Whether the observations say which device (hardware address) each client address is:
    # a capture of a network holds several devices; an iPhone's own capture is one phone.
    by_device = True

    def __init__(self, path: str, backend: str = "native") -> None:
        self.path = path
        self.backend = backend
        self.info = SourceInfo(kind="pcap", name=path)
        self.devices: dict[str, str] = {}  # client address -> hardware address

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        found: Aggregates
        with open_checked(self.path, self.backend, hashing=False) as reader:
            # the report's SHA-256 of the file, read and hashed beside the packet loop (hashlib and
            # file reads let go of the interpreter lock, so this uses another core)
            digest = _FileHash(self.path)
            joined = self._split(reader, ctx)
            if joined is not None:
                found, problems, cut = joined, joined.problems, joined.snap_cut
            else:

                def one_pass(source: CaptureReader, keys: KeyLog | None) -> Extractor:
                    extractor = Extractor()
                    extractor.tcp.keys = keys
                    self._read(source, extractor, ctx)
                    return extractor

                extractor = read_keys_known(self.path, self.backend, reader, one_pass, ctx.cancel.is_set)
                found, problems, cut = extractor, dict(reader.problems), reader.snap_cut
                for reason, count in reader.dropped.items():
                    extractor.dropped[reason] = extractor.dropped.get(reason, 0) + count
            self.info.sha256 = digest.result()
            self.info.details["format"] = reader.format + (" (gzip)" if reader.compressed else "")
        if self.by_device:
            self.devices = client_devices(found.client_macs.by_client)
        self._fill_info(found, problems, ctx)
        self._snap_cut_info(cut, ctx)
        self._keys_info(reader.secrets, found, ctx)
        yield from self._observations(found)

    def _split(self, reader: CaptureReader, ctx: CollectContext) -> Joined | None:
        """A big capture read on every core (``collect/net/merge``), when it gives exactly the one
        pass's result; None: read it in one pass. A subclass that sees each frame itself (the
        iPhone capture names each frame's process) is always read in one pass, and so is a capture
        checked in a process of a pool (several captures at once: the pool uses the cores)."""
        if type(self)._read is not PcapCollector._read or self.backend != "native" or reader.compressed \
                or multiprocessing.parent_process() is not None:
            return None
        from exposure.collect.net import merge, parallel  # processes and pools: only for big captures

        size = Path(self.path).stat().st_size or 1

        def progress(packets: int, done: int) -> None:
            ctx.progress(Progress(self.info.name, "reading capture", (("packets", packets),),
                                  min(1.0, done / size), _READING))

        joined = merge.scan_in_parallel(self.path, parallel.worker_count(), SPLIT_BYTES, progress, ctx.cancel.is_set)
        if joined is not None and joined.stopped:
            self.info.add_not_checked(CheckNote.of("pcap.stopped", "the rest of the capture (the scan was stopped)"))
        return joined

    def _read(self, reader: CaptureReader, ex: Extractor, ctx: CollectContext) -> None:
        size = Path(self.path).stat().st_size or 1

        def tick() -> bool:
            if ctx.cancel.is_set():
                self.info.add_not_checked(CheckNote.of("pcap.stopped",
                                                       "the rest of the capture (the scan was stopped)"))
                return True
            ctx.progress(Progress(self.info.name, "reading capture",
                                  (("packets", ex.packets), ("names", ex.names.total())),
                                  min(1.0, reader.position() / size), _READING))
            return False

        ex.run(reader, tick, PROGRESS_EVERY)
        ex.finish()

    def _fill_info(self, ex: Aggregates, problems: dict[str, int], ctx: CollectContext) -> None:
        info = self.info
        info.first_time = _when(ex.first_time or 0.0)
        info.last_time = _when(ex.last_time or 0.0)
        info.counts.update({
            "packets": ex.packets, "ip_packets": ex.ip_packets, "dns_names": len(ex.names.dns),
            "tls_server_names": len(ex.names.tls_sni), "quic_server_names": len(ex.names.quic_sni),
            "http_hosts": len(ex.names.http_host), "certificates": len(ex.cert_obs), "flows": len(ex.flows),
        })
        info.counts.update(tunnel_counts(ex.flows))  # tunnels whose contents could not be read (scan says so)
        info.counts.update(not_compared_counts(ex.overflow))  # more names than exposure follows (scan says so)
        info.undecoded.update(ex.undecoded)
        if self.devices:
            info.details["devices"] = devices_text(self.devices)
        for key, text in _CHECKED:
            info.add_checked(CheckNote.of(key, text))
        info.add_not_checked(CheckNote.of("pcap.tls13-certificates",
                                          "contents of encrypted traffic (TLS 1.3 hides the server certificate)"))
        for reason, count in sorted(ex.undecoded.items()):
            if reason == EARLY_UNREAD:  # not damage: a key the key log leaves out, said in words of its own
                ctx.warn(CheckNote.of("warn.pcap.tls-early-data", early_data_text(count), count=count))
                continue
            ctx.warn(CheckNote.of("warn.pcap.undecoded",
                                  f"{count} packet{'s' if count != 1 else ''} could not be decoded ({reason})",
                                  count=count, reason=reason))
        for reason, count in sorted(problems.items()):
            info.undecoded[FILE_DAMAGE + reason] = count
            ctx.warn(CheckNote.of("warn.pcap.damaged",
                                  f"the capture file is damaged ({reason}); packets after that point were not read",
                                  reason=reason))
        for reason, count in sorted(ex.overflow.items()):
            ctx.warn(CheckNote.of("warn.pcap.not-followed",
                                  f"{count} item{'s' if count != 1 else ''} not fully followed: {reason}",
                                  count=count, reason=reason))
        for reason, count in sorted(ex.dropped.items()):
            ctx.warn(CheckNote.of("warn.pcap.capped",
                                  f"this capture is larger in places than real traffic can be; {count} "
                                  f"item{'s' if count != 1 else ''} not read: {reason}",
                                  count=count, reason=reason))

    def _snap_cut_info(self, cut: SnapCut, ctx: CollectContext) -> None:
        """Packets the capture kept only the first bytes of: names in the rest were not read."""
        if not cut.packets:
            return
        ctx.warn(CheckNote.of("warn.pcap.snap-cut", snap_cut_text(cut), count=cut.packets, snap=cut.kept))
        self.info.add_not_checked(CheckNote.of(
            "pcap.snap-cut", f"the part of each packet the capture did not keep (it kept only the first {cut.kept} "
            "bytes of the packets it cut short)", snap=cut.kept))

    def _keys_info(self, keys: KeyLog, ex: Aggregates, ctx: CollectContext) -> None:
        """What the TLS and WireGuard keys stored in the capture (pcapng) gave, and what of them was not used."""
        if keys:
            keyed = ex.tcp.keyed if isinstance(ex, Extractor) else None
            self.info.counts["tls_keys"] = len(keys.secrets)
            self.info.counts["tls_decrypted_connections"] = keyed.connections if keyed is not None else 0
            self.info.add_checked(CheckNote.of(
                "pcap.tls-decrypted", "HTTP requests inside TLS, decrypted with the keys stored in the capture"))
        if keys.wireguard:
            tunnels = ex.wireguard if isinstance(ex, Extractor) else None
            self.info.counts["wireguard_keys"] = len(keys.wireguard)
            self.info.counts["wireguard_decrypted_sessions"] = tunnels.sessions if tunnels is not None else 0
            self.info.add_checked(CheckNote.of(
                "pcap.wireguard-decrypted", "the traffic inside WireGuard tunnels, decrypted with the keys stored in "
                "the capture"))
        for reason, count in sorted(keys.problems.items()):
            ctx.warn(CheckNote.of("warn.pcap.keys", f"keys stored in the capture not used ({reason}): {count}",
                                  count=count, reason=reason))

    def _observations(self, ex: Aggregates) -> Iterator[Observation]:
        source = self.info.name  # the path, or what a live watch names its capture
        mac = self.devices.get
        for (name, client, resolver, transport), seen in ex.dns_obs.items():
            yield DnsQuery(COLLECTOR, source, name=name, client=client, resolver=resolver,
                           answers=tuple(sorted(seen.answers)), transport=transport, client_mac=mac(client, ""),
                           certificate="DNSCrypt" if seen.dnscrypt_cert else "",
                           first_seen=_when(seen.first), last_seen=_when(seen.last), count=seen.count)
        for (protocol, name, client, server, port), seen_name in ex.server_obs.items():
            yield ServerName(COLLECTOR, source, name=name, protocol=protocol, client=client, server=server,
                             port=port, client_mac=mac(client, ""), first_seen=_when(seen_name.first),
                             last_seen=_when(seen_name.last), count=seen_name.count)
        receivers = self._receivers(ex) if self.devices and ex.cert_obs else {}
        for (_sha, server, port), seen_cert in ex.cert_obs.items():
            cert = seen_cert.info
            macs = receivers.get((server, port), ())
            yield TlsCertificate(COLLECTOR, source, sha1=cert.sha1, sha256=cert.sha256, subject_name=cert.subject,
                                 issuer=cert.issuer, self_signed=cert.self_signed, names=cert.names, server=server,
                                 port=port, server_name=seen_cert.sni, client_mac=next(iter(macs)) if len(macs) == 1
                                 else "", first_seen=_when(seen_cert.first), last_seen=_when(seen_cert.last),
                                 count=seen_cert.count)
        for (protocol, client_raw, server_raw, port), flow in ex.flows.items():
            # a flow counted once its table was full has no client (collect/net/flows)
            server, client = address_text(server_raw), address_text(client_raw) if client_raw else ""
            yield Flow(COLLECTOR, source, protocol=protocol, client=client, client_port=0,
                       server=server, server_port=port, bytes_out=flow.bytes_out, bytes_in=flow.bytes_in,
                       packets=flow.count, server_names=tuple(ex.address_names.get(server, ())),
                       starts=tuple(flow.starts), opened=flow.opened,
                       setup_packets=flow.setup if protocol == "tcp" else None, client_mac=mac(client, ""),
                       first_seen=_when(flow.first), last_seen=_when(flow.last), count=len(flow.starts) or 1)

    def _receivers(self, ex: Aggregates) -> dict[tuple[str, int], set[str]]:
        """(server, port) -> the devices (hardware addresses) that spoke TCP with it: a
        certificate belongs to a device when only one did ("" stands for a client without one)."""
        out: dict[tuple[str, int], set[str]] = {}
        for protocol, client_raw, server_raw, port in ex.flows:
            if protocol == "tcp" and client_raw:
                out.setdefault((address_text(server_raw), port), set()).add(
                    self.devices.get(address_text(client_raw), ""))
        return out


def read_keys_known(path: str, backend: str, reader: CaptureReader,
                    one_pass: Callable[[CaptureReader, KeyLog | None], Extractor],
                    stopped: Callable[[], bool] = lambda: False) -> Extractor:
    """``one_pass`` over the open capture ``reader`` (keys None: the reader's own, as they come);
    when TLS or WireGuard keys were stored after packets (PCAPdroid writes them every second), a
    connection may have begun before its keys were read, so the capture is read again with every
    key known from the start (unless ``stopped``)."""
    extractor = one_pass(reader, None)
    if reader.secrets.late and not stopped():
        with open_checked(path, backend, hashing=False) as again:
            extractor = one_pass(again, reader.secrets)
    return extractor


def snap_cut_text(cut: SnapCut) -> str:
    """The English line about packets the capture cut short (the scan's warning, ``exposure names``)."""
    return (f"packets were cut short when the capture was recorded (it kept only the first {cut.kept} bytes of "
            f"each): {cut.packets}; names inside their missing part could not be read")


def early_data_text(count: int) -> str:
    """The English line about TLS 0-RTT records the capture's key log has no key for."""
    return ("data sent before the encrypted connection was fully set up (TLS early data) could not be read: the key "
            f"log stored in the capture lacks its key (CLIENT_EARLY_TRAFFIC_SECRET); records not read: {count}")


def client_devices(by_client: dict[bytes, bytes]) -> dict[str, str]:
    """Client address -> hardware address, leaving out the hardware addresses of routers and
    bridges (seen with more than MAX_IPV4_PER_DEVICE IPv4 addresses: they carry others' traffic)."""
    ipv4: dict[bytes, int] = {}
    for client, mac in by_client.items():
        if len(client) == 4:
            ipv4[mac] = ipv4.get(mac, 0) + 1
    return {address_text(client): mac_text(mac) for client, mac in by_client.items()
            if ipv4.get(mac, 0) <= MAX_IPV4_PER_DEVICE}


def device_addresses(devices: dict[str, str]) -> dict[str, list[str]]:
    """Hardware address -> its client addresses (IPv4 first), in the order of the addresses."""
    out: dict[str, list[str]] = {}
    for address in sorted(devices, key=lambda a: (":" in a, a)):
        out.setdefault(devices[address], []).append(address)
    return out


def devices_text(devices: dict[str, str]) -> str:
    """"02:00:00:de:00:01 (192.168.77.23, 2001:db8::23); …": each device with its addresses."""
    grouped = sorted(device_addresses(devices).items())
    shown = "; ".join(f"{mac} ({', '.join(addresses)})" for mac, addresses in grouped[:DEVICES_LISTED])
    return shown + (f"; … (+{len(grouped) - DEVICES_LISTED})" if len(grouped) > DEVICES_LISTED else "")


class _FileHash:
    """The SHA-256 of a file, computed in a thread of its own."""

    def __init__(self, path: str) -> None:
        self._hex = ""
        self._thread = threading.Thread(target=self._run, args=(path,), name="capture-sha256", daemon=True)
        self._thread.start()

    def _run(self, path: str) -> None:
        # Large reads into one buffer: the thread takes the interpreter lock back twice per chunk
        # (after the read, after the hash), which it may wait for while the packet loop holds it.
        try:
            digest = hashlib.sha256()
            buf = bytearray(HASH_CHUNK)
            view = memoryview(buf)
            with open(path, "rb", buffering=0) as f:
                while size := f.readinto(buf):
                    digest.update(view[:size])
            self._hex = digest.hexdigest()
        except OSError:
            self._hex = ""

    def result(self) -> str:
        self._thread.join()
        return self._hex


def make_collector(spec: SourceSpec) -> PcapCollector:
    if not spec.target:
        raise CollectorError("no capture file given")
    return PcapCollector(spec.target, spec.option("reader", "native"))
