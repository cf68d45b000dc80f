"""Step 5, "Results": an overview, findings grouped by severity, and the chosen one explained.

The list starts with "Overview" (the summary in plain words, what could not be seen, and
the next checks worth doing), then the findings, most serious first. The panel beside
it explains the highlighted entry; technical evidence is folded away.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Collapsible, OptionList, Static
from textual.widgets.option_list import Option

from exposure.document import ReportDocument
from exposure.explain.notes import warning_line
from exposure.explain.sources import source_name
from exposure.model import Severity
from exposure.report.document import from_result
from exposure.scan import ScanResult
from exposure.tui.findings import FindingView, ResultView, line_text, view_result
from exposure.tui.safe import value_text
from exposure.tui.screens.base import GuideScreen
from exposure.tui.widgets import plain
from exposure.tui.wrap import Para, Wrapped
from exposure.untrusted import shown

OVERVIEW = -1


class ResultsScreen(GuideScreen):
    TITLE_KEY = "results.title"
    HELP = "results"
    BINDINGS = [  # noqa: RUF012
        Binding("s,S", "export", "Save report", key_display="S", id="export"),
        Binding("n,N", "new_check", "New check", key_display="N", id="new_check"),
        # Esc must not drop results that are kept nowhere else.
        Binding("escape", "nothing", show=False),
    ]

    def __init__(self, result: ScanResult) -> None:
        super().__init__()
        self.result = result
        self.selected = OVERVIEW
        self.saved: list[str] = []
        # The result as the report document, made once (a language switch re-explains it);
        # None only through a bug, when the view lists the findings' own titles instead.
        self.report: ReportDocument | None = None
        try:
            self.report = from_result(result)
        except Exception:  # the screen must show the results whatever happens
            self.report = None
        self._view: ResultView | None = None
        self._view_lang = ""

    @property
    def view(self) -> ResultView:
        if self._view is None or self._view_lang != self.guide.lang:
            self._view = view_result(self.result, self.guide.lang, self.report)
            self._view_lang = self.guide.lang
        return self._view

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="results-main"):
            yield OptionList(*self._options(), id="findings")
            with VerticalScroll(id="detail"):
                yield Para(id="d-title")
                yield Para(id="d-summary", classes="para")
                yield plain(self.t("results.per_source"), classes="heading", id="d-per_source-heading")
                yield Para(id="d-per_source", classes="para")
                yield plain(self.t("results.seen"), classes="heading", id="d-seen-heading")
                yield Para(id="d-seen", classes="para")
                yield plain(self.t("results.meaning"), classes="heading", id="d-meaning-heading")
                yield Para(id="d-meaning", classes="para")
                yield plain(self.t("results.confidence"), classes="heading", id="d-confidence-heading")
                yield Para(id="d-confidence", classes="para")
                yield plain(self.t("results.advice"), classes="heading", id="d-advice-heading")
                yield Para(id="d-advice", classes="para")
                yield plain(self.t("results.safety"), classes="heading", id="d-safety-heading")
                yield Para(id="d-safety", classes="para safety")
                yield plain(self.t("results.not_checked"), classes="heading", id="d-not_checked-heading")
                yield Para(id="d-not_checked", classes="para")
                yield plain(self.t("results.warnings"), classes="heading", id="d-warnings-heading")
                yield Para(id="d-warnings", classes="para")
                yield Para(id="d-next_checks", classes="para")
                # Last: what could not be seen and what to check next matter more than this list.
                yield plain(self.t("results.checked"), classes="heading", id="d-checked-heading")
                yield Para(id="d-checked", classes="para")
                with Collapsible(title=self.t("results.evidence"), id="d-evidence"):
                    yield Para(id="d-evidence-text")
                    yield plain(self.t("results.sources"), classes="heading")
                    yield Para(id="d-sources")

    def _options(self) -> list[Option]:
        options = [Option(Text(self.t("results.overview"), style="bold"), id="overview")]
        findings = self.view.findings
        for severity in Severity:
            group = [(i, f) for i, f in enumerate(findings) if f.severity == severity.value]
            if not group:
                continue
            words = group[0][1].severity_words
            options.append(Option(Text(f"{words} ({len(group)})", style="bold"),
                                  id=f"group-{severity.value}", disabled=True))
            for index, finding in group:
                options.append(Option(Wrapped(Text("  ") + finding.title), id=f"finding-{index}"))
        return options

    def focus_default(self) -> None:
        if not self.query("#d-title"):
            return  # not composed yet, or already being closed (a quick exit while it mounts)
        chooser = self.query_one("#findings", OptionList)
        option_id = "overview" if self.selected == OVERVIEW else f"finding-{self.selected}"
        chooser.highlighted = chooser.get_option_index(option_id)
        chooser.focus()
        self.show_detail()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = str(event.option.id)
        if option_id == "overview":
            self.selected = OVERVIEW
        elif option_id.startswith("finding-"):
            self.selected = int(option_id.removeprefix("finding-"))
        self.show_detail()

    def _set(self, part: str, text: Text | None) -> None:
        """Show ``text`` in part ``part`` (and its heading), or hide both when it is empty."""
        shown = bool(text and text.plain.strip())
        widget = self.query_one(f"#d-{part}", Static)
        widget.update(text if text is not None else Text())
        widget.display = shown
        for heading in self.query(f"#d-{part}-heading"):
            heading.display = shown

    def show_detail(self) -> None:
        if not self.query("#d-title"):
            return  # not composed yet, or already being closed
        view = self.view
        finding: FindingView | None = None if self.selected == OVERVIEW else view.findings[self.selected]
        title = self.query_one("#d-title", Static)
        evidence = self.query_one("#d-evidence", Collapsible)
        if finding is None:
            title.update(Text(self.t("results.overview"), style="bold"))
            summary = Text()
            if self.result.demo:
                summary.append(self.t("app.demo_badge").strip() + "\n\n", style="bold")
            summary.append_text(view.summary)
            if self.saved:
                summary.append("\n\n" + self.t("results.saved", paths=", ".join(map(shown, self.saved))))
            self._set("summary", summary)
            self._set("per_source", view.per_source)
            for part in ("seen", "meaning", "confidence", "advice", "safety"):
                self._set(part, None)
            self._set("checked", view.checked)
            self._set("not_checked", view.not_checked)
            self._set("warnings", self._warnings())
            self._set("next_checks", view.next_checks)
            evidence.display = False
            return
        heading = finding.title.copy()
        heading.stylize("bold")
        heading.append(f"\n{finding.severity_words}", style="italic")
        title.update(heading)
        self._set("summary", None)
        self._set("per_source", None)
        self._set("seen", finding.seen)
        self._set("meaning", finding.meaning)
        self._set("confidence", finding.confidence)
        self._set("advice", finding.advice)
        self._set("safety", finding.safety)
        self._set("checked", None)
        self._set("not_checked", None)
        self._set("warnings", None)
        self._set("next_checks", None)
        evidence.display = True
        self.query_one("#d-evidence-text", Static).update(finding.evidence)
        self.query_one("#d-sources", Static).update(finding.sources)

    def _warnings(self) -> Text:
        """What could not be read, in the person's language (one plain line each)."""
        lines = []
        for warning in self.result.warnings:
            where = source_name(self.report, warning.source, self.guide.lang) if self.report else warning.source
            line = Text("• ")
            line.append_text(value_text(where, style="bold"))
            line.append(": ")
            line.append_text(line_text(warning_line(warning, self.guide.lang)))
            if warning.count > 1:
                line.append(f" (×{warning.count})")
            lines.append(line)
        return Text("\n").join(lines)

    def action_nothing(self) -> None:
        pass

    def action_new_check(self) -> None:
        self.guide.action_new_check()

    def action_export(self) -> None:
        from exposure.tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.result, self._exported))

    def _exported(self, paths: list[str]) -> None:
        if paths:
            self.saved = paths
            self.app.notify(self.t("results.saved", paths=", ".join(map(shown, paths))), timeout=8, markup=False)
            if self.selected == OVERVIEW:
                self.show_detail()
