"""Shared test fixtures: where the read-only ../shared material is, and a private data folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data folder: no test sees the developer's feeds."""
    path = tmp_path_factory.mktemp("exposure-data")
    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(path))
    return path
