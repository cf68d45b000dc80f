"""Windows programs from the Uninstall registry keys, as "Apps & features" lists them.

Reads ``HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall`` in the 64-bit and
the 32-bit view (``WOW6432Node``), and the same key under each loaded user hive in
``HKEY_USERS`` (per-user installs, e.g. AnyDesk without admin rights). The parsing works on
any object with the small :class:`Registry` interface, so it is tested with a fake
registry built from recorded values; :class:`WinRegistry` wraps the real ``winreg``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any, Protocol

from exposure.collect.host.base import HostRun
from exposure.collect.host.software.base import Package, clean
from exposure.model import CheckNote

HKLM = "HKEY_LOCAL_MACHINE"
HKU = "HKEY_USERS"
HKCU = "HKEY_CURRENT_USER"
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
_USER_SID = re.compile(r"^S-1-5-21-[0-9-]+$")  # real accounts; not _Classes nor service SIDs


class Registry(Protocol):
    """What we need from the registry. ``view`` is "64" or "32" (KEY_WOW64_*)."""

    def subkeys(self, hive: str, path: str, view: str = "64") -> list[str]:
        """Names of the subkeys; raises OSError when the key does not exist."""
        ...

    def values(self, hive: str, path: str, view: str = "64") -> dict[str, object]:
        """Value name -> data; raises OSError when the key does not exist."""
        ...


class WinRegistry:
    """The real registry through ``winreg`` (Windows only), read-only."""

    def __init__(self) -> None:
        self._w: Any = importlib.import_module("winreg")

    def _open(self, hive: str, path: str, view: str) -> Any:
        w = self._w
        flag = w.KEY_WOW64_32KEY if view == "32" else w.KEY_WOW64_64KEY
        return w.OpenKey(getattr(w, hive), path, 0, w.KEY_READ | flag)

    def subkeys(self, hive: str, path: str, view: str = "64") -> list[str]:
        with self._open(hive, path, view) as key:
            count = self._w.QueryInfoKey(key)[0]
            return [str(self._w.EnumKey(key, i)) for i in range(count)]

    def values(self, hive: str, path: str, view: str = "64") -> dict[str, object]:
        with self._open(hive, path, view) as key:
            count = self._w.QueryInfoKey(key)[1]
            out: dict[str, object] = {}
            for i in range(count):
                name, data, _kind = self._w.EnumValue(key, i)
                out[str(name)] = data
            return out


def uninstall_roots(registry: Registry, warn: Any = lambda message: None) -> list[tuple[str, str, str, str]]:
    """(hive, path, view, label) of every Uninstall key to read."""
    roots = [(HKLM, UNINSTALL, "64", "all users, 64-bit"), (HKLM, UNINSTALL, "32", "all users, 32-bit")]
    try:
        sids = registry.subkeys(HKU, "")
    except OSError:
        sids = []
        warn(CheckNote.of("warn.host.registry-hives-unreadable", "the list of users' registry hives could not be read"))
    for sid in sids:
        if _USER_SID.match(sid):
            roots.append((HKU, f"{sid}\\{UNINSTALL}", "64", f"user {sid}"))
    return roots


def read_uninstall(registry: Registry, hive: str, path: str, view: str) -> Iterator[Package]:
    """The programs under one Uninstall key; entries without a DisplayName (updates,
    leftovers) are skipped, as Windows itself does."""
    try:
        names = registry.subkeys(hive, path, view)
    except OSError:
        return
    for name in names:
        try:
            values = registry.values(hive, f"{path}\\{name}", view)
        except OSError:
            continue
        display = values.get("DisplayName")
        if not isinstance(display, str) or not display.strip():
            continue
        yield Package(
            name=clean(name), manager="windows-uninstall",
            version=clean(values.get("DisplayVersion") or ""),
            display_name=clean(display), publisher=clean(values.get("Publisher") or ""),
            path=clean(values.get("InstallLocation") or ""),
        )


def read_all(registry: Registry, warn: Any = lambda message: None) -> Iterator[Package]:
    """Every program in every Uninstall key, once (the same key in both views counts once)."""
    seen: set[tuple[str, str, str]] = set()
    for hive, path, view, _label in uninstall_roots(registry, warn):
        for package in read_uninstall(registry, hive, path, view):
            key = (package.name, package.display_name, package.version)
            if key not in seen:
                seen.add(key)
                yield package


class WindowsUninstallReader:
    manager = "windows-uninstall"
    label = "Windows programs (Uninstall registry keys, 64- and 32-bit, each loaded user)"

    def __init__(self, registry: Registry | None = None) -> None:
        self._registry = registry

    def available(self, run: HostRun) -> bool:
        return self._registry is not None or run.platform == "win32"

    def read(self, run: HostRun) -> Iterator[Package]:
        registry = self._registry or WinRegistry()
        run.not_checked("host.software-windows-unloaded",
                        "programs installed only for users who are not signed in (their registry is not loaded),"
                        " and Microsoft Store apps")
        return read_all(registry, run.warn)
