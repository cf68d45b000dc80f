"""An iPhone over USB through pymobiledevice3's own classes and a fake phone: one plain line
for each state that stops a check, and a full read when the phone is ready."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from exposure.cli import main
from exposure.collect.ios import answers as A
from exposure.collect.ios import usb
from exposure.errors import UserError
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.fake_iphone import UDID, FakeMux, FakePhone

Plug = Callable[..., FakeMux]


def public_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)


def one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("exposure: "), err
    return err


def test_no_usbmuxd_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    # The real usbmux client, pointed at a socket that does not exist (as on a Linux
    # computer without the usbmuxd package).
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(tmp_path / "usbmuxd"))
    err = one_line(capsys, "scan", "--iphone")
    assert "usbmuxd" in err and ("apt install usbmuxd" in err or "Apple Devices" in err or "macOS" in err)


def test_each_state_is_one_plain_line(plug: Plug, capsys: pytest.CaptureFixture[str]) -> None:
    plug()
    assert "no iPhone found" in one_line(capsys, "scan", "--iphone")
    plug(FakePhone(), FakePhone(udid="00008101-000000000000AAAA"))
    err = one_line(capsys, "scan", "--iphone")
    assert "several iPhones" in err and UDID in err and "--iphone UDID" in err
    assert "no iPhone with UDID 1234" in one_line(capsys, "scan", "--iphone", "1234")
    plug(running=False)
    assert "usbmuxd" in one_line(capsys, "scan", "--iphone")


@pytest.mark.parametrize(("answer", "expected"), [
    ("pending", "still asking 'Trust This Computer?'"),
    ("denied", "answered 'Don't Trust'"),
    ("locked", "is locked"),
])
def test_pairing_states(plug: Plug, answer: str, expected: str) -> None:
    phone = FakePhone(trusted=False, pair_answer=answer, public_key=public_key())
    plug(phone)
    with pytest.raises(UserError) as raised:
        usb.read_phone("", pair_timeout=0)
    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert ("lockdown", "Pair") in phone.calls
    assert not (usb.pairing_folder() / f"{UDID}.plist").exists()


def test_locked_phone_that_trusts_this_computer(plug: Plug) -> None:
    plug(FakePhone(locked=True))
    with pytest.raises(UserError, match="is locked: unlock it"):
        usb.read_phone("")


def test_trust_accepted_saves_a_private_pairing_record_and_reads(plug: Plug) -> None:
    phone = FakePhone(trusted=False, pair_answer="ok", public_key=public_key())
    plug(phone)
    assert usb.probe().trusted is False  # the probe never asks the phone to trust
    assert ("lockdown", "Pair") not in phone.calls
    read = usb.read_phone("", pair_timeout=0)
    record = usb.pairing_folder() / f"{UDID}.plist"
    assert read.pairing_record == str(record) and record.exists()
    assert plistlib.loads(record.read_bytes())["EscrowBag"] == b"fake escrow bag"
    assert oct(usb.pairing_folder().stat().st_mode & 0o777) == "0o700"
    assert set(read.raw) == {a.file for a in A.ANSWERS} and read.failed == {}
    assert usb.probe().trusted is True


def test_a_service_that_fails_is_not_read_and_the_rest_goes_on(plug: Plug) -> None:
    plug(FakePhone(failing={"com.apple.misagent", "com.apple.os_trace_relay"}))
    result = run_scan(ScanRequest(sources=(SourceSpec("iphone"),), use_feeds=False))
    info = result.sources[0]
    assert A.PROVISIONING.note in info.not_checked and A.PROCESSES.note in info.not_checked
    assert A.APPS.note in info.checked and info.counts["packages"] == 96
    said = [w.message for w in result.warnings]
    assert any(m.startswith("could not read provisioning profiles") for m in said), said
    assert result.unreadable == []


def test_progress_names_each_answer(plug: Plug) -> None:
    from exposure.collect.base import Progress
    from exposure.scan import ScanHooks
    from tests.progress_notes import assert_progress_names_what_it_reads

    plug(FakePhone())
    seen: list[Progress] = []
    run_scan(ScanRequest(sources=(SourceSpec("iphone"),), use_feeds=False), ScanHooks(progress=seen.append))
    keys = assert_progress_names_what_it_reads(seen)
    assert {"reading.iphone-trust", "iphone.apps", "iphone.profiles"} <= set(keys)


def test_old_phone_is_not_asked_about_developer_mode(plug: Plug) -> None:
    phone = FakePhone(values={"ProductVersion": "11.4"})
    plug(phone)
    read = usb.read_phone("")
    assert A.DEVELOPER_MODE.file not in read.raw and A.DEVELOPER_MODE.file not in read.failed
    assert not any("DeveloperModeStatus" in call for _, call in phone.calls)


def test_the_pairing_record_named_is_exposures_own_or_the_systems() -> None:
    folder = usb.pairing_folder()
    elsewhere = usb.pairing_record(UDID)  # paired before by Finder, iTunes or libimobiledevice
    assert elsewhere.name == f"{UDID}.plist" and elsewhere.parent != folder
    folder.mkdir(parents=True)
    (folder / f"{UDID}.plist").write_bytes(b"")
    assert usb.pairing_record(UDID) == folder / f"{UDID}.plist"
