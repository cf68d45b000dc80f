"""Watching an iPhone's own traffic over USB (kind "iphone-live"): recorded through pcapd
(:mod:`exposure.collect.ios.pcapd`: Wi-Fi and mobile data, the app behind each packet, no
administrator rights on this computer), then checked as a saved iPhone capture is (kind
"iphone-capture": flows, names and findings labelled by the app that made them).

Like a live watch of an interface (:mod:`exposure.collect.live.collector`): ``CollectContext.stop`` ends the
recording early and what was recorded is still checked, ``cancel`` drops it; the capture
goes to a private temporary folder (``folder`` when the front end owns it) and is deleted
once read, unless ``out`` keeps it. Options of its SourceSpec (target: the iPhone's UDID, or
"" for the one connected): ``seconds`` (absent or 0: until stopped), ``out``, ``folder``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.base import CheckNote, CollectContext, CollectorError, Progress, SourceInfo
from exposure.collect.live.collector import RECORDING, STARTED, recording_ended, recording_file, watch_seconds
from exposure.errors import UserError
from exposure.model import Observation

if TYPE_CHECKING:
    from exposure.model import SourceSpec

WATCHING = CheckNote.of("reading.iphone-traffic", "the iPhone's traffic as it passes")
_WAITING = CheckNote.of("reading.iphone-trust", "waiting for the iPhone: unlock it and tap Trust if it asks")
WAITING = "waiting for the iPhone (unlock it; tap Trust if it asks)"
RECORDING_NAME = "watched-iphone.pcapng"  # in the private temporary folder, deleted after the check


class _Either(threading.Event):
    """Set when either event is: pcapd's recorder knows one event, the pipeline has two."""

    def __init__(self, *events: threading.Event) -> None:
        super().__init__()
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class IphoneLiveCollector:
    """Record the iPhone ``udid`` for ``seconds`` (None: until stopped), then check it."""

    def __init__(self, udid: str = "", seconds: float | None = None, out: str = "", folder: str = "") -> None:
        self.udid = udid
        self.seconds = seconds
        self.out = out
        self.folder = folder
        self.info = SourceInfo(kind="iphone-capture", name=udid or "iPhone")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        with recording_file(self.out, self.folder, RECORDING_NAME) as path:
            if not self._watch(path, ctx):
                return
            from exposure.collect.ios.capture import IphoneCaptureCollector

            reader = IphoneCaptureCollector(str(path))
            reader.info = self.info  # the capture's counts and notes are this source's
            for obs in reader.collect(ctx):
                # what the reader names by the file (the apps in the traffic) is this iPhone's
                yield dataclasses.replace(obs, source=self.info.name) if obs.source == reader.path else obs

    def _watch(self, path: Path, ctx: CollectContext) -> bool:
        """Record into ``path``; False when the watch was cancelled (nothing to check)."""
        try:
            from exposure.collect.ios import pcapd
        except ImportError:
            from exposure.collect.ios.collector import NO_SUPPORT, NO_SUPPORT_KEY

            raise UserError(NO_SUPPORT, key=NO_SUPPORT_KEY) from None
        seconds, name = self.seconds, self.info.name
        ctx.progress(Progress(name, WAITING, reading=_WAITING))

        def started(udid: str) -> None:
            self.info.details["udid"] = udid
            ctx.progress(Progress(name, STARTED, (("packets", 0),), 0.0 if seconds else None, WATCHING))

        def seen(elapsed: float, packets: int, size: int) -> None:
            fraction = min(1.0, elapsed / seconds) if seconds else None
            counts = (("packets", packets), ("seconds", int(elapsed)))
            ctx.progress(Progress(name, RECORDING, counts, fraction, WATCHING))

        either = _Either(ctx.stop, ctx.cancel)
        result = pcapd.record(self.udid, path, duration=seconds, cancel=either, started=started, progress=seen)
        stopped = {"duration": "at the time set", "ended": "by the iPhone", "error": "by an error"}.get(
            result.stopped_by, "by the person")
        if not recording_ended(ctx, self.info, path if self.out else None, stopped=stopped,
                               stopped_by=result.stopped_by, error=result.error, packets=result.packets,
                               size=result.bytes, reading=WATCHING):
            return False
        if result.packets == 0:
            raise CollectorError("no traffic came from the iPhone: keep it unlocked and use it (open apps) while "
                                 "it is recorded", key="error.live.no-iphone-traffic")
        return True


def make_collector(spec: SourceSpec) -> IphoneLiveCollector:
    return IphoneLiveCollector(spec.target, watch_seconds(spec), spec.option("out"), spec.option("folder"))
