"""What apps did, end to end, from every Android source (issue 15's "done when").

* an androidqf acquisition: a copy of the shared MVT folder with the security patch level
  set to 2021-03 and a side-loaded app (installed by the package installer) whose
  ``dumpsys appops`` entry records 40 minutes of microphone use as a foreground service;
* the same on a phone over adb (the fake adb replaying the recorded SpyLive360 phone, with
  the same planted appops line for ``com.wifi0``), and its ``--save`` folder read back.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from exposure.collect.android import commands as cmd
from exposure.model import Finding, Severity, SourceSpec
from exposure.observations.android import AndroidAppInstall, AndroidAppOpUse, AndroidPackage
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.activity_data import (
    AppBattery,
    AppTraffic,
    PlantedUse,
    appops_with,
    batterystats,
    input_methods,
    netstats,
)
from tests.android.conftest import FakePhone
from tests.android.phones import ANDROIDQF, SERIAL, build_phone, set_devices
from tests.paths import needs_shared

SIDELOADED = "com.android.system.sync"
PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"
ACTIVITY_COMMANDS = (cmd.DUMPSYS_APPOPS, cmd.DUMPSYS_BATTERYSTATS, cmd.DUMPSYS_NETSTATS, cmd.DUMPSYS_INPUT_METHOD)


def scan(spec: SourceSpec) -> ScanResult:
    return run_scan(ScanRequest(sources=(spec,), profiles=("stalkerware",), use_feeds=False))


def by_rule(result: ScanResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in result.findings:
        out.setdefault(finding.rule, []).append(finding)
    return out


def planted_acquisition(tmp_path: Path) -> Path:
    """The shared androidqf folder, patch 2021-03, and a side-loaded app that listened."""
    folder = tmp_path / "acquisition"
    shutil.copytree(ANDROIDQF, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    with (folder / "getprop.txt").open("a", encoding="utf-8") as handle:
        handle.write("[ro.build.version.security_patch]: [2021-03-01]\n")
    packages = json.loads((folder / "packages.json").read_text(encoding="utf-8"))
    packages.append({"name": SIDELOADED, "files": [], "installer": "com.google.android.packageinstaller",
                     "uid": 10234, "disabled": False, "system": False, "third_party": True})
    (folder / "packages.json").write_text(json.dumps(packages), encoding="utf-8")
    dump = (folder / "dumpsys.txt").read_bytes()
    marker = b"\n-------------------------------------------------------------------------------\nDUMP OF SERVICE adb:"
    planted = appops_with([PlantedUse("u0a234", SIDELOADED)], base="").strip("\n").encode()
    assert marker in dump
    (folder / "dumpsys.txt").write_bytes(dump.replace(marker, b"\n" + planted + marker, 1))
    return folder


def assert_patch_and_microphone(result: ScanResult, app: str, severity: Severity) -> None:
    found = by_rule(result)
    (patch,) = found["android.old-patch"]
    assert patch.param("patch") == "2021-03-01" and patch.param("read_on") == "2022-03-29"
    assert patch.param("months") == "13" and patch.severity is Severity.LOW
    (mic,) = found["android.used-microphone"]
    assert mic.subject == app and mic.severity is severity
    assert (mic.param("when"), mic.param("duration")) == ("2022-03-29 02:10:00", "0:40:00")
    use = next(o for o in mic.evidence if isinstance(o, AndroidAppOpUse))
    assert use.background_state == "fgsvc" and use.background_duration_s == 2400


@needs_shared()
def test_androidqf_old_patch_and_background_microphone(tmp_path: Path) -> None:
    result = scan(SourceSpec("androidqf", str(planted_acquisition(tmp_path))))
    assert_patch_and_microphone(result, SIDELOADED, Severity.MEDIUM)
    assert result.warnings == []
    assert result.sources[0].counts["app-uses"] == 2  # the planted use and the recorded Facebook contacts read


@needs_shared()
def test_androidqf_zip_gives_the_same(tmp_path: Path) -> None:
    folder = planted_acquisition(tmp_path)
    target = tmp_path / "acquisition.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, "uuid/" + path.name)
    assert_patch_and_microphone(scan(SourceSpec("androidqf", str(target))), SIDELOADED, Severity.MEDIUM)


@needs_shared()
def test_the_unchanged_mvt_acquisition_has_no_activity_finding() -> None:
    found = by_rule(scan(SourceSpec("androidqf", str(ANDROIDQF))))
    assert not any(rule.startswith("android.used-") or rule == "android.old-patch" for rule in found)


def planted_phone(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root, patch="2021-03-01", activity={
        "dumpsys_appops": appops_with([PlantedUse("u0a155", "com.wifi0")]),
        "dumpsys_batterystats": batterystats([AppBattery("u0a155", 120.0, mobile=("1.00MB", "80.00MB"),
                                                         background="5h 0m 0s 0ms ")]),
        "dumpsys_netstats": netstats([AppTraffic(10155, background=(2 * 1024**2, 300 * 1024**2))]),
        "dumpsys_input_method": input_methods("com.wifi0/.Keys", current="com.wifi0/.Keys")})
    set_devices(fake_adb.root, [PHONE_LINE])


@needs_shared()
def test_adb_phone_old_patch_and_background_microphone(fake_adb: FakePhone) -> None:
    planted_phone(fake_adb)
    result = scan(SourceSpec("android"))
    # com.wifi0 (SpyLive360) also has its accessibility service on: the combination is high.
    assert_patch_and_microphone(result, "com.wifi0", Severity.HIGH)
    found = by_rule(result)
    assert found["android.used-microphone"][0].param("signs") == "accessibility, device-admin"
    # Its name holds "wifi", a system-like word, and it came from an APK file: its use is low, not info.
    (usage,) = found["android.system-like-app-activity"]
    assert usage.subject == "com.wifi0" and usage.severity is Severity.LOW
    assert (usage.param("sent_background"), usage.param("days"), usage.param("battery_share")) == (
        "300.0 MB", "28", "12.0%")
    keyboard = found["android.keyboard-outside-store"][0]
    assert keyboard.subject == "com.wifi0" and keyboard.param("in_use") == "✓"
    info = result.sources[0]
    assert info.not_checked == [] and result.warnings == []
    assert {c.note.key for c in ACTIVITY_COMMANDS} <= {n.key for n in info.checked}


@needs_shared()
def test_every_adb_call_is_logged_and_read_only(fake_adb: FakePhone) -> None:
    planted_phone(fake_adb)
    scan(SourceSpec("android"))
    calls = fake_adb.calls()
    for command in ACTIVITY_COMMANDS:
        assert ["-s", SERIAL, *command.args] in calls, command.name
    for call in calls[1:]:
        cmd.check_allowed(call[2:])
    assert cmd.DUMPSYS_NETSTATS.args == ("shell", "dumpsys", "netstats", "--full", "--uid")
    # Options that would change the phone's counters are not allowed.
    for args in (("shell", "dumpsys", "batterystats", "--reset"), ("shell", "dumpsys", "netstats", "--poll"),
                 ("shell", "dumpsys", "appops", "--reset"), ("shell", "appops", "reset")):
        with pytest.raises(cmd.CommandRefused):
            cmd.check_allowed(args)


@needs_shared()
def test_a_failing_activity_command_is_not_checked_and_the_rest_goes_on(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root, failing=("shell_dumpsys_appops",))
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    assert cmd.DUMPSYS_APPOPS.note in result.sources[0].not_checked
    assert "app-uses" not in result.sources[0].counts
    assert any(f.rule == "indicator" for f in result.findings)


@needs_shared()
def test_saved_folder_gives_the_same_activity_findings(fake_adb: FakePhone, tmp_path: Path) -> None:
    planted_phone(fake_adb)
    live = scan(SourceSpec("android", options=(("save", str(tmp_path / "saved")),)))
    saved = scan(SourceSpec("android-dump", str(tmp_path / "saved")))

    def keys(result: ScanResult) -> set[tuple[str, str, str]]:
        return {(f.rule, f.subject, f.severity.value) for f in result.findings
                if f.rule.startswith(("android.used-", "android.old-", "android.keyboard", "android.system-like-"))}

    assert keys(live) == keys(saved) and len(keys(live)) >= 4
    assert (tmp_path / "saved" / "dumpsys_appops.txt").is_file()


@needs_shared()
def test_times_in_utc_when_the_phone_names_its_time_zone(fake_adb: FakePhone) -> None:
    """Install times and the listening are placed in time (for the report's timeline) only
    when the phone says its zone: a phone time read as UTC would be hours off."""
    build_phone(fake_adb.root, patch="2021-03-01", extra_props="[persist.sys.timezone]: [Europe/Paris]\n",
                activity={"dumpsys_appops": appops_with([PlantedUse("u0a155", "com.wifi0")])})
    set_devices(fake_adb.root, [PHONE_LINE])
    result = scan(SourceSpec("android"))
    mic = next(f for f in result.findings if f.rule == "android.used-microphone")
    use = next(o for o in mic.evidence if isinstance(o, AndroidAppOpUse))
    assert use.first_seen is not None and use.first_seen.isoformat() == "2022-03-29T00:10:00+00:00"  # 02:10 CEST
    assert use.last_seen is not None and (use.last_seen - use.first_seen).total_seconds() == 2400
    install = next(o for o in mic.evidence if isinstance(o, AndroidAppInstall))
    assert (install.installed_time, install.installer) == ("2021-12-15 17:51:52", "com.android.packageinstaller")
    assert install.first_seen is not None and install.first_seen.isoformat() == "2021-12-15T16:51:52+00:00"
    tool = next(f for f in result.findings if f.rule == "indicator" and f.subject == "com.wifi0")
    wifi0 = next(o for o in tool.evidence if isinstance(o, AndroidPackage) and o.package == "com.wifi0")
    assert wifi0.first_seen == install.first_seen and wifi0.last_seen is not None
    # Without the zone: no moment at all, the phone's clock stays in the text.
    planted_phone_without_zone = scan_without_zone(fake_adb)
    assert planted_phone_without_zone.first_seen is None and planted_phone_without_zone.background_time


def scan_without_zone(fake_adb: FakePhone) -> AndroidAppOpUse:
    build_phone(fake_adb.root, activity={"dumpsys_appops": appops_with([PlantedUse("u0a155", "com.wifi0")])})
    result = scan(SourceSpec("android"))
    mic = next(f for f in result.findings if f.rule == "android.used-microphone")
    return next(o for o in mic.evidence if isinstance(o, AndroidAppOpUse))
