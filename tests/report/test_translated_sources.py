"""A profile may give a source's title in several languages (docs/profiles.md, "Schema"):
Echap's Coalition Against Stalkerware page is cited with our description of it, which a
Chinese report shows in Chinese; a source's own title (a report's name) stays as written.
The translation is checked when profiles load, kept in the JSON report and used by every
renderer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure.document import ReportDocument
from exposure.explain.finding import explain_finding
from exposure.explain.lines import plain
from exposure.indicators.profiles import load_profile_file, validate_files
from exposure.model import Reference
from exposure.observations.android import AndroidPackage
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import dumps, from_json
from exposure.report.markdown import render_markdown
from exposure.report.schema import check_report
from tests.indicators.matching import bundled, findings
from tests.indicators.profile_helpers import VALID
from tests.report.helpers import _result

COALITION_EN = "Coalition Against Stalkerware: what stalkerware is and where to find help"
COALITION_ZH = "反跟踪软件联盟（Coalition Against Stalkerware）：什么是跟踪监控软件，以及去哪里求助"
OUR_TITLE = "  r1: {title: {en: What this tool is, zh: 这个工具是什么}, url: https://example.org/report}\n"
PLAIN_TITLE = "  r1: {title: Example report, url: https://example.org/report}\n"


def _profile(tmp_path: Path, reference_line: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(VALID.replace(PLAIN_TITLE, reference_line), encoding="utf-8")
    return path


def test_a_reference_title_may_be_a_text_in_each_language(tmp_path: Path) -> None:
    [ref] = load_profile_file(_profile(tmp_path, OUR_TITLE)).threats[0].references
    assert ref == Reference("What this tool is", "https://example.org/report", (("zh", "这个工具是什么"),))
    assert (ref.title_in("en"), ref.title_in("zh"), ref.title_in("fr")) == (
        "What this tool is", "这个工具是什么", "What this tool is")
    [plain_ref] = load_profile_file(_profile(tmp_path, PLAIN_TITLE)).threats[0].references
    assert plain_ref == Reference("Example report", "https://example.org/report") and plain_ref.title_in("zh") == (
        "Example report")  # a source's own title, the same in every language


@pytest.mark.parametrize(("title", "expected"), [
    ("{zh: 这个工具是什么}", "text has no English ('en') version"),
    ("{en: What it is, Chinese: 这个}", "'Chinese' is not a language code"),
    ("{en: [a, b]}", "expected text, found a list"),
])
def test_a_translated_title_is_checked_when_profiles_load(tmp_path: Path, title: str, expected: str) -> None:
    path = _profile(tmp_path, f"  r1: {{title: {title}, url: https://example.org/report}}\n")
    profiles, errors = validate_files([path])
    assert not profiles
    assert any(expected in e and e.startswith(f"{path}:6:") for e in errors), errors


def _spylive360_report() -> ReportDocument:
    """SpyLive360 found on a phone by the bundled lists: its sources include the Coalition page."""
    [finding] = findings(AndroidPackage("android", "R58M123", package="com.wifi0", installer=""))
    threat = bundled().index.threat(finding.threat)
    assert threat is not None
    return from_result(_result([finding], {threat.id: threat}))


def test_the_coalition_title_is_chinese_in_a_chinese_report_and_english_in_an_english_one() -> None:
    doc = _spylive360_report()
    sources = {lang: [plain(s.title) for s in explain_finding(doc.findings[0], doc, lang).references]
               for lang in ("en", "zh")}
    assert COALITION_EN in sources["en"] and COALITION_ZH not in sources["en"]
    assert COALITION_ZH in sources["zh"] and COALITION_EN not in sources["zh"]
    for render in (render_markdown, render_html):
        zh, en = render(doc, "zh"), render(doc, "en")
        assert COALITION_ZH in zh.replace("\\", "") and "what stalkerware is" not in zh
        assert COALITION_EN in en.replace("\\", "")  # Markdown escapes the colon


def test_the_json_report_keeps_the_translation_and_renders_it_again() -> None:
    doc = _spylive360_report()
    data = json.loads(dumps(doc))
    check_report(data)
    cited = [r for t in data["threats"].values() for r in t["references"] if r["title"] == COALITION_EN]
    assert cited and all(r["titles"] == {"zh": COALITION_ZH} for r in cited)
    plain_refs = [r for t in data["threats"].values() for r in t["references"] if r["title"] != COALITION_EN]
    assert plain_refs and all("titles" not in r for r in plain_refs)
    again = from_json(data)
    assert COALITION_ZH in render_markdown(again, "zh")
