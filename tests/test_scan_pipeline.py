"""The pipeline keeps going when one source cannot be read, and says why."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.demo import demo_sources
from exposure.model import SourceSpec
from exposure.scan import ScanRequest, run_scan


@pytest.fixture
def no_phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An adb on PATH that sees no phone."""
    adb = tmp_path / "bin" / "adb"
    adb.parent.mkdir()
    adb.write_text("#!/bin/sh\n[ \"$1\" = devices ] && printf 'List of devices attached\\n\\n'\nexit 0\n")
    adb.chmod(0o755)
    monkeypatch.setenv("PATH", f"{adb.parent}{os.pathsep}{os.environ['PATH']}")


def test_an_unreadable_source_is_a_warning_and_the_others_still_run(no_phone: None) -> None:
    capture = next(s for s in demo_sources() if s.kind == "pcap")
    result = run_scan(ScanRequest(sources=(SourceSpec("android"), capture), use_feeds=False))
    assert len(result.unreadable) == 1 and "no Android phone" in result.unreadable[0]
    assert any("no Android phone" in w.message for w in result.warnings)
    assert any(f.threat == "spylive360" for f in result.findings)  # the capture was still checked


def test_cli_reports_and_exits_2_when_a_source_was_not_checked(no_phone: None, tmp_path: Path) -> None:
    capture = next(s for s in demo_sources() if s.kind == "pcap")
    out = tmp_path / "r.json"
    # The capture is checked and reported; the exit code still says that the phone was not.
    assert main(["scan", "--android", "--pcap", capture.target, "--no-feeds", "--quiet", "--json", str(out)]) == 2
    report = json.loads(out.read_text())
    assert any("no Android phone" in w["message"] for w in report["warnings"])
    (phone,) = [s for s in report["sources"] if s["kind"] == "android"]
    assert "no Android phone" in phone["unread"]["text"]


def test_cli_exits_2_with_one_line_when_nothing_could_be_read(no_phone: None,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--android", "--no-feeds"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("exposure: no Android phone") and "\n" not in err
