"""The report's and the terminal's own words: ``texts.yaml``, looked up by key and language.

``t`` gives a text, ``tf`` fills its placeholders (``exposure.explain.lines.fill``), ``known``
says whether a key exists (for keys built from data: a kind of source, a severity), and
``join`` lists lines with the language's own "," and "and".
"""

from __future__ import annotations

from functools import cache

from exposure.explain.i18n import DEFAULT_LANGUAGE, bundled_table, local_text
from exposure.explain.lines import Line, fill, joined, words
from exposure.model import LocalText


@cache
def ui_texts() -> dict[str, LocalText]:
    """texts.yaml: the report and terminal strings."""
    data = bundled_table("texts.yaml")
    return {str(key): local_text(val) for key, val in data.items()}


def known(key: str) -> bool:
    return key in ui_texts()


def t(key: str, lang: str) -> str:
    """The report string ``key`` in ``lang`` (English when missing there)."""
    text = ui_texts().get(key)
    if text is None:
        raise KeyError(f"no text {key!r} in texts.yaml")
    return text.get(lang, DEFAULT_LANGUAGE)


def tf(key: str, lang: str, /, **params: str | Line) -> Line:
    """The report string ``key`` in ``lang`` with its placeholders filled."""
    return fill(t(key, lang), params)


def t_or(key: str, lang: str, default: str) -> str:
    """``t(key, lang)`` when the key exists, else ``default`` (for keys built from data)."""
    return t(key, lang) if key in ui_texts() else default


def join(lines: list[Line], lang: str, and_key: str = "list.and") -> Line:
    """``a, b and c`` in ``lang`` (``and_key``: the text for "and", for a list that needs
    its own: counts are listed without 和 in Chinese)."""
    if len(lines) < 2:
        return lines[0] if lines else ()
    return joined(lines, words(t("list.comma", lang)), words(t(and_key, lang)))
