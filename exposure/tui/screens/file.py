"""A capture file, a folder of captures or an androidqf folder: type a path or pick it in a tree."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input

from exposure.model import SourceSpec
from exposure.tui.safe import SafeDirectoryTree
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain

# Files that make a folder an androidqf acquisition whatever else it holds (the collector needs one).
ANDROIDQF_FILES = ("packages.json", "dumpsys.txt", "bugreport.zip")


def sources_for(path: Path) -> tuple[SourceSpec, ...]:
    """What a path picked here is: a folder holding capture files and no androidqf files is a
    folder of captures, each checked on its own, decided as ``scan --pcap FOLDER`` decides
    (``exposure.scan.capture_sources``); anything else is one source (:func:`source_for`)."""
    from exposure.scan import capture_sources, folder_captures

    single = source_for(path)
    if single.kind != "androidqf" or not path.is_dir() or any((path / n).exists() for n in ANDROIDQF_FILES):
        return (single,)
    try:
        found = folder_captures(str(path))
    except OSError:
        found = []
    return tuple(capture_sources([str(path)])) if found else (single,)


def source_for(path: Path) -> SourceSpec:
    """A folder or a .zip is an androidqf acquisition (or a folder saved from an iPhone);
    any other file a network capture (an iPhone's own, labelled by process, when it is one)."""
    from exposure.collect.ios.capture import is_iphone_capture
    from exposure.collect.ios.dump import is_iphone_dump
    from exposure.collect.ios_backup.backup import looks_like_backup

    if path.is_dir() and is_iphone_dump(path):
        return SourceSpec("iphone-dump", str(path))
    if path.is_dir() and looks_like_backup(path):
        return SourceSpec("ios-backup", str(path))
    if path.is_dir() or path.suffix.lower() == ".zip":
        return SourceSpec("androidqf", str(path))
    if is_iphone_capture(path):
        return SourceSpec("iphone-capture", str(path))
    return SourceSpec("pcap", str(path))


class FileScreen(GuideScreen):
    TITLE_KEY = "file.title"
    HELP = "file"

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start  # None: where the app says (tests), else the home folder
        self.path = ""

    def compose_body(self) -> ComposeResult:
        yield plain(self.t("file.explain"), classes="para")
        with Horizontal(id="path-row"):
            yield Input(value=self.path, placeholder=self.t("file.path"), id="path")
            yield Button(self.t("file.go"), id="go", variant="primary")
        yield plain("", id="file-error", classes="error")
        yield SafeDirectoryTree(self.start or self.guide.file_start or Path.home(), id="tree")

    def focus_default(self) -> None:
        self.query_one("#path", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.path = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.go()

    def on_directory_tree_file_selected(self, event: SafeDirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self.path = str(event.path)
        self.go()

    def on_directory_tree_directory_selected(self, event: SafeDirectoryTree.DirectorySelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self.path = str(event.path)

    def go(self) -> None:
        from rich.text import Text

        error = self.query_one("#file-error")
        text = self.path.strip()
        if not text:
            error.update(Text(self.t("file.empty")))  # type: ignore[attr-defined]
            return
        path = Path(text).expanduser()
        if not path.exists():
            error.update(Text(self.t("file.missing")))  # type: ignore[attr-defined]
            return
        from exposure.tui.screens.profiles import ProfilesScreen

        sources = sources_for(path)
        source = sources[0]
        if source.kind == "ios-backup":
            from exposure.collect.ios_backup.collector import is_encrypted

            if is_encrypted(path):  # its password is asked on the backup screen
                from exposure.tui.screens.ios_backup import IosBackupScreen

                screen = IosBackupScreen(path)
                screen.path = str(path)
                self.app.push_screen(screen)
                return
        if source.kind == "pcap" and len(sources) == 1:
            # An empty file or a text file is said here, before anything else is asked.
            from exposure.collect.pcap import check_capture
            from exposure.errors import UserError
            from exposure.explain.lines import plain as plain_line
            from exposure.explain.notes import error_line
            from exposure.untrusted import shown

            try:
                check_capture(path)
            except UserError as exc:
                said = plain_line(error_line(exc, self.guide.lang))
                error.update(Text("\n".join(shown(part) for part in said.split("\n"))))  # type: ignore[attr-defined]
                return
        self.guide.sources = sources
        self.app.push_screen(ProfilesScreen())
