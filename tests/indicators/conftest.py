"""Fixtures shared by the catalog tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.indicators.reading import forget


@pytest.fixture()
def fresh() -> Iterator[None]:
    """A process that has not read the precompiled file yet."""
    forget()
    yield None
    forget()
