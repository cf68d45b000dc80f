"""An iPhone backup folder: where Finder, iTunes or Apple Devices keep backups, the folder
to check (typed or picked), and the password of an encrypted one. The password goes to
the check in memory only (``exposure.collect.ios_backup.passwords``): it is never shown,
saved, or put in the report, and the field is emptied once the check has it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DirectoryTree, Input

from exposure.model import SourceSpec
from exposure.tui.safe import SafeDirectoryTree
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain


def backup_folders() -> list[Path]:
    """Where this computer's backups are kept (the ones that exist)."""
    home = Path.home()
    places = [home / "Library" / "Application Support" / "MobileSync" / "Backup", home / "Apple" / "MobileSync" /
              "Backup"]
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        places.append(Path(os.environ["APPDATA"]) / "Apple Computer" / "MobileSync" / "Backup")
    return [p for p in places if p.is_dir()]


class IosBackupScreen(GuideScreen):
    TITLE_KEY = "backup.title"
    HELP = "backup"

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        found = backup_folders()
        self.start = start or (found[0] if found else Path.home())
        self.path = ""

    def compose_body(self) -> ComposeResult:
        yield plain(self.t("backup.explain"), classes="para")
        with Horizontal(id="path-row"):
            yield Input(value=self.path, placeholder=self.t("backup.path"), id="path")
        with Horizontal(id="password-row"):
            yield Input(placeholder=self.t("backup.password"), password=True, id="password")
            yield Button(self.t("backup.go"), id="go", variant="primary")
        yield plain(self.t("backup.password.note"), classes="para")
        yield plain("", id="backup-error", classes="error")
        yield SafeDirectoryTree(self.start, id="tree")

    def focus_default(self) -> None:
        self.query_one("#path", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "path":
            self.path = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "path":
            self.query_one("#password", Input).focus()
        else:
            self.go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.go()

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self.path = str(event.path)

    def _error(self, key: str) -> None:
        self.query_one("#backup-error").update(Text(self.t(key)))  # type: ignore[attr-defined]

    def go(self) -> None:
        from exposure.collect.ios_backup import passwords
        from exposure.collect.ios_backup.backup import looks_like_backup
        from exposure.collect.ios_backup.collector import is_encrypted

        text = self.path.strip()
        if not text:
            self._error("backup.empty")
            return
        folder = Path(text).expanduser()
        if not folder.is_dir() or not looks_like_backup(folder):
            self._error("backup.not-backup")
            return
        field = self.query_one("#password", Input)
        password = field.value
        if is_encrypted(folder):
            if not password:
                self._error("backup.needs-password")
                field.focus()
                return
            passwords.give(folder, password)
        field.value = ""  # the check has it; nothing keeps it on this screen
        from exposure.tui.screens.profiles import ProfilesScreen

        self.guide.sources = (SourceSpec("ios-backup", str(folder)),)
        self.app.push_screen(ProfilesScreen())
