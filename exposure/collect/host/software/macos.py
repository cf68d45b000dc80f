"""macOS applications: the bundle id and version in each ``*.app/Contents/Info.plist``,
and the background jobs that start with the computer or the session (launchd plists).

Reads ``/Applications`` (and one level of vendor folders below it), and each user's
``~/Applications``. Apple's own apps in ``/System/Applications`` are part of the OS and
are not listed. Background jobs come from ``/Library/LaunchDaemons``,
``/Library/LaunchAgents`` and each user's ``~/Library/LaunchAgents``: remote-access tools
install their always-on service there (its ``Label``, e.g. ``org.chromium.chromoting``).
plistlib reads both the XML and the binary plist forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from exposure.collect.host.base import HostRun, read_system_file
from exposure.collect.host.limits import PLIST_MAX_FILE
from exposure.collect.host.software.base import Package, clean
from exposure.model import CheckNote


def app_bundles(root: Path) -> Iterator[Path]:
    """``*.app`` folders where applications are installed, under a (possibly fake) root."""
    apps = root / "Applications"
    patterns = [(apps, "*.app"), (apps, "*/*.app")]
    users = root / "Users"
    if users.is_dir():
        patterns += [(home / "Applications", "*.app") for home in sorted(users.iterdir())]
    seen: set[Path] = set()
    for folder, pattern in patterns:
        if not folder.is_dir():
            continue
        for bundle in sorted(folder.glob(pattern)):
            if bundle not in seen and bundle.is_dir():
                seen.add(bundle)
                yield bundle


def _load_plist(path: Path) -> dict[str, object] | None:
    try:
        import plistlib  # here: only macOS reads plists

        data = plistlib.loads(read_system_file(path, PLIST_MAX_FILE))
    except Exception:  # an adversarial plist can make plistlib raise almost anything
        return None
    return data if isinstance(data, dict) else None


def launchd_plists(root: Path) -> Iterator[Path]:
    folders = [root / "Library/LaunchDaemons", root / "Library/LaunchAgents"]
    users = root / "Users"
    if users.is_dir():
        folders += [home / "Library/LaunchAgents" for home in sorted(users.iterdir())]
    for folder in folders:
        if folder.is_dir():
            yield from sorted(folder.glob("*.plist"))


def read_launchd(path: Path) -> Package | None:
    """The job's label and the program it runs; None when unreadable or without a label."""
    data = _load_plist(path)
    if data is None or not isinstance(data.get("Label"), str) or not str(data["Label"]).strip():
        return None
    program = data.get("Program")
    arguments = data.get("ProgramArguments")
    if not isinstance(program, str) and isinstance(arguments, list) and arguments:
        program = arguments[0]
    executable = program.rsplit("/", 1)[-1] if isinstance(program, str) else ""
    return Package(name=clean(data["Label"]), manager="macos-launchd", path=str(path),
                   executable=clean(executable, 200))


def read_bundle(bundle: Path) -> Package | None:
    """The app's bundle id and version; None when its Info.plist is missing or unreadable."""
    data = _load_plist(bundle / "Contents" / "Info.plist")
    if data is None:
        return None
    bundle_id = data.get("CFBundleIdentifier")
    if not isinstance(bundle_id, str) or not bundle_id.strip():
        return None
    version = str(data.get("CFBundleShortVersionString") or data.get("CFBundleVersion") or "")
    name = data.get("CFBundleDisplayName") or data.get("CFBundleName") or bundle.stem
    return Package(name=clean(bundle_id), manager="macos-app", version=clean(version),
                   display_name=clean(name), path=str(bundle))


class MacAppsReader:
    manager = "macos-app"
    label = "macOS applications (Info.plist)"

    def available(self, run: HostRun) -> bool:
        return run.platform == "darwin"

    def read(self, run: HostRun) -> Iterator[Package]:
        unreadable = 0
        for bundle in app_bundles(run.root):
            found = read_bundle(bundle)
            if found is None:
                unreadable += 1
                continue
            yield found
        if unreadable:
            run.warn(CheckNote.of("warn.host.macos-apps-unidentified",
                                  f"{unreadable} applications have no readable Info.plist and were not identified",
                                  count=unreadable))


class MacLaunchdReader:
    manager = "macos-launchd"
    label = "macOS background jobs (LaunchDaemons and LaunchAgents)"

    def available(self, run: HostRun) -> bool:
        return run.platform == "darwin"

    def read(self, run: HostRun) -> Iterator[Package]:
        for path in launchd_plists(run.root):
            found = read_launchd(path)
            if found is not None:
                yield found
