"""Small helpers for reading iOS databases whose columns change between iOS versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from exposure.collect.ios_backup.backup import ArtefactError

MAX_ROWS = 2_000_000  # rows read from one table; a real phone's largest (messages) is far below
MAX_CELL = 64 * 1024  # characters kept of one text cell


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (empty when there is no such table)."""
    try:
        rows = db.execute("SELECT name FROM pragma_table_info(?)", (table,)).fetchall()
    # A damaged schema makes sqlite3 raise UnicodeDecodeError (its error message is not UTF-8).
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise ArtefactError(f"it is not a readable database ({exc})") from None
    return {str(r[0]) for r in rows if isinstance(r[0], str)}


def pick(present: set[str], *names: str, table: str = "") -> str:
    """The first of ``names`` that is a column, quoted for SQL (after ``table.``), or ``NULL``."""
    for name in names:
        if name in present:
            return f'{table}."{name}"' if table else f'"{name}"'
    return "NULL"


def rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = (),
         limit: int = MAX_ROWS) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql`` (at most ``limit``); a damaged page or the time budget is an ArtefactError."""
    try:
        cursor = db.execute(sql, params)
        for count, row in enumerate(cursor):
            if count >= limit:
                break
            yield tuple(row)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise ArtefactError(f"it could not be read to the end ({exc})") from None


def text(value: object, limit: int = MAX_CELL) -> str:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, bytes):
        return value[:limit].decode("utf-8", errors="replace")
    return ""
