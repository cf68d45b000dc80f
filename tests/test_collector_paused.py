"""The command line pauses the cycle collector while it starts and while it builds the
catalog, then freezes what it built (``cli.main``, ``catalog.build_catalog_to_keep``): the
same catalog and the same report, the collector on again afterwards, nothing left frozen
for a caller that goes on."""

from __future__ import annotations

import contextlib
import gc
import json
import os
from pathlib import Path

import pytest

from exposure import cli
from exposure.indicators.catalog import build_catalog, build_catalog_to_keep
from exposure.model import IndicatorType


def test_the_kept_catalog_is_the_catalog_and_the_collector_runs_again() -> None:
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    try:
        kept = build_catalog_to_keep()
        assert gc.isenabled() and gc.get_freeze_count() > frozen_before
    finally:
        gc.unfreeze()
    plain = build_catalog()
    assert [p.id for p in kept.profiles] == [p.id for p in plain.profiles] and kept.feeds == plain.feeds
    assert kept.index.counts() == plain.index.counts()
    for kind in (IndicatorType.DOMAIN, IndicatorType.PACKAGE, IndicatorType.FILE_SHA256):
        assert sorted(kept.index.values(kind)) == sorted(plain.index.values(kind))


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        build_catalog_to_keep()
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.parametrize("words", [["--version"], ["profiles", "--bogus"], ["scan", "--profile", "nonesuch",
                                                                          "--host", "--quiet"]])
def test_the_command_line_leaves_the_collector_on_and_nothing_frozen(
        words: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(os.environ, "EXPOSURE_DATA_DIR", str(tmp_path))
    with contextlib.suppress(SystemExit):  # an unknown option ends with the usage
        cli.main(words)
    capsys.readouterr()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_host_scan_from_the_command_line_still_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "EXPOSURE_DATA_DIR", str(tmp_path / "data"))
    report = tmp_path / "report.json"
    assert cli.main(["scan", "--host", "--quiet", "--json", str(report)]) in (0, 1, 2)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    said = json.loads(report.read_text("utf-8"))
    assert [s["kind"] for s in said["sources"]] == ["host"] and said["profiles"]


def _freeze_seen_by_the_scan(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import exposure.scan

    seen: list[int] = []
    real = exposure.scan.run_scan

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exposure.scan, "run_scan", watched)
    return seen


def test_main_called_with_words_freezes_nothing_so_a_caller_that_goes_on_keeps_collecting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # freezing and unfreezing in every call made the fuzz worker, which runs main once an
    # input, grow by ~4 MB an input (1.8 GB after 400 iPhone folders)
    monkeypatch.setitem(os.environ, "EXPOSURE_DATA_DIR", str(tmp_path / "data"))
    seen = _freeze_seen_by_the_scan(monkeypatch)
    for _ in range(2):
        assert cli.main(["scan", "--host", "--quiet", "--json", str(tmp_path / "r.json"), "--force"]) in (0, 1, 2)
    assert seen == [0, 0]
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_process_own_command_keeps_its_start_and_catalog_frozen_until_it_returns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "EXPOSURE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("sys.argv", ["exposure", "scan", "--host", "--quiet", "--json", str(tmp_path / "r.json")])
    seen = _freeze_seen_by_the_scan(monkeypatch)
    assert cli.main() in (0, 1, 2)
    assert len(seen) == 1 and seen[0] > 10_000  # the modules, the parser and the catalog
    assert gc.isenabled() and gc.get_freeze_count() == 0
