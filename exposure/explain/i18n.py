"""Languages and user-facing texts.

Texts live in YAML files as ``key: {en: "...", zh: "..."}`` (read from their precompiled
form, ``exposure.explain.tables``); a missing translation falls back to English. The
language comes from ``--lang``, else from the system locale.
"""

from __future__ import annotations

import locale
import os
from functools import cache
from pathlib import Path
from typing import Any

from exposure.explain.tables import read_yaml, table
from exposure.model import LocalText

DEFAULT_LANGUAGE = "en"


@cache
def languages() -> dict[str, str]:
    """Language code -> its own name, e.g. {"en": "English", "zh": "中文"}."""
    data = table("languages.yaml")
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def system_language() -> str:
    """The first supported language in LANGUAGE/LC_ALL/LC_MESSAGES/LANG, else English."""
    candidates: list[str] = []
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        candidates += [part for part in value.split(":") if part]
    try:
        found = locale.getlocale()[0]
    except ValueError:
        found = None
    if found:
        candidates.append(found)
    for candidate in candidates:
        code = candidate.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in languages():
            return code
    return DEFAULT_LANGUAGE


def resolve_language(requested: str | None) -> str:
    """``requested`` if supported, else the system language."""
    if requested and requested in languages():
        return requested
    return system_language()


def local_text(value: Any) -> LocalText:
    """A LocalText from a YAML mapping {lang: text} (or a plain string, taken as English)."""
    if isinstance(value, LocalText):
        return value
    if isinstance(value, str):
        return LocalText((("en", value),))
    if isinstance(value, dict):
        return LocalText(tuple((str(k), str(v)) for k, v in value.items() if v is not None))
    raise TypeError(f"not a text: {value!r}")


def load_texts(path: Path | str) -> dict[str, LocalText]:
    """A text file ``key: {lang: text}`` as a dict of LocalText."""
    data = _load_yaml(Path(path).read_text("utf-8"))
    return {str(key): local_text(value) for key, value in data.items()}


def _load_yaml(text: str) -> dict[Any, Any]:
    data = read_yaml(text)
    return data if isinstance(data, dict) else {}


def bundled_table(name: str) -> dict[Any, Any]:
    """A bundled text table (``texts.yaml``, ``rules/host.yaml``) as a mapping ({} if it is not one)."""
    data = table(name)
    return data if isinstance(data, dict) else {}
