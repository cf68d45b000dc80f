"""Linux desktop entries (``*.desktop``): programs installed outside a package manager
(an AppImage, a tarball in /opt) still add one to be found in the menu, and programs that
start with the session have one in an autostart folder.

Each entry is reported with its file name as the name (``anydesk.desktop`` -> ``anydesk``)
and the program its ``Exec`` line starts, so both package and program-name indicators can
match. Other users' folders are read when the scan may read them (as administrator).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

from exposure.collect.bounded import TimedOut, iterate_with_timeout
from exposure.collect.host.base import HostRun
from exposure.collect.host.limits import DESKTOP_MAX_ENTRIES as _MAX_ENTRIES
from exposure.collect.host.limits import DESKTOP_MAX_ENTRY as _MAX_ENTRY
from exposure.collect.host.limits import FILE_READ_TIMEOUT
from exposure.collect.host.software.base import Package, clean
from exposure.model import CheckNote
from exposure.untrusted import read_regular_file

SYSTEM_FOLDERS = ("/usr/share/applications", "/usr/local/share/applications", "/etc/xdg/autostart")
USER_FOLDERS = (".local/share/applications", ".config/autostart")


def parse_entry(text: str) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group (unlocalised ones only)."""
    out: dict[str, str] = {}
    in_group = False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            in_group = line == "[Desktop Entry]"
            continue
        if not in_group or "=" not in line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if "[" not in key:
            out.setdefault(key, value.strip())
    return out


def program_of(exec_line: str) -> str:
    """The file name of the program an ``Exec`` line starts (after ``env`` and VAR=x)."""
    try:
        words = shlex.split(exec_line)
    except ValueError:
        words = exec_line.split()
    for word in words:
        if word == "env" or word.endswith("/env") or ("=" in word and not word.startswith("/")):
            continue
        return word.rsplit("/", 1)[-1]
    return ""


def read_folder(folder: Path, autostart: bool) -> Iterator[Package]:
    for count, path in enumerate(sorted(folder.glob("*.desktop"))):
        if count >= _MAX_ENTRIES:
            return
        try:
            entry = parse_entry(read_regular_file(path, _MAX_ENTRY).decode("utf-8", "replace"))
        except OSError:  # also a named pipe or a device, never opened, and a file too large
            continue
        if entry.get("Type", "Application") != "Application" or entry.get("Hidden", "").lower() == "true":
            continue
        if autostart and entry.get("X-GNOME-Autostart-enabled", "").lower() == "false":
            continue
        yield Package(name=clean(path.name[: -len(".desktop")]),
                      manager="autostart" if autostart else "desktop-entry",
                      display_name=clean(entry.get("Name", "")), path=str(path),
                      executable=clean(program_of(entry.get("Exec", "")), 200))


def folders(root: Path) -> Iterator[tuple[Path, bool]]:
    for name in SYSTEM_FOLDERS:
        yield root / name.lstrip("/"), name.endswith("autostart")
    homes = [root / "root"]
    home = root / "home"
    try:
        homes += sorted(home.iterdir()) if home.is_dir() else []
    except OSError:
        pass
    for user_home in homes:
        for name in USER_FOLDERS:
            yield user_home / name, name.endswith("autostart")


class DesktopEntryReader:
    manager = "desktop-entry"
    label = "desktop entries and autostart programs (.desktop files)"

    def available(self, run: HostRun) -> bool:
        return run.platform.startswith("linux")

    def read(self, run: HostRun) -> Iterator[Package]:
        unreadable = 0
        for folder, autostart in folders(run.root):
            try:
                if not folder.is_dir():
                    continue
                # Another user's folder can be a file system that never answers (FUSE).
                yield from iterate_with_timeout(lambda f=folder, a=autostart: read_folder(f, a),  # type: ignore[misc]
                                                FILE_READ_TIMEOUT, 4 * FILE_READ_TIMEOUT)
            except PermissionError:
                unreadable += 1
            except TimedOut as exc:
                run.warn(CheckNote.of("warn.host.folder-timeout", f"reading {folder} stopped answering ({exc}); the"
                                      " rest of it was not read", path=folder, problem=exc))
        if unreadable and not run.is_admin:
            run.not_checked("host.desktop-entries-unreadable",
                            f"the menu and autostart entries of {unreadable} folders of other users", count=unreadable)
