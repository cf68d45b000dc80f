"""The command line as a trainer's script uses it: clean failures, exit codes, usage,
languages, and escape sequences from devices and files never reaching the terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exposure.indicators.profiles import bundled_dir
from tests.android.phones import set_devices
from tests.cli.helpers import one_line_error, run_cli

OSC_TITLE = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J"


def no_escapes(text: str) -> bool:
    return "\x1b" not in text and "\x07" not in text and "\x9b" not in text


def test_no_terminal_is_one_line_and_exit_2() -> None:
    for args in ((), ("demo",)):
        done = run_cli(*args, timeout=60)  # stdin is empty, stdout a pipe: no terminal
        line = one_line_error(done)
        assert "needs a terminal" in line and "exposure scan" in line
        assert done.stdout == ""
    zh = one_line_error(run_cli("--help") if False else run_cli(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}))
    assert "需要在终端中运行" in zh


@pytest.mark.parametrize(("args", "usage"), [(("scan", "--bogus"), "usage: exposure scan "),
                                             (("capture", "--bogus"), "usage: exposure capture "),
                                             (("profiles", "list", "--bogus"), "usage: exposure profiles list"),
                                             (("feeds", "list", "--bogus"), "usage: exposure feeds list")])
def test_an_unknown_option_shows_the_usage_of_its_command(args: tuple[str, ...], usage: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith(usage), done.stderr
    assert "unrecognized arguments: --bogus" in done.stderr


def test_fail_on_exit_codes(demo_capture: str, quiet_capture: Path, empty_capture: Path) -> None:
    # The practice capture holds SpyLive360's command server: a serious finding, not a very
    # serious one (contact with a server, not the app itself: docs/severity.md).
    assert run_cli("scan", "--pcap", demo_capture, "--quiet", "--fail-on", "high").returncode == 1
    assert run_cli("scan", "--pcap", demo_capture, "--quiet", "--fail-on", "info").returncode == 1
    assert run_cli("scan", "--pcap", demo_capture, "--quiet", "--fail-on", "critical").returncode == 0
    assert run_cli("scan", "--pcap", demo_capture, "--quiet").returncode == 0  # no threshold asked
    assert run_cli("scan", "--pcap", str(quiet_capture), "--quiet", "--fail-on", "info").returncode == 0
    # Nothing read is an error, whatever the threshold.
    assert run_cli("scan", "--pcap", str(empty_capture), "--fail-on", "info").returncode == 2
    assert run_cli("scan", "--pcap", demo_capture, "--fail-on", "worst").returncode == 2  # a usage error


def test_a_capture_without_packets_is_not_checked(empty_capture: Path, tmp_path: Path) -> None:
    line = one_line_error(run_cli("scan", "--pcap", str(empty_capture), "--json", str(tmp_path / "r.json")))
    assert line == "exposure: Not checked: the network capture empty.pcap: it holds no packets."
    assert not (tmp_path / "r.json").exists()
    zh = one_line_error(run_cli("scan", "--pcap", str(empty_capture), "--lang", "zh"))
    assert zh == "exposure: 未检查：网络抓包文件 empty.pcap。其中没有任何数据包。"


def test_a_capture_damaged_before_its_first_packet_says_so_not_that_it_is_empty(tmp_path: Path) -> None:
    # As nDPI's fuzz-2021-10-13.pcap: a nanosecond pcap header, then a record claiming ~512 kB in a
    # 239-byte file. tshark shows one packet cut short; "it holds no packets" would be untrue.
    damaged = tmp_path / "damaged.pcap"
    header = bytes.fromhex("4d3cb2a1" "0200" "0400" "00000000" "00000000" "ffff0000" "00000000")
    record = bytes.fromhex("01000000" "00000000") + (524501).to_bytes(4, "little") * 2 + b"\x02" * 64
    damaged.write_bytes(header + record)
    done = run_cli("scan", "--pcap", str(damaged), "--json", str(tmp_path / "r.json"))
    assert done.returncode == 2
    assert one_line_error(done) == ("exposure: Not checked: the network capture damaged.pcap: it is damaged before "
                                    "its first whole packet (damaged packet record (impossible length)).")
    zh = one_line_error(run_cli("scan", "--pcap", str(damaged), "--lang", "zh"))
    assert zh.startswith("exposure: 未检查：网络抓包文件 damaged.pcap。它在第一个完整的数据包之前就已损坏"), zh


def test_what_was_not_checked_comes_first(empty_capture: Path, demo_capture: str, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = run_cli("scan", "--pcap", str(empty_capture), "--pcap", demo_capture, "--json", str(report))
    assert done.returncode == 2  # one source was not checked: a script must not take it as done
    assert done.stdout.splitlines()[0] == "Not checked: the network capture empty.pcap: it holds no packets."
    data = json.loads(report.read_text())
    assert [s["unread"] is None for s in data["sources"]] == [False, True]
    assert data["sources"][0]["unread"]["key"] == "error.source.no-packets"


def test_errors_in_chinese(fake_adb_env: dict[str, str]) -> None:
    line = one_line_error(run_cli("scan", "--android", "--lang", "zh", env=fake_adb_env))
    assert line.startswith("exposure: 没有找到安卓手机：请用 USB 数据线连接手机"), line
    assert "no Android phone" not in line


def test_an_adb_serial_with_escape_sequences_is_shown_escaped(fake_adb_env: dict[str, str]) -> None:
    set_devices(Path(fake_adb_env["FAKE_ADB_DIR"]), [f"R58{OSC_TITLE}{CLEAR} unauthorized usb:1-1"])
    done = run_cli("scan", "--android", env=fake_adb_env)
    assert done.returncode == 2 and no_escapes(done.stderr) and no_escapes(done.stdout)
    assert "R58\\x1b]0;PWNED\\x07\\x1b[2J" in done.stderr


def test_a_stix2_pattern_key_with_escape_sequences_is_shown_escaped(tmp_path: Path) -> None:
    bundle = {"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "malware", "id": "malware--1", "name": "Evil", "is_family": True},
        {"type": "indicator", "id": "indicator--1", "pattern_type": "stix",
         "pattern": f"[evil{OSC_TITLE}{CLEAR}:value = 'x.example']"},
        {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates",
         "source_ref": "indicator--1", "target_ref": "malware--1"}]}
    feed = tmp_path / f"evil{OSC_TITLE}.stix2"
    feed.write_text(json.dumps(bundle))
    done = run_cli("feeds", "import", str(feed))
    assert no_escapes(done.stdout) and no_escapes(done.stderr), (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


def test_file_names_in_a_feeds_manifest_are_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    (folder / "manifest.sha256").write_text(f"{'0' * 64}  evil{OSC_TITLE}{CLEAR}.yaml\n", encoding="utf-8")
    done = run_cli("feeds", "update", "--from", str(folder))
    assert no_escapes(done.stdout) and no_escapes(done.stderr), (done.stdout, done.stderr)
    assert "evil\\x1b]0;PWNED\\x07\\x1b[2J.yaml" in done.stdout + done.stderr
    assert "0 feeds updated, 1 problem." in done.stdout


def test_profiles_validate_on_a_copy_of_a_bundled_profile(tmp_path: Path) -> None:
    for bundled in sorted(bundled_dir().glob("*.yaml")):
        copy = tmp_path / f"my-{bundled.name}"
        shutil.copy(bundled, copy)
        done = run_cli("profiles", "validate", str(copy))
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert done.stdout.startswith(f"{copy}: ok, profile "), done.stdout
