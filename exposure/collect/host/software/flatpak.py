"""Flatpak applications from ``flatpak list --app``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from exposure.collect.host.base import HostRun
from exposure.collect.host.software.base import Package, clean

COMMAND = ("flatpak", "list", "--app", "--columns=application,version,origin,installation")


def parse(text: str) -> Iterator[Package]:
    """Tab-separated columns: application id, version, remote (origin), installation."""
    for line in text.splitlines():
        parts = line.split("\t")
        app = parts[0].strip()
        if not app or app == "Application ID" or "." not in app:
            continue
        version = parts[1] if len(parts) > 1 else ""
        origin = parts[2] if len(parts) > 2 else ""
        where = parts[3] if len(parts) > 3 else ""
        yield Package(name=clean(app), manager="flatpak", version=clean(version), publisher=clean(origin),
                      path=clean(where))


class FlatpakReader:
    manager = "flatpak"
    label = "Flatpak applications"
    command = COMMAND  # started ahead (prefetch.py)

    def available(self, run: HostRun) -> bool:
        return run.platform.startswith("linux") and shutil.which("flatpak") is not None

    def read(self, run: HostRun) -> Iterator[Package]:
        return parse(run.run(COMMAND))
