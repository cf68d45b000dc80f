"""Save a report: pick a folder; HTML, Markdown and JSON are written there (0600, never replacing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from exposure.scan import ScanResult
from exposure.tui.safe import SafeDirectoryTree
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain
from exposure.tui.wrap import Para
from exposure.untrusted import shown

FORMATS = (("html", "html_path"), ("md", "md_path"), ("json", "json_path"))


def default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def report_base(folder: Path, now: datetime | None = None) -> Path:
    """A new, bland name (``report-YYYYMMDD-HHMMSS``) that none of the three files uses yet."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = folder / f"report-{stamp}"
    n = 2
    while any(base.with_name(f"{base.name}.{ext}").exists() for ext, _ in FORMATS):
        base = folder / f"report-{stamp}-{n}"
        n += 1
    return base


def save_reports(result: ScanResult, folder: Path, lang: str) -> tuple[list[Path], list[tuple[str, str]]]:
    """Write each format on its own, so one that fails does not stop the others.

    Returns the files written and (format, message in ``lang``) for each that failed.
    """
    from exposure.errors import UserError
    from exposure.explain.lines import plain
    from exposure.explain.notes import error_line
    from exposure.report.document import from_result
    from exposure.report.output import write_reports

    base = report_base(folder)
    written: list[Path] = []
    failed: list[tuple[str, str]] = []
    try:
        report = from_result(result)  # one document, every format rendered from it
    except Exception as exc:  # a bug: say so for each format, the results stay on screen
        return [], [(ext.upper(), type(exc).__name__) for ext, _ in FORMATS]
    for ext, argument in FORMATS:
        path = base.with_name(f"{base.name}.{ext}")
        try:
            write_reports(report, lang, force=False, **{argument: str(path)})  # type: ignore[arg-type]
        except UserError as exc:
            failed.append((ext.upper(), shown(plain(error_line(exc, lang)))))
        except OSError as exc:  # the disk filled up, the stick was pulled out
            failed.append((ext.upper(), shown(exc.strerror or str(exc))))
        except Exception as exc:  # a bug in a renderer must not lose the other formats
            failed.append((ext.upper(), type(exc).__name__))
        else:
            written.append(path)
    return written, failed


def folder_problem(folder: Path, lang: str) -> str:
    """Why reports cannot be saved in ``folder`` (in ``lang``), or "" when they can."""
    from exposure.errors import UserError
    from exposure.explain.lines import plain
    from exposure.explain.notes import error_line
    from exposure.files import check_target

    if not folder.is_dir():
        return ""
    try:
        check_target(report_base(folder).with_suffix(".html"))
    except UserError as exc:
        return shown(plain(error_line(exc, lang)))
    return ""


class ExportScreen(GuideScreen):
    """A full screen (not a dialog) so that F10 and the other app keys stay active."""

    TITLE_KEY = "export.title"
    HELP = "export"

    def __init__(self, result: ScanResult, done: Callable[[list[str]], None] | None = None) -> None:
        super().__init__()
        self.result = result
        self.done = done
        self.folder = ""

    def compose_body(self) -> ComposeResult:
        t = self.t
        folder = self.folder or str(self.guide.export_dir or default_folder())
        yield plain(t("export.explain"), classes="para")
        yield plain(t("export.formats"), classes="para")
        with Horizontal(id="folder-row"):
            yield Input(value=folder, placeholder=t("export.folder"), id="folder")
            yield Button(t("export.save"), id="save", variant="primary")
            yield Button(t("export.cancel"), id="cancel")
        yield Para(id="export-error", classes="error")
        yield SafeDirectoryTree(self.guide.export_dir or Path.home(), id="folders")

    def focus_default(self) -> None:
        self.query_one("#folder", Input).focus()

    def can_go_back(self) -> bool:
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.folder = event.value

    def on_directory_tree_directory_selected(self, event: SafeDirectoryTree.DirectorySelected) -> None:
        event.stop()
        self.query_one("#folder", Input).value = str(event.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.save()
        else:
            self.app.pop_screen()

    def save(self) -> None:
        t = self.t
        field = self.query_one("#folder", Input)
        folder = Path(field.value.strip()).expanduser()
        error = self.query_one("#export-error", Static)
        problem = t("export.no_folder") if not folder.is_dir() else folder_problem(folder, self.guide.lang)
        if problem:
            # Nothing is lost: the results stay underneath; another place can be chosen here.
            error.update(Text(t("export.try_again", problem=problem)))
            field.focus()
            return
        written, failed = save_reports(self.result, folder, self.guide.lang)
        if failed:
            lines = [t("results.save_failed", what=w, message=m) for w, m in failed]
            if written:
                lines.append(t("results.saved", paths=", ".join(shown(str(p)) for p in written)))
            error.update(Text("\n".join([*lines, t("export.choose_another")])))
            field.focus()
            if written and self.done is not None:
                self.done([str(p) for p in written])
            return
        self.app.pop_screen()
        if self.done is not None:
            self.done([str(p) for p in written])
