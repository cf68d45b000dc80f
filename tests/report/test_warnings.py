"""Warnings in the person's language: every key a collector or detector gives has en and zh
texts in exposure/explain/warnings.yaml, and a real damaged capture is reported in both."""

from __future__ import annotations

import io
import re
from pathlib import Path

import jsonschema

from exposure.explain.lines import plain
from exposure.explain.notes import warning_line, warning_texts
from exposure.model import ScanWarning, SourceSpec
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import from_json, to_json
from exposure.report.markdown import render_markdown
from exposure.report.output import print_summary
from exposure.report.schema import report_schema
from exposure.scan import ScanRequest, run_scan
from tests.paths import NAME_CAPTURES, REPO
from tests.report.helpers import result_without_findings

KEY = re.compile(r"""["'](warn\.[a-z0-9][a-z0-9.\-]*[a-z0-9])["']""")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_warning_key_in_the_code_has_texts_and_every_text_is_used() -> None:
    keys = set()
    for path in (REPO / "exposure").rglob("*.py"):
        keys |= set(KEY.findall(path.read_text("utf-8")))
    assert len(keys) > 30
    texts = warning_texts()
    assert sorted(keys - set(texts)) == []
    assert sorted(set(texts) - keys) == []
    for key, text in texts.items():
        english, chinese = text.get("en"), text.get("zh")
        assert english and chinese and english != chinese, key
        # Both languages fill the same blanks, so neither loses a count or a path.
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(chinese)), key


def _damaged_capture(tmp_path: Path) -> Path:
    whole = (NAME_CAPTURES / "alert-max__alert-max-append-higher-priority__input" / "capture.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[: len(whole) - 7])  # the last packet ends early
    return cut


def test_a_damaged_capture_is_reported_in_the_persons_language(tmp_path: Path) -> None:
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(_damaged_capture(tmp_path))),),
                                  profiles=("stalkerware",), use_feeds=False))
    (damaged,) = [w for w in result.warnings if w.key == "warn.pcap.damaged"]
    assert damaged.message.startswith("the capture file is damaged (")
    data = to_json(from_result(result))
    jsonschema.validate(data, report_schema())
    report = from_json(data)  # as a saved report is read back
    said = next(w for w in report.warnings if w.key == "warn.pcap.damaged")
    assert dict(said.params)["reason"] == "truncated last packet"  # the report keeps the English reason as data
    reason = "最后一个数据包不完整"  # shown in Chinese (exposure/explain/reasons.yaml)
    assert plain(warning_line(said, "zh")) == f"抓包文件已损坏：{reason}；之后的数据包没有被读取"
    assert plain(warning_line(said, "en")) == damaged.message
    for render in (render_html, render_markdown):
        chinese = render(report, "zh")
        assert "抓包文件已损坏" in chinese and "the capture file is damaged" not in chinese
        assert reason in chinese and "truncated last packet" not in chinese
        assert "the capture file is damaged" in render(report, "en")
    terminal = io.StringIO()
    print_summary(report, "zh", terminal)
    assert f"抓包文件已损坏：{reason}；" in terminal.getvalue()


def test_a_warning_without_a_key_is_shown_as_it_was_said() -> None:
    # Reports from before warnings had keys, and warnings from feeds, keep their English.
    said = ScanWarning("x", "something <b>odd</b>")
    assert plain(warning_line(said, "zh")) == "something <b>odd</b>"
    result = result_without_findings()
    result.warnings = [said]
    page = render_html(from_result(result), "zh")
    assert "<b>" not in page and "something &lt;b&gt;odd&lt;/b&gt;" in page
