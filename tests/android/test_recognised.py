"""A part of a phone is "checked" only when its parser found what it reads (review item 3):
an empty or damaged output or acquisition file is "not checked" with a warning, while every
real recorded output (a phone with no accessibility service on included) is recognised."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exposure.collect.android import commands as cmd
from exposure.collect.android.androidqf import AndroidqfCollector
from exposure.collect.android.recognised import EMPTY, UNRECOGNISED, problem_with
from exposure.collect.base import CollectContext
from exposure.explain.lines import plain
from exposure.explain.notes import warning_line
from exposure.model import CheckNote, ScanWarning, SourceSpec
from exposure.scan import ScanRequest, run_scan
from tests.android.conftest import FakePhone
from tests.android.phones import ANDROIDQF, DEVICE_POLICY, MVT_DATA, SERIAL, SPYTRAP, build_phone, set_devices
from tests.paths import needs_shared

PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"
# AOSP's DevicePolicyManagerService dump of a phone with no administrator.
NO_ADMINS = "Current Device Policy Manager state:\n  Immutable state:\n    mHasFeature=true\n    mIsWatch=false\n"


@needs_shared()
@pytest.mark.parametrize("name", ["plain.txt", "plain2.txt", "spylive360.txt"])
def test_every_recorded_accessibility_dump_is_recognised(name: str) -> None:
    text = (SPYTRAP / "accessibility" / name).read_text(encoding="utf-8")
    assert problem_with(cmd.DUMPSYS_ACCESSIBILITY.name, text) == ""


@needs_shared()
def test_the_recorded_package_dumps_getprop_and_ps_are_recognised() -> None:
    for path in sorted((SPYTRAP / "package").glob("*.txt")):
        assert problem_with(cmd.DUMPSYS_PACKAGE.name, path.read_text(encoding="utf-8")) == "", path.name
    assert problem_with(cmd.GETPROP.name, (MVT_DATA / "getprop.txt").read_text(encoding="utf-8")) == ""
    assert problem_with(cmd.PROCESSES.name, (MVT_DATA / "ps.txt").read_text(encoding="utf-8")) == ""


def test_a_device_policy_dump_with_or_without_admins_is_recognised() -> None:
    assert problem_with(cmd.DUMPSYS_DEVICE_POLICY.name, DEVICE_POLICY) == ""
    assert problem_with(cmd.DUMPSYS_DEVICE_POLICY.name, NO_ADMINS) == ""


@pytest.mark.parametrize(("command", "text", "problem"), [
    (cmd.DUMPSYS_ACCESSIBILITY, "", EMPTY),
    (cmd.DUMPSYS_ACCESSIBILITY, " \n\n", EMPTY),
    (cmd.DUMPSYS_DEVICE_POLICY, "", EMPTY),
    (cmd.DUMPSYS_ACCESSIBILITY, "\x00\x93garbage\nmore", UNRECOGNISED),
    (cmd.DUMPSYS_DEVICE_POLICY, "Permission Denial: can't dump\n", UNRECOGNISED),
    (cmd.DUMPSYS_PACKAGE, "Activity Resolver Table:\n", UNRECOGNISED),
    (cmd.GETPROP, "\x7fELF\x02\x01\x01binary", UNRECOGNISED),
    (cmd.SETTINGS_SECURE, "not a setting\n", UNRECOGNISED),
    (cmd.PROCESSES, "USER PID\n", UNRECOGNISED),
])
def test_empty_or_damaged_outputs_are_not_recognised(command: cmd.Command, text: str, problem: str) -> None:
    assert problem_with(command.name, text) == problem


def test_outputs_that_may_rightly_be_empty() -> None:
    assert problem_with(cmd.DISABLED_PACKAGES.name, "") == ""  # no app switched off


def _collect(folder: Path) -> tuple[AndroidqfCollector, list[str | CheckNote]]:
    said: list[str | CheckNote] = []
    collector = AndroidqfCollector(str(folder))
    list(collector.collect(CollectContext(warn=said.append)))
    return collector, said


def _keys(notes: list[CheckNote]) -> set[str]:
    return {n.key for n in notes}


@needs_shared()
def test_the_real_acquisition_is_checked_part_by_part_without_a_warning() -> None:
    collector, said = _collect(ANDROIDQF)
    assert said == []
    assert {"androidqf.packages", "androidqf.dumpsys.package", "androidqf.dumpsys.accessibility",
            "androidqf.getprop", "androidqf.settings", "android.processes", "androidqf.files",
            "androidqf.root-binaries"} <= _keys(collector.info.checked)
    # MVT's dumpsys.txt holds no device_policy section: device administrators were not read
    assert "androidqf.dumpsys.device-policy" in _keys(collector.info.not_checked)


@needs_shared()
def test_the_reviewers_qf5_empty_dumpsys_and_root_binaries_not_a_list(tmp_path: Path) -> None:
    folder = tmp_path / "qf5"
    shutil.copytree(ANDROIDQF, folder)
    (folder / "dumpsys.txt").write_bytes(b"")
    (folder / "root_binaries.json").write_text('"oops"\n')
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(folder)),), use_feeds=False))
    source = result.sources[0]
    assert {"androidqf.dumpsys", "androidqf.root-binaries"} <= _keys(source.not_checked)
    assert not {"androidqf.dumpsys.accessibility", "androidqf.root-binaries"} & _keys(source.checked)
    files = {dict(w.params).get("file") for w in result.warnings if w.key == "warn.android.file-unusable"}
    assert files == {"dumpsys.txt", "root_binaries.json"}


def _small_acquisition(folder: Path) -> Path:
    """A damaged acquisition that needs nothing from ../shared: a good packages.json; a
    dumpsys.txt of random bytes, a binary getprop.txt, root_binaries.json an object."""
    folder.mkdir()
    (folder / "packages.json").write_text(json.dumps([{"name": "com.example.notes", "installer": "null",
                                                       "uid": 10123, "system": False, "files": []}]))
    (folder / "dumpsys.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "getprop.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" * 64)
    (folder / "root_binaries.json").write_text('{"a": 1}')
    (folder / "settings_secure.txt").write_text("enabled_accessibility_services=\n")
    return folder


def test_a_damaged_acquisition_says_which_parts_were_not_checked(tmp_path: Path) -> None:
    collector, said = _collect(_small_acquisition(tmp_path / "qf"))
    assert {"androidqf.dumpsys", "androidqf.getprop", "androidqf.root-binaries"} <= _keys(collector.info.not_checked)
    assert _keys(collector.info.checked) >= {"androidqf.packages", "androidqf.settings"}
    assert not {"androidqf.dumpsys", "androidqf.getprop", "androidqf.root-binaries"} & _keys(collector.info.checked)
    unusable = sorted(dict(w.params)["file"] for w in said if isinstance(w, CheckNote)
                      and w.key == "warn.android.file-unusable")
    assert unusable == ["dumpsys.txt", "getprop.txt", "root_binaries.json"]


def test_a_packages_json_that_is_not_a_list_is_not_checked(tmp_path: Path) -> None:
    folder = _small_acquisition(tmp_path / "qf")
    (folder / "packages.json").write_text('{"name": "com.example.notes"}')
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(folder)),), use_feeds=False))
    assert result.sources[0].unread is not None  # nothing of its apps could be read
    assert any(w.key == "warn.androidqf.packages-not-a-list" for w in result.warnings)


def test_the_warnings_read_in_chinese() -> None:
    warning = ScanWarning("qf", "", 1, "warn.android.file-unusable",
                          (("file", "root_binaries.json"), ("what", "root tools (root_binaries.json)")))
    assert plain(warning_line(warning, "zh")) == ("root_binaries.json 里没有 exposure 能当作 root 工具"
                                                  "（root_binaries.json）读取的内容；没有检查")
    empty = ScanWarning("p", "", 1, "warn.android.output-empty", (("what", "accessibility services"),))
    assert plain(warning_line(empty, "zh")) == "无障碍服务：手机的回答是空的；没有检查"


def test_over_adb_an_empty_accessibility_or_device_policy_answer_is_not_checked(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root, accessibility="", device_policy="")
    set_devices(fake_adb.root, [PHONE_LINE])
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    source = result.sources[0]
    assert {"android.accessibility", "android.device-admins"} <= _keys(source.not_checked)
    assert not {"android.accessibility", "android.device-admins"} & _keys(source.checked)
    assert sorted(w.key for w in result.warnings) == ["warn.android.output-empty"] * 2


@needs_shared()
def test_over_adb_a_phone_with_no_accessibility_service_on_is_checked(fake_adb: FakePhone) -> None:
    plain_dump = (SPYTRAP / "accessibility" / "plain.txt")
    build_phone(fake_adb.root, accessibility=plain_dump.read_text(encoding="utf-8"), device_policy=NO_ADMINS)
    set_devices(fake_adb.root, [PHONE_LINE])
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    assert {"android.accessibility", "android.device-admins"} <= _keys(result.sources[0].checked)
    assert result.warnings == []


def test_an_invalid_app_id_over_adb_is_counted_and_said(fake_adb: FakePhone) -> None:
    """Review item 11: a listed app whose id is not a valid Android id was dropped in silence."""
    folder = build_phone(fake_adb.root)
    listing = folder / "shell_pm_list_packages_-f_-i_-U_-u.txt"
    listing.write_text(listing.read_text(encoding="utf-8")
                       + "package:/data/app/x/base.apk=com.evil$(reboot) installer=null uid:10200\n", encoding="utf-8")
    set_devices(fake_adb.root, [PHONE_LINE])
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    source = result.sources[0]
    assert source.counts["packages"] == 5  # the five recorded apps; the sixth line is not read...
    said = [w for w in result.warnings if w.key == "warn.android.invalid-package-ids"]
    assert [dict(w.params)["count"] for w in said] == ["1"]  # ... and is said
    assert CheckNote.of("android.packages.invalid-ids", "apps listed under an id that is not a valid Android app id: 1",
                        count=1) in source.not_checked
    assert plain(warning_line(said[0], "zh")).endswith("这些应用没有检查：1 行")


def test_invalid_ids_are_counted_by_the_parser() -> None:
    from exposure.collect.android.parsers.packages_list import invalid_ids, parse_packages_list

    text = ("package:/data/app/a/base.apk=com.ok uid:1\npackage:[red]x[/red]\npackage:\nnot a package line\n"
            "package:/data/app/b==/base.apk=bad$(id) installer=null\n")
    assert [p.package for p in parse_packages_list(text)] == ["com.ok"]
    assert invalid_ids(text) == 2
