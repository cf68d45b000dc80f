"""``scan --iphone --save DIR`` and ``--iphone-dump DIR``: each raw answer kept as it came,
a manifest in sha256sum format, a changed file refused, a missing answer "not read"."""

from __future__ import annotations

import hashlib
import plistlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.ios import answers as A
from exposure.collect.ios.dump import MANIFEST, write_dump
from exposure.collect.ios.usb import encode
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios.fake_iphone import UDID, FakeMux
from tests.ios.phones import PLANTED_DEVELOPER, planted_phone

Plug = Callable[..., FakeMux]


def save(plug: Plug, folder: Path) -> None:
    plug(planted_phone())
    run_scan(ScanRequest(sources=(SourceSpec("iphone", "", (("save", str(folder)),)),), use_feeds=False))


def recheck(folder: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("iphone-dump", str(folder)),), use_feeds=False))


def test_each_answer_is_kept_as_it_came_with_a_sha256sum_manifest(plug: Plug, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    save(plug, folder)
    names = {p.name for p in folder.iterdir()}
    assert names == {a.file for a in A.ANSWERS} | {"device.json", MANIFEST}
    kept = plistlib.loads((folder / "apps.plist").read_bytes())  # the installation proxy's list of app dicts

    def key(app: dict[str, object]) -> str:
        return str(app["CFBundleIdentifier"])

    assert sorted(kept, key=key) == sorted(planted_phone().apps, key=key)
    lines = (folder / MANIFEST).read_text(encoding="ascii").splitlines()
    assert len(lines) == len(names) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in folder.iterdir())
    assert folder.stat().st_mode & 0o777 == 0o700
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=folder, capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_changed_file_is_refused_and_said(plug: Plug, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    save(plug, folder)
    apps = plistlib.loads((folder / "apps.plist").read_bytes())
    hidden = [a for a in apps if a["CFBundleIdentifier"] != PLANTED_DEVELOPER["CFBundleIdentifier"]]
    (folder / "apps.plist").write_bytes(plistlib.dumps(hidden))  # someone hides the side-loaded app
    result = recheck(folder)
    said = [w.message for w in result.warnings]
    assert any(m.startswith("apps.plist was changed after the phone was read") and "not used" in m for m in said)
    info = result.sources[0]
    assert info.details["tampered"] == "apps.plist" and A.APPS.note in info.not_checked
    assert "apps" not in info.counts
    rules = {f.rule: f for f in result.findings}
    assert "ios.jailbreak" not in rules  # Electra is only in the refused app list
    # The provisioning profile that let the hidden app run is still reported, with no app.
    assert "ios.outside-store" not in rules
    assert "SysHelper Dev" in rules["ios.provisioning-profile"].param("profiles")


def test_an_added_file_is_not_used(plug: Plug, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    save(plug, folder)
    (folder / "extra.plist").write_bytes(plistlib.dumps([]))
    said = [w.message for w in recheck(folder).warnings]
    assert any(m.startswith("extra.plist is not in manifest.sha256") for m in said)


def test_missing_answers_are_not_read_never_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "only-apps"
    folder.mkdir()
    write_dump(folder, UDID, {"apps.plist": encode(A.APPS, planted_phone().apps)}, {})
    result = recheck(folder)
    assert result.warnings == [] and result.unreadable == []
    info = result.sources[0]
    assert info.checked == [A.APPS.note]
    assert A.PROFILES.note in info.not_checked and A.PROCESSES.note in info.not_checked
    assert {f.rule for f in result.findings} >= {"ios.outside-store", "ios.jailbreak"}
    assert all(f.evidence[0].source == UDID for f in result.findings)


# Not a plist at all, and an XML plist cut short (which the XML parser, not plistlib, refuses).
@pytest.mark.parametrize("damaged", [b"not a plist", b'<?xml version="1.0"?><plist version="1.0"><dict><key>a</key>'])
def test_a_listed_file_that_is_gone_or_damaged_is_said(plug: Plug, tmp_path: Path, damaged: bytes) -> None:
    folder = tmp_path / "saved"
    save(plug, folder)
    (folder / "processes.plist").unlink()
    (folder / "profiles.plist").write_bytes(damaged)
    manifest = (folder / MANIFEST).read_text(encoding="ascii")
    lines = [(f"{hashlib.sha256(damaged).hexdigest()}  profiles.plist" if line.endswith("profiles.plist") else line)
             for line in manifest.splitlines()]
    (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="ascii")
    said = [w.message for w in recheck(folder).warnings]
    assert "processes.plist is listed in manifest.sha256 but missing" in said
    assert any(m.startswith("profiles.plist could not be decoded") for m in said), said


def test_a_folder_without_manifest_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "apps.plist").write_bytes(plistlib.dumps([]))
    assert main(["scan", "--iphone-dump", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no manifest.sha256" in err


def test_save_goes_with_one_phone(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["scan", "--android", "--iphone", "--save", str(tmp_path / "x")]) == 2
    assert "--save goes with either --android or --iphone" in capsys.readouterr().err


def test_the_app_recognises_a_saved_iphone_folder(plug: Plug, tmp_path: Path) -> None:
    from exposure.model import SourceSpec as Spec
    from exposure.tui.screens.file import source_for

    folder = tmp_path / "saved"
    save(plug, folder)
    assert source_for(folder) == Spec("iphone-dump", str(folder))
    assert source_for(tmp_path) == Spec("androidqf", str(tmp_path))
