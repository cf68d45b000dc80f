"""The lines of a phone's output, a block at a time.

``str.splitlines()`` builds a list of every line at once: on a hostile output of tens of
millions of short lines that list alone takes gigabytes. :func:`lines` yields the same
lines (the same separators as ``splitlines``) while splitting only about a mebibyte of
text at a time, so a parser's memory stays the size of the text it was given. A line
longer than ``MAX_LINE_CHARS`` is cut there (no real line is; splitting one line of
100 MiB into words would take gigabytes), and a stretch of text with no ``\\n`` for more
than a mebibyte is split there too.
"""

from __future__ import annotations

from collections.abc import Iterator

from exposure.collect.android.limits import MAX_LINE_CHARS, MAX_OUTPUT_LINES

_BLOCK = 1 << 20  # characters split at once


def lines(text: str) -> Iterator[str]:
    """Each line of ``text`` without its line end, as ``text.splitlines()`` gives them."""
    pos, end = 0, len(text)
    left = MAX_OUTPUT_LINES
    while pos < end:
        cut = text.find("\n", pos + _BLOCK, pos + _BLOCK + MAX_LINE_CHARS)
        if cut < 0:
            cut = end - 1 if end - pos <= _BLOCK + MAX_LINE_CHARS else pos + _BLOCK - 1
        block = text[pos:cut + 1].splitlines()
        for line in block[:left]:
            yield line[:MAX_LINE_CHARS]
        left -= len(block)
        if left <= 0:
            return
        pos = cut + 1


def too_many_lines(text: str) -> bool:
    """Whether :func:`lines` would stop before the end of ``text`` (counted at C speed)."""
    return text.count("\n") >= MAX_OUTPUT_LINES
