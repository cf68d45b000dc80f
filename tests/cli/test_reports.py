"""Report files from the command line: checked before any work, '-' for standard output,
written whole, never clobbered, and said where they went (issue 11, issue 17.12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from exposure.errors import UserError
from exposure.files import check_targets, write_private
from tests.cli.helpers import one_line_error, run_cli
from tests.paths import REPO

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def bad_targets(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """A report path a person might mistype -> (the path, words the one line must hold)."""
    a_file = tmp_path / "text.txt"
    a_file.write_text("notes\n")
    return {
        "a folder": (str(tmp_path), "is a folder: give a file name"),
        "under /proc": ("/proc/x.html", "cannot write in folder /proc"),
        "under a file": (str(a_file / "report.html"), "text.txt is a file, not a folder"),
        "a missing folder": (str(tmp_path / "nowhere" / "r.html"), "does not exist"),
        "an existing file": (str(a_file), "already exists; choose another name or add --force"),
    }


@pytest.mark.parametrize("what", ["a folder", "under /proc", "under a file", "a missing folder", "an existing file"])
@pytest.mark.parametrize("flag", ["--html", "--md", "--json"])
def test_a_bad_report_path_stops_before_the_phone_is_read(what: str, flag: str, tmp_path: Path,
                                                          fake_adb_env: dict[str, str]) -> None:
    target, said = bad_targets(tmp_path)[what]
    done = run_cli("scan", "--android", flag, target, env=fake_adb_env)
    line = one_line_error(done)
    assert said in line, line
    # Checked before any work: adb was never even asked for the list of phones.
    assert not Path(fake_adb_env["FAKE_ADB_LOG"]).exists()


@pytest.mark.skipif(ROOT, reason="root may write in a read-only folder")
def test_a_read_only_folder_is_said_in_one_line(tmp_path: Path, demo_capture: str) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = one_line_error(run_cli("scan", "--pcap", demo_capture, "--html", str(folder / "r.html")))
    finally:
        folder.chmod(0o700)
    assert "cannot write in folder" in line and "choose another place" in line


def test_report_path_errors_in_chinese(tmp_path: Path, demo_capture: str) -> None:
    line = one_line_error(run_cli("scan", "--pcap", demo_capture, "--html", str(tmp_path), "--lang", "zh"))
    assert "是一个文件夹：请给出文件名" in line, line


@pytest.mark.parametrize(("flag", "start"), [("--json", '{\n  "schema": "exposure.report/1"'),
                                             ("--md", "# Surveillance check report"),
                                             ("--html", "<!DOCTYPE html>")])
def test_dash_is_standard_output_for_every_format(flag: str, start: str, tmp_path: Path, demo_capture: str) -> None:
    done = run_cli("scan", "--pcap", demo_capture, flag, "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(start), done.stdout[:200]
    assert "SpyLive360" in done.stdout
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    assert "We found" in done.stderr  # the summary stays out of the report's way


def test_report_command_writes_to_standard_output(tmp_path: Path, demo_capture: str) -> None:
    saved = tmp_path / "r.json"
    assert run_cli("scan", "--pcap", demo_capture, "--json", str(saved), "--quiet").returncode == 0
    done = run_cli("report", str(saved), "--md", "-", "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("# 监控软件检查报告"), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_only_one_report_on_standard_output(demo_capture: str) -> None:
    line = one_line_error(run_cli("scan", "--pcap", demo_capture, "--json", "-", "--md", "-"))
    assert "only one report can go to standard output" in line


def test_the_cli_says_where_each_report_was_written(tmp_path: Path, demo_capture: str) -> None:
    done = run_cli("scan", "--pcap", demo_capture, "--html", "r.html", "--json", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("r.html", "r.json"):
        assert f"Report written to {tmp_path / name}." in done.stdout
    assert "Write a report (--html FILE)" not in done.stdout
    bare = run_cli("scan", "--pcap", demo_capture, cwd=tmp_path)
    assert "Write a report (--html FILE)" in bare.stdout  # nothing written: say how


def test_two_writers_racing_never_both_write(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def writer(n: int) -> None:
        start.wait()
        try:
            write_private(target, f"writer {n}\n".encode() * 50_000)
        except UserError as exc:
            outcomes.append("refused" if "already exists" in str(exc) else str(exc))
        else:
            outcomes.append("wrote")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["wrote"]
    lines = set(target.read_text().splitlines())
    assert len(lines) == 1  # one writer's whole report, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == 0o600


def test_without_hard_links_the_name_is_still_taken_exclusively(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # a FAT-formatted USB stick

    monkeypatch.setattr(os, "link", no_links)  # what exposure.files calls
    target = tmp_path / "r.md"
    write_private(target, b"first\n")
    with pytest.raises(UserError, match="already exists"):
        write_private(target, b"second\n")
    assert target.read_bytes() == b"first\n" and [p.name for p in tmp_path.iterdir()] == ["r.md"]
    write_private(target, b"third\n", force=True)
    assert target.read_bytes() == b"third\n"


def test_sigterm_while_writing_leaves_no_hidden_temporary_file(tmp_path: Path) -> None:
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from exposure.cli import _terminate_cleanly\n"
        "from exposure import files\n"
        "def slow(fd):\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "files.os.fsync = slow\n"
        "with _terminate_cleanly():\n"
        "    files.write_private(Path(sys.argv[1]), b'x' * 1_000_000)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "r.html")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        assert next(p.name for p in tmp_path.iterdir()).startswith(".r.html.")  # the temporary file
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    finally:
        child.kill()
    assert list(tmp_path.iterdir()) == []


def test_check_targets_refuses_one_file_for_two_reports(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="given for two reports"):
        check_targets((str(tmp_path / "r"), str(tmp_path / "." / "r")))


def test_the_json_on_standard_output_is_the_report(demo_capture: str) -> None:
    done = run_cli("scan", "--pcap", demo_capture, "--json", "-", "--quiet")
    report = json.loads(done.stdout)
    assert report["sources"][0]["kind"] == "pcap" and report["findings"]
