"""Small widgets every screen shares: the top bar (title, DEMO badge) and a translated footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, SelectionList, Static
from textual.widgets._footer import FooterKey

from exposure.tui.texts import has, tr

if TYPE_CHECKING:
    from exposure.tui.app import ExposureApp
    from exposure.tui.wrap import Wrapped


class TopBar(Horizontal):
    """The app name, the screen title and, in demo mode, a DEMO badge (on every screen)."""

    def __init__(self, title: str) -> None:
        super().__init__(id="topbar")
        self._title = title

    def compose(self) -> ComposeResult:
        app = cast("ExposureApp", self.app)
        yield Static(Text(f" exposure · {self._title}"), id="topbar-title")
        if app.demo:
            yield Static(Text(tr("app.demo_badge", app.lang)), id="demo-badge")


class GuideFooter(Footer):
    """Textual's footer, with each key's description in the current language."""

    def compose(self) -> ComposeResult:
        app = cast("ExposureApp", self.app)
        widgets = list(super().compose())  # our bindings use no groups: a flat list of keys
        for widget in widgets:
            if isinstance(widget, FooterKey):
                widget.description = self._describe(app, widget.action, widget.description)
        # Quick exit first, so it is in the same place on every screen, even when narrow.
        widgets.sort(key=lambda w: 0 if isinstance(w, FooterKey) and w.action == "quick_exit" else 1)
        yield from widgets

    @staticmethod
    def _describe(app: ExposureApp, action: str, default: str) -> str:
        if action == "switch_language":
            return app.next_language_name()
        key = f"key.{action}"
        return tr(key, app.lang) if has(key) else default


def plain(text: str, **kwargs: Any) -> Static:
    """A paragraph that shows ``text`` literally (never parsed as markup), its lines broken
    where a reader of its language expects (exposure.tui.wrap)."""
    from exposure.tui.wrap import Para

    return Para(Text(text), **kwargs)


__all__ = ["GuideFooter", "TickList", "TopBar", "Widget", "plain"]


def option_text(title: str, help_text: str) -> Wrapped:
    """A two-line choice: its name in bold, a plain explanation under it."""
    from exposure.tui.wrap import Wrapped

    return Wrapped(Text.assemble((title, "bold"), "\n", (help_text, "italic")))


class TickList(SelectionList[str]):
    """A SelectionList whose boxes read as ticked or empty without colour: ``[x]`` and
    ``[ ]`` (Textual's own box draws the same ``▐X▌`` either way and changes only its
    colour, which is lost in plain text, on a washed-out projector and in high contrast)."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or not 0 <= index < self.option_count:
            return line
        ticked = self.get_option_at_index(index).value in self._selected
        base = segments[3].style  # the style of the text beside the box
        meta = Style(meta={"option": index})
        box = [Segment("[", (base or Style()) + meta),
               Segment("x" if ticked else " ", (base or Style()) + Style(bold=True) + meta),
               Segment("]", (base or Style()) + meta)]
        return Strip([*box, *segments[3:]], line.cell_length)
