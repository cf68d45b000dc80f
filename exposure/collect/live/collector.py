"""Watching network traffic as a source like any other (kind "live").

The collector records one interface into a private capture file (:func:`record`), says
each new name as it is seen (``Progress.new_names``: the pipeline marks the known ones),
then reads the file with the capture collector, so the check is exactly that of a saved
capture. ``exposure capture`` and the app's live watching both run it through
:func:`exposure.scan.run_scan`.

Options of its SourceSpec (target: the interface):

* ``seconds``: how long to watch (absent or 0: until stopped);
* ``out``: where to keep the capture. Given, the file is kept and the source is that
  capture file (kind "pcap", named by its path, as if checked with ``scan --pcap``);
  absent, the capture goes to a private temporary folder (``folder``, when the front end
  wants to own it, as the app does for its quick exit) and is deleted once it is read;
  the source is then the traffic watched on the interface.

``CollectContext.stop`` ends the watch early and the capture is still checked;
``cancel`` drops it. A watch that saw no packet at all is a source that was not checked.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.base import CheckNote, CollectContext, CollectorError, Progress, SourceInfo
from exposure.collect.live import LiveProgress, record
from exposure.collect.pcap import PcapCollector
from exposure.model import Observation

if TYPE_CHECKING:
    from exposure.model import SourceSpec

WATCHING = CheckNote.of("reading.live-traffic", "the traffic as it passes")
# Progress stages, in English words for the command line (the app shows ``reading``).
STARTED = "recording started"
RECORDING = "recording"
RECORDED = "recording done"  # at the time set
STOPPED = "recording stopped"  # by Ctrl-C, a signal, or the person
STOPPED_EARLY = "recording stopped early: "  # + why (the disk filled up, the interface went away)


class LiveCollector:
    """Watch ``iface`` for ``seconds`` (None: until stopped), then check what was seen."""

    def __init__(self, iface: str, seconds: float | None = None, out: str = "", folder: str = "") -> None:
        self.iface = iface
        self.seconds = seconds
        self.out = out
        self.folder = folder
        if out:
            self.info = SourceInfo(kind="pcap", name=out)
        else:
            self.info = SourceInfo(kind="live", name=iface)
        self.info.details["interface"] = iface
        self.reader: PcapCollector | None = None  # once the watch is over: what read the capture

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        with recording_file(self.out, self.folder, "capture.pcap") as path:
            if not self._watch(path, ctx):
                return
            self.reader = reader = PcapCollector(str(path))
            reader.info = self.info  # the capture's counts and notes are this source's
            yield from reader.collect(ctx)

    def _watch(self, path: Path, ctx: CollectContext) -> bool:
        """Record into ``path``; False when the watch was cancelled (nothing to check)."""
        seconds = self.seconds
        name = self.info.name

        def started() -> None:
            ctx.progress(Progress(name, STARTED, (("packets", 0), ("names", 0)), 0.0 if seconds else None, WATCHING))

        def seen(update: LiveProgress) -> None:
            fraction = min(1.0, update.elapsed / seconds) if seconds else None
            counts = (("packets", update.packets), ("names", update.names), ("seconds", int(update.elapsed)))
            ctx.progress(Progress(name, RECORDING, counts, fraction, WATCHING, new_names=update.new_names))

        result = record(self.iface, path, duration=seconds, progress=seen, cancel=ctx.cancel, stop=ctx.stop,
                        started=started)
        self.info.details["watched"] = f"{(result.finished - result.started).total_seconds():.0f} s"
        stopped = {"duration": "at the time set", "interrupt": "by Ctrl-C", "stop": "by the person",
                   "cancel": "by the person", "error": "by an error"}[result.stopped_by]
        if not recording_ended(ctx, self.info, path if self.out else None, stopped=stopped,
                               stopped_by=result.stopped_by, error=result.error, packets=result.packets,
                               size=result.bytes, reading=WATCHING):
            return False
        if result.packets == 0:
            raise CollectorError(f"no traffic was seen on {self.iface}: check that this is the interface the "
                                 "traffic passes through (for a phone: that it uses this computer's hotspot)",
                                 key="error.live.no-traffic", iface=self.iface)
        return True


@contextmanager
def recording_file(out: str, folder: str, file_name: str) -> Iterator[Path]:
    """Where a watch records: ``out`` when the person keeps the capture; else ``file_name`` in
    ``folder`` (the front end's) or in a private temporary folder, removed once the check is over."""
    own = None if out or folder else Path(tempfile.mkdtemp(prefix="exposure-watch-"))
    path = Path(out) if out else Path(folder or str(own)) / file_name
    try:
        yield path
    finally:
        if own is not None:
            shutil.rmtree(own, ignore_errors=True)
        elif not out:
            path.unlink(missing_ok=True)


def recording_ended(ctx: CollectContext, info: SourceInfo, kept: Path | None, *, stopped: str, stopped_by: str,
                    error: str, packets: int, size: int, reading: CheckNote) -> bool:
    """Say how a watch's recording ended (the source's details, a warning when it stopped early,
    the last progress line); False when the watch was cancelled and there is nothing to check."""
    info.details["stopped"] = stopped
    if kept is not None:
        info.details["kept in"] = str(kept.resolve())
    if error:
        ctx.warn(CheckNote.of("warn.live.stopped-early", f"recording stopped early: {error}", problem=error))
    stage = STOPPED_EARLY + error if error else RECORDED if stopped_by == "duration" else STOPPED
    ctx.progress(Progress(info.name, stage, (("packets", packets), ("bytes", size)), 1.0, reading))
    return not ctx.cancel.is_set()


def watch_seconds(spec: SourceSpec) -> float | None:
    """How long a watch's SourceSpec asks to record (its ``seconds`` option; None: until stopped)."""
    try:
        seconds = float(spec.option("seconds", "0") or 0)
    except ValueError:
        raise CollectorError("the duration is not a number of seconds", key="error.live.bad-duration") from None
    return seconds or None


def interface_of(spec: SourceSpec) -> str:
    """The interface a watch of the network records (its SourceSpec's target)."""
    if not spec.target:
        raise CollectorError("no network interface given", key="error.live.no-interface")
    return spec.target


def make_collector(spec: SourceSpec) -> LiveCollector:
    return LiveCollector(interface_of(spec), watch_seconds(spec), spec.option("out"), spec.option("folder"))
