"""Sources of observations. ``make_collector`` turns a SourceSpec into a collector.

Each kind lives in its own module and is imported only when used, so that starting the
TUI or the command line does not pay for scapy or adb helpers it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from exposure.collect.base import Collector, CollectorError

if TYPE_CHECKING:
    from exposure.model import SourceSpec

# kind -> "module:factory"; a factory takes the SourceSpec and returns a Collector.
COLLECTORS: dict[str, str] = {
    "pcap": "exposure.collect.pcap:make_collector",
    "android": "exposure.collect.android.adb:make_collector",
    "android-dump": "exposure.collect.android.dump:make_collector",
    "androidqf": "exposure.collect.android.androidqf:make_collector",
    "host": "exposure.collect.host:make_collector",
    "live": "exposure.collect.live.collector:make_collector",
    "iphone": "exposure.collect.ios.collector:make_collector",
    "iphone-dump": "exposure.collect.ios.collector:make_dump_collector",
    "iphone-capture": "exposure.collect.ios.capture:make_collector",
    "hotspot": "exposure.collect.hotspot.collector:make_collector",
    "iphone-live": "exposure.collect.iphone_watch:make_collector",
    "ios-backup": "exposure.collect.ios_backup.collector:make_collector",
}


def make_collector(spec: SourceSpec) -> Collector:
    target = COLLECTORS.get(spec.kind)
    if target is None:
        raise CollectorError(f"unknown kind of source: {spec.kind}")
    module_name, _, factory_name = target.partition(":")
    module = importlib.import_module(module_name)
    factory = getattr(module, factory_name)
    collector: Collector = factory(spec)
    return collector
