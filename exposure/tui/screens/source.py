"""Step 2, "What would you like to check?"."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from exposure.model import SourceSpec
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import option_text

CHOICES = ("host", "android", "iphone", "ios-backup", "file", "live", "demo")


class SourceScreen(GuideScreen):
    TITLE_KEY = "source.title"
    HELP = "source"

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: int | None = None  # None: the default for this app (demo first in demo mode)

    def compose_body(self) -> ComposeResult:
        options = [Option(option_text(self.t(f"source.{c}"), self.t(f"source.{c}.help")), id=c) for c in CHOICES]
        yield OptionList(*options, id="choices")

    def focus_default(self) -> None:
        if self.highlighted is None:
            self.highlighted = CHOICES.index("demo") if self.guide.demo_launch else 0
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = self.highlighted
        choices.focus()

    async def on_screen_resume(self) -> None:
        # Back here, nothing is chosen yet: the DEMO badge follows how the app was started.
        self.guide.demo = self.guide.demo_launch

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.highlighted = event.option_index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(str(event.option.id))

    def choose(self, choice: str) -> None:
        guide = self.guide
        guide.demo = guide.demo_launch
        if choice == "host":
            guide.sources = (SourceSpec("host"),)
            self._profiles()
        elif choice == "demo":
            from exposure.demo import demo_sources

            guide.demo = True
            guide.sources = demo_sources()
            self._profiles()
        elif choice == "android":
            from exposure.tui.screens.android import AndroidScreen

            self.app.push_screen(AndroidScreen())
        elif choice == "iphone":
            from exposure.tui.screens.iphone import IphoneScreen

            self.app.push_screen(IphoneScreen())
        elif choice == "ios-backup":
            from exposure.tui.screens.ios_backup import IosBackupScreen

            self.app.push_screen(IosBackupScreen(guide.file_start))
        elif choice == "file":
            from exposure.tui.screens.file import FileScreen

            self.app.push_screen(FileScreen(guide.file_start))
        elif choice == "live":
            from exposure.tui.screens.live import LiveScreen

            self.app.push_screen(LiveScreen())

    def _profiles(self) -> None:
        from exposure.tui.screens.profiles import ProfilesScreen

        self.app.push_screen(ProfilesScreen())
