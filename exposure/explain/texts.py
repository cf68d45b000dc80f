"""The bundled texts (report strings, category defaults, rule texts, help services) and
the filling of their ``{placeholders}``.

A filled text is a :data:`Line`: a tuple of :class:`Piece` objects that keeps our own
words apart from values that came from a device, a capture, a feed or a saved report.
Renderers escape every piece, and may show values differently (HTML ``<span>``, Markdown
code spans), so an untrusted name can never become markup. Texts are never escaped here.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from exposure.explain.i18n import DEFAULT_LANGUAGE, _load_yaml, local_text
from exposure.model import Category, LocalText
from exposure.untrusted import shown

PieceKind = Literal["text", "value", "name"]


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a text. ``text``: our own words; ``value``: something read from a device or
    capture (shown as a literal value); ``name``: a name from a feed or profile."""

    text: str
    kind: PieceKind = "text"


Line = tuple[Piece, ...]


def plain(line: Line) -> str:
    """A line as plain text (for terminals and tests): renderers must escape it themselves."""
    return "".join(piece.text for piece in line)


def value(text: str) -> Line:
    return (Piece(text, "value"),) if text else ()


def name(text: str) -> Line:
    return (Piece(text, "name"),) if text else ()


def words(text: str) -> Line:
    return (Piece(text, "text"),) if text else ()


_FORMATTER = string.Formatter()


def fill(template: str, params: Mapping[str, str | Line]) -> Line:
    """``template`` with each ``{key}`` replaced by ``params[key]``.

    A plain ``str`` param becomes a ``value`` piece; a :data:`Line` is inserted as it is.
    A placeholder without a param stays as written, and a malformed template is shown as
    plain text: a text mistake must never break a report.
    """
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError:
        return words(template)
    out: list[Piece] = []
    for literal, field_name, spec, conversion in parsed:
        if literal:
            out.append(Piece(literal))
        if field_name is None:
            continue
        param = params.get(field_name)
        if param is None:
            shown = "{" + field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            out.append(Piece(shown))
        elif isinstance(param, str):
            out.extend(value(param))
        else:
            out.extend(param)
    return _merge(out)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _needs_space(left: str, right: str) -> bool:
    """Chinese written next to Latin letters or digits takes one space between them
    (``安卓手机 Pixel 3a``, ``0 个连接``), wherever a text meets a filled-in value."""
    if not left or not right:
        return False
    a, b = left[-1], right[0]
    return (_is_han(a) and _is_latin(b)) or (_is_latin(a) and _is_han(b))


def _merge(pieces: list[Piece]) -> Line:
    spaced: list[Piece] = []
    for piece in pieces:
        if spaced and piece.text and _needs_space(spaced[-1].text, piece.text):
            spaced.append(Piece(" "))
        spaced.append(piece)
    merged: list[Piece] = []
    for piece in spaced:
        if merged and merged[-1].kind == piece.kind == "text":
            merged[-1] = Piece(merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return tuple(merged)


def join(lines: list[Line], lang: str) -> Line:
    """``a, b and c`` in ``lang``."""
    if not lines:
        return ()
    if len(lines) == 1:
        return lines[0]
    comma, final = words(t("list.comma", lang)), words(t("list.and", lang))
    out: list[Piece] = []
    for i, line in enumerate(lines):
        if i:
            out.extend(final if i == len(lines) - 1 else comma)
        out.extend(line)
    return _merge(out)


# --- the bundled text files -----------------------------------------------------------

def _package_text(name: str) -> str:
    return resources.files("exposure.explain").joinpath(name).read_text("utf-8")


@cache
def ui_texts() -> dict[str, LocalText]:
    """texts.yaml: the report and terminal strings."""
    data = _load_yaml(_package_text("texts.yaml"))
    return {str(key): local_text(val) for key, val in data.items()}


def t(key: str, lang: str) -> str:
    """The report string ``key`` in ``lang`` (English when missing there)."""
    text = ui_texts().get(key)
    if text is None:
        raise KeyError(f"no text {key!r} in texts.yaml")
    return text.get(lang, DEFAULT_LANGUAGE)


def tf(key: str, lang: str, /, **params: str | Line) -> Line:
    """The report string ``key`` in ``lang`` with its placeholders filled."""
    return fill(t(key, lang), params)


@cache
def check_texts() -> dict[str, LocalText]:
    """checks.yaml: what a collector looked at or could not, by the key of its note."""
    data = _load_yaml(_package_text("checks.yaml"))
    return {str(key): local_text(val) for key, val in data.items()}


def check_line(note: Any, lang: str) -> Line:
    """A collector's note (``{key, params, text}`` from a report) in ``lang``: the key's text
    in ``lang``, else in English, else the collector's own English ``text``, else the key.
    Params fill the placeholders; a number is plain words, anything else a value."""
    return _note_line(note, lang, check_texts(), "text")


@cache
def warning_texts() -> dict[str, LocalText]:
    """warnings.yaml: what could not be read or decoded, by the key of a warning."""
    data = _load_yaml(_package_text("warnings.yaml"))
    return {str(key): local_text(val) for key, val in data.items()}


@cache
def error_texts() -> dict[str, LocalText]:
    """errors.yaml: why something could not be done or read at all, by the key of a UserError."""
    data = _load_yaml(_package_text("errors.yaml"))
    return {str(key): local_text(val) for key, val in data.items()}


@cache
def _said_texts() -> dict[str, LocalText]:
    return {**warning_texts(), **error_texts()}


def warning_line(warning: Any, lang: str) -> Line:
    """A warning (``{message, key?, params?}`` from a report) in ``lang``, as check_line does
    for notes; one without a key (or from a newer version) is its English ``message``.
    A source that could not be read at all is a warning whose key is an error's."""
    if isinstance(warning, Mapping) and not warning.get("key"):
        return words(str(warning.get("message", "")))
    return _note_line(warning, lang, _said_texts(), "message")


def error_line(error: BaseException, lang: str) -> Line:
    """A :class:`~exposure.errors.UserError` (or any exception) in ``lang``: its key's text
    with its params, else its English message."""
    return warning_line(error_dict(error), lang)


def error_dict(error: BaseException) -> dict[str, Any]:
    """An error as a warning's dictionary: ``{message, key, params}``."""
    return {"message": str(error), "key": str(getattr(error, "key", "") or ""),
            "params": dict(getattr(error, "params", ()) or ())}


def _note_line(note: Any, lang: str, table: Mapping[str, LocalText], english_field: str) -> Line:
    if isinstance(note, str):
        return words(note)
    if not isinstance(note, Mapping):
        return ()
    key = str(note.get("key", ""))
    raw = note.get("params")
    params: dict[str, str | Line] = {}
    if isinstance(raw, Mapping):
        for k, v in raw.items():
            text = str(v)
            params[str(k)] = words(text) if text.isascii() and text.isdigit() else text
    known = table.get(key)
    if known is not None and known.get(lang, DEFAULT_LANGUAGE):
        return fill(known.get(lang, DEFAULT_LANGUAGE), params)
    english = note.get(english_field)
    if isinstance(english, str) and english:
        return words(english)  # the collector's English (renderers escape every piece)
    return value(key)


@dataclass(frozen=True, slots=True)
class CategoryTexts:
    name: LocalText
    what_it_is: LocalText
    what_it_can_do: LocalText
    what_to_do: LocalText


@cache
def category_texts() -> dict[str, CategoryTexts]:
    """categories.yaml: what each kind of threat is and what to do, when a threat has no texts."""
    data = _load_yaml(_package_text("categories.yaml"))
    out: dict[str, CategoryTexts] = {}
    for key, entry in data.items():
        entry = entry if isinstance(entry, dict) else {}
        out[str(key)] = CategoryTexts(*(local_text(entry.get(f, {})) for f in
                                        ("name", "what_it_is", "what_it_can_do", "what_to_do")))
    return out


def category(cat: str) -> CategoryTexts:
    found = category_texts()
    return found.get(cat) or found[Category.HEURISTIC.value]


@dataclass(frozen=True, slots=True)
class HelpService:
    id: str
    name: LocalText
    helps_with: LocalText
    for_whom: LocalText
    languages: LocalText
    web: str = ""
    email: str = ""
    phone: str = ""


@cache
def help_services() -> tuple[HelpService, ...]:
    """help_services.yaml: the services every report lists."""
    loader_data: Any = _load_list(_package_text("help_services.yaml"))
    out = []
    for entry in loader_data:
        out.append(HelpService(
            id=str(entry["id"]),
            name=local_text(entry["name"]),
            helps_with=local_text(entry["helps_with"]),
            for_whom=local_text(entry["for_whom"]),
            languages=local_text(entry["languages"]),
            web=str(entry.get("web") or ""),
            email=str(entry.get("email") or ""),
            phone=str(entry.get("phone") or ""),
        ))
    return tuple(out)


def _load_list(text: str) -> list[dict[str, Any]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def visible(text: str) -> str:
    """``text`` with control and direction-changing characters shown as escapes (``\\x1b``,
    ``\\u202e``), so a value read from a device cannot reorder or hide what is printed
    around it (see :mod:`exposure.untrusted`, the one sanitizer)."""
    return shown(text)
