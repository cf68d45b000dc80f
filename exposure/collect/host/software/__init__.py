"""Installed software, one reader per operating system and package manager."""

from __future__ import annotations

from exposure.collect.host.software.base import Package, SoftwareReader
from exposure.collect.host.software.desktop import DesktopEntryReader
from exposure.collect.host.software.dpkg import DpkgReader
from exposure.collect.host.software.flatpak import FlatpakReader
from exposure.collect.host.software.macos import MacAppsReader, MacLaunchdReader
from exposure.collect.host.software.rpm import RpmReader
from exposure.collect.host.software.snap import SnapReader
from exposure.collect.host.software.windows import WindowsUninstallReader

__all__ = ["Package", "SoftwareReader", "all_readers"]


def all_readers() -> list[SoftwareReader]:
    """Every reader; each says itself whether it applies on this computer."""
    return [DpkgReader(), RpmReader(), FlatpakReader(), SnapReader(), DesktopEntryReader(), MacAppsReader(),
            MacLaunchdReader(), WindowsUninstallReader()]
