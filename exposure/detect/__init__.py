"""Detectors: indicator matches and heuristics that turn observations into findings."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable

from exposure.detect.base import DetectContext, Detector
from exposure.model import Finding, Observation

# Each entry is "module:Class"; the class takes no arguments. Heuristic detectors only
# react to the observation types they know and ignore the rest.
DETECTORS: tuple[str, ...] = (
    "exposure.detect.indicators:IndicatorDetector",
    "exposure.detect.host:HostHeuristics",
    "exposure.detect.android:AndroidHeuristics",
    "exposure.detect.android_activity:AndroidActivity",
    "exposure.detect.ios:IosHeuristics",
    "exposure.detect.ios_backup:IosBackupHeuristics",
    "exposure.detect.network:NetworkHeuristics",
)
# The phone and network detectors react only to observation types defined in these modules,
# and find nothing at the end when they saw none. An object of such a type cannot exist before
# its module is loaded, so each of them is imported only once one of its modules is: a scan of
# this computer or of a capture never loads the phone observations and their detectors (~25 ms),
# a scan of this computer not the network heuristics either (~10 ms).
WAITS_FOR: dict[str, tuple[str, ...]] = {
    "exposure.detect.network": ("exposure.observations.network",),
    "exposure.detect.android": ("exposure.observations.android",),
    "exposure.detect.android_activity": ("exposure.observations.android",),
    "exposure.detect.ios": ("exposure.observations.ios",),
    "exposure.detect.ios_backup": ("exposure.observations.ios", "exposure.observations.ios_backup"),
}


def _make(target: str) -> Detector:
    module_name, _, class_name = target.partition(":")
    detector: Detector = getattr(importlib.import_module(module_name), class_name)()
    return detector


class WaitingDetector:
    """A detector of ``WAITS_FOR``, made when an observation it could react to may exist."""

    def __init__(self, target: str, waits_for: tuple[str, ...]) -> None:
        self.target = target
        self.waits_for = waits_for
        self._detector: Detector | None = None

    @property
    def name(self) -> str:
        return self.detector().name

    def detector(self) -> Detector:
        if self._detector is None:
            self._detector = _make(self.target)
        return self._detector

    def _ready(self) -> Detector | None:
        if self._detector is None:
            for name in self.waits_for:
                if name in sys.modules:
                    self._detector = _make(self.target)
                    break
        return self._detector

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        detector = self._detector if self._detector is not None else self._ready()
        return () if detector is None else detector.observe(obs, ctx)

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        detector = self._ready()
        return () if detector is None else detector.finish(ctx)


def default_detectors() -> list[Detector]:
    out: list[Detector] = []
    for target in DETECTORS:
        waits_for = WAITS_FOR.get(target.partition(":")[0])
        if waits_for is None or any(name in sys.modules for name in waits_for):  # (a capture's: at once)
            out.append(_make(target))
        else:
            out.append(WaitingDetector(target, waits_for))
    return out
