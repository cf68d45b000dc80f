"""The one scan pipeline that every front end (command line, TUI, demo) calls.

``run_scan`` takes a :class:`ScanRequest` (which sources, which profiles), builds the
indicator index, runs each source's collector, streams every observation through the
detectors, and returns a :class:`ScanResult`: findings, warnings, and what was read.
A source that fails is recorded as a warning and the other sources still run.

Two or more captures (a folder of them) are each checked on their own, with detectors of
their own, in a pool of processes (``exposure.pool``: one per core, the results in the order
given, so the report does not depend on which process was quicker); every other source, and
a single capture, is read here as before.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from exposure import __version__
from exposure.collect import make_collector
from exposure.collect.base import CollectContext, CollectorError, Progress
from exposure.collect.traffic_notes import no_traffic_to_check, traffic_read
from exposure.detect import default_detectors
from exposure.detect.base import DetectContext, Detector
from exposure.detect.fold import fold_per_app
from exposure.errors import UserError
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.model import (
    CAPTURE_SUFFIXES,
    FILE_DAMAGE,
    CheckNote,
    FeedInfo,
    Finding,
    LocalText,
    ScanWarning,
    SourceInfo,
    Threat,
)
from exposure.model import SourceSpec as SourceSpec  # first lived here; new code imports it from exposure.model

if TYPE_CHECKING:
    from exposure.pool import Channel, PoolProgress

REPORT_SCHEMA = "exposure.report/1"


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What to check: the sources, the profiles (empty: the default ones), feeds, demo data."""

    sources: tuple[SourceSpec, ...]
    profiles: tuple[str, ...] = ()  # empty: every profile
    use_feeds: bool = True
    demo: bool = False


@dataclass(slots=True)
class ScanResult:
    """Everything one scan found and said, with when it ran, what it read and what it looked for."""

    request: ScanRequest
    started: datetime
    finished: datetime
    findings: list[Finding]
    warnings: list[ScanWarning]
    sources: list[SourceInfo]
    profiles: list[str]
    feeds: list[FeedInfo]
    tool_version: str = __version__
    cancelled: bool = False
    demo: bool = False
    # One line for each source that could not be read at all (also among the warnings).
    unreadable: list[str] = field(default_factory=list)
    # The threats the findings name, so a saved report can explain them without the profiles.
    threats: dict[str, Threat] = field(default_factory=dict)
    # Which process checked each capture that was checked in the pool (by source name): not
    # part of any report (it differs from run to run), it shows that the cores were used.
    processes: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ScanHooks:
    """How a front end follows and steers a scan: ``cancel`` drops the check, ``stop``
    ends reading early and checks what was read (a live capture's "stop and check")."""

    progress: Callable[[Progress], None] = field(default=lambda p: None)
    cancel: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


# A count that, when a collector reports it as 0, means the source gave nothing to check:
# a capture without packets, a phone without a single app read.
_NOTHING_READ = (
    ("packets", "error.source.no-packets", "it holds no packets"),
    ("packages", "error.source.no-apps", "no apps could be read from it"),
)


def run_scan(request: ScanRequest, hooks: ScanHooks | None = None, catalog: Catalog | None = None) -> ScanResult:
    hooks = hooks or ScanHooks()
    started = _now()
    warnings: list[ScanWarning] = []
    if catalog is None:
        catalog = build_catalog(request.profiles or None, use_feeds=request.use_feeds)
    for message in catalog.warnings:
        warnings.append(ScanWarning.of("indicators", message))
    detectors: list[Detector] = default_detectors()
    ctx = DetectContext(index=catalog.index)
    findings: list[Finding] = []
    sources: list[SourceInfo] = []
    unreadable: list[str] = []

    progress = _marking_known(hooks.progress, catalog)
    alone = _checked_alone(request, hooks, catalog, ctx)
    processes: dict[str, int] = {}
    for position, spec in enumerate(request.sources):
        if position in alone:  # a capture among several: checked in the pool, on its own
            checked = alone[position]
            if checked is not None:
                sources.append(checked.info)
                findings.extend(checked.findings)
                warnings.extend(checked.warnings)
                processes[checked.info.name] = checked.process
                if checked.info.unread is not None:
                    unreadable.append(checked.info.unread.text)
            continue
        if hooks.cancel.is_set():
            break
        info, said = check_source(spec, detectors, ctx, findings, progress, hooks.cancel, hooks.stop)
        sources.append(info)
        warnings.extend(said)
        if info.unread is not None:
            unreadable.append(info.unread.text)

    ctx.warn = lambda said: warnings.append(ScanWarning.of("detectors", said))
    ctx.not_checked = _not_checked_in([s for s in sources if s.kind in TRAFFIC_KINDS], ctx.warn)
    for detector in detectors:
        findings.extend(detector.finish(ctx))
    findings = fold_per_app(findings)  # one app, one finding per device
    findings.sort(key=lambda f: (f.severity.rank, f.category.value, f.title))
    return ScanResult(
        request=request,
        started=started,
        finished=_now(),
        findings=findings,
        warnings=warnings,
        sources=sources,
        profiles=[p.id for p in catalog.profiles],
        feeds=list(catalog.feeds),
        cancelled=hooks.cancel.is_set(),
        demo=request.demo,
        unreadable=unreadable,
        processes=processes,
        threats={t.id: t for f in findings if f.threat and (t := catalog.index.threat(f.threat)) is not None},
    )


def _not_checked_in(traffic: list[SourceInfo], warn: Callable[[str | CheckNote], None]) -> Callable[[CheckNote], None]:
    """Where the detectors' limits go: every source of network traffic lists them as not
    checked (the detectors judge the traffic of all of them together); with none, a warning."""
    def note(said: CheckNote) -> None:
        for source in traffic:
            source.add_not_checked(said)
        if not traffic:
            warn(said)
    return note


def check_source(spec: SourceSpec, detectors: Sequence[Detector], ctx: DetectContext, findings: list[Finding],
                 progress: Callable[[Progress], None], cancel: threading.Event,
                 stop: threading.Event) -> tuple[SourceInfo, list[ScanWarning]]:
    """Read one source through ``detectors`` (their findings go to ``findings``): what the
    report records about it, and its warnings. A source that cannot be read, or that gave
    nothing, has ``unread`` set and says why in its first warning."""
    label = spec.target or spec.kind
    source_warnings: list[str | CheckNote] = []
    collect_ctx = CollectContext(progress=progress, warn=source_warnings.append, cancel=cancel, stop=stop)
    ctx.warn = source_warnings.append
    try:
        collector = make_collector(spec)
    except (CollectorError, UserError) as exc:
        info = SourceInfo(kind=spec.kind, name=label, label=spec.option("label"))
        info.unread = note_of(exc)
        return info, [ScanWarning.of(info.name, info.unread)]
    info = collector.info
    info.label = info.label or spec.option("label")
    info.started = _now()
    observed = 0
    try:
        for obs in collector.collect(collect_ctx):
            observed += 1
            for detector in detectors:
                findings.extend(detector.observe(obs, ctx))
            if cancel.is_set():
                break
    except (CollectorError, UserError) as exc:
        # One source that cannot be read (no phone, a damaged file) must not stop the others.
        info.unread = note_of(exc)
    finally:
        info.finished = _now()
    if info.unread is None and not cancel.is_set():
        info.unread = _gave_nothing(info, observed)
    if info.kind in TRAFFIC_KINDS:
        traffic_read(info)
    if info.unread is not None:
        source_warnings.insert(0, info.unread)
    return info, _merge_warnings(info.name or label, source_warnings)


def note_of(error: BaseException) -> CheckNote:
    """An error as a note: its key and params (texts in explain/errors.yaml), its English."""
    return CheckNote(str(getattr(error, "key", "") or ""), tuple(getattr(error, "params", ()) or ()), str(error))


def _gave_nothing(info: SourceInfo, observed: int) -> CheckNote | None:
    """Why a source that was opened still gave nothing to check, or None."""
    damage = next((kind.removeprefix(FILE_DAMAGE) for kind in info.undecoded if kind.startswith(FILE_DAMAGE)), None)
    if damage is not None and info.counts.get("packets") == 0:  # not empty: damaged before its first whole packet
        return CheckNote.of("error.source.damaged-first", f"it is damaged before its first whole packet ({damage})",
                            reason=damage)
    for count, key, text in _NOTHING_READ:
        if info.counts.get(count) == 0 and info.partly is None:  # partly checked: its findings stand
            return CheckNote.of(key, text)
    if info.kind in TRAFFIC_KINDS and (said := no_traffic_to_check(info)) is not None:
        return said
    if not observed and not any(info.counts.values()):
        return CheckNote.of("error.source.nothing", "nothing could be read from it")
    return None


def _marking_known(report: Callable[[Progress], None], catalog: Catalog) -> Callable[[Progress], None]:
    """The front end's progress callback, with each new name that an indicator lists marked
    (live watching shows it at once; the collector itself knows nothing of indicators)."""
    index = catalog.index

    def marked(progress: Progress) -> None:
        if progress.new_names:
            known = []
            for _kind, seen_name in progress.new_names:
                hits = [i for i in index.lookup_domain(seen_name) if not i.supporting]
                if hits:
                    threat = index.threat(hits[0].threat)
                    shown = threat.name if threat is not None else LocalText.of(en=hits[0].threat)
                    known.append((seen_name, shown, hits[0].role.value))
            if known:
                progress = replace(progress, known=tuple(known))
        report(progress)

    return marked


def _merge_warnings(source: str, messages: Sequence[str | CheckNote]) -> list[ScanWarning]:
    """One warning per distinct message, with a count, so a flood stays readable."""
    counts: dict[str | CheckNote, int] = {}
    for message in messages:
        counts[message] = counts.get(message, 0) + 1
    return [ScanWarning.of(source, message, count) for message, count in counts.items()]


def _now() -> datetime:
    return datetime.now(UTC)


# --- several captures: each checked on its own, in a pool of processes -----------------

# Sources that, when two or more are asked for, are each checked on their own with
# detectors of their own (a capture's findings rest on that capture alone), in parallel.
ALONE_KINDS = frozenset({"pcap", "iphone-capture"})
# The kinds of the sources of network traffic, recorded or live, as their collectors name them
# (an iPhone watched live is an "iphone-capture" source): what the network detectors judge.
TRAFFIC_KINDS = frozenset({"pcap", "live", "hotspot", "iphone-capture"})
_READING_CAPTURES = "reading.captures"


@dataclass(frozen=True, slots=True)
class AloneTask:
    """One capture of several, to be checked on its own in a pool process."""

    spec: SourceSpec
    catalog: int  # key in _CATALOGS: a forked process has the caller's catalog there already
    profiles: tuple[str, ...]  # how a fresh process builds the same catalog
    use_feeds: bool
    today: date


@dataclass(slots=True)
class CheckedAlone:
    """What a pool process found in one capture checked on its own."""

    info: SourceInfo
    findings: list[Finding]
    warnings: list[ScanWarning]
    process: int  # the process that checked it


_CATALOGS: dict[int, Catalog] = {}
_catalog_keys = itertools.count(1)


def _checked_alone(request: ScanRequest, hooks: ScanHooks, catalog: Catalog,
                   ctx: DetectContext) -> dict[int, CheckedAlone | None]:
    """The captures among the sources, when there are two or more, each checked on its own
    in the pool: by position in the request (None: the scan was stopped before it began)."""
    positions = [i for i, spec in enumerate(request.sources) if spec.kind in ALONE_KINDS]
    if len(positions) < 2:
        return {}  # one capture is read here, as every other source
    # the pool (with its process machinery) is imported only here: a scan of one source never needs it
    from exposure.pool import Failed, Stopped, run_pool, usable_cores

    key = next(_catalog_keys)
    _CATALOGS[key] = catalog
    tasks = [AloneTask(request.sources[i], key, request.profiles, request.use_feeds, ctx.today) for i in positions]
    try:
        outcomes = run_pool(check_alone, tasks, [_size(task.spec.target) for task in tasks], workers=usable_cores(),
                            progress=_pool_progress(hooks.progress, len(tasks)), cancel=hooks.cancel)
    finally:
        del _CATALOGS[key]
    out: dict[int, CheckedAlone | None] = {}
    for position, task, outcome in zip(positions, tasks, outcomes, strict=True):
        if isinstance(outcome, Stopped):
            out[position] = None
        elif isinstance(outcome, Failed):
            out[position] = _failed(task.spec, outcome.error)
        else:
            out[position] = outcome
    return out


def check_alone(task: AloneTask, channel: Channel) -> CheckedAlone:
    """One capture with detectors of its own (run in a pool process, or here)."""
    catalog = _CATALOGS.get(task.catalog)
    if catalog is None:  # a fresh process (not forked): the same catalog, built again
        catalog = _CATALOGS[task.catalog] = build_catalog(task.profiles or None, use_feeds=task.use_feeds)
    detectors = default_detectors()
    ctx = DetectContext(index=catalog.index, today=task.today)
    findings: list[Finding] = []

    def progress(update: Progress) -> None:
        channel.progress(update.fraction or 0.0, dict(update.counts).get("packets", 0))

    info, warnings = check_source(task.spec, detectors, ctx, findings, progress, channel.cancel, threading.Event())
    ctx.warn = lambda said: warnings.append(ScanWarning.of(info.name, said))
    ctx.not_checked = info.add_not_checked
    for detector in detectors:
        findings.extend(detector.finish(ctx))
    return CheckedAlone(info, findings, warnings, os.getpid())


def _failed(spec: SourceSpec, error: BaseException) -> CheckedAlone:
    """A capture whose check failed (a bug, a process that ended): not checked, said so."""
    info = SourceInfo(kind=spec.kind, name=spec.target, label=spec.option("label"))
    problem = f"{type(error).__name__}: {error}"
    info.unread = CheckNote.of("error.source.failed", f"checking it failed ({problem})", problem=problem)
    return CheckedAlone(info, [], [ScanWarning.of(info.name, info.unread)], 0)


def _pool_progress(report: Callable[[Progress], None], total: int) -> Callable[[PoolProgress], None]:
    reading = CheckNote.of(_READING_CAPTURES, f"the packets in {total} captures", count=total)

    def said(update: PoolProgress) -> None:
        report(Progress("captures", "reading captures",
                        (("done", update.done), ("total", update.total), ("packets", update.packets)),
                        update.fraction, reading))

    return said


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


# -- the captures a path names: the command line's --pcap and the app's file screen decide alike --


def capture_sources(paths: Sequence[str]) -> list[SourceSpec]:
    """The captures ``paths`` name: each file as given, each folder as the capture files directly
    in it (:func:`folder_captures`); a file named twice is checked once; a capture recorded from
    an iPhone (``capture --iphone``) is an ``iphone-capture``, which keeps its labels by process.
    A folder without any capture file is one line (a :class:`UserError`, exit 2)."""
    from exposure.collect.ios.capture import is_iphone_capture

    out: list[SourceSpec] = []
    seen: set[str] = set()
    for given in paths:
        files = [given]
        if os.path.isdir(given):
            files = folder_captures(given)
            if not files:
                raise UserError(f"{given}: no capture files in this folder (names ending in "
                                f"{', '.join(CAPTURE_SUFFIXES)}, or that and .gz)",
                                key="error.scan.no-captures-in-folder", path=given,
                                suffixes=", ".join(CAPTURE_SUFFIXES))
        for path in files:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                out.append(SourceSpec("iphone-capture" if is_iphone_capture(path) else "pcap", path))
    return out


def folder_captures(folder: str) -> list[str]:
    """The capture files directly in ``folder``, sorted by name: names ending in
    :data:`CAPTURE_SUFFIXES` (or that and ``.gz``), hidden files left out."""
    with os.scandir(folder) as entries:
        found = sorted(entry.name for entry in entries if _is_capture_name(entry.name) and entry.is_file())
    return [os.path.join(folder, name) for name in found]


def _is_capture_name(name: str) -> bool:
    lowered = name.lower().removesuffix(".gz")
    return not name.startswith(".") and lowered.endswith(CAPTURE_SUFFIXES)
