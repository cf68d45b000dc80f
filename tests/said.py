"""What a collector or detector warned, as the English line a report keeps in ``message``."""

from __future__ import annotations

from collections.abc import Callable

from exposure.model import CheckNote


def english(said: str | CheckNote) -> str:
    return said if isinstance(said, str) else said.text


def keep_english(into: list[str]) -> Callable[[str | CheckNote], None]:
    """A ``warn`` callback that keeps the English line of each warning in ``into``."""
    return lambda said: into.append(english(said))
