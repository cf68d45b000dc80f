"""A folder saved from an iPhone is untrusted like any other (issue 17): whoever prepares
one can remake its manifest over damaged answers. A plist that expat cannot read, a
device.json nested without end, a named pipe in the folder: each is a warning or "not an
iPhone folder", never a traceback and never a hang. Found by the fuzz suite."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.ios import answers as A
from exposure.collect.ios.collector import IphoneDumpCollector
from exposure.collect.ios.dump import is_iphone_dump, write_dump
from exposure.collect.ios.usb import encode
from tests.ios.phones import PLANTED_DEVELOPER

UDID = "00008101-000A1D2E3F40001E"


def saved(tmp_path: Path, **raw: bytes) -> Path:
    folder = tmp_path / "saved"
    folder.mkdir()
    answers = {A.APPS.file: encode(A.APPS, [PLANTED_DEVELOPER]), A.VALUES.file: encode(A.VALUES, {
        "ProductVersion": "17.2", "ProductType": "iPhone14,2"})} | raw
    write_dump(folder, UDID, answers, {})
    return folder


def collect(folder: Path) -> tuple[list[object], list[str | CheckNote]]:
    said: list[str | CheckNote] = []
    collector = IphoneDumpCollector(str(folder))
    return list(collector.collect(CollectContext(warn=said.append))), said


def test_a_plist_that_expat_cannot_read_is_a_warning(tmp_path: Path) -> None:
    folder = saved(tmp_path, **{A.PROFILES.file: b"<?xml version='1.0'?><plist><dict><key>\x01</key></plist>"})
    observations, said = collect(folder)
    bad = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.iphone.bad-answer"]
    assert [dict(w.params)["file"] for w in bad] == [A.PROFILES.file]
    assert any(getattr(o, "bundle_id", "") == "com.example.syshelper" for o in observations)


def test_a_device_json_nested_without_end_with_a_matching_manifest_is_read_as_far_as_possible(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    deep = b'{"format": "exposure.iphone-dump/1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    manifest = folder / "manifest.sha256"
    for path in (folder / "device.json", manifest):
        path.chmod(0o600)
    (folder / "device.json").write_bytes(deep)
    manifest.write_text("".join(f"{hashlib.sha256(deep).hexdigest()}  device.json\n"
                                if line.endswith("  device.json") else line + "\n"
                                for line in manifest.read_text().splitlines()))
    observations, _ = collect(folder)
    assert any(getattr(o, "bundle_id", "") == "com.example.syshelper" for o in observations)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="named pipes")
@pytest.mark.timeout(20)
def test_a_named_pipe_as_device_json_is_never_opened(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    (folder / "device.json").unlink()
    os.mkfifo(folder / "device.json")
    assert is_iphone_dump(folder) is False
