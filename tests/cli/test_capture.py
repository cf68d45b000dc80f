"""``exposure capture`` is a source like any other: it goes through run_scan, shows each new
name as it comes, and marks at once a name a profile lists (issue 12.8, issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import exposure.collect.live as live_capture
import exposure.scan
from exposure.cli import main
from exposure.scan import ScanHooks, ScanRequest, ScanResult
from tests.tui.test_live import KNOWN, QuietSocket, dns_frame


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[ScanRequest]:
    seen: list[ScanRequest] = []
    real = exposure.scan.run_scan

    def recording(request: ScanRequest, hooks: ScanHooks | None = None, catalog: object = None) -> ScanResult:
        seen.append(request)
        return real(request, hooks)

    monkeypatch.setattr(exposure.scan, "run_scan", recording)
    return seen


def test_capture_goes_through_the_pipeline_and_marks_a_known_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        requests: list[ScanRequest]) -> None:
    frames = [dns_frame("example.org"), dns_frame(KNOWN)]
    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket(frames))
    out = tmp_path / "watch.pcap"
    report = tmp_path / "r.json"
    code = main(["capture", "--iface", "fake0", "--duration", "1.5", "--out", str(out), "--json", str(report)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [request] = requests
    assert [(s.kind, s.target) for s in request.sources] == [("live", "fake0")]
    lines = captured.err.splitlines()
    assert lines[0].startswith(f"Recording on fake0 into {out}")
    [ordinary] = [line for line in lines if "example.org" in line]
    assert ordinary.split() == ["dns", "example.org"]
    [marked] = [line for line in lines if KNOWN in line]
    assert marked.split()[:2] == ["dns", KNOWN] and "<- known: SpyLive360 (its server)" in marked
    assert any(line.startswith("Recording done: 2 packets") for line in lines)
    assert f"Report written to {report}." in captured.out
    data = json.loads(report.read_text())
    [source] = data["sources"]
    assert (source["kind"], source["name"], source["details"]["interface"]) == ("pcap", str(out), "fake0")
    assert any(f["threat"] == "spylive360" for f in data["findings"])


def test_a_watch_that_saw_nothing_is_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket([]))
    out = tmp_path / "quiet.pcap"
    assert main(["capture", "--iface", "fake0", "--duration", "0.5", "--out", str(out), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("exposure: 在 fake0 上没有看到任何流量")
    assert out.exists()  # what was recorded (nothing) is still kept where it was asked


def test_a_capture_that_is_checked_leaves_no_recording_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        working_folders: tuple[Path, Path]) -> None:
    """Review r3 trainer #10: over a workshop, recordings piled up in whatever folder the trainer
    was in. Without --out the recording goes to a private temporary file, deleted once checked."""
    frames = [dns_frame("example.org"), dns_frame(KNOWN)]
    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket(frames))
    here, scratch = working_folders
    report = tmp_path / "r.json"
    assert main(["capture", "--iface", "fake0", "--duration", "1.5", "--json", str(report)]) == 0
    err = capsys.readouterr().err
    assert "private temporary file that is deleted once it is checked" in err and "kept in" not in err
    assert any(line.startswith("Recording done: 2 packets") for line in err.splitlines())
    assert list(here.iterdir()) == [] and list(scratch.iterdir()) == []
    data = json.loads(report.read_text())
    [source] = data["sources"]
    assert (source["kind"], source["name"]) == ("live", "fake0")
    assert any(f["threat"] == "spylive360" for f in data["findings"])


def test_keep_is_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket([dns_frame("example.org")]))
    kept = tmp_path / "amina.pcap"
    assert main(["capture", "--iface", "fake0", "--duration", "1", "--keep", str(kept), "--quiet"]) == 0
    assert os.stat(kept).st_mode & 0o777 == 0o600


def test_only_recording_keeps_the_capture_here_and_says_where(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    monkeypatch.setattr(live_capture, "open_socket", lambda iface: QuietSocket([dns_frame("example.org")]))
    monkeypatch.chdir(tmp_path)
    assert main(["capture", "--iface", "fake0", "--duration", "1", "--no-analysis"]) == 0
    [kept] = list(tmp_path.glob("capture-*.pcap"))
    assert os.stat(kept).st_mode & 0o777 == 0o600
    assert f"The capture is kept in {kept.resolve()} (readable only by you)" in capsys.readouterr().err
