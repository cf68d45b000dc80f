"""The command line's own words (help, progress lines, messages of ``feeds``, ``capture``,
``profiles``) in the person's language, argparse's own words ("usage:", "options:") included.

Each text is said as ``say(key, english, **params)``: the English stays in the code, so an
English ``--help`` answers without reading any language table (tests/test_startup.py); in
another language the key's text in ``exposure/explain/commands.yaml`` is used (English when
it has none). tests/cli/test_command_words.py checks that every key said in the code has a
text there in every language, with the same placeholders, and that every text there is said.

The language is the last ``--lang`` on the command line (a command's own comes after the
global one), else the system's (``exposure.explain.i18n``); :func:`choose` sets it before the
parser is built, since the help is made then.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exposure.model import CheckNote, LocalText

ENGLISH = "en"
_NOT_A_LANGUAGE = frozenset({"", "c", "posix", ENGLISH})

# argparse's own words (its gettext message ids, CPython 3.11-3.13) and their keys.
ARGPARSE: dict[str, str] = {
    "usage: ": "argparse.usage",
    "options": "argparse.options",
    "positional arguments": "argparse.positional",
    "show this help message and exit": "argparse.help",
    "show program's version number and exit": "argparse.version",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "the following arguments are required: %s": "argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid-choice",
    "invalid %(type)s value: %(value)r": "argparse.invalid-value",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "expected one argument": "argparse.expected-one",
    "expected at least one argument": "argparse.expected-at-least-one",
    "expected at most one argument": "argparse.expected-at-most-one",
    "expected %s argument": "argparse.expected-n",
    "expected %s arguments": "argparse.expected-n",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "not allowed with argument %s": "argparse.not-allowed-with",
    "one of the arguments %s is required": "argparse.one-required",
    "ignored explicit argument %r": "argparse.ignored-explicit",
}


class _State:
    language = ENGLISH


def language() -> str:
    """The language the command line speaks in this run."""
    return _State.language


def choose(argv: Sequence[str]) -> str:
    """Set (and return) the command line's language from ``argv`` and the system's locale.
    English, given or the system's, is decided without reading the language tables."""
    given: str | None = None
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            given = argv[index + 1]
        elif word.startswith("--lang="):
            given = word.partition("=")[2]
    if given == ENGLISH or (given is None and not _system_may_not_be_english()):
        _State.language = ENGLISH
    else:
        from exposure.explain.i18n import resolve_language

        _State.language = resolve_language(given)
    return _State.language


def use(lang: str) -> None:
    """Speak ``lang`` from now on (a caller that knows it already: the app, a test)."""
    _State.language = lang


def _system_may_not_be_english() -> bool:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE"):
        for part in os.environ.get(name, "").split(":"):
            code = part.split(".")[0].split("_")[0].split("-")[0].lower()
            if code not in _NOT_A_LANGUAGE:
                return True
    return False


@cache
def command_texts() -> dict[str, LocalText]:
    """commands.yaml: the command line's texts in languages other than English."""
    from exposure.explain.i18n import bundled_table, local_text

    return {str(key): local_text(val) for key, val in bundled_table("commands.yaml").items()}


def _text(key: str, english: str, lang: str) -> str:
    if lang == ENGLISH:
        return english
    found = command_texts().get(key)
    return found.get(lang, ENGLISH) if found is not None and found.get(lang, "") else english


def say(key: str, english: str, /, **params: object) -> str:
    """The text ``key`` in this run's language (``english`` is its English), with its
    ``{placeholders}`` filled; the caller shows untrusted params escaped."""
    return say_in(language(), key, english, **params)


def say_in(lang: str, key: str, english: str, /, **params: object) -> str:
    """:func:`say` in ``lang``."""
    text = _text(key, english, lang)
    if not params:
        return text
    if lang == ENGLISH:
        return text.format_map({name: str(param) for name, param in params.items()})
    from exposure.explain.lines import fill_plain

    return fill_plain(text, params)


def count(key: str, number: int, one: str, many: str, /, **params: object) -> str:
    """``say`` for a text with a count: English has ``one`` and ``many`` forms ("1 feed",
    "2 feeds"); another language has one text (``{n}`` in it)."""
    return say(key, one if number == 1 else many, n=number, **params)


def listed(items: Sequence[object]) -> str:
    """Items one after the other, with this run's language's comma ("a, b" / "a、b")."""
    return say("cli.list-comma", ", ").join(str(item) for item in items)


def sentences(*parts: str) -> str:
    """Sentences one after the other: a space between them after a Latin full stop, none
    after a Chinese one ("。")."""
    out = ""
    for part in parts:
        out += part if not out or out.endswith(("。", "！", "？")) else " " + part
    return out


def note(said: str | CheckNote) -> str:
    """A note from the feed code (its key, params and English) in this run's language."""
    if isinstance(said, str):
        return said
    if language() == ENGLISH:
        return said.text
    if said.key not in command_texts():  # a warning's or an error's (warnings.yaml, errors.yaml)
        from exposure.explain.lines import plain
        from exposure.explain.notes import reason_line

        return plain(reason_line(said, language()))
    params: dict[str, object] = dict(said.params)
    if "counts" in params:
        params["counts"] = describe_counts(decode_counts(str(params["counts"])))
    return say(said.key, said.text, **params)


def encode_counts(counts: tuple[tuple[str, int], ...]) -> str:
    """A feed's counts as one param (``package/app=5;domain/c2=3``), for :func:`note`."""
    return ";".join(f"{key}={n}" for key, n in counts)


def decode_counts(text: str) -> tuple[tuple[str, int], ...]:
    out = []
    for part in text.split(";"):
        key, _, number = part.partition("=")
        if key and number.isdigit():
            out.append((key, int(number)))
    return tuple(out)


def describe_counts(counts: tuple[tuple[str, int], ...]) -> str:
    """"5 package ids, 1 download address" in this run's language."""
    from exposure.indicators.feeds.parsed import COUNT_LABELS, count_label, count_order

    parts = []
    for key, n in count_order(counts):
        one, many = COUNT_LABELS.get(key, (count_label(key), count_label(key)))
        parts.append(count(f"feeds.count.{key}", n, "{n} " + one, "{n} " + many))
    if not parts:
        return say("feeds.no-indicators", "no indicators")
    return listed(parts)


def _translated(message: str) -> str:
    key = ARGPARSE.get(message)
    return _text(key, message, language()) if key else message


def _translated_plural(singular: str, plural: str, n: int) -> str:
    return _translated(singular if n == 1 else plural)


@contextlib.contextmanager
def argparse_words() -> Iterator[None]:
    """While the parser is built and reads the command line, argparse's own words are said
    in this run's language: argparse looks its texts up through ``gettext`` as module
    globals (``_`` and ``ngettext``) when it needs them, which are replaced here (nothing
    changes for English)."""
    if language() == ENGLISH:
        yield
        return
    saved: tuple[Callable[[str], str], Callable[[str, str, int], str]] = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]
    argparse._ = _translated  # type: ignore[attr-defined]
    argparse.ngettext = _translated_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
