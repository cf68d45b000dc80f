"""Step 3, "What are you worried about?": the threat profiles in plain words, the usual
worries chosen; the travel check ("I am travelling to China, or my phone may be checked by
Chinese police") is offered on its own and only used when ticked."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from exposure.model import Profile
from exposure.tui.safe import value_text
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import TickList, plain
from exposure.tui.wrap import Para


class ProfilesScreen(GuideScreen):
    TITLE_KEY = "profiles.title"
    HELP = "profiles"
    BINDINGS = [  # noqa: RUF012
        # Enter continues (Space ticks): priority so the list does not take Enter for a toggle.
        Binding("enter", "go", "Continue", key_display="Enter", priority=True, id="continue"),
        Binding("a,A", "toggle_all", "All/none", key_display="A"),
    ]

    def __init__(self) -> None:
        super().__init__()
        from exposure.errors import UserError
        from exposure.indicators.profiles import load_bundled_profiles

        self.problem = ""
        try:
            self.profiles: list[Profile] = load_bundled_profiles()
        except (UserError, OSError, ValueError) as exc:  # a damaged install: say it, go on with every indicator
            self.profiles, self.problem = [], str(exc)
        # A new check starts with every worry chosen except those asked for only on purpose
        # (the travel check: apps Chinese police flag are no concern for most people).
        self.defaults: set[str] = {p.id for p in self.profiles if not p.opt_in}
        self.selected: set[str] = set(self.defaults)
        self.highlighted = 0

    def compose_body(self) -> ComposeResult:
        lang = self.guide.lang
        if not self.profiles:
            yield plain(self.t("profiles.no_profiles"), classes="para")
            if self.problem:
                yield Para(value_text(self.problem), classes="error")
            return
        yield plain(self.t("profiles.explain"), classes="para")
        selections = [Selection(Text(p.title.get(lang)), p.id, p.id in self.selected) for p in self.profiles]
        yield TickList(*selections, id="profiles")
        yield Para(id="profile-description", classes="para")
        yield plain("", id="profiles-error", classes="error")

    def focus_default(self) -> None:
        if self.profiles:
            chooser = self.query_one("#profiles", SelectionList)
            chooser.highlighted = self.highlighted
            chooser.focus()
            self._describe(self.highlighted)

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        self.highlighted = event.selection_index
        self._describe(event.selection_index)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.selected = set(event.selection_list.selected)

    def _describe(self, index: int) -> None:
        if 0 <= index < len(self.profiles):
            text = self.profiles[index].description.get(self.guide.lang)
            self.query_one("#profile-description", Static).update(Text(text))

    def action_toggle_all(self) -> None:
        if not self.profiles:
            return
        chooser = self.query_one("#profiles", SelectionList)
        if len(self.selected) == len(self.profiles):
            chooser.deselect_all()
        else:
            chooser.select_all()

    def action_go(self) -> None:
        if self.profiles and not self.selected:
            self.query_one("#profiles-error", Static).update(Text(self.t("profiles.none_selected")))
            return
        # The default choice: ask the scan for its defaults (which also keeps the values of
        # imported feeds attached to no profile, or to one this version lacks).
        self.guide.selected_profiles = None if self.selected == self.defaults else frozenset(self.selected)
        from exposure.tui.screens.checking import CheckingScreen

        self.app.push_screen(CheckingScreen())
