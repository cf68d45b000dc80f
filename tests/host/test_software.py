"""Each installed-software reader on recorded output (dpkg captured; others written to
their tools' documented formats, see data/README.md)."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from exposure.collect.base import CheckNote
from exposure.collect.host import collect_software
from exposure.collect.host.software import all_readers, dpkg, flatpak, macos, rpm, snap, windows
from exposure.collect.host.software.dpkg import DpkgReader
from tests.host.helpers import FakeRegistry, fake_commands, host_run, recorded
from tests.said import keep_english


def test_dpkg_real_capture_lists_every_installed_package() -> None:
    text = recorded("dpkg-this-machine.txt")
    packages = list(dpkg.parse(text))
    installed_lines = [line for line in text.splitlines() if line.endswith(" installed")]
    assert len(packages) == len(installed_lines) > 500
    by_name = {p.name: p for p in packages}
    assert by_name["adduser"].version == "3.134"
    assert all(p.manager == "dpkg" for p in packages)


def test_dpkg_planted_package_found_and_removed_package_skipped() -> None:
    names = {p.name for p in dpkg.parse(recorded("dpkg-planted.txt"))}
    assert "anydesk" in names
    assert "teamviewer" not in names  # "deinstall ok config-files": only settings left
    assert "x11vnc-data" in names


def test_dpkg_ignores_garbage_lines() -> None:
    text = "no tabs here\n\t1.0\tinstall ok installed\nok\t1\n\x00bad\t1\tinstall ok installed\n"
    assert [p.name for p in dpkg.parse(text)] == ["bad"]


def test_rpm_written_format() -> None:
    packages = list(rpm.parse(recorded("rpm.txt")))
    names = [p.name for p in packages]
    assert "gpg-pubkey" not in names  # signing keys are not software
    assert names[:2] == ["bash", "openssl-libs"]
    rust = next(p for p in packages if p.name == "rustdesk")
    assert (rust.version, rust.publisher) == ("1.3.1-0", "")
    assert packages[0].publisher == "Fedora Project"


def test_flatpak_written_format() -> None:
    packages = list(flatpak.parse("Application ID\tVersion\tOrigin\tInstallation\n" + recorded("flatpak.txt")))
    assert [p.name for p in packages] == ["org.mozilla.firefox", "org.signal.Signal", "com.rustdesk.RustDesk"]
    assert packages[1].path == "user" and packages[1].publisher == "flathub"


def test_snap_written_format() -> None:
    packages = {p.name: p for p in snap.parse(recorded("snap.txt"))}
    assert set(packages) == {"bare", "core22", "firefox", "snapd", "my-local-tool"}
    assert packages["firefox"].publisher == "mozilla"
    assert packages["my-local-tool"].publisher == ""


def _write_app(folder: Path, name: str, info: dict[str, object], fmt: plistlib.PlistFormat) -> None:
    contents = folder / f"{name}.app" / "Contents"
    contents.mkdir(parents=True)
    (contents / "Info.plist").write_bytes(plistlib.dumps(info, fmt=fmt))


def test_macos_applications_tree(tmp_path: Path) -> None:
    apps = tmp_path / "Applications"
    _write_app(apps, "AnyDesk", {"CFBundleIdentifier": "com.philandro.anydesk", "CFBundleShortVersionString": "9.0.1",
                                 "CFBundleName": "AnyDesk"}, plistlib.FMT_BINARY)
    _write_app(apps, "Firefox", {"CFBundleIdentifier": "org.mozilla.firefox", "CFBundleVersion": "128.0"},
               plistlib.FMT_XML)
    _write_app(apps / "Splashtop Streamer", "Splashtop Streamer",
               {"CFBundleIdentifier": "com.splashtop.Splashtop-Streamer"}, plistlib.FMT_XML)
    _write_app(tmp_path / "Users" / "alice" / "Applications", "RustDesk",
               {"CFBundleIdentifier": "com.carriez.rustdesk", "CFBundleShortVersionString": "1.3.1"}, plistlib.FMT_XML)
    broken = apps / "Broken.app" / "Contents"
    broken.mkdir(parents=True)
    (broken / "Info.plist").write_bytes(b"<?xml version='1.0'?><plist><dict><key>")
    (apps / "NoPlist.app").mkdir()
    _write_app(apps, "NoId", {"CFBundleName": "x"}, plistlib.FMT_XML)

    run, warnings = host_run(root=tmp_path, platform="darwin")
    found = {p.name: p for p in macos.MacAppsReader().read(run)}
    assert set(found) == {"com.philandro.anydesk", "org.mozilla.firefox", "com.splashtop.Splashtop-Streamer",
                          "com.carriez.rustdesk"}
    assert found["com.philandro.anydesk"].version == "9.0.1"
    assert found["com.philandro.anydesk"].display_name == "AnyDesk"
    assert found["org.mozilla.firefox"].version == "128.0"
    assert warnings == ["3 applications have no readable Info.plist and were not identified"]


def test_windows_uninstall_keys_both_views_and_users() -> None:
    registry = FakeRegistry.recorded()
    packages = {p.name: p for p in windows.read_all(registry)}
    assert set(packages) == {"7-Zip", "{5AF5E9D4-6E8A-4A8F-8C52-3F3E8A1E0A11}", "TeamViewer", "AnyDesk",
                             "Mozilla Firefox 128.0 (x86 en-US)", "ZoomUMX", "RustDesk"}
    assert "KB5034441" not in packages  # no DisplayName: an update, not a program
    assert packages["AnyDesk"].publisher == "AnyDesk Software GmbH"  # from WOW6432Node (32-bit view)
    assert packages["ZoomUMX"].display_name == "Zoom Workplace"  # from a user's hive
    assert all(p.manager == "windows-uninstall" for p in packages.values())
    roots = windows.uninstall_roots(registry)
    users = [label for _, _, _, label in roots if label.startswith("user")]
    assert users == ["user S-1-5-21-3623811015-3361044348-30300820-1001",
                     "user S-1-5-21-3623811015-3361044348-30300820-1002"]  # not S-1-5-18, not _Classes


def test_windows_reader_survives_an_unreadable_registry() -> None:
    class Broken:
        def subkeys(self, hive: str, path: str, view: str = "64") -> list[str]:
            raise PermissionError(path)

        def values(self, hive: str, path: str, view: str = "64") -> dict[str, object]:
            raise PermissionError(path)

    warnings: list[str] = []
    assert list(windows.read_all(Broken(), keep_english(warnings))) == []
    assert warnings == ["the list of users' registry hives could not be read"]


def test_collect_software_reports_what_was_read_and_failures() -> None:
    run, warnings = host_run(platform="linux", run=fake_commands({"dpkg-query": recorded("dpkg-planted.txt")}))
    found = list(collect_software(run, [DpkgReader(), windows.WindowsUninstallReader(FakeRegistry.recorded())]))
    names = {o.name for o in found}
    assert {"anydesk", "AnyDesk", "adduser"} <= names
    assert any(c.key == "host.software.dpkg" and c.text.startswith("installed software, Debian packages (dpkg): ")
               for c in run.info.checked)
    assert run.info.counts["software:windows-uninstall"] == 7

    class AnyLinuxDpkg(DpkgReader):
        def available(self, run: object) -> bool:
            return True

    run, warnings = host_run(platform="linux", run=fake_commands({}))
    assert list(collect_software(run, [AnyLinuxDpkg()])) == []
    assert warnings == ["Debian packages (dpkg) could not be listed: dpkg-query is not installed"]
    assert run.info.not_checked == [CheckNote("host.software-unread.dpkg", (), "Debian packages (dpkg)")]

    run, warnings = host_run(platform="linux")
    assert list(collect_software(run, [])) == []
    assert run.info.not_checked == [CheckNote(
        "host.software-unknown", (("platform", "linux"),),
        "installed software (no package manager known to exposure on linux)")]


@pytest.mark.parametrize("platform, expected", [
    ("darwin", {"macos-app", "macos-launchd"}), ("win32", {"windows-uninstall"}), ("freebsd14", set()),
])
def test_readers_apply_only_on_their_system(platform: str, expected: set[str]) -> None:
    run, _ = host_run(platform=platform)
    assert {r.manager for r in all_readers() if r.available(run)} == expected


def _desktop(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)


def test_desktop_entries_and_autostart(tmp_path: Path) -> None:
    from exposure.collect.host.software.desktop import DesktopEntryReader, program_of

    _desktop(tmp_path / "usr/share/applications/anydesk.desktop",
             "[Desktop Entry]\nName=AnyDesk\nName[de]=AnyDesk DE\nExec=/usr/bin/anydesk %u\nType=Application\n")
    _desktop(tmp_path / "usr/share/applications/hidden.desktop", "[Desktop Entry]\nName=H\nExec=h\nHidden=true\n")
    _desktop(tmp_path / "usr/share/applications/link.desktop", "[Desktop Entry]\nType=Link\nURL=https://x\n")
    _desktop(tmp_path / "usr/share/applications/broken.desktop", "\x00\xff not an entry")
    _desktop(tmp_path / "home/alice/.config/autostart/screen.desktop",
             "[Desktop Entry]\nName=Screen\nExec=env DISPLAY=:0 x11vnc -forever -shared\n")
    _desktop(tmp_path / "home/alice/.config/autostart/off.desktop",
             "[Desktop Entry]\nName=Off\nExec=off\nX-GNOME-Autostart-enabled=false\n")
    run, _ = host_run(root=tmp_path, is_admin=True)
    found = {p.name: p for p in DesktopEntryReader().read(run)}
    assert set(found) == {"anydesk", "broken", "screen"}
    assert (found["anydesk"].manager, found["anydesk"].executable, found["anydesk"].display_name) == (
        "desktop-entry", "anydesk", "AnyDesk")
    assert (found["screen"].manager, found["screen"].executable) == ("autostart", "x11vnc")
    assert found["broken"].executable == ""
    assert program_of('"/opt/My App/run" --x') == "run" and program_of("unbalanced 'quote") == "unbalanced"


def test_autostart_entry_and_running_program_make_one_vnc_finding() -> None:
    from exposure.detect.base import DetectContext
    from exposure.detect.indicators import IndicatorDetector
    from exposure.indicators.catalog import build_catalog
    from exposure.observations.host import HostProcess, InstalledSoftware

    index = build_catalog(["remote-access"], use_feeds=False).index
    detector, ctx = IndicatorDetector(), DetectContext(index=index)
    for obs in (InstalledSoftware("host", "this computer", name="screen", manager="autostart", executable="x11vnc"),
                HostProcess("host", "this computer", name="x11vnc", pid=900),
                InstalledSoftware("host", "this computer", name="vim", manager="dpkg"),
                InstalledSoftware("host", "this computer", name="org.chromium.chromoting", manager="macos-launchd",
                                  executable="remoting_me2me_host")):
        detector.observe(obs, ctx)
    findings = sorted(detector.finish(ctx), key=lambda f: f.threat)
    assert [(f.threat, len(f.evidence)) for f in findings] == [("chrome-remote-desktop", 1), ("vnc-server", 2)]


def test_macos_launchd_jobs(tmp_path: Path) -> None:
    daemons = tmp_path / "Library/LaunchDaemons"
    daemons.mkdir(parents=True)
    (daemons / "org.chromium.chromoting.plist").write_bytes(plistlib.dumps(
        {"Label": "org.chromium.chromoting", "ProgramArguments": [
            "/Library/PrivilegedHelperTools/ChromeRemoteDesktopHost.app/Contents/MacOS/remoting_me2me_host",
            "--host-config=/x"]}))
    (daemons / "nolabel.plist").write_bytes(plistlib.dumps({"Program": "/bin/true"}))
    (daemons / "junk.plist").write_bytes(b"bplist00\xff\xff")
    agents = tmp_path / "Users/bob/Library/LaunchAgents"
    agents.mkdir(parents=True)
    (agents / "com.carriez.RustDesk_server.plist").write_bytes(plistlib.dumps(
        {"Label": "com.carriez.RustDesk_server", "Program": "/Applications/RustDesk.app/Contents/MacOS/RustDesk"},
        fmt=plistlib.FMT_BINARY))
    run, _ = host_run(root=tmp_path, platform="darwin")
    found = {p.name: p for p in macos.MacLaunchdReader().read(run)}
    assert set(found) == {"org.chromium.chromoting", "com.carriez.RustDesk_server"}
    assert found["org.chromium.chromoting"].executable == "remoting_me2me_host"
    assert found["com.carriez.RustDesk_server"].executable == "RustDesk"
