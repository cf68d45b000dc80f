"""Snapshot tests: every screen at 80x24 and 120x36 (SVGs in __snapshots__/; after an
intended change, review and run ``pytest tests/tui/test_snapshots.py --snapshot-update``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.tui import helpers
from tests.tui.scenes import SCENES, Scene, restore_environment


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    helpers.RELEASE.set()  # let a waiting fake check end
    restore_environment()


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_screen(scene: Scene, size: tuple[int, int], snap_compare: Callable[..., bool]) -> None:
    app: Any = scene.make()
    assert snap_compare(app, terminal_size=size, run_before=scene.run_before)
