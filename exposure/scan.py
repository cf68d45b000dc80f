"""The one scan pipeline that every front end (command line, TUI, demo) calls.

``run_scan`` takes a :class:`ScanRequest` (which sources, which profiles), builds the
indicator index, runs each source's collector, streams every observation through the
detectors, and returns a :class:`ScanResult`: findings, warnings, and what was read.
A source that fails is recorded as a warning and the other sources still run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from exposure import __version__
from exposure.collect import make_collector
from exposure.collect.base import CollectContext, CollectorError, Progress
from exposure.detect import default_detectors
from exposure.detect.base import DetectContext, Detector
from exposure.errors import UserError
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.model import CheckNote, FeedInfo, Finding, ScanWarning, SourceInfo, Threat
from exposure.model import SourceSpec as SourceSpec  # first lived here; new code imports it from exposure.model

REPORT_SCHEMA = "exposure.report/1"


@dataclass(frozen=True, slots=True)
class ScanRequest:
    sources: tuple[SourceSpec, ...]
    profiles: tuple[str, ...] = ()  # empty: every profile
    use_feeds: bool = True
    demo: bool = False


@dataclass(slots=True)
class ScanResult:
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


@dataclass(slots=True)
class ScanHooks:
    """How a front end follows and steers a scan."""

    progress: Callable[[Progress], None] = field(default=lambda p: None)
    cancel: threading.Event = field(default_factory=threading.Event)


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

    for spec in request.sources:
        if hooks.cancel.is_set():
            break
        label = spec.target or spec.kind
        source_warnings: list[str | CheckNote] = []
        collect_ctx = CollectContext(progress=hooks.progress, warn=source_warnings.append, cancel=hooks.cancel)
        ctx.warn = source_warnings.append
        try:
            collector = make_collector(spec)
        except (CollectorError, UserError) as exc:
            warnings.append(ScanWarning(label, str(exc)))
            unreadable.append(str(exc))
            continue
        sources.append(collector.info)
        collector.info.started = _now()
        try:
            for obs in collector.collect(collect_ctx):
                for detector in detectors:
                    findings.extend(detector.observe(obs, ctx))
                if hooks.cancel.is_set():
                    break
        except (CollectorError, UserError) as exc:
            # One source that cannot be read (no phone, a damaged file) must not stop the others.
            source_warnings.append(str(exc))
            unreadable.append(str(exc))
        finally:
            collector.info.finished = _now()
        warnings.extend(_merge_warnings(collector.info.name or label, source_warnings))

    ctx.warn = lambda said: warnings.append(ScanWarning.of("detectors", said))
    for detector in detectors:
        findings.extend(detector.finish(ctx))
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
        threats={t.id: t for f in findings if f.threat and (t := catalog.index.threat(f.threat)) is not None},
    )


def _merge_warnings(source: str, messages: Sequence[str | CheckNote]) -> list[ScanWarning]:
    """One warning per distinct message, with a count, so a flood stays readable."""
    counts: dict[str | CheckNote, int] = {}
    for message in messages:
        counts[message] = counts.get(message, 0) + 1
    return [ScanWarning.of(source, message, count) for message, count in counts.items()]


def _now() -> datetime:
    return datetime.now(UTC)
