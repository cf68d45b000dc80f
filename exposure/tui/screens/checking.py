"""Step 4, "Checking": run the scan in a thread worker, one progress line per source.

The worker calls ``exposure.scan.run_scan``; progress arrives on the worker thread and is
posted as a message that replaces any older, not yet handled one from the same source,
so a fast collector cannot flood the interface. Esc sets the cancel event; the worker
ends at the next check, and the screen goes back to the previous step: a stopped check
shows no partial results, because a half-read source could look falsely reassuring.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from exposure.collect.base import CheckNote, Progress
from exposure.explain.texts import check_line
from exposure.explain.texts import plain as plain_line
from exposure.report.json_report import note_to_dict
from exposure.scan import ScanHooks, ScanRequest, ScanResult, SourceSpec
from exposure.tui.screens.base import GuideScreen
from exposure.tui.texts import has
from exposure.tui.widgets import plain
from exposure.untrusted import shown

_WATCHING = CheckNote.of("reading.live-traffic", "the traffic as it passes")


@dataclass
class ScanProgress(Message):
    """How far one source has got. A newer one replaces an unhandled older one (same source)."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ScanProgress) and message.progress.source == self.progress.source


class CheckingScreen(GuideScreen):
    TITLE_KEY = "checking.title"
    HELP = "checking"
    BINDINGS = [Binding("escape", "cancel", "Stop", key_display="Esc", id="cancel")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.lines: dict[str, Progress] = {}
        self.failed = ""
        self.handled = 0  # progress messages handled (tests check that floods coalesce)

    def compose_body(self) -> ComposeResult:
        yield plain(self.t("checking.explain"), classes="para")
        with VerticalScroll(id="progress"):
            if not self.lines:
                yield plain(self.t("checking.preparing"), classes="progress-line")
            for progress in self.lines.values():
                yield Static(self._line(progress), classes="progress-line")
        if self.failed:
            yield plain(self.t("checking.failed", message=shown(self.failed)), classes="error")
            yield plain(self.t("checking.failed_back"), classes="para")
        elif self.cancel.is_set():
            yield plain(self.t("checking.stopping"), classes="para")
        else:
            yield LoadingIndicator()

    def on_mount(self) -> None:
        guide = self.guide
        request = ScanRequest(
            sources=guide.sources,
            profiles=tuple(sorted(guide.selected_profiles or ())),
            demo=guide.demo,
        )
        guide.active_cancel = self.cancel
        self.run_check(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan", description="check")
    def run_check(self, request: ScanRequest) -> ScanResult | None:
        from exposure.scan import run_scan

        def progress(update: Progress) -> None:
            self.post_message(ScanProgress(update))  # thread-safe; coalesced by can_replace

        hooks = ScanHooks(progress=progress, cancel=self.cancel)
        live = [s for s in request.sources if s.kind == "live"]
        if not live:
            return run_scan(request, hooks)
        return self._watch_then_check(live[0], request, hooks)

    def _watch_then_check(self, spec: SourceSpec, request: ScanRequest, hooks: ScanHooks) -> ScanResult | None:
        """Record the interface into a private temporary capture, check it, then delete it:
        nothing stays on disk unless the person saves a report."""
        import tempfile

        from exposure.collect.live import LiveProgress, record
        from exposure.scan import run_scan

        seconds = float(spec.option("seconds", "900"))

        def watched(update: LiveProgress) -> None:
            counts = (("packets", update.packets), ("names", update.names))
            fraction = min(1.0, update.elapsed / seconds) if seconds else None
            self.post_message(ScanProgress(Progress(spec.target, "watching", counts, fraction, _WATCHING)))

        with tempfile.TemporaryDirectory() as folder:
            self.guide.scratch.add(Path(folder))  # quick exit removes it too
            try:
                capture = Path(folder) / "capture.pcap"
                record(spec.target, capture, duration=seconds, progress=watched, cancel=self.cancel)
                if self.cancel.is_set():
                    return None
                sources = tuple(SourceSpec("pcap", str(capture)) if s is spec else s for s in request.sources)
                result = run_scan(replace(request, sources=sources), hooks)
                for info in result.sources:  # the file is deleted below: name what was watched
                    if info.name == str(capture):
                        info.name = f"{spec.target} ({seconds / 60:g} min)"
                return result
            finally:
                self.guide.scratch.discard(Path(folder))

    async def on_scan_progress(self, message: ScanProgress) -> None:
        self.handled += 1
        progress = message.progress
        new = progress.source not in self.lines
        self.lines[progress.source] = progress
        if new:
            await self.recompose()
        else:
            lines = list(self.query(".progress-line").results(Static))
            index = list(self.lines).index(progress.source)
            if index < len(lines):
                lines[index].update(self._line(progress))

    def _line(self, progress: Progress) -> Text:
        counts = " · ".join(f"{value:,} {self._count_word(name)}" for name, value in progress.counts)
        if progress.fraction is not None and progress.fraction >= 1.0:
            stage = self.t("checking.done")
        else:
            stage = progress.stage
            if progress.reading is not None:
                what = plain_line(check_line(note_to_dict(progress.reading), self.guide.lang))
                stage = self.t("checking.reading", what=what)
            if progress.fraction is not None:
                stage = f"{stage} {progress.fraction:.0%}"
        parts = [shown(progress.source), shown(stage), counts]
        return Text(" — ".join(part for part in parts if part))

    def _count_word(self, name: str) -> str:
        key = f"count.{name}"
        return self.t(key) if has(key) else name

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "scan":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.guide.active_cancel = None
        if event.state == WorkerState.SUCCESS:
            result = worker.result
            if self.cancel.is_set() or not isinstance(result, ScanResult):
                self._went_back()
                return
            from exposure.tui.screens.results import ResultsScreen

            self.app.switch_screen(ResultsScreen(result))
        elif event.state == WorkerState.ERROR:
            self.failed = _plain_error(worker.error)
            self.call_later(self.recompose)

    def on_unmount(self) -> None:
        # The screen is going away (the app is closing): the check must not carry on unseen.
        self.cancel.set()

    def _went_back(self) -> None:
        self.app.pop_screen()
        self.app.notify(self.t("checking.stopped"), timeout=4)

    def action_cancel(self) -> None:
        if self.failed:
            self.app.pop_screen()
            return
        if not self.cancel.is_set():
            self.cancel.set()
            self.call_later(self.recompose)


def _plain_error(error: BaseException | None) -> str:
    """One line for the person: a UserError/CollectorError says it plainly; anything else
    is named by its kind only (no traceback on screen)."""
    from exposure.collect.base import CollectorError
    from exposure.errors import UserError

    if isinstance(error, UserError | CollectorError):
        return str(error)
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return type(error).__name__ if error else "unknown error"
