"""Snap packages from ``snap list``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from exposure.collect.host.base import HostRun
from exposure.collect.host.software.base import Package, clean

COMMAND = ("snap", "list", "--unicode=never", "--color=never")


def parse(text: str) -> Iterator[Package]:
    """Columns ``Name Version Rev Tracking Publisher Notes`` separated by spaces; the
    publisher may end in ``*`` or ``**`` (verified) and is ``-`` for local snaps."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0] == "Name":
            continue
        publisher = parts[4].rstrip("*✓✪") if len(parts) > 4 else ""
        yield Package(name=clean(parts[0]), manager="snap", version=clean(parts[1]),
                      publisher="" if publisher == "-" else clean(publisher))


class SnapReader:
    manager = "snap"
    label = "Snap packages"
    command = COMMAND  # started ahead (prefetch.py)

    def available(self, run: HostRun) -> bool:
        return run.platform.startswith("linux") and shutil.which("snap") is not None

    def read(self, run: HostRun) -> Iterator[Package]:
        return parse(run.run(COMMAND))
