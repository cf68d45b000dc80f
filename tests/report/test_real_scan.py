"""A real scan (an androidqf acquisition from ../shared and a capture) gives a JSON report
that validates against the schema and re-renders in Chinese from the saved file alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from exposure.cli import main
from exposure.model import SourceSpec
from exposure.report.document import from_result
from exposure.report.json_report import dumps
from exposure.report.schema import report_schema
from exposure.scan import ScanRequest, run_scan
from tests.paths import FIXTURES, NAME_CAPTURES, needs_shared

ANDROIDQF = FIXTURES / "android" / "mvt" / "androidqf"  # test input only: stays in ../shared
CAPTURE = NAME_CAPTURES / "dns__dns-query__dns-detect-query-01__input" / "capture.pcap"
HAN = re.compile(r"[\u4e00-\u9fff]")


@needs_shared()
def test_real_scan_json_validates_and_rerenders_in_chinese(tmp_path: Path) -> None:
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(ANDROIDQF)), SourceSpec("pcap", str(CAPTURE))),
                                  use_feeds=False))
    data = json.loads(dumps(from_result(result)))
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    assert data["findings"], "the androidqf fixture has root binaries and side-loaded apps"
    assert [s["kind"] for s in data["sources"]] == ["androidqf", "pcap"]
    assert len(data["sources"][1]["sha256"]) == 64
    for finding in data["findings"]:
        if finding["threat"]:
            assert finding["threat"] in data["threats"]

    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(data), "utf-8")
    html_path = tmp_path / "scan.html"
    assert main(["report", str(saved), "--html", str(html_path), "--lang", "zh"]) == 0
    page = html_path.read_text("utf-8")
    titles = re.findall(r'<h3><span class="badge">[^<]*</span> (.*?)</h3>', page)
    assert len(titles) == len(data["findings"])
    for title in titles:
        assert HAN.search(title), f"not in Chinese: {title}"
