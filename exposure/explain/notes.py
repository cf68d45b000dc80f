"""What collectors, detectors and errors said, in the person's language.

A note (:class:`~exposure.model.CheckNote`: what a collector looked at or could not), a
warning (:class:`~exposure.model.ScanWarning`) and a :class:`~exposure.errors.UserError`
each carry a text key, the params that fill it and their English words. The texts are
``checks.yaml`` (notes) and ``warnings.yaml`` / ``errors.yaml`` (warnings and errors; a
source that could not be read at all is a warning whose key is an error's). A key without
a text in the language falls back to English, then to the English words the source gave,
then to the key itself, so a report from a newer version still reads. A param that holds
our own English words (why packets could not be decoded, what a phone was asked) is shown in
the language too (``exposure.explain.reasons``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from exposure.explain.i18n import DEFAULT_LANGUAGE, bundled_table, local_text
from exposure.explain.lines import Line, fill, value, words
from exposure.model import CheckNote, LocalText, ScanWarning


def _table(name: str) -> dict[str, LocalText]:
    return {str(key): local_text(val) for key, val in bundled_table(name).items()}


@cache
def check_texts() -> dict[str, LocalText]:
    """checks.yaml: what a collector looked at or could not, by the key of its note."""
    return _table("checks.yaml")


@cache
def warning_texts() -> dict[str, LocalText]:
    """warnings.yaml: what could not be read or decoded, by the key of a warning."""
    return _table("warnings.yaml")


@cache
def error_texts() -> dict[str, LocalText]:
    """errors.yaml: why something could not be done or read at all, by the key of a UserError."""
    return _table("errors.yaml")


@cache
def _said_texts() -> dict[str, LocalText]:
    return {**warning_texts(), **error_texts()}


def check_line(note: CheckNote, lang: str) -> Line:
    """A collector's note in ``lang``: the key's text in ``lang``, else in English, else the
    collector's own English ``text``, else the key. Params fill the placeholders; a number
    is plain words, anything else a value."""
    return _said(note.key, note.params, note.text, check_texts(), lang)


def warning_line(warning: ScanWarning, lang: str) -> Line:
    """A warning in ``lang``, as check_line does for notes; one without a key (or from a
    newer version) is its English ``message``."""
    if not warning.key:
        return words(warning.message)
    return _said(warning.key, warning.params, warning.message, _said_texts(), lang)


def reason_line(note: CheckNote | None, lang: str) -> Line:
    """Why a source was not read (its ``unread`` note) in ``lang``."""
    if note is None:
        return ()
    return warning_line(ScanWarning("", note.text, 1, note.key, note.params), lang)


def error_line(error: BaseException, lang: str) -> Line:
    """A :class:`~exposure.errors.UserError` (or any exception) in ``lang``: its key's text
    with its params, else its English message."""
    key = str(getattr(error, "key", "") or "")
    params = tuple(getattr(error, "params", ()) or ())
    return warning_line(ScanWarning("", str(error), 1, key, params), lang)


def _said(key: str, raw: tuple[tuple[str, str], ...], english: str, table: Mapping[str, LocalText],
          lang: str) -> Line:
    params = {str(name): _param(str(name), str(param), lang) for name, param in raw}
    found = table.get(key)
    if found is not None and found.get(lang, DEFAULT_LANGUAGE):
        return fill(found.get(lang, DEFAULT_LANGUAGE), params)
    if english:
        return words(english)  # the source's English (renderers escape every piece)
    return value(key)


def _param(name: str, text: str, lang: str) -> str | Line:
    """A param as it fills a text: our own words in ``lang`` (``exposure.explain.reasons``;
    English lines keep them as they were), a number as plain words, anything else a value."""
    if lang != DEFAULT_LANGUAGE:
        from exposure.explain.reasons import REASON_PARAMS, translated_reason  # (not loaded for English)

        ours = translated_reason(text, lang) if name in REASON_PARAMS else None
        if ours is not None:
            return ours
    return words(text) if text.isascii() and text.isdigit() else text
