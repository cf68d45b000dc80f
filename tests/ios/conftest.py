"""Fixtures: a fake iPhone behind a fake usbmuxd, answering through pymobiledevice3's classes."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from pathlib import Path

import pytest

from exposure.collect.ios import usb
from tests.ios.fake_iphone import FakeMux, FakePhone


def pair_record(phone: FakePhone) -> None:
    """This computer already trusts ``phone`` (a pairing record in exposure's folder)."""
    folder = usb.pairing_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{phone.udid}.plist").write_bytes(plistlib.dumps({
        "HostID": "11111111-2222-3333-4444-555555555555", "SystemBUID": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
        "HostCertificate": b"-", "HostPrivateKey": b"-", "DeviceCertificate": b"-", "RootCertificate": b"-"}))


@pytest.fixture
def plug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FakeMux]:
    """``plug(phone, ...)``: these phones are connected (none: usbmuxd sees no iPhone)."""
    # pymobiledevice3 also asks usbmuxd for pairing records: there is none in tests.
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(tmp_path / "no-usbmuxd"))

    def plug_in(*phones: FakePhone, running: bool = True) -> FakeMux:
        for phone in phones:
            if phone.trusted:
                pair_record(phone)
        mux = FakeMux(list(phones), running=running)
        monkeypatch.setattr(usb, "make_mux", lambda: mux)
        return mux

    return plug_in
