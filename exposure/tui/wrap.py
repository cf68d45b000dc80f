"""Line breaking for the app's paragraphs, in Chinese as in English.

Rich breaks lines at spaces only, so a Chinese paragraph (which has none) is cut at the
exact width: lines then start with "。" or "；", and a package or domain name inside it
is split in the middle. :class:`Wrapped` breaks where a reader expects:

* between any two Chinese characters, and at spaces;
* never before closing punctuation (。，、；：！？）」』》 ...) nor after opening
  punctuation (（「『《 ...): they stay with the character they belong to;
* never inside a run of Latin letters, digits and the characters of names
  (``com.fiberhome.wifiserver``, ``s1.spylive360.com``), unless that name alone is wider
  than the whole line;
* a bullet ("• ", "– ") stays with its first word, and the lines after it are indented
  under that word.

Styles of the Rich Text (values in bold, names in italic) are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.visual import RichVisual, Visual
from textual.widgets import Static

# Never at the start of a line (Chinese and Japanese closing and middle punctuation, small kana).
NO_START = frozenset("。．，、；：！？）］｝」』》〉】〕〗〙〛”’…‥・ー々〻ゝゞヽヾ"
                     "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%),.:;!?]}")
# Never at the end of a line (opening punctuation).
NO_END = frozenset("（［｛「『《〈【〔〖〘〚“‘([{")
BULLETS = ("• ", "– ", "- ")
MAX_PARAGRAPH = 10_000  # characters of one paragraph shown in the app; more is cut, with its length said


def _is_wide(char: str) -> bool:
    return cell_len(char) == 2


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    space: bool  # a run of spaces: a place to break, dropped at the ends of lines


def _units(text: str) -> list[_Unit]:
    """The pieces a line may be broken between."""
    units: list[_Unit] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == " ":
            j = i
            while j < n and text[j] == " ":
                j += 1
            units.append(_Unit(i, j, True))
        elif _is_wide(char) or char in NO_START or char in NO_END:
            j = i + 1
            units.append(_Unit(i, j, False))
        else:  # a run of Latin letters, digits and name characters: never broken
            j = i
            while j < n and text[j] != " " and not _is_wide(text[j]) and text[j] not in NO_END:
                if j > i and text[j] in NO_START and (j + 1 >= n or text[j + 1] == " " or _is_wide(text[j + 1])):
                    break  # "com.wifi0." at the end of a sentence: the full stop is punctuation
                j += 1
            units.append(_Unit(i, max(j, i + 1), False))
        i = units[-1].end
    return _glue(text, units)


def _glue(text: str, units: list[_Unit]) -> list[_Unit]:
    """Join what must stay together: closing punctuation to what is before it, opening
    punctuation to what is after it."""
    out: list[_Unit] = []
    for unit in units:
        first = text[unit.start]
        if out and not unit.space and not out[-1].space and first in NO_START:
            out[-1] = _Unit(out[-1].start, unit.end, False)
        elif out and not unit.space and not out[-1].space and text[out[-1].end - 1] in NO_END:
            out[-1] = _Unit(out[-1].start, unit.end, False)
        else:
            out.append(unit)
    return out


def _lead(plain: str) -> str:
    """The leading indent and bullet of a paragraph ("    – "), or its indent, or ""."""
    stripped = plain.lstrip(" ")
    indent = plain[: len(plain) - len(stripped)]
    for bullet in BULLETS:
        if stripped.startswith(bullet):
            return indent + bullet
    return indent


def break_paragraph(paragraph: Text, width: int) -> list[Text]:
    """``paragraph`` (one line of text, no newline) broken into lines of at most ``width``
    cells."""
    plain = paragraph.plain
    if cell_len(plain) <= width or width < 2:
        return [paragraph]
    lead = _lead(plain)
    indent = cell_len(lead) if cell_len(lead) < width // 2 else 0
    units = _units(plain)
    glue_to = len(lead)
    if glue_to:
        # The bullet (or the paragraph's own indent) and its first word are one piece:
        # never a bullet alone on a line.
        first_word = next((k for k, u in enumerate(units) if u.start >= glue_to and not u.space), None)
        if first_word is not None:
            units = [_Unit(0, units[first_word].end, False), *units[first_word + 1:]]
    lines: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    used = 0
    for unit in units:
        size = cell_len(plain[unit.start:unit.end])
        room = width - (indent if lines else 0)
        if unit.space:
            if start is not None:
                used += size
            continue
        if start is None:
            start, end, used = unit.start, unit.end, size
        elif used + size <= room:
            end, used = unit.end, used + size
        else:
            lines.append((start, end))
            start, end, used = unit.start, unit.end, size
            room = width - indent
        while used > room:  # one name wider than a whole line: the only place it is cut
            cut = _cut(plain, start, room)
            lines.append((start, cut))
            used -= cell_len(plain[start:cut])  # what is left of it (measuring it again made this quadratic)
            start = cut
            room = width - indent
    if start is not None:
        lines.append((start, end))
    # One division of the paragraph for all its lines: slicing it once per line copies the whole
    # paragraph each time, quadratic in a long name's length.
    cuts = sorted({offset for line in lines for offset in line} - {0, len(plain)})
    pieces = dict(zip([0, *cuts], paragraph.divide(cuts), strict=True))
    out = []
    for number, (a, _end) in enumerate(lines):
        line = pieces[a]
        if number and indent:
            line = Text(" " * indent) + line
        out.append(line)
    return out


def _cut(plain: str, start: int, room: int) -> int:
    """Where to cut a piece wider than a line: at the width, moved back so that the next
    line does not start with closing punctuation."""
    used = 0
    for i in range(start, len(plain)):
        used += cell_len(plain[i])
        if used > room:
            cut = max(i, start + 1)
            while cut > start + 1 and plain[cut] in NO_START:
                cut -= 1
            return cut
    return len(plain)


def shortened(paragraph: Text, longest: int = MAX_PARAGRAPH) -> Text:
    """``paragraph`` cut to ``longest`` characters, saying how long it was: a value can be of any
    length (a crafted package id of a megabyte), and laying it out would hold the app (and its
    quick exit) for as long as it takes. The reports keep it whole."""
    if len(paragraph.plain) <= longest:
        return paragraph
    kept = paragraph.divide([longest])[0]
    return kept + Text(f"… ({len(paragraph.plain):,} characters)", style="dim")


def break_text(text: Text, width: int) -> list[Text]:
    """Every paragraph of ``text`` (split at newlines) broken to ``width``."""
    out: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        out += break_paragraph(shortened(paragraph), width) if paragraph.plain else [paragraph]
    return out


class Wrapped:
    """A Rich renderable: ``text`` broken into lines as described above."""

    def __init__(self, text: Text) -> None:
        self.text = text

    @property
    def plain(self) -> str:
        return self.text.plain

    def __str__(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = break_text(self.text, max(1, options.max_width))
        joined = Text("\n").join(lines)
        joined.no_wrap = True
        joined.overflow = "crop"
        yield joined

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        paragraphs = self.text.plain.split("\n")
        widest = max((cell_len(p) for p in paragraphs), default=0)
        pieces: Iterable[str] = (p[u.start:u.end] for p in paragraphs for u in _units(p) if not u.space)
        longest = max((cell_len(piece) for piece in pieces), default=1)
        return Measurement(min(longest, options.max_width), min(widest, options.max_width))


class _WrappedVisual(RichVisual):
    """How Textual draws a :class:`Wrapped` (its text stays readable as ``plain``)."""

    @property
    def plain(self) -> str:
        renderable = self._renderable
        return renderable.plain if isinstance(renderable, Wrapped) else str(renderable)

    def __str__(self) -> str:
        return self.plain


class Para(Static):
    """A Static whose text (Rich Text: never markup) is broken into lines by :class:`Wrapped`."""

    def __init__(self, text: Text | str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text if isinstance(text, Text) else Text(text)
        self._shown: _WrappedVisual | None = None

    @property
    def visual(self) -> Visual:
        if self._shown is None:
            self._shown = _WrappedVisual(self, Wrapped(self._text))
        return self._shown

    @property
    def text(self) -> Text:
        return self._text

    def update(self, content: object = "", *, layout: bool = True) -> None:
        self._text = content if isinstance(content, Text) else Text(str(content))
        self._shown = None
        self.clear_cached_dimensions()
        self.refresh(layout=layout)
