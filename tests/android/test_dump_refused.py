"""A saved Android folder whose files were changed or added after the phone was read: those
files are not used (a warning says so, their parts are "not checked"), as a saved iPhone's
are (review item 10). The folder is written by ``--save`` from the recorded SpyLive360 phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.cli import main
from exposure.explain.lines import plain
from exposure.explain.notes import warning_line
from exposure.model import SourceSpec
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.conftest import FakePhone

# The reviewer's edit: every file that names SpyLive360's id, pointed at another id.
NAMING_THE_APP = ("pm_list_packages", "dumpsys_package", "settings_secure", "dumpsys_accessibility",
                  "dumpsys_device_policy")


def scan(*sources: SourceSpec) -> ScanResult:
    return run_scan(ScanRequest(sources=sources, profiles=("stalkerware",), use_feeds=False))


@pytest.fixture
def saved(spy_phone: FakePhone, tmp_path: Path) -> Path:
    folder = tmp_path / "saved"
    scan(SourceSpec("android", "", (("save", str(folder)),)))
    return folder


def test_files_changed_to_hide_the_app_are_not_used(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in NAMING_THE_APP:
        path = saved / f"{name}.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("com.wifi0", "com.wifi9"), encoding="utf-8")
    result = scan(SourceSpec("android-dump", str(saved)))
    assert not [f for f in result.findings if "com.wifi9" in f.title]  # nothing of the edits is read
    changed = sorted(dict(w.params)["file"] for w in result.warnings if w.key == "warn.android.dump-changed")
    assert changed == sorted(f"{name}.txt" for name in NAMING_THE_APP)
    assert all(w.message.endswith("; it was not used") for w in result.warnings if w.key == "warn.android.dump-changed")
    source = result.sources[0]
    assert {"android.packages", "android.package-details", "android.accessibility", "android.device-admins",
            "android.settings-secure"} <= {n.key for n in source.not_checked}
    assert source.not_checked[0].key == "android.packages"  # said first
    assert source.partly is not None  # the processes and global settings were still read
    assert source.partly.key == "error.source.apps-refused"  # not "could not be read": it was changed
    assert main(["scan", "--android-dump", str(saved), "--no-feeds", "--quiet"]) == 2  # was 0


def test_a_changed_file_is_refused_even_when_the_rest_is_intact(saved: Path) -> None:
    path = saved / "dumpsys_accessibility.txt"
    path.write_text("ACCESSIBILITY MANAGER\n     Enabled services:{}\n", encoding="utf-8")
    result = scan(SourceSpec("android-dump", str(saved)))
    assert "android.accessibility" in {n.key for n in result.sources[0].not_checked}
    assert "android.accessibility" not in {n.key for n in result.sources[0].checked}
    assert [f.severity.value for f in result.findings if f.rule == "indicator"] == ["critical"]


def test_an_added_file_is_not_used(saved: Path) -> None:
    # As if the list of switched-off apps had been added after: not in the manifest.
    manifest = saved / "manifest.sha256"
    manifest.write_text("".join(line + "\n" for line in manifest.read_text(encoding="utf-8").splitlines()
                                if not line.endswith("pm_list_packages_disabled.txt")), encoding="utf-8")
    (saved / "pm_list_packages_disabled.txt").write_text("package:com.wifi0\n", encoding="utf-8")
    result = scan(SourceSpec("android-dump", str(saved)))
    added = [w for w in result.warnings if w.key == "warn.android.dump-added"]
    assert [dict(w.params)["file"] for w in added] == ["pm_list_packages_disabled.txt"]
    assert added[0].message.endswith("it was not used")
    package = next(o for f in result.findings if f.rule == "indicator" for o in f.evidence
                   if getattr(o, "package", "") == "com.wifi0" and hasattr(o, "enabled"))
    assert package.enabled  # the added list that switches it off was not read
    zh = plain(warning_line(added[0], "zh"))
    assert zh == "pm_list_packages_disabled.txt 不在 manifest.sha256 中：它是在读取手机之后才被加进来的；没有使用它"
