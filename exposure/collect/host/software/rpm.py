"""Fedora/RHEL/openSUSE packages from ``rpm -qa``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from exposure.collect.host.base import HostRun
from exposure.collect.host.software.base import Package, clean

COMMAND = ("rpm", "-qa", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n")


def parse(text: str) -> Iterator[Package]:
    """Lines of ``NAME<TAB>VERSION-RELEASE<TAB>VENDOR`` (VENDOR may be "(none)")."""
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip() or parts[0].startswith("gpg-pubkey"):
            continue
        vendor = parts[2] if len(parts) > 2 and parts[2] != "(none)" else ""
        yield Package(name=clean(parts[0]), manager="rpm", version=clean(parts[1]), publisher=clean(vendor))


class RpmReader:
    manager = "rpm"
    label = "RPM packages (rpm)"
    command = COMMAND  # started ahead (prefetch.py)

    def available(self, run: HostRun) -> bool:
        # dpkg systems sometimes carry an rpm binary with an empty database: harmless.
        return run.platform.startswith("linux") and shutil.which("rpm") is not None

    def read(self, run: HostRun) -> Iterator[Package]:
        return parse(run.run(COMMAND))
