"""A saved report given to ``exposure report`` is untrusted (issue 17.7): numbers of
thousands of digits, JSON nested without end, a named pipe or a device in its place.
Each is one plain line and exit 2, fast, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.report.document import from_result
from exposure.report.json_report import dumps
from exposure.scan import ScanRequest, SourceSpec, run_scan

DEMO_PHONE = Path(__file__).resolve().parents[2] / "exposure" / "demo" / "data" / "demo-phone"


@pytest.fixture(scope="module")
def saved() -> str:
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(DEMO_PHONE)),),
                                  profiles=("stalkerware",), use_feeds=False))
    assert result.findings
    return dumps(from_result(result))


def render(capsys: pytest.CaptureFixture[str], path: Path, out: Path) -> tuple[int, str]:
    code = main(["report", str(path), "--html", str(out / "r.html"), "--md", str(out / "r.md"), "--force"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


def test_a_count_of_five_thousand_digits_is_a_damaged_report(
        saved: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(saved)
    data["summary"]["findings"] = 0
    text = json.dumps(data).replace('"findings": 0', '"findings": ' + "9" * 5000, 1)
    (tmp_path / "r.json").write_text(text)
    code, err = render(capsys, tmp_path / "r.json", tmp_path)
    assert code == 2
    assert err == f"exposure: {tmp_path / 'r.json'}: damaged or altered report ($.summary.findings: expected integer)\n"


def test_a_huge_number_where_any_value_may_stand_is_shown_as_it_is(
        saved: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(saved)
    data["findings"][0]["evidence"][0]["facts"]["odd"] = "PLACEHOLDER"
    (tmp_path / "r.json").write_text(json.dumps(data).replace('"PLACEHOLDER"', "7" * 5000))
    code, err = render(capsys, tmp_path / "r.json", tmp_path)
    assert (code, err) == (0, "")
    assert (tmp_path / "r.html").exists() and (tmp_path / "r.md").exists()


@pytest.mark.parametrize("text", ["[" * 100_000, '{"schema": ' + "[" * 70 + "]" * 70 + "}"])
def test_json_nested_without_end_is_one_line(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.json").write_text(text)
    code, err = render(capsys, tmp_path / "r.json", tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"exposure: {tmp_path / 'r.json'}: not a JSON report written by exposure (")


@pytest.mark.timeout(30)
def test_a_named_pipe_or_a_device_is_never_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "r.json")
    code, err = render(capsys, tmp_path / "r.json", tmp_path)
    assert (code, err) == (2, f"exposure: {tmp_path / 'r.json'}: a named pipe (FIFO), not a report; not opened\n")
    code, err = render(capsys, Path("/dev/zero"), tmp_path)
    assert (code, err) == (2, "exposure: /dev/zero: a device, not a report; not opened\n")
