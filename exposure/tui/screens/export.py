"""Save a report: pick a folder; HTML, Markdown and JSON are written there (0600, never replacing)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Static

from exposure.document import ReportDocument
from exposure.scan import ScanResult
from exposure.tui.safe import SafeDirectoryTree
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain
from exposure.tui.wrap import Para
from exposure.untrusted import shown

FORMATS = (("html", "html_path"), ("md", "md_path"), ("json", "json_path"))


def default_folder(started_in: Path | None = None) -> Path:
    """Where the save screen opens: the folder the app was started in (a trainer's workshop
    folder), unless that is the home folder, the top of the disk or a place that cannot be
    written; then Documents when there is one, else the home folder."""
    home = Path.home()
    try:
        if (started_in is not None and started_in.is_dir() and started_in not in (home, Path(started_in.anchor))
                and os.access(started_in, os.W_OK)):
            return started_in
        documents = home / "Documents"
        return documents if documents.is_dir() else home
    except OSError:  # not allowed to look
        return home


def tree_root(folder: Path) -> Path:
    """The folder tree shows the home folder when ``folder`` is in it (to go elsewhere from
    there), else ``folder`` itself."""
    home = Path.home()
    return home if folder == home or home in folder.parents else folder


def report_base(folder: Path, now: datetime | None = None, parts: Sequence[str] = ("",)) -> Path:
    """A new, bland name (``report-YYYYMMDD-HHMMSS``) that none of the files uses yet (three
    files, or three per source: ``report-...-<part>.html``)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = folder / f"report-{stamp}"
    n = 2
    while any(report_path(base, part, ext).exists() for part in parts for ext, _ in FORMATS):
        base = folder / f"report-{stamp}-{n}"
        n += 1
    return base


def report_path(base: Path, part: str, ext: str) -> Path:
    return base.with_name(f"{base.name}-{part}.{ext}" if part else f"{base.name}.{ext}")


def save_reports(result: ScanResult, folder: Path, lang: str,
                 per_source: bool = False) -> tuple[list[Path], list[tuple[str, str]]]:
    """Write each format on its own, so one that fails does not stop the others; with
    ``per_source``, each source's own report (``exposure.report.per_source``).

    Returns the files written and (format, message in ``lang``) for each that failed.
    """
    from exposure.report.document import from_result
    from exposure.report.per_source import file_parts, split_by_source

    try:
        report = from_result(result)  # one document, every format rendered from it
        reports = [("", report)]
        if per_source:
            reports = list(zip(file_parts(report.sources), (doc for _, doc in split_by_source(report)), strict=True))
    except Exception as exc:  # a bug: say so for each format, the results stay on screen
        return [], [(ext.upper(), type(exc).__name__) for ext, _ in FORMATS]
    base = report_base(folder, parts=[part for part, _ in reports])
    written: list[Path] = []
    failed: list[tuple[str, str]] = []
    for part, document in reports:
        for ext, argument in FORMATS:
            path = report_path(base, part, ext)
            problem = _write(document, lang, argument, path)
            if problem:
                failed.append((path.name if part else ext.upper(), problem))
            else:
                written.append(path)
    return written, failed


def _write(report: ReportDocument, lang: str, argument: str, path: Path) -> str:
    """Write one report file; "" when written, else why not (in ``lang``)."""
    from exposure.errors import UserError
    from exposure.explain.lines import plain
    from exposure.explain.notes import error_line
    from exposure.report.output import write_reports

    try:
        write_reports(report, lang, force=False, **{argument: str(path)})  # type: ignore[arg-type]
    except UserError as exc:
        return shown(plain(error_line(exc, lang)))
    except OSError as exc:  # the disk filled up, the stick was pulled out
        return shown(exc.strerror or str(exc))
    except Exception as exc:  # a bug in a renderer must not lose the other formats
        return type(exc).__name__
    return ""


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
        # Several people's captures (a workshop's folder): one report each, unless unticked.
        self.several = len(result.sources) if len(result.sources) > 1 and not result.demo else 0
        self.per_source = bool(self.several)

    def compose_body(self) -> ComposeResult:
        t = self.t
        start = self.guide.export_dir or default_folder(self.guide.started_in)
        folder = self.folder or str(start)
        yield plain(t("export.explain"), classes="para")
        yield plain(t("export.formats"), classes="para")
        if self.several:
            what = "captures" if all(s.kind == "pcap" for s in self.result.sources) else "sources"
            yield Checkbox(Text(t(f"export.per_source.{what}")), self.per_source, id="per-source")
            yield plain(t(f"export.per_source.explain.{what}", count=self.several), classes="para")
        with Horizontal(id="folder-row"):
            yield Input(value=folder, placeholder=t("export.folder"), id="folder")
            yield Button(t("export.save"), id="save", variant="primary")
            yield Button(t("export.cancel"), id="cancel")
        yield Para(id="export-error", classes="error")
        yield SafeDirectoryTree(tree_root(start), folders_only=True, hidden=False, id="folders")

    def focus_default(self) -> None:
        self.query_one("#folder", Input).focus()

    def can_go_back(self) -> bool:
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.folder = event.value

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.per_source = event.value

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
        written, failed = save_reports(self.result, folder, self.guide.lang, per_source=self.per_source)
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
