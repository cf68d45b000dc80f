"""Step 4, "Checking": run the scan in a thread worker, one progress line per source.

The worker calls ``exposure.scan.run_scan``; progress arrives on the worker thread and is
posted as a message that replaces any older, not yet handled one from the same source,
so a fast collector cannot flood the interface. Esc sets the cancel event; the worker
ends at the next check, and the screen goes back to the previous step: a stopped check
shows no partial results, because a half-read source could look falsely reassuring.

Watching traffic live is different: what was seen is kept in a capture, so Esc asks
whether to stop and check what was seen (the default) or to discard it. Each new name is
listed as it comes, and one that a profile or feed lists is marked at once.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import LoadingIndicator, RichLog, Static
from textual.worker import Worker, WorkerState

from exposure.collect.base import Progress
from exposure.explain.lines import plain as plain_line
from exposure.explain.notes import check_line
from exposure.model import LocalText, SourceSpec
from exposure.scan import ScanHooks, ScanRequest, ScanResult
from exposure.tui.screens.base import GuideScreen
from exposure.tui.screens.stop import StopWatchingScreen
from exposure.tui.texts import has
from exposure.tui.widgets import plain
from exposure.tui.wrap import Para
from exposure.untrusted import shown

MAX_NAMES_SHOWN = 1000  # names listed live (all of them are in the capture and checked)
# Kinds of source that watch traffic as it passes, into a capture checked afterwards.
WATCHED = frozenset({"live", "hotspot", "iphone-live"})


@dataclass
class ScanProgress(Message):
    """How far one source has got. A newer one replaces an unhandled older one (same
    source), unless the older one carries names seen live: those are never dropped."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return (isinstance(message, ScanProgress) and message.progress.source == self.progress.source
                and not message.progress.new_names)


class CheckingScreen(GuideScreen):
    TITLE_KEY = "checking.title"
    HELP = "checking"
    BINDINGS = [Binding("escape", "cancel", "Stop", key_display="Esc", id="cancel")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.stop = threading.Event()  # live watching: stop and check what was seen
        self.lines: dict[str, Progress] = {}
        self.failed = ""
        self.handled = 0  # progress messages handled (tests check that floods coalesce)
        self.names: list[tuple[str, str]] = []  # (kind, name) seen live, in order
        self.known: dict[str, tuple[LocalText, str]] = {}  # name -> (threat, role) an indicator lists
        self.scratch: Path | None = None  # where a live watch keeps its capture until it is checked

    @property
    def watching(self) -> bool:
        return any(spec.kind in WATCHED for spec in self.guide.sources)

    def compose_body(self) -> ComposeResult:
        yield plain(self.t("checking.explain_live" if self.watching else "checking.explain"), classes="para")
        with VerticalScroll(id="progress"):
            if not self.lines:
                yield plain(self.t("checking.preparing"), classes="progress-line")
            for progress in self.lines.values():
                yield Para(self._line(progress), classes="progress-line")
        if self.watching:
            yield plain(self.t("checking.names"), classes="heading")
            yield RichLog(id="live-names", max_lines=MAX_NAMES_SHOWN, wrap=False, auto_scroll=True)
        if self.failed:
            yield plain(self.t("checking.failed", message=shown(self.failed)), classes="error")
            yield plain(self.t("checking.failed_back"), classes="para")
        elif self.cancel.is_set():
            yield plain(self.t("checking.stopping"), classes="para")
        elif self.stop.is_set():
            yield plain(self.t("checking.stopping_watch"), classes="para")
        else:
            yield LoadingIndicator()

    def on_mount(self) -> None:
        self._start()
        self._show_names(self.names)

    def _start(self) -> None:
        if self.guide.active_cancel is self.cancel:
            return  # already running (the screen was recomposed)
        guide = self.guide
        sources = guide.sources
        if self.watching:
            # The capture goes to a private folder that quick exit also removes, and that
            # is deleted as soon as the check is done: nothing stays unless a report is saved.
            self.scratch = Path(tempfile.mkdtemp(prefix="exposure-watch-"))
            guide.scratch.add(self.scratch)
            sources = tuple(SourceSpec(s.kind, s.target, (*s.options, ("folder", str(self.scratch))))
                            if s.kind in WATCHED else s for s in sources)
        request = ScanRequest(sources=sources, profiles=tuple(sorted(guide.selected_profiles or ())),
                              demo=guide.demo)
        guide.active_cancel = self.cancel
        self.run_check(request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan", description="check")
    def run_check(self, request: ScanRequest) -> ScanResult | None:
        from exposure.scan import run_scan

        def progress(update: Progress) -> None:
            self.post_message(ScanProgress(update))  # thread-safe; coalesced by can_replace

        try:
            return run_scan(request, ScanHooks(progress=progress, cancel=self.cancel, stop=self.stop))
        finally:
            self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.guide.scratch.discard(self.scratch)

    async def on_scan_progress(self, message: ScanProgress) -> None:
        self.handled += 1
        progress = message.progress
        for name, threat, role in progress.known:
            self.known[name] = (threat, role)
        self.names += progress.new_names
        new = progress.source not in self.lines
        self.lines[progress.source] = progress
        if new:
            await self.recompose()  # shows every name again
        elif progress.new_names:
            self._show_names(progress.new_names)
        if not new:
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
                what = plain_line(check_line(progress.reading, self.guide.lang))
                stage = self.t("checking.reading", what=what)
            if progress.fraction is not None:
                stage = f"{stage} {progress.fraction:.0%}"
        parts = [shown(progress.source), shown(stage), counts]
        return Text(" — ".join(part for part in parts if part))

    async def recompose(self) -> None:
        await super().recompose()
        self._show_names(self.names)

    def _show_names(self, names: Sequence[tuple[str, str]]) -> None:
        """Each new name on its own line; one an indicator lists is marked at once."""
        shown_names = list(self.query("#live-names").results(RichLog))
        if not shown_names:
            return
        log = shown_names[0]
        for kind, name in names:
            line = Text.assemble(f"{kind:<4} ", (shown(name), "bold"))
            if name in self.known:
                threat, role = self.known[name]
                words = self.t(f"checking.known.{role}") if has(f"checking.known.{role}") else self.t(
                    "checking.known.other")
                line.append(f"  ⚠ {self.t('checking.known', threat=shown(threat.get(self.guide.lang)))} ({words})",
                            style="bold reverse")
            log.write(line)

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
            self.failed = _plain_error(worker.error, self.guide.lang)
            self.call_later(self.recompose)

    def on_unmount(self) -> None:
        # The screen is going away (the app is closing): the check must not carry on unseen.
        self.cancel.set()
        self._remove_scratch()

    def _went_back(self) -> None:
        self.app.pop_screen()
        self.app.notify(self.t("checking.stopped"), timeout=4)

    def action_cancel(self) -> None:
        if self.failed:
            self.app.pop_screen()
            return
        if self.cancel.is_set() or self.stop.is_set():
            return
        if self.watching and self.lines:
            # What was seen is kept until the person says: check it (the default) or discard it.
            self.app.push_screen(StopWatchingScreen(), self._stop_answer)
            return
        self.cancel.set()
        self.call_later(self.recompose)

    def _stop_answer(self, answer: str | None) -> None:
        if answer == "check":
            self.stop.set()
        elif answer == "discard":
            self.cancel.set()
        else:
            return  # keep watching
        self.call_later(self.recompose)


def _plain_error(error: BaseException | None, lang: str) -> str:
    """One line for the person, in their language: a UserError says it plainly; anything
    else is named by its kind only (no traceback on screen)."""
    from exposure.errors import UserError
    from exposure.explain.notes import error_line

    if isinstance(error, UserError):  # CollectorError is one too
        return plain_line(error_line(error, lang))
    return type(error).__name__ if error else "unknown error"
