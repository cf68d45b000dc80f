"""The English that reaches the JSON report (finding titles, not-checked and warning lines
written by collectors and detectors) never hedges a plural with "(s)" and never pairs a
count with a plural it may not agree with ("1 running programs"): the count goes after a
colon, as the keyed texts do (review item 11). Chinese has no plural to get wrong."""

from __future__ import annotations

import ast
import json
import plistlib
import re
from pathlib import Path

from exposure.collect.ios.dump import write_dump
from exposure.report.document import from_result
from exposure.report.json_report import dumps
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.paths import REPO

HEDGED = re.compile(r"[a-z]\((s|es)\)")
# "{n} programs ...", "{len(apps)} apps ...": a number in front of a plural noun
COUNT_BEFORE_PLURAL = re.compile(r"^ ?(?:[a-z-]+ )?(apps|programs|files|processes|profiles|addresses)\b")


def english_in(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string in the module; in an f-string, each part after a {value}
    starts with a space marker, so that "{n} programs" is seen."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.JoinedStr):
            after_value = False
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, (" " if after_value else "") + part.value))
                after_value = isinstance(part, ast.FormattedValue)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def test_no_english_in_the_code_hedges_or_misses_a_plural() -> None:
    found = []
    for path in sorted((REPO / "exposure").rglob("*.py")):
        for number, text in english_in(path):
            plural = COUNT_BEFORE_PLURAL.search(text) if text.startswith(" ") else None
            if HEDGED.search(text.replace("http(s)", "")) or plural:
                found.append(f"{path.relative_to(REPO)}:{number}: {text.strip()[:80]}")
    assert found == []


def test_one_app_from_outside_the_app_store_in_the_json(tmp_path: Path) -> None:
    apps = plistlib.loads((REPO / "tests" / "data" / "ios" / "isdi_ios_apps.plist").read_bytes())
    store = [app for app in apps if app.get("SignerIdentity") == "Apple iPhone OS Application Signing"]
    sideloaded = {**store[0], "CFBundleIdentifier": "com.example.sideloaded",
                  "SignerIdentity": "Apple Development: Jane Roe (Q1W2E3R4T5)"}
    folder = tmp_path / "one"
    folder.mkdir()
    write_dump(folder, "00008030-001A2B3C4D5E6F70", {"apps.plist": plistlib.dumps([*store[:3], sideloaded])}, {})
    report = from_result(run_scan(ScanRequest(sources=(SourceSpec("iphone-dump", str(folder)),), use_feeds=False)))
    titles = [f["title"] for f in json.loads(dumps(report))["findings"]]
    assert "Apps not from the App Store: 1" in titles, titles
