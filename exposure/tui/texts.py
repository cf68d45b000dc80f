"""The app's own texts (``strings.yaml``), looked up by key and language."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from exposure.explain.i18n import load_texts
from exposure.explain.lines import fill_plain
from exposure.model import LocalText


@cache
def texts() -> dict[str, LocalText]:
    return load_texts(Path(str(resources.files("exposure.tui").joinpath("strings.yaml"))))


def tr(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), with ``{params}`` filled in.

    The result is plain text: callers show it through ``rich.text.Text`` or ``Content``,
    so a value such as ``[bold]x[/]`` from scanned data stays literal. Filled by the one
    fill function (``exposure.explain.lines``), as the reports are.
    """
    found = texts().get(key)
    return fill_plain(found.get(lang) if found else key, params)


def has(key: str) -> bool:
    return key in texts()
