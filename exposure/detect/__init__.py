"""Detectors: indicator matches and heuristics that turn observations into findings."""

from __future__ import annotations

import importlib

from exposure.detect.base import Detector

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


def default_detectors() -> list[Detector]:
    out: list[Detector] = []
    for target in DETECTORS:
        module_name, _, class_name = target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        out.append(cls())
    return out
