"""Shared test fixtures: a private data folder for every test, and the log CI reads.

Where test data lives and how a test says it needs ../shared: tests/paths.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.paths import NO_SHARED


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data folder: no test sees the developer's feeds."""
    path = tmp_path_factory.mktemp("exposure-data")
    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(path))
    # the catalog kept between runs cannot see a test's replaced functions (tests/indicators/test_catalog_cache.py)
    monkeypatch.setattr("exposure.indicators.catalog_cache.ENABLED", False)
    return path


@pytest.fixture
def working_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty current folder and an empty temporary folder (``tempfile``'s), for tests that
    check a command leaves nothing behind in either."""
    import tempfile

    here, scratch = tmp_path / "workshop", tmp_path / "tmp"
    here.mkdir()
    scratch.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return here, scratch


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With EXPOSURE_TEST_LOG set, note each test that passed and each that was skipped for
    want of ../shared: .ci/run counts the first on a fresh clone and runs the second with it."""
    log = os.environ.get("EXPOSURE_TEST_LOG")
    if not log:
        return
    if report.passed and report.when == "call":
        outcome = "passed"
    elif report.skipped and NO_SHARED in str(report.longrepr):
        outcome = "needs-shared"
    else:
        return
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"{outcome} {report.nodeid}\n")
