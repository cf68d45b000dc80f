"""One interface for the per-OS installed-software readers.

A reader says whether it applies here (``available``) and yields :class:`Package`
records (``read``); the parsing of each tool's output is a pure function in the
reader's module, tested on recorded output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from exposure.collect.host.base import HostRun


@dataclass(frozen=True, slots=True)
class Package:
    """One installed package or application, as its package manager names it."""

    name: str
    manager: str
    version: str = ""
    display_name: str = ""
    publisher: str = ""
    path: str = ""
    executable: str = ""  # file name of the program it starts, when known (desktop entries)


class SoftwareReader(Protocol):
    manager: str  # "dpkg", "rpm", "flatpak", "snap", "macos-app", "windows-uninstall"
    label: str  # what it reads, in words: "Debian packages (dpkg)"

    def available(self, run: HostRun) -> bool:
        """Whether this reader applies on this computer."""
        ...

    def read(self, run: HostRun) -> Iterator[Package]:
        """The installed software; raise CommandFailed or OSError when it cannot be read."""
        ...


def clean(text: object, limit: int = 300) -> str:
    """Untrusted text from a package database: one line, printable, bounded."""
    value = str(text)
    if not value.isprintable():  # nearly every name and version is: then nothing to replace
        value = "".join(ch if ch.isprintable() else " " for ch in value)
    return value.strip()[:limit]
