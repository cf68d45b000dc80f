"""Many captures in one command (issue 16 item 4): a folder or several files, checked in a
pool of processes, each on its own, in one report with a section per file."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from exposure import pool as pool_module
from exposure import scan as scan_module
from exposure.cli import main
from exposure.demo import practice_capture
from exposure.model import SourceSpec
from exposure.pool import Channel, Failed, PoolProgress, Stopped, run_pool
from exposure.scan import AloneTask, CheckedAlone, ScanHooks, ScanRequest, run_scan
from tests.paths import DATA

DEMO = Path(practice_capture().target)  # 20 packets, one contact with a SpyLive360 server
# Real captures without a finding, beside copies of the demo's.
QUIET = ("nbns-llmnr.pcap", "pppoe-session.pcap", "dns-cut-short.pcap", "http-split.pcap")


def ten_captures(folder: Path) -> list[str]:
    """Ten captures in ``folder``: six copies of the demo capture, four others; their names
    in the order a folder is read (sorted)."""
    folder.mkdir()
    for i in range(6):
        shutil.copy(DEMO, folder / f"phone-{i}.pcap")
    for name in QUIET:
        shutil.copy(DATA / "network" / name, folder / name)
    (folder / "notes.txt").write_text("not a capture: left out of the folder's captures\n")
    (folder / "sub").mkdir()
    shutil.copy(DEMO, folder / "sub" / "deeper.pcap")  # subfolders are not read
    return sorted(p.name for p in folder.glob("*.pcap"))


def scan_json(args: list[str], out: Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--no-feeds", "--quiet", "--json", str(out), "--force"])
    return code, json.loads(out.read_text("utf-8"))


def test_a_folder_of_ten_captures_is_one_report_with_a_section_per_file(tmp_path: Path) -> None:
    names = ten_captures(tmp_path / "captures")
    reports = tmp_path / "reports"
    reports.mkdir()
    md, html, js = reports / "r.md", reports / "r.html", reports / "r.json"
    assert main(["scan", "--pcap", str(tmp_path / "captures"), "--no-feeds", "--quiet", "--json", str(js),
                 "--md", str(md), "--html", str(html)]) == 0
    report = json.loads(js.read_text("utf-8"))
    assert [Path(s["name"]).name for s in report["sources"]] == names
    assert all(s["unread"] is None and s["counts"]["packets"] > 0 for s in report["sources"])
    findings = report["findings"]
    spylive = [f for f in findings if f["threat"] == "spylive360"]
    assert len(spylive) == 6  # one per capture that holds the contact, never merged across files
    for source in report["sources"]:
        rests = [findings[i] for i in source["findings"]]
        # every finding a file gives names that file in its evidence, and no other file
        assert all({e["source"] for e in f["evidence"]} == {source["name"]} for f in rests)
        assert (Path(source["name"]).name.startswith("phone-")) == any(f["threat"] == "spylive360" for f in rests)
    text = md.read_text("utf-8")
    section = text.split("## Source by source", 1)[1].split("\n## ", 1)[0]
    assert section.count("\n### ") == 10
    for name in names:
        assert f"### the network capture `{name}`" in section
    assert section.count("Contact with a SpyLive360 server") == 6
    assert section.count("Nothing was found in it. That does not prove") == 4
    page = html.read_text("utf-8")
    assert page.count('<article class="source checked">') == 10


def test_several_files_and_folders_in_the_order_given(tmp_path: Path) -> None:
    ten_captures(tmp_path / "captures")
    first = tmp_path / "first.pcap"
    shutil.copy(DEMO, first)
    code, report = scan_json(["--pcap", str(first), str(tmp_path / "captures" / "nbns-llmnr.pcap"),
                              "--pcap", str(tmp_path / "captures")], tmp_path / "r.json")
    assert code == 0
    named = [Path(s["name"]).name for s in report["sources"]]
    # the folder's nbns-llmnr.pcap was already given: checked once, where it was first named
    assert named[:2] == ["first.pcap", "nbns-llmnr.pcap"] and len(named) == 11 and named.count("nbns-llmnr.pcap") == 1


def test_a_damaged_file_among_good_ones_is_not_checked_said_first_and_the_others_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "captures"
    ten_captures(folder)
    (folder / "b-junk.pcap").write_bytes(b"this is not a capture at all" * 10)
    (folder / "c-empty.pcapng").write_bytes(b"")
    cut = DEMO.read_bytes()
    (folder / "d-cut.pcap.gz").write_bytes(b"\x1f\x8b\x08\x00" + cut[:50])  # a gzip file cut short
    code = main(["scan", "--pcap", str(folder), "--no-feeds", "--json", str(tmp_path / "r.json")])
    assert code == 2  # a capture could not be checked
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    unread = {Path(s["name"]).name: s["unread"] for s in report["sources"] if s["unread"]}
    assert sorted(unread) == ["b-junk.pcap", "c-empty.pcapng", "d-cut.pcap.gz"]
    assert unread["b-junk.pcap"]["key"] == "error.pcap.not-a-capture"
    assert len([s for s in report["sources"] if not s["unread"]]) == 10
    assert len([f for f in report["findings"] if f["threat"] == "spylive360"]) == 6
    out = capsys.readouterr().out
    # what was not checked comes first, before what was found
    assert out.index("Not checked: the network capture b-junk.pcap") < out.index("We found")
    assert "- the network capture c-empty.pcapng: Not checked:" in out


def test_an_empty_folder_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "readme.txt").write_text("no captures here")
    assert main(["scan", "--pcap", str(folder), "--no-feeds"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"exposure: {folder}: no capture files in this folder (names ending in .pcap, " \
        ".pcapng, .cap, or that and .gz)"
    assert main(["scan", "--pcap", str(folder), "--no-feeds", "--lang", "zh"]) == 2
    assert "这个文件夹里没有抓包文件" in capsys.readouterr().err


def test_two_runs_give_the_same_report_apart_from_the_times(tmp_path: Path) -> None:
    ten_captures(tmp_path / "captures")

    def timeless(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items() if k not in ("started", "finished")}
        if isinstance(value, list):
            return [timeless(v) for v in value]
        return value

    runs = [scan_json(["--pcap", str(tmp_path / "captures")], tmp_path / f"r{i}.json")[1] for i in range(2)]
    assert timeless(runs[0]) == timeless(runs[1])
    # and checked one after another in this process, the report is the same again
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pool_module, "usable_cores", lambda: 1)
        alone = scan_json(["--pcap", str(tmp_path / "captures")], tmp_path / "r-one.json")[1]
    assert timeless(alone) == timeless(runs[0])


# -- the pool's processes ------------------------------------------------------------------

_PAIRS: Any = None  # a barrier for two: a task waits there until a task in another process comes
_CHECK_ALONE = scan_module.check_alone


def _in_pairs(task: AloneTask, channel: Channel) -> CheckedAlone:
    _PAIRS.wait(timeout=60)  # a process waiting here cannot take the next task: another must
    return _CHECK_ALONE(task, channel)


def test_the_captures_are_checked_in_more_than_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    global _PAIRS
    fork = multiprocessing.get_context("fork")
    _PAIRS = fork.Barrier(2)
    monkeypatch.setattr(pool_module, "_context", lambda: fork)
    monkeypatch.setattr(pool_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(scan_module, "check_alone", _in_pairs)
    names = ten_captures(tmp_path / "captures")
    specs = tuple(SourceSpec("pcap", str(tmp_path / "captures" / name)) for name in names)
    result = run_scan(ScanRequest(sources=specs, use_feeds=False))
    assert [s.name for s in result.sources] == [s.target for s in specs]
    assert [s.unread for s in result.sources if s.unread] == []
    processes = set(result.processes.values())
    assert len(processes) == 2 and os.getpid() not in processes
    assert sorted(result.processes) == sorted(s.target for s in specs)
    assert multiprocessing.active_children() == []  # the pool's processes have ended


def test_a_fresh_process_builds_the_same_catalog_and_finds_the_same(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Where fork cannot be used (a process with threads), a fresh interpreter builds the
    catalog itself: the findings are the same."""
    specs = (SourceSpec("pcap", str(DEMO)), SourceSpec("pcap", str(DATA / "network" / QUIET[0])))
    forked = run_scan(ScanRequest(sources=specs, use_feeds=False))
    monkeypatch.setattr(pool_module, "_context", lambda: multiprocessing.get_context("spawn"))
    monkeypatch.setattr(pool_module, "usable_cores", lambda: 2)
    spawned = run_scan(ScanRequest(sources=specs, use_feeds=False))
    assert [(f.key, f.severity) for f in spawned.findings] == [(f.key, f.severity) for f in forked.findings]
    assert [f.threat for f in spawned.findings] == ["spylive360"]


def test_one_capture_is_read_here_as_before(tmp_path: Path) -> None:
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(DEMO)),), use_feeds=False))
    assert result.processes == {}  # no pool for one file
    assert [f.threat for f in result.findings] == ["spylive360"]


def _until_stopped(task: AloneTask, channel: Channel) -> CheckedAlone:
    channel.cancel.wait(timeout=60)  # running until the scan is stopped
    return _CHECK_ALONE(task, channel)


@pytest.mark.parametrize("workers", [1, 2])
def test_stopping_drops_the_captures_not_begun(workers: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ten_captures(tmp_path / "captures")
    monkeypatch.setattr(pool_module, "usable_cores", lambda: workers)
    if workers > 1:
        monkeypatch.setattr(pool_module, "_context", lambda: multiprocessing.get_context("fork"))
        monkeypatch.setattr(scan_module, "check_alone", _until_stopped)
    hooks = ScanHooks()

    def progress(update: Any) -> None:
        hooks.cancel.set()  # "stop" at the first word of progress

    hooks.progress = progress
    specs = tuple(SourceSpec("pcap", str(tmp_path / "captures" / name)) for name in names)
    result = run_scan(ScanRequest(sources=specs, use_feeds=False), hooks)
    # one file checked here before the first word; in the pool, the two running when it
    # was stopped finish (what they read is kept), the others never begin
    assert result.cancelled and len(result.sources) == workers
    assert [s.name for s in result.sources] == [s.target for s in specs[:len(result.sources)]]
    assert multiprocessing.active_children() == []


# -- the pool itself -----------------------------------------------------------------------


def _square_or_fail(item: int, channel: Channel) -> int:
    channel.progress(0.5, item)
    if item == 3:
        raise ValueError("a bad item")
    return item * item


def _interrupt_at_first(update: PoolProgress) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pool_keeps_the_order_and_a_failure_is_its_own(workers: int) -> None:
    said: list[PoolProgress] = []
    out = run_pool(_square_or_fail, list(range(6)), [10] * 6, workers=workers, progress=said.append,
                   cancel=threading.Event())
    assert out[:3] == [0, 1, 4] and out[4:] == [16, 25]
    assert isinstance(out[3], Failed) and str(out[3].error) == "a bad item"
    assert said[-1].done == 6 and said[-1].fraction == 1.0


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_the_pool_and_goes_on_up(workers: int) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_pool(_square_or_fail, list(range(6)), [10] * 6, workers=workers, progress=_interrupt_at_first,
                 cancel=threading.Event())
    assert multiprocessing.active_children() == []


def test_a_pool_stopped_before_it_began_runs_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    out = run_pool(_square_or_fail, [1, 2], [1, 1], workers=1, progress=lambda p: None, cancel=cancel)
    assert all(isinstance(o, Stopped) for o in out)


def test_the_progress_line_is_rewritten_in_place_and_ended_once() -> None:
    import io

    from exposure.collect.base import Progress
    from exposure.commands.scan import ProgressLine

    stream = io.StringIO()
    line = ProgressLine("en", stream)
    for done, fraction in ((0, 0.1), (1, 0.55), (2, 1.0)):
        line(Progress("captures", "reading captures", (("done", done), ("total", 2), ("packets", 9)), fraction))
    line(Progress("other.pcap", "reading capture", (("packets", 9),), 0.5))  # not the pool's: not shown
    line.end()
    assert stream.getvalue() == ("\rChecking 2 captures: 0 done, 10% read\rChecking 2 captures: 1 done, 55% read"
                                 "\rChecking 2 captures: 2 done, 100% read\n")
