"""Our own words inside a warning, in the person's language.

A warning's text is translated by its key (``warnings.yaml``, ``errors.yaml``), but some of
its params are words our code wrote in English: why packets could not be decoded
("truncated packet"), which table was full ("flows (table full)"), what a phone was asked
("the list of installed apps"), why a command gave nothing ("no answer within 30 s").
Collectors know nothing of languages and the JSON report keeps those English words as data;
here, when a line is shown in another language, such a param is looked up by its English in
``reasons.yaml`` (and among the no-placeholder texts of ``checks.yaml``: a phone's ``what``
is the same words as its "checked" line) and shown in that language as our own words.

A reason with parts that vary ("unsupported link type 239", "dpkg could not run: <the
system's message>") is matched whole against the English template, each ``{placeholder}``
standing for one part; a part that is itself one of our reasons is translated in turn, a
number is plain words, anything else (a name read from a file, the system's message) stays
a value, shown as it is and never as markup. Text that is not one of ours, or too long to
be, is left exactly as it was. English lines are never changed.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache

from exposure.explain.i18n import DEFAULT_LANGUAGE, bundled_table, local_text
from exposure.explain.lines import Line, fill, words
from exposure.model import LocalText

# The params of warnings and errors that may hold our own words (others hold paths, names,
# counts): ``reason`` (captures), ``problem`` (why something could not be read), ``what``
# (what a phone or this computer was asked), ``kind`` (what a file was instead of a file).
REASON_PARAMS = frozenset({"reason", "problem", "what", "kind"})
MAX_REASON_CHARS = 400  # longer text is not one of our reasons (and is never matched)
NESTING = 2  # how deep a reason's parts are looked up in turn ("{what} (too many distinct names)")
_NUMBER = re.compile(r"\d[\d,.]*")


@dataclass(frozen=True, slots=True)
class _Template:
    pattern: re.Pattern[str]
    fields: tuple[str, ...]  # the placeholder of each group, in order
    texts: LocalText


def placeholders(text: str) -> tuple[str, ...]:
    """The ``{names}`` of a text, in order (none for a malformed text)."""
    try:
        return tuple(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError:
        return ()


@cache
def reason_texts() -> dict[str, LocalText]:
    """reasons.yaml: our fixed words inside warnings, by key."""
    return {str(key): local_text(val) for key, val in bundled_table("reasons.yaml").items()}


@cache
def _index() -> tuple[dict[str, LocalText], tuple[_Template, ...]]:
    """Our reasons by their English: whole texts, and templates with placeholders (the one
    with the most fixed words first, so "not valid JSON (line {line})" wins over "not valid
    JSON ({problem})")."""
    exact: dict[str, LocalText] = {}
    templates: list[tuple[int, _Template]] = []
    for value in bundled_table("checks.yaml").values():  # (notes.check_texts: notes imports this module)
        texts = local_text(value)
        english = texts.get(DEFAULT_LANGUAGE)
        if english and "{" not in english:
            exact.setdefault(english, texts)
    for texts in reason_texts().values():
        english = texts.get(DEFAULT_LANGUAGE)
        fields = placeholders(english)
        if not fields:
            exact[english] = texts
            continue
        pattern, fixed = _pattern(english)
        templates.append((fixed, _Template(pattern, fields, texts)))
    templates.sort(key=lambda item: -item[0])
    return exact, tuple(template for _, template in templates)


def _pattern(english: str) -> tuple[re.Pattern[str], int]:
    """A template's English as a pattern that matches it whole, and how many fixed characters it has."""
    parsed = list(string.Formatter().parse(english))
    parts: list[str] = []
    fixed = 0
    for index, (literal, name, _, _) in enumerate(parsed):
        parts.append(re.escape(literal))
        fixed += len(literal)
        if name is not None:  # a part at the very end takes the rest at once (no backtracking over it)
            parts.append(f"(?P<p{index}>.+{'' if index == len(parsed) - 1 else '?'})")
    return re.compile("".join(parts), re.DOTALL), fixed


def translated_reason(text: str, lang: str) -> Line | None:
    """``text``, a reason our code wrote in English, in ``lang``; None when ``lang`` is English
    or ``text`` is not one of ours (the caller then shows it as it is)."""
    if lang == DEFAULT_LANGUAGE:
        return None
    return _translated(text, lang, NESTING)


def _translated(text: str, lang: str, depth: int) -> Line | None:
    if not text or len(text) > MAX_REASON_CHARS:
        return None
    exact, templates = _index()
    found = exact.get(text)
    if found is not None:
        return words(found.get(lang, DEFAULT_LANGUAGE))
    for template in templates:
        match = template.pattern.fullmatch(text)
        if match is None:
            continue
        params = {name: _part(part, lang, depth) for name, part in zip(template.fields, match.groups(), strict=True)}
        return fill(template.texts.get(lang, DEFAULT_LANGUAGE), params)
    return None


def _part(text: str, lang: str, depth: int) -> str | Line:
    """A filled-in part of a reason: one of our reasons in turn, a number as words, else a value."""
    if depth > 0:
        inner = _translated(text, lang, depth - 1)
        if inner is not None:
            return inner
    return words(text) if _NUMBER.fullmatch(text) else text
