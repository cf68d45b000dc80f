"""JSON against the schema, HTML and Markdown from the same dictionary, hostile names kept
as text, files written privately, and ``exposure report`` re-rendering a saved report."""

from __future__ import annotations

import copy
import json
import re
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from exposure.cli import main
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import dumps, from_json
from exposure.report.markdown import md_code, render_markdown
from exposure.report.output import print_summary, write_reports
from exposure.report.schema import problems, report_schema
from tests.report.helpers import HOSTILE, report_dict, result_with_findings, result_without_findings, write_json


def shown(page: str) -> str:
    """The text a reader sees (tags removed, entities left as they are)."""
    return re.sub(r"<[^>]+>", "", page)


def validator() -> jsonschema.protocols.Validator:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("make", [result_with_findings, result_without_findings])
def test_json_report_validates_against_the_schema(make: Any) -> None:
    data = json.loads(dumps(from_result(make())))
    validator().validate(data)
    assert problems(data) == []
    assert data["schema"] == "exposure.report/1"


def test_json_report_carries_threat_texts_and_counts() -> None:
    data = report_dict(result_with_findings())
    assert data["threats"]["spylive360"]["what_it_is"]["zh"] == "SpyLive360 是用来偷偷监视手机的软件。"
    assert data["summary"] == {"findings": 3, "warnings": 1,
                               "by_severity": {"critical": 2, "high": 0, "medium": 0, "low": 1, "info": 0}}


BROKEN = [
    ("drop findings", lambda d: d.pop("findings")),
    ("bad severity", lambda d: d["findings"][0].__setitem__("severity", "apocalyptic")),
    ("count as text", lambda d: d["findings"][0]["evidence"][0].__setitem__("count", "14")),
    ("extra key", lambda d: d.__setitem__("surprise", 1)),
    ("boolean as count", lambda d: d["summary"].__setitem__("findings", True)),
    ("threat text not text", lambda d: d["threats"]["spylive360"]["name"].__setitem__("en", 5)),
    ("negative count", lambda d: d["warnings"][0].__setitem__("count", -1)),
    ("source without name", lambda d: d["sources"][0].pop("name")),
]


@pytest.mark.parametrize(("label", "breaks"), BROKEN, ids=[b[0] for b in BROKEN])
def test_our_checker_and_jsonschema_agree_on_broken_reports(label: str, breaks: Any) -> None:
    data = copy.deepcopy(report_dict(result_with_findings()))
    breaks(data)
    assert not validator().is_valid(data)
    assert problems(data), label


def test_html_shows_hostile_names_as_text_only() -> None:
    page = render_html(from_result(result_with_findings(HOSTILE)), "en")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "onerror=alert(1)&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.example.com" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{7*7}}" in page and "[bold red]x[/]" in page
    assert 'href="javascript:' not in page
    # Nothing is loaded from anywhere: no src= at all, and every link is to a help service
    # or a source, never a resource.
    assert " src=" not in page.replace("src=x", "")
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    links = re.findall(r'href="([^"]*)"', page)
    assert links and all(link.startswith("https://") for link in links)


def test_html_folds_evidence_on_screen_and_prints_it() -> None:
    page = render_html(from_result(result_with_findings()), "en")
    assert page.count('<details class="tech screen-only">') == 3
    assert page.count('<div class="tech print-only">') == 3
    assert "@page { size: A4" in page and "@media print" in page
    assert '<meta name="viewport"' in page


def test_html_has_summary_findings_by_severity_and_record() -> None:
    page = shown(render_html(from_result(result_with_findings()), "en"))
    position = 0
    for marker in ("Summary", "What we found", "Contact with a SpyLive360 server", "SpyLive360 found",
                   "Something odd", "Where to get help", "Record of this check"):
        position = page.index(marker, position)  # each after the one before
    assert "12" * 32 in page  # the capture's sha256
    assert "34" * 32 in page and "a04c5c1" in page  # the feed's hash and version
    assert "Made by exposure 0.1.0." in page
    assert "stopstalkerware.org" in page and "help@accessnow.org" in page


def test_demo_reports_say_so() -> None:
    page = render_html(from_result(result_with_findings(demo=True)), "en")
    assert '<p class="demo">DEMO:' in page
    assert "DEMO:" in render_markdown(from_result(result_with_findings(demo=True)), "en")
    assert 'class="demo"' not in render_html(from_result(result_with_findings()), "en")


def test_markdown_keeps_hostile_names_in_code_spans() -> None:
    text = render_markdown(from_result(result_with_findings(HOSTILE)), "en")
    assert "`<img src=x onerror=alert(1)>.example.com`" in text
    assert "`<script>alert(1)</script>`" in text
    # No raw HTML outside code spans, no links made from a name.
    outside = re.sub(r"(`+)(?:(?!\1).)*?\1", "", text)
    for bad in ("<img", "<script", "](", "javascript:"):
        assert bad not in outside
    assert "<details>" in outside  # our own folding is the only HTML


@pytest.mark.parametrize(("value", "expected"), [
    ("a`b", "``a`b``"),
    ("``x", "``` ``x ```"),
    ("line\nbreak", "`line break`"),
    ("\u202eevil", "`\\u202eevil`"),
])
def test_code_spans_cannot_be_closed_from_inside(value: str, expected: str) -> None:
    assert md_code(value) == expected


def test_reports_in_chinese() -> None:
    report = from_json(json.loads(dumps(from_result(result_with_findings()))))
    page = render_html(report, "zh")
    assert '<html lang="zh" dir="ltr">' in page
    assert "与 SpyLive360 的服务器有联系" in shown(page) and "到哪里寻求帮助" in page
    assert "发现的情况" in render_markdown(report, "zh")


def test_files_are_private_and_never_overwritten(tmp_path: Path) -> None:
    result = from_result(result_with_findings())
    paths = {kind: tmp_path / f"r.{kind}" for kind in ("json", "md", "html")}
    write_reports(result, "en", json_path=str(paths["json"]), md_path=str(paths["md"]), html_path=str(paths["html"]))
    for path in paths.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = paths["html"].read_bytes()
    with pytest.raises(Exception, match="already exists"):
        write_reports(result, "zh", html_path=str(paths["html"]))
    assert paths["html"].read_bytes() == before
    write_reports(result, "zh", html_path=str(paths["html"]), force=True)
    assert "发现的情况" in paths["html"].read_text("utf-8")
    assert stat.S_IMODE(paths["html"].stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_print_summary_in_chinese_with_titles() -> None:
    import io

    out = io.StringIO()
    print_summary(from_result(result_with_findings(("evil\x1b[2J.example.com",))), "zh", out)
    text = out.getvalue()
    assert "我们发现了 3 项值得你注意的情况" in text
    assert "[非常严重] 与 SpyLive360 的服务器有联系" in text
    assert "\x1b" not in text and "\\x1b[2J" in text


# --- exposure report -------------------------------------------------------------------------

def test_report_command_rerenders_a_saved_report_in_another_language(tmp_path: Path) -> None:
    saved = tmp_path / "scan.json"
    write_json(result_with_findings(HOSTILE), saved)
    assert main(["report", str(saved), "--html", str(tmp_path / "r.html"), "--md", str(tmp_path / "r.md"),
                 "--lang", "zh"]) == 0
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "与 SpyLive360 的服务器有联系" in shown(page) and "&lt;script&gt;" in page
    assert "发现的情况" in (tmp_path / "r.md").read_text("utf-8")
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o600
    # Same output as rendering the scan directly: one renderer.
    assert page == render_html(from_result(result_with_findings(HOSTILE)), "zh")


def test_report_command_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "scan.json"
    write_json(result_without_findings(), saved)
    target = tmp_path / "r.html"
    target.write_text("keep me")
    assert main(["report", str(saved), "--html", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "keep me"
    assert main(["report", str(saved), "--html", str(target), "--force", "--lang", "en"]) == 0
    assert "does not prove the device is safe" in target.read_text("utf-8")


@pytest.mark.parametrize(("content", "message"), [
    (b"not json at all", "not a JSON report written by exposure"),
    (b'{"hello": 1}', "not a JSON report written by exposure"),
    (b"[1, 2]", "not a JSON report written by exposure"),
    (b'{"schema": "exposure.report/9"}', "report format 'exposure.report/9' is not one this version can read"),
    (b'{"schema": "exposure.report/1", "findings": []}', "damaged or altered report"),
    (b"\xff\xfe\x00", "not a JSON report written by exposure"),
    (b"[" * 100000, "not a JSON report written by exposure"),
])
def test_report_command_rejects_what_is_not_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 content: bytes, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert main(["report", str(bad), "--html", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("exposure: ") and message in err
    assert not (tmp_path / "r.html").exists()


def test_report_command_on_a_tampered_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = report_dict(result_with_findings())
    data["findings"][0]["evidence"][0]["facts"]["name"] = ["not", "text"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["report", str(bad), "--md", str(tmp_path / "r.md")]) == 2
    err = capsys.readouterr().err
    assert "damaged or altered report ($.findings[0].evidence[0].facts.name: expected string)" in err


def test_report_command_needs_an_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "scan.json"
    write_json(result_without_findings(), saved)
    assert main(["report", str(saved)]) == 2
    assert "--html FILE" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json"), "--html", str(tmp_path / "x.html")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_reports_say_which_worries_were_looked_for() -> None:
    from exposure.indicators.profiles import load_bundled_profiles

    title = next(p.title for p in load_bundled_profiles() if p.id == "stalkerware")
    data = report_dict(result_with_findings())
    assert data["profile_titles"]["stalkerware"] == dict(title.values)
    assert f"<li>{title.get('en')}</li>" in render_html(from_json(data), "en")
    assert f"- {title.get('zh')}" in render_markdown(from_json(data), "zh")


def test_a_tampered_reference_url_is_never_a_link() -> None:
    data = report_dict(result_with_findings())
    data["threats"]["spylive360"]["references"] = [
        {"title": "click me", "url": "javascript:alert(1)"},
        {"title": "quote", "url": 'https://example.org/"onmouseover="alert(1)'},
    ]
    assert problems(data) == []  # well formed: the renderer must cope
    page = render_html(from_json(data), "en")
    links = re.findall(r'href="([^"]*)"', page)
    assert links and not [link for link in links if not link.startswith("https://")]
    assert "javascript:alert(1)" in page  # shown as text
    assert 'onmouseover="alert' not in page


def test_a_web_address_in_a_threat_name_never_becomes_a_link_in_markdown() -> None:
    """Issue 17 (low): a feed's threat name is untrusted; GitHub-style autolinks and linkify
    must not turn an address or e-mail in it into a link."""
    from markdown_it import MarkdownIt

    report = report_dict(result_with_findings())
    evil = "Spy https://evil.example/login www.evil.com help@evil.com [click](https://evil.example)"
    report["threats"]["spylive360"]["name"] = {"en": evil, "zh": evil}
    html = MarkdownIt("gfm-like").render(render_markdown(from_json(report), "en"))
    assert "evil" in html  # the name is there, as text
    assert 'href="https://evil' not in html and "www.evil.com</a>" not in html and "mailto:help@evil" not in html
    assert 'href="https://stopstalkerware.org' in html  # our own help links still work
