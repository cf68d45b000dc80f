"""The fuzz suite's marker: ``pytest -m fuzz`` runs only it (see test_fuzz.py for the long run)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: hostile inputs through the real command line (tests/fuzz)")
