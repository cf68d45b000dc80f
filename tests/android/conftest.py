"""Fixtures: a fake adb first on PATH, replaying a phone built from real recordings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.android.phones import SERIAL, build_phone, set_devices, use_fake_adb


@dataclass
class FakePhone:
    root: Path
    log: Path
    serial: str = SERIAL

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fake_adb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePhone:
    """The fake adb on PATH with no phone yet (tests add phones and devices.txt)."""
    root = tmp_path / "phones"
    root.mkdir()
    log = tmp_path / "adb.log"
    use_fake_adb(monkeypatch, root, log)
    set_devices(root, [])
    return FakePhone(root, log)


@pytest.fixture
def spy_phone(fake_adb: FakePhone) -> FakePhone:
    """One connected phone with SpyLive360 (com.wifi0) and its accessibility service on."""
    build_phone(fake_adb.root)
    set_devices(fake_adb.root, [f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo "
                                "transport_id:1"])
    return fake_adb
