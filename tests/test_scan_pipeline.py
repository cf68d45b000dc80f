"""The pipeline keeps going when one source cannot be read, and says why; a warning said many
times is one line with its count."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect import COLLECTORS
from exposure.collect.base import CollectContext
from exposure.demo import demo_sources
from exposure.model import CheckNote, Observation, SourceInfo, SourceSpec
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.markdown import render_markdown
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


class _RepeatingCollector:
    """Warns the same things again and again, as a damaged capture does packet after packet."""

    def __init__(self, spec: SourceSpec) -> None:
        self.info = SourceInfo(kind="repeat", name="repeating source")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        self.info.counts["packets"] = 9  # it did read something (a source that read nothing is "not checked")
        for _ in range(5):
            ctx.warn("a packet could not be decoded (bad header)")
        ctx.warn("the capture ends early")
        for _ in range(3):
            ctx.warn(CheckNote.of("warn.pcap.damaged", "the capture file is damaged (cut)", reason="cut"))
        ctx.warn(CheckNote.of("warn.pcap.damaged", "the capture file is damaged (other)", reason="other"))
        yield from ()


def make_repeating(spec: SourceSpec) -> _RepeatingCollector:
    return _RepeatingCollector(spec)


def test_a_repeated_warning_is_one_line_with_its_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COLLECTORS, "repeat", "tests.test_scan_pipeline:make_repeating")
    result = run_scan(ScanRequest(sources=(SourceSpec("repeat"),), use_feeds=False))
    assert [(w.source, w.message, w.count) for w in result.warnings if w.source == "repeating source"] == [
        ("repeating source", "a packet could not be decoded (bad header)", 5),
        ("repeating source", "the capture ends early", 1),
        ("repeating source", "the capture file is damaged (cut)", 3),
        ("repeating source", "the capture file is damaged (other)", 1),
    ]
    report = from_result(result)
    assert [w.count for w in report.warnings if w.source == "repeating source"] == [5, 1, 3, 1]
    for page in (render_html(report, "en"), render_markdown(report, "en")):
        assert page.count("(×5)") == 1 and page.count("(×3)") == 1 and "(×1)" not in page
