"""A phone over adb, against the fake adb replaying real recordings (tests/android/phones.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android import commands as cmd
from exposure.collect.base import CheckNote
from exposure.model import Category, Finding, IndicatorType, Severity, SourceSpec
from exposure.observations.android import AndroidComponent, AndroidPackage
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.conftest import FakePhone
from tests.android.phones import SERIAL, apk_hash, build_phone, set_devices
from tests.progress_notes import assert_progress_names_what_it_reads

PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"


def scan(*sources: SourceSpec, profiles: tuple[str, ...] = ("stalkerware",)) -> ScanResult:
    return run_scan(ScanRequest(sources=sources, profiles=profiles, use_feeds=False))


def by_key(result: ScanResult) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.subject): f for f in result.findings}


def _roles(finding: Finding) -> set[str]:
    return {o.role for o in finding.evidence if isinstance(o, AndroidComponent)}


def test_spylive360_phone_package_hit_accessibility_and_device_admin(spy_phone: FakePhone) -> None:
    result = scan(SourceSpec("android"))
    found = {(f.rule, f.subject): f for f in result.findings}
    hit = found[("indicator", "com.wifi0")]
    assert hit.threat == "spylive360" and hit.category is Category.STALKERWARE
    assert any(i.type is IndicatorType.PACKAGE and i.value == "com.wifi0" for i in hit.indicators)
    # Its accessibility service and device-admin receiver are the known tool's evidence, not
    # findings of their own that count the one app three times (review item 9).
    assert ("android.accessibility", "com.wifi0") not in found and ("android.device-admin", "com.wifi0") not in found
    components = {(o.role, o.component) for o in hit.evidence if isinstance(o, AndroidComponent)}
    assert components == {("accessibility", "com.wifi0/com.wifi0.AccessibilityReceiver4"),
                          ("device-admin", "com.wifi0/com.wifi0.receivers.DeviceAdmin")}
    # the known tool is not listed again among the "often harmless" apps from outside a store
    side = found[("android.sideloaded", SERIAL)]
    assert side.param("count") == "3" and "com.wifi0" not in side.param("apps")
    assert side.title == "Apps installed from outside an app store: 3"
    assert "com.wifi0" not in {o.subject() for o in side.evidence}
    assert "com.android.contacts" not in side.param("apps")  # a system app
    # Runtime permissions were refused on this phone: no "dangerous combination".
    assert ("android.dangerous-permissions", "com.wifi0") not in found
    assert found[("android.developer-options", SERIAL)].severity is Severity.INFO
    info = result.sources[0]
    assert info.name == SERIAL and info.details["model"] == "Pixel 3a"
    assert info.details["security patch level"] == "2021-12-05" and info.details["Android version"] == "11"
    assert info.counts["packages"] == 5 and info.counts["accessibility services on"] == 1
    assert info.not_checked == [] and result.warnings == []


@pytest.mark.parametrize("package", ["com.wifi0", "com.example.watch"])
def test_the_recorded_spy_with_its_permissions_granted_is_one_finding(fake_adb: FakePhone, package: str) -> None:
    """Derived: SpyLive360's recorded phone with its refused runtime permissions granted, under
    its own id (a known tool) and under an id no list knows. Its accessibility service and
    device administrator make the dangerous combination; each app is one finding whose
    evidence holds both, however many rules saw it (detect/fold.py)."""
    from tests.android.phones import DEVICE_POLICY, SPYTRAP, recorded_package_dump

    def renamed(text: str) -> str:
        return text.replace("com.wifi0", package)

    build_phone(fake_adb.root, dump=renamed(recorded_package_dump().replace("granted=false", "granted=true")),
                accessibility=renamed((SPYTRAP / "accessibility" / "spylive360.txt").read_text(encoding="utf-8")),
                device_policy=renamed(DEVICE_POLICY))
    set_devices(fake_adb.root, [PHONE_LINE])
    about_it = [f for f in scan(SourceSpec("android")).findings if f.subject == package]
    assert [f.rule for f in about_it] == ["indicator" if package == "com.wifi0" else "android.dangerous-permissions"]
    assert about_it[0].severity is (Severity.CRITICAL if package == "com.wifi0" else Severity.HIGH)
    assert _roles(about_it[0]) == {"accessibility", "device-admin"}


def test_progress_names_each_thing_it_reads(spy_phone: FakePhone) -> None:
    from exposure.collect.base import Progress
    from exposure.scan import ScanHooks

    seen: list[Progress] = []
    run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False),
             ScanHooks(progress=seen.append))
    keys = assert_progress_names_what_it_reads(seen)
    assert {"android.properties", "android.packages", "android.accessibility", "android.device-admins",
            "android.apk-certificates"} <= set(keys)


def test_only_read_only_commands_are_run(spy_phone: FakePhone) -> None:
    scan(SourceSpec("android"))
    calls = spy_phone.calls()
    assert calls[0] == ["devices", "-l"]
    assert len(calls) >= 12
    for call in calls[1:]:
        assert call[:2] == ["-s", SERIAL]
        cmd.check_allowed(call[2:])  # raises if a command is not on the list
        assert not {"install", "uninstall", "disable", "disable-user", "put", "delete", "rm", "push"} & set(call)


def test_runner_refuses_anything_not_listed() -> None:
    runner = cmd.AdbRunner("/nonexistent/adb", SERIAL)
    for args in (("shell", "pm", "uninstall", "com.wifi0"), ("shell", "settings", "put", "global", "adb_enabled", "0"),
                 ("install", "x.apk"), ("shell", "sha256sum", "/data/app/x/base.apk;reboot"),
                 ("shell", "sha256sum", "/sdcard/private.jpg"), ("shell", "sha256sum", "/data/app/../../x.apk"),
                 ("shell", "dumpsys", "package", "; reboot")):
        with pytest.raises(cmd.CommandRefused):
            runner.run(args)
    with pytest.raises(cmd.CommandRefused):
        cmd.AdbRunner("/nonexistent/adb", "abc; reboot")


def test_apk_hash_from_the_phone_matches_a_feed_hash(spy_phone: FakePhone, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    stix = tmp_path / "apk.stix2"
    stix.write_text(json.dumps(_bundle([("file:hashes.sha256", apk_hash("com.wifi0"))])), encoding="utf-8")
    assert main(["feeds", "import", str(stix), "--name", "test-apk"]) == 0
    capsys.readouterr()
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",)))
    hits = [f for f in result.findings if f.rule == "indicator" and f.subject == "com.wifi0"]
    assert any(i.type is IndicatorType.FILE_SHA256 for f in hits for i in f.indicators)


@pytest.mark.parametrize(("devices", "wanted", "expected"), [
    ([], "", "connect the phone with a USB cable, unlock it, and turn on USB debugging"),
    ([PHONE_LINE, "emulator-5554 device product:sdk model:sdk transport_id:2"], "",
     f"several Android phones are connected ({SERIAL}, emulator-5554): choose one with --android SERIAL"),
    ([f"{SERIAL} unauthorized usb:1-1 transport_id:1"], "", "accept the 'Allow USB debugging?' prompt"),
    ([f"{SERIAL} offline transport_id:1"], "", "`adb kill-server`"),
    ([f"{SERIAL} no permissions (missing udev rules? user is in the plugdev group); see [http://x]"], "",
     "android-sdk-platform-tools-common"),
    ([f"{SERIAL} recovery transport_id:1"], "", "is in recovery mode"),
    ([PHONE_LINE], "OTHER123", f"no phone with serial OTHER123 is connected (connected: {SERIAL})"),
])
def test_every_adb_state_is_one_line_exit_2(fake_adb: FakePhone, capsys: pytest.CaptureFixture[str],
                                            devices: list[str], wanted: str, expected: str) -> None:
    build_phone(fake_adb.root)
    set_devices(fake_adb.root, devices)
    argv = ["scan", "--android", *([wanted] if wanted else []), "--no-feeds", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert all(call == ["devices", "-l"] for call in fake_adb.calls())


def test_several_phones_choose_by_serial(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root)
    build_phone(fake_adb.root, "emulator-5554", dump=_plain_dump(), accessibility="", device_policy="")
    set_devices(fake_adb.root, [PHONE_LINE, "emulator-5554 device product:sdk model:sdk transport_id:2"])
    result = scan(SourceSpec("android", "emulator-5554"))
    assert result.sources[0].name == "emulator-5554"
    assert not [f for f in result.findings if f.subject == "com.wifi0"]
    assert all(call[:2] == ["-s", "emulator-5554"] for call in fake_adb.calls()[1:])


def test_no_adb_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["scan", "--android", "--no-feeds", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "install the Debian/Ubuntu package adb" in err and "brew install android-platform-tools" in err
    assert "Platform-Tools" in err and err.count("\n") == 1


def test_a_failing_command_is_a_warning_and_the_scan_goes_on(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root, failing=("shell_dumpsys_device_policy",))
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    assert [w.message for w in result.warnings] == [
        "could not read device administrators and device management: error: closed"]
    assert result.sources[0].not_checked == [
        CheckNote("android.device-admins", (), "device administrators and device management")]
    hit = by_key(result)[("indicator", "com.wifi0")]
    assert _roles(hit) == {"accessibility"}  # the known tool's evidence; no device admin was read


def test_phone_that_rejects_installer_flag_falls_back(fake_adb: FakePhone) -> None:
    folder = build_phone(fake_adb.root)
    listing = (folder / "shell_pm_list_packages_-f_-i_-U_-u.txt").read_text()
    (folder / "shell_pm_list_packages_-f_-i_-U_-u.txt").write_text("Error: Unknown option: -i\n")
    (folder / "shell_pm_list_packages_-f_-U_-u.txt").write_text(
        "\n".join(line.split(" installer=")[0] + " uid:1" for line in listing.splitlines()))
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    assert result.warnings == []
    assert ["-s", SERIAL, "shell", "pm", "list", "packages", "-f", "-U", "-u"] in fake_adb.calls()
    # The installer still comes from dumpsys package.
    side = next(f for f in result.findings if f.rule == "android.sideloaded")
    assert "org.fdroid.fdroid" in side.param("apps")


def test_save_then_dump_gives_the_same_findings(spy_phone: FakePhone, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    live = scan(SourceSpec("android", "", (("save", str(folder)),)))
    names = sorted(p.name for p in folder.iterdir())
    assert "manifest.sha256" in names and "device.json" in names and "dumpsys_package.txt" in names
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert ((folder / "dumpsys_package.txt").stat().st_mode & 0o777) == 0o600
    manifest = (folder / "manifest.sha256").read_text().splitlines()
    assert len(manifest) == len(names) - 1 and all(len(line.split("  ")[0]) == 64 for line in manifest)
    device = json.loads((folder / "device.json").read_text())
    assert device["serial"] == SERIAL and device["exposure_version"]
    calls_before = len(spy_phone.calls())
    again = scan(SourceSpec("android-dump", str(folder)))
    assert len(spy_phone.calls()) == calls_before  # no phone needed
    assert again.warnings == []
    assert sorted(by_key(live)) == sorted(by_key(again))
    assert [f.severity for f in live.findings] == [f.severity for f in again.findings]


def test_save_refuses_a_folder_that_is_not_empty(spy_phone: FakePhone, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    result = scan(SourceSpec("android", "", (("save", str(tmp_path / "busy")),)))
    assert len(result.unreadable) == 1 and "not empty" in result.unreadable[0]
    assert result.findings == []  # nothing was read from the phone


def test_tampered_dump_is_a_warning(spy_phone: FakePhone, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    scan(SourceSpec("android", "", (("save", str(folder)),)))
    (folder / "dumpsys_accessibility.txt").write_text("ACCESSIBILITY MANAGER\n     Enabled services:{}\n")
    (folder / "extra.txt").write_text("x")
    (folder / "ps.txt").unlink()
    result = scan(SourceSpec("android-dump", str(folder)))
    messages = sorted(w.message for w in result.warnings)
    assert any("dumpsys_accessibility.txt was changed after the phone was read" in m for m in messages)
    assert any("extra.txt is not in manifest.sha256" in m for m in messages)
    assert any("ps.txt is listed in manifest.sha256 but missing" in m for m in messages)
    # What is there is still analysed (the settings list still names the service).
    assert "accessibility" in _roles(by_key(result)[("indicator", "com.wifi0")])


def test_dump_folder_without_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--android-dump", str(tmp_path), "--no-feeds", "--quiet"]) == 2
    assert "no manifest.sha256" in capsys.readouterr().err


def test_state_monitoring_app_is_an_indicator_finding(fake_adb: FakePhone) -> None:
    """BXAQ (Xinjiang border app) with its accessibility service: a state-monitoring hit."""
    dump = (_plain_dump().replace("org.jitsi.meet", "com.fiberhome.wifiserver"))
    a11y = (Path(str(_a11y_path())).read_text().replace(
        "com.wifi0/com.wifi0.AccessibilityReceiver4",
        "com.fiberhome.wifiserver/com.fenghuo.accessibilityservice.AutoClickAccessibleService"))
    build_phone(fake_adb.root, dump=dump, accessibility=a11y, device_policy="")
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"), profiles=("china-state-monitoring",))
    hits = [f for f in result.findings if f.rule == "indicator"]
    assert [(f.threat, f.subject, f.category) for f in hits] == [
        ("bxaq", "com.fiberhome.wifiserver", Category.STATE_MONITORING)]
    assert len(hits[0].evidence) >= 2  # the app and its accessibility service, one finding
    assert "accessibility" in _roles(hits[0])
    assert ("android.accessibility", "com.fiberhome.wifiserver") not in {(f.rule, f.subject) for f in result.findings}


def _a11y_path() -> Path:
    from tests.android.phones import SPYTRAP
    return SPYTRAP / "accessibility" / "spylive360.txt"


def _plain_dump() -> str:
    from tests.android.phones import recorded_package_dump
    return recorded_package_dump(("contacts", "fdroid", "jitsi"))


def _bundle(patterns: list[tuple[str, str]]) -> dict[str, object]:
    malware = {"type": "malware", "spec_version": "2.1", "id": "malware--7b8e4c1e-1f0a-4b51-9a25-000000000001",
               "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
               "name": "Test malware", "is_family": False}
    objects: list[dict[str, object]] = [malware]
    for i, (key, value) in enumerate(patterns):
        ind_id = f"indicator--7b8e4c1e-1f0a-4b51-9a25-{i + 100:012d}"
        objects.append({"type": "indicator", "spec_version": "2.1", "id": ind_id,
                        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                        "indicator_types": ["malicious-activity"], "pattern": f"[{key}='{value}']",
                        "pattern_type": "stix", "pattern_version": "2.1", "valid_from": "2024-01-01T00:00:00Z"})
        objects.append({"type": "relationship", "spec_version": "2.1",
                        "id": f"relationship--7b8e4c1e-1f0a-4b51-9a25-{i + 500:012d}",
                        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                        "relationship_type": "indicates", "source_ref": ind_id, "target_ref": malware["id"]})
    return {"type": "bundle", "id": "bundle--7b8e4c1e-1f0a-4b51-9a25-000000000000", "objects": objects}


def test_apk_hashes_survive_one_unreadable_file(fake_adb: FakePhone) -> None:
    folder = build_phone(fake_adb.root)
    mapping = folder / "sha256sum.map"
    lines = mapping.read_text().splitlines()
    mapping.write_text("\n".join(line for line in lines if "org.jitsi.meet" not in line) + "\n")
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    assert result.warnings == []
    hashes = {e.package: e.apk_sha256 for f in result.findings if f.rule in ("android.sideloaded", "indicator")
              for e in f.evidence if isinstance(e, AndroidPackage)}
    assert hashes["com.wifi0"] == (apk_hash("com.wifi0"),) and hashes["org.jitsi.meet"] == ()


def test_serial_given_but_nothing_connected(fake_adb: FakePhone, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--android", "ABC", "--no-feeds", "--quiet"]) == 2
    assert "turn on USB debugging" in capsys.readouterr().err


def test_connected_phones_for_a_front_end(fake_adb: FakePhone) -> None:
    from exposure.collect.android.adb import connected_phones

    set_devices(fake_adb.root, [PHONE_LINE, "emulator-5554 unauthorized transport_id:2"])
    phones = connected_phones()
    assert [(p.serial, p.state, p.model) for p in phones] == [
        (SERIAL, "device", "Pixel_3a"), ("emulator-5554", "unauthorized", "")]


def test_vpn_play_protect_and_notification_reader_end_to_end(fake_adb: FakePhone) -> None:
    vpn = ("Current Networks:\n  NetworkAgentInfo{network{102}  handle{438086664205}  ni{VPN CONNECTED extra: } "
           "nc{[ Transports: VPN Capabilities: INTERNET&NOT_RESTRICTED OwnerUid: 10155 AdminUids: [10155]]}}\n")
    build_phone(fake_adb.root, connectivity=vpn,
                secure={"always_on_vpn_app": "com.wifi0", "always_on_vpn_lockdown": "1",
                        "enabled_notification_listeners": "com.wifi0/com.wifi0.listeners.NotificationListener"},
                global_={"package_verifier_enable": "0"})
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    found = {(f.rule, f.subject): f for f in result.findings}
    assert found[("android.play-protect-off", SERIAL)].param("settings") == "package_verifier_enable=0"
    # The known tool's VPN and notification reader are its evidence, not findings of their own.
    assert ("android.always-on-vpn", "com.wifi0") not in found
    assert ("android.notification-listener", "com.wifi0") not in found
    hit = found[("indicator", "com.wifi0")]
    assert ("notification-listener", "com.wifi0/com.wifi0.listeners.NotificationListener") in {
        (getattr(e, "role", ""), getattr(e, "component", "")) for e in hit.evidence}
    roles = {getattr(e, "role", "") for e in hit.evidence}
    assert {"accessibility", "device-admin", "notification-listener", "vpn", "always-on-vpn"} <= roles
