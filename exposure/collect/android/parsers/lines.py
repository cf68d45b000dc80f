"""The lines of a phone's output, one at a time.

``str.splitlines()`` builds a list of every line at once: on a hostile output of tens of
millions of short lines that list alone takes gigabytes. :func:`lines` yields the same
lines (the same separators as ``splitlines``) one after the other, so a parser's memory
stays the size of the text it was given. A line longer than ``MAX_LINE_CHARS`` is cut
there (no real line is; splitting one line of 100 MiB into words would take gigabytes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from exposure.collect.android.limits import MAX_LINE_CHARS

# splitlines() separators: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
_LINE = re.compile(r"([^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*)(\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|\Z)")


def lines(text: str) -> Iterator[str]:
    """Each line of ``text`` without its line end, as ``text.splitlines()`` gives them
    (each cut at MAX_LINE_CHARS)."""
    end = len(text)
    for match in _LINE.finditer(text):
        if match.start() == end and not match.group(2):
            return
        if match.end(1) - match.start(1) > MAX_LINE_CHARS:
            yield text[match.start(1):match.start(1) + MAX_LINE_CHARS]
        else:
            yield match.group(1)
