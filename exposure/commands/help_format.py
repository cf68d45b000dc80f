"""The command line's parser class: argparse's, with help that reads well in Chinese.

argparse wraps help text by counting characters, and a Chinese character takes two columns
of a terminal: its lines ran past the screen's edge. Here lines are wrapped by the columns
they take, at spaces or between two Chinese characters, and a section heading that ends in
Chinese gets the full-width colon ("选项：", not "选项:"). English help is as argparse makes it.
Every subcommand's parser is of this class too (argparse gives subparsers their parent's class).
"""

from __future__ import annotations

import argparse
import re
import unicodedata

_HEADING = re.compile(r"^(\s*\S[^\n]*[^\x00-\x7f]):$", re.MULTILINE)
# a piece that is never split: a run of non-space Latin text with its trailing spaces, or
# one wide character with any spaces after it
_PIECE = re.compile(r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+\s*|\S\s*|\s+")

_NO_LINE_START = frozenset("，。、；：！？）」』”’》")  # punctuation that stays at the end of its line


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (wide characters two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` (one paragraph) in lines of at most ``width`` columns where it can be."""
    lines: list[str] = []
    line = ""
    for piece in _PIECE.findall(" ".join(text.split())):
        if line and columns(line + piece.rstrip()) > width and piece[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


class HelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        if not _wide(text):
            return super()._split_lines(text, width)
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not _wide(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def format_help(self) -> str:
        return _HEADING.sub(r"\1：", super().format_help())


class Parser(argparse.ArgumentParser):
    """argparse's parser with :class:`HelpFormatter` (its subparsers too)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
