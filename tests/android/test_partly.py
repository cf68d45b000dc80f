"""A phone whose app list cannot be read while its settings, processes or services were:
"partly checked", said first, its findings kept, its reports written, exit code 2 (review
item 4); and a source that was not checked keeps exit code 2 under ``--fail-on`` (item 11).

The phone is the recorded SpyLive360 phone of ``phones.py``; its settings name SpyLive360's
accessibility service, which is what is left to find when the app list and the dumpsys
outputs fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.model import Severity, SourceSpec
from exposure.report.json_report import from_json
from exposure.scan import ScanRequest, run_scan
from tests.android.conftest import FakePhone
from tests.android.phones import ANDROIDQF, SERIAL, build_phone, set_devices

PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"
# The reviewer's phone2: the app list (with and without -i), app details, accessibility
# services and device administrators all fail; settings, processes and getprop answer.
NO_APP_LIST = ("shell_pm_list_packages_-f_-i_-U_-u", "shell_dumpsys_package", "shell_dumpsys_accessibility",
               "shell_dumpsys_device_policy")


@pytest.fixture
def no_app_list(fake_adb: FakePhone) -> FakePhone:
    build_phone(fake_adb.root, failing=NO_APP_LIST)
    set_devices(fake_adb.root, [PHONE_LINE])
    return fake_adb


def test_the_findings_that_were_read_stand_and_the_phone_is_partly_checked(no_app_list: FakePhone) -> None:
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    phone = result.sources[0]
    assert phone.unread is None
    assert phone.partly is not None and phone.partly.key == "error.source.apps-unread"
    assert phone.not_checked[0].key == "android.packages"  # the app list is said first
    assert all(n.key != "android.packages" for n in phone.checked)
    assert "packages" not in phone.counts  # never "0 apps", which reads as a phone without apps
    hits = [f for f in result.findings if f.rule == "indicator" and f.subject == "com.wifi0"]
    assert [f.severity for f in hits] == [Severity.CRITICAL]


def test_android_alone_writes_the_reports_and_says_partly_checked_first(
        no_app_list: FakePhone, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md, js = tmp_path / "p.md", tmp_path / "p.json"
    assert main(["scan", "--android", "--no-feeds", "--profile", "stalkerware", "--md", str(md),
                 "--json", str(js)]) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Partly checked: the Android phone Pixel 3a: its list of installed apps")
    assert "SpyLive360 found: com.wifi0" in out and "Not checked" not in out
    text = md.read_text(encoding="utf-8")
    summary = text.split("## Summary", 1)[1]
    assert summary.strip().startswith("Partly checked: the Android phone `Pixel 3a`")
    assert "Not checked" not in text
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["sources"][0]["partly"]["key"] == "error.source.apps-unread"
    assert data["sources"][0]["unread"] is None
    again = from_json(data)  # a saved report keeps it
    assert again.sources[0].partly is not None


def test_with_a_second_source_the_critical_finding_is_never_under_not_checked(
        no_app_list: FakePhone, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not ANDROIDQF.is_dir():
        pytest.skip("needs ../shared/fixtures/android/mvt/androidqf")
    md = tmp_path / "two.md"
    assert main(["scan", "--android", "--androidqf", str(ANDROIDQF), "--no-feeds", "--profile", "stalkerware",
                 "--md", str(md), "--lang", "zh"]) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("部分检查：安卓手机 Pixel 3a")
    assert "未检查" not in out
    section = md.read_text(encoding="utf-8").split("部分检查：没能读取已安装应用的列表", 1)[1]
    assert "SpyLive360" in section.split("androidqf", 1)[0]  # listed under the phone's partly-checked status


def test_a_phone_that_gave_nothing_but_its_model_is_still_not_checked(fake_adb: FakePhone,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    everything = (*NO_APP_LIST, "shell_settings_list_secure", "shell_settings_list_global", "shell_ps_-A",
                  "shell_ps", "shell_dumpsys_connectivity", "shell_dumpsys_appops", "shell_dumpsys_batterystats",
                  "shell_dumpsys_netstats_--full_--uid", "shell_dumpsys_input_method", "shell_pm_list_packages_-s",
                  "shell_pm_list_packages_-d")
    build_phone(fake_adb.root, failing=everything)
    set_devices(fake_adb.root, [PHONE_LINE])
    assert main(["scan", "--android", "--no-feeds", "--quiet"]) == 2
    assert "Not checked: the Android phone Pixel 3a: no apps could be read from it" in capsys.readouterr().err


@pytest.mark.parametrize("fail_on", ["critical", "info"])
def test_fail_on_does_not_hide_a_phone_that_was_only_partly_checked(no_app_list: FakePhone, fail_on: str) -> None:
    assert main(["scan", "--android", "--no-feeds", "--quiet", "--fail-on", fail_on]) == 2  # with a critical finding


def test_fail_on_does_not_hide_a_phone_that_was_not_checked(fake_adb: FakePhone) -> None:
    """The reviewer's case: an unreadable phone beside an acquisition with findings gave 1."""
    if not ANDROIDQF.is_dir():
        pytest.skip("needs ../shared/fixtures/android/mvt/androidqf")
    set_devices(fake_adb.root, [])  # no phone: not checked
    assert main(["scan", "--android", "--androidqf", str(ANDROIDQF), "--no-feeds", "--quiet"]) == 2
    assert main(["scan", "--android", "--androidqf", str(ANDROIDQF), "--no-feeds", "--quiet", "--fail-on",
                 "info"]) == 2


def test_fail_on_still_gives_1_when_everything_was_checked(fake_adb: FakePhone) -> None:
    build_phone(fake_adb.root)
    set_devices(fake_adb.root, [PHONE_LINE])
    assert main(["scan", "--android", "--no-feeds", "--quiet", "--fail-on", "critical"]) == 1
