"""Record an iPhone's own traffic (Wi-Fi and cellular) over USB through pcapd, into a
private pcapng file (mode 0600) whose packet comments name the process behind each packet.

No hotspot, no root on this computer, no Developer Mode on the phone. pymobiledevice3's
``PcapdService`` parses pcapd's frames and writes the pcapng; the service connection is
guarded like every other (pcapd is only listened to, nothing is sent to it).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from pymobiledevice3.exceptions import PyMobileDevice3Exception
from pymobiledevice3.services.pcapd import DevicePacket, PcapdService

from exposure.collect.ios import usb
from exposure.collect.live import open_private

PROGRESS_SECONDS = 1.0
_ENDED = EOFError("the iPhone stopped sending traffic")


@dataclass(slots=True)
class Recorded:
    path: Path
    udid: str = ""
    packets: int = 0
    bytes: int = 0
    stopped_by: str = "duration"  # "duration" | "cancel" | "ended" (the phone stopped sending) | "error"
    error: str = ""
    processes: dict[str, int] | None = None


Progress = Callable[[float, int, int], None]  # seconds, packets, bytes


def record(udid: str, out: Path, *, duration: float | None, cancel: threading.Event,
           started: Callable[[str], None] = lambda udid: None, progress: Progress | None = None,
           trust_wait: float = 120.0, mux: usb.Mux | None = None) -> Recorded:
    """Record until ``duration`` seconds have passed or ``cancel`` is set (blocking)."""
    return cast(Recorded, asyncio.run(cast(Any, _record(udid, out, duration, cancel, started, progress,
                                                        trust_wait, mux))))


async def _record(udid: str, out: Path, duration: float | None, cancel: threading.Event,
                  started: Callable[[str], None], progress: Progress | None, trust_wait: float,
                  mux: usb.Mux | None) -> Recorded:
    result = Recorded(out, processes={})
    async with usb.open_lockdown(udid, pair=True, pair_timeout=trust_wait, mux=mux) as lockdown:
        result.udid = str(lockdown.identifier or udid)
        with open_private(out) as sink:
            async with PcapdService(lockdown) as pcapd:
                started(result.udid)
                await _capture(pcapd, sink, result, duration, cancel, progress)
    return result


async def _capture(pcapd: PcapdService, sink: BinaryIO, result: Recorded, duration: float | None,
                   cancel: threading.Event, progress: Progress | None) -> None:
    queue: asyncio.Queue[DevicePacket | BaseException] = asyncio.Queue(maxsize=10_000)

    async def pump() -> None:
        try:
            async for packet in pcapd.watch():
                await queue.put(packet)
        except (PyMobileDevice3Exception, OSError, ConnectionError, ValueError) as exc:
            await queue.put(exc)
        else:
            await queue.put(_ENDED)

    start = time.monotonic()
    reader = asyncio.create_task(pump())

    async def packets() -> AsyncIterator[DevicePacket]:
        last_report = start
        while not cancel.is_set():
            elapsed = time.monotonic() - start
            if duration is not None and elapsed >= duration:
                return
            try:
                item = await asyncio.wait_for(queue.get(), timeout=0.5)
            except TimeoutError:
                item = None
            if item is _ENDED:
                result.stopped_by = "ended"
                return
            if isinstance(item, BaseException):
                result.stopped_by, result.error = "error", usb._reason(item)
                return
            if isinstance(item, DevicePacket):
                result.packets += 1
                result.bytes += len(item.data)
                name = (item.ecomm or item.comm or "").strip()
                if name and result.processes is not None:
                    result.processes[name] = result.processes.get(name, 0) + 1
                yield item
            now = time.monotonic()
            if progress is not None and now - last_report >= PROGRESS_SECONDS:
                last_report = now
                progress(now - start, result.packets, result.bytes)
        result.stopped_by = "cancel"

    try:
        await pcapd.write_to_pcap(sink, packets())
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
