"""Untrusted text in the app: shown, never interpreted.

Every value that comes from a device, a capture, a feed or a file is passed through
:func:`exposure.untrusted.shown` before it becomes a ``rich.text.Text`` (never markup),
so an app name carrying ``ESC ] 0 ; … BEL`` (set the window title) or ``ESC [ 2 J``
(clear the screen) is drawn as ``\\x1b]0;…`` and the terminal is left alone.

:class:`InterpretedCharacterFilter` is the last safety net: a Textual line filter that
removes any such character that still reached a rendered line (they take no cell on the
terminal, so the layout does not move). Nothing should ever reach it; the tests check
both layers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter
from textual.widgets import DirectoryTree

from exposure.untrusted import is_clean, shown, strip_interpreted


def value_text(text: object, style: str = "") -> Text:
    """An untrusted value as Rich Text: interpreted characters shown as escapes."""
    return Text(shown(str(text)), style=style)


def words_text(text: str, style: str = "") -> Text:
    """Text of ours that may embed an untrusted part (a collector's English message):
    its line breaks are kept, everything else that a terminal would act on is escaped."""
    return Text("\n".join(shown(part) for part in text.split("\n")), style=style)


class InterpretedCharacterFilter(LineFilter):
    """Removes control, escape and direction characters from every rendered line."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(segment.control or is_clean(segment.text) for segment in segments):
            return segments
        return [segment if segment.control or is_clean(segment.text)
                else Segment(strip_interpreted(segment.text), segment.style)
                for segment in segments]


class SafeDirectoryTree(DirectoryTree):
    """A folder tree whose file names (chosen by whoever made the files) are shown escaped."""

    def __init__(self, path: str | Path, *, folders_only: bool = False, hidden: bool = True,
                 id: str | None = None) -> None:
        self.folders_only = folders_only  # a place to save in: files are only noise (and others' names)
        self.hidden = hidden  # False: no .cache, .config... (dot-folders a person never chose)
        super().__init__(path, id=id)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths
                if (self.hidden or not path.name.startswith(".")) and (not self.folders_only or _is_folder(path))]

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, str):
            return Text(shown(label))
        return super().process_label(Text(shown(label.plain), style=label.style))


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # not allowed to look
        return False
