"""Debian/Ubuntu packages from ``dpkg-query``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from exposure.collect.host.base import HostRun
from exposure.collect.host.software.base import Package, clean

COMMAND = ("dpkg-query", "-W", "-f=${Package}\\t${Version}\\t${Status}\\n")
# The last word of Status: only these mean the package's files are on disk.
_PRESENT = frozenset({"installed", "half-installed", "unpacked", "half-configured", "triggers-awaited",
                      "triggers-pending"})


def parse(text: str) -> Iterator[Package]:
    """Lines of ``Package<TAB>Version<TAB>Status`` (e.g. "install ok installed")."""
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip():
            continue
        status = parts[2].split()
        if not status or status[-1] not in _PRESENT:
            continue
        yield Package(name=clean(parts[0]), manager="dpkg", version=clean(parts[1]))


class DpkgReader:
    manager = "dpkg"
    label = "Debian packages (dpkg)"
    command = COMMAND  # started ahead (prefetch.py)

    def available(self, run: HostRun) -> bool:
        return run.platform.startswith("linux") and shutil.which("dpkg-query") is not None

    def read(self, run: HostRun) -> Iterator[Package]:
        return parse(run.run(COMMAND))
