"""The app's own texts (``strings.yaml``), looked up by key and language."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from exposure.explain.i18n import load_texts
from exposure.model import LocalText


@cache
def texts() -> dict[str, LocalText]:
    return load_texts(Path(str(resources.files("exposure.tui").joinpath("strings.yaml"))))


def tr(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), with ``{params}`` filled in.

    The result is plain text: callers show it through ``rich.text.Text`` or ``Content``,
    so a value such as ``[bold]x[/]`` from scanned data stays literal.
    """
    found = texts().get(key)
    text = found.get(lang) if found else key
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in texts()
