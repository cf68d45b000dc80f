"""The keys the footer shows are the keys that work: a letter shown as "S" works typed as S
(Shift or Caps Lock) as well as s. The reviewer found "S Save report" in the footer while only
a lower-case s saved."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

import exposure.tui.screens
from exposure.tui.app import ExposureApp
from exposure.tui.screens.export import ExportScreen
from exposure.tui.screens.source import SourceScreen
from tests.tui.helpers import wait_for
from tests.tui.test_flow import to_results


def _screens() -> list[type[Screen[Any]]]:
    found: list[type[Screen[Any]]] = []
    for module in pkgutil.iter_modules(exposure.tui.screens.__path__):
        loaded = importlib.import_module(f"exposure.tui.screens.{module.name}")
        found += [value for value in vars(loaded).values()
                  if isinstance(value, type) and issubclass(value, Screen) and value.__module__ == loaded.__name__]
    return found


def test_every_letter_the_footer_shows_works_in_both_cases() -> None:
    letters = 0
    owners: list[type[Screen[Any]] | type[ExposureApp]] = [*_screens(), ExposureApp]
    for screen in owners:
        declared = [b for b in screen.BINDINGS if isinstance(b, Binding)]
        for binding in Binding.make_bindings(declared):
            shown = binding.key_display or ""
            if not (binding.show and len(shown) == 1 and shown.isalpha()):
                continue
            letters += 1
            keys = {b.key for b in Binding.make_bindings(declared) if b.action == binding.action}
            assert {shown.lower(), shown.upper()} <= keys, (screen.__name__, binding.action, keys)
    assert letters >= 5  # S and N on the results, R on the phone screens, A on the profiles


@pytest.mark.parametrize("key", ["s", "S"])
async def test_the_shown_save_key_saves_in_either_case(key: str) -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_results(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))


async def test_a_capital_n_starts_a_new_check() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_results(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
