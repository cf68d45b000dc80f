"""``scan --android A --android B``: two phones are two sources, the way ``--pcap`` and
``--androidqf`` add up; never only the last one (a phone with stalkerware dropped silently).
Where several cannot work (``--android`` without a serial among several, ``--save``), one line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.android.phones import build_phone, recorded_package_dump, set_devices
from tests.cli.helpers import one_line_error, run_cli

STALKED = "AAAAPHONE1"  # spytrap-adb's phone with SpyLive360 (com.wifi0)
CLEAN = "BBBBPHONE2"


def two_phones(env: dict[str, str]) -> None:
    root = Path(env["FAKE_ADB_DIR"])
    build_phone(root, STALKED)
    build_phone(root, CLEAN, dump=recorded_package_dump(("contacts", "fdroid")))
    set_devices(root, [f"{STALKED}\tdevice", f"{CLEAN}\tdevice"])


def asked_serials(env: dict[str, str]) -> set[str]:
    """The serials the fake adb was asked about (``adb -s SERIAL ...``)."""
    log = Path(env["FAKE_ADB_LOG"])
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    return {call[call.index("-s") + 1] for call in calls if "-s" in call}


def test_two_android_serials_check_both_phones(fake_adb_env: dict[str, str], tmp_path: Path) -> None:
    two_phones(fake_adb_env)
    out = tmp_path / "two.json"
    done = run_cli("scan", "--android", STALKED, "--android", CLEAN, "--no-feeds", "--json", str(out),
                   env=fake_adb_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [(s["kind"], s["name"]) for s in report["sources"]] == [("android", STALKED), ("android", CLEAN)]
    assert any("com.wifi0" in f["title"] for f in report["findings"]), report["findings"]
    assert {STALKED, CLEAN} <= asked_serials(fake_adb_env)


def test_the_same_serial_twice_is_one_phone(fake_adb_env: dict[str, str], tmp_path: Path) -> None:
    two_phones(fake_adb_env)
    out = tmp_path / "one.json"
    done = run_cli("scan", "--android", CLEAN, "--android", CLEAN, "--no-feeds", "--json", str(out),
                   env=fake_adb_env)
    assert done.returncode == 0, done.stderr
    assert [s["name"] for s in json.loads(out.read_text(encoding="utf-8"))["sources"]] == [CLEAN]


def test_several_phones_without_serials_are_refused_in_one_line(fake_adb_env: dict[str, str]) -> None:
    two_phones(fake_adb_env)
    line = one_line_error(run_cli("scan", "--android", "--android", CLEAN, env=fake_adb_env))
    assert "--android SERIAL --android SERIAL" in line
    line = one_line_error(run_cli("scan", "--iphone", "--iphone", "00008030-001A2B3C4D5E6F70", env=fake_adb_env))
    assert "--iphone UDID --iphone UDID" in line
    assert not asked_serials(fake_adb_env)  # refused before any phone was read


def test_save_with_several_phones_is_refused_before_any_phone_is_read(fake_adb_env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    two_phones(fake_adb_env)
    line = one_line_error(run_cli("scan", "--android", STALKED, "--android", CLEAN, "--save", str(tmp_path / "kept"),
                                  "--lang", "zh", env=fake_adb_env))
    assert "一部手机" in line
    assert not (tmp_path / "kept").exists()


def test_capture_refuses_two_iphones_in_one_line() -> None:
    line = one_line_error(run_cli("capture", "--iphone", "A1", "--iphone", "B2", "--no-analysis"))
    assert "one iPhone at a time" in line
