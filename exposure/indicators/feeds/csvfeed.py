"""The rows of the CSV feeds (Echap's samples.csv, ISDi's app-flags.csv, Volexity's indicator
lists): a header that names the format, then rows of a fixed number of columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from exposure.indicators.feeds.parsed import FeedBuilder, FeedError

_COUNT_WORDS = {3: "three", 4: "four", 5: "five"}


def header(text: str) -> tuple[str, ...]:
    """The first line's column names, lower case (a byte-order mark is ignored)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return tuple(cell.strip().strip('"').lower() for cell in first.split(","))


def rows(text: str, columns: tuple[str, ...], feed: str, builder: FeedBuilder) -> Iterator[list[str]]:
    """The data rows of ``text``, each cell stripped; FeedError unless its header is ``columns``.
    Blank rows are skipped; a row with another number of cells is counted as a warning."""
    if header(text) != columns:
        raise FeedError(f"not {feed} (expected the columns " + ",".join(columns) + ")")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    next(reader, None)
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            builder.warn(f"rows without the {_COUNT_WORDS.get(len(columns), str(len(columns)))} columns")
            continue
        yield [cell.strip() for cell in row]
