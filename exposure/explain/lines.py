"""Filled texts: a :data:`Line` keeps our own words apart from values, and :func:`fill` is
the one function that fills a text's ``{placeholders}``.

A Line is a tuple of :class:`Piece` objects. Values that came from a device, a capture, a
feed or a saved report stay ``value`` (or ``name``) pieces, so renderers escape every piece
and may show values differently (HTML ``<span>``, Markdown code spans, bold in the app): an
untrusted name can never become markup. Texts are never escaped here. Every front end fills
its texts here: the reports and the terminal through :func:`fill`, the app's own strings and
the command line's tables through :func:`fill_plain`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

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
    plain text: a text mistake must never break a report. Chinese meets a filled-in Latin
    word or number with one space between them (``安卓手机 Pixel 3a``).
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
            kept = "{" + field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            out.append(Piece(kept))
        elif isinstance(param, str):
            out.extend(value(param))
        else:
            out.extend(param)
    return _merge(out)


def fill_plain(template: str, params: Mapping[str, object]) -> str:
    """:func:`fill` for a front end that shows plain text (the app's strings, the command
    line's tables): each param as text; the caller shows the result without markup."""
    if not params:
        return template
    return plain(fill(template, {key: str(param) for key, param in params.items()}))


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


def joined(lines: list[Line], comma: Line, final: Line) -> Line:
    """``a, b and c``, given the words for ``,`` and ``and`` (``texts.join`` gives them)."""
    if not lines:
        return ()
    if len(lines) == 1:
        return lines[0]
    out: list[Piece] = []
    for i, line in enumerate(lines):
        if i:
            out.extend(final if i == len(lines) - 1 else comma)
        out.extend(line)
    return _merge(out)
