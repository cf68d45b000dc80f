"""The Markdown report reads cleanly in a text editor (only what Markdown would interpret is
escaped: review r3 trainer #10), and untrusted names still never become links, images, raw
HTML, headings, emphasis or tables when a renderer reads it (GitHub-like, with linkify)."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from exposure.explain.lines import name
from exposure.report.document import from_result
from exposure.report.json_report import dumps, from_json
from exposure.report.markdown import md_line, md_name, md_text, render_markdown
from tests.report.helpers import result_with_findings

RENDERER = MarkdownIt("gfm-like")  # CommonMark + tables, strikethrough, linkify


@pytest.mark.parametrize("text", [
    "exposure 0.1.0",
    "Echap stalkerware-indicators, ioc.yaml (CC BY 4.0), commit a04c5c1",
    "Coalition Against Stalkerware: what stalkerware is and where to find help",
    "com.wifi0 and app_flags.csv, e.g. v2.3; 50% (about) + more - less! {x} > y #3 C#-like",
    "监控软件：设备 1.0 版",
])
def test_plain_words_are_not_escaped(text: str) -> None:
    assert md_name(text) == text
    assert md_text(text) == text


@pytest.mark.parametrize(("text", "escaped"), [
    ("a *b* c", "a \\*b\\* c"),
    ("_x_ snake_case", "\\_x\\_ snake_case"),
    ("[x](y)", "\\[x\\](y)"),
    ("<b>", "\\<b>"),
    ("a | b", "a \\| b"),
    ("~~x~~", "\\~\\~x\\~\\~"),
    ("&amp; & more", "\\&amp; & more"),
    ("`x`", "\\`x\\`"),
    ("a\\b", "a\\\\b"),
    ("# x #", "\\# x \\#"),
])
def test_what_markdown_reads_is_escaped(text: str, escaped: str) -> None:
    assert md_text(text) == escaped


HOSTILE = [
    "Spy https://evil.example/login www.evil.com help@evil.com [click](https://evil.example)",
    "//evil.example/x and evil.com and EVIL.COM/path and shop.evil.co.uk",
    "![img](https://evil.example/x.png) <img src=x onerror=alert(1)> <script>alert(1)</script>",
    "<https://evil.example> <help@evil.com> mailto:help@evil.com",
    "&lt;script&gt; &#x3C;b&#x3E;",
    "*bold* __strong__ ~~gone~~ `code`",
    "[ref]: https://evil.example",
    "# heading", "=====", "---", "> quote", "1. list", "+ item", "<!-- comment -->",
    "a | b | c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_an_untrusted_name_stays_text(text: str) -> None:
    for markdown in (md_line(name(text)), f"- {md_line(name(text))}", f"x {md_name(text)}",
                     f"### 1. {md_line(name(text))}", f"Seen: {md_line(name(text))}"):
        html = RENDERER.render(markdown)
        body = re.sub(r"^<(p|ul|li|h3)>|</(p|ul|li|h3)>$", "", html.replace("\n", ""))
        for tag in ("<a ", "<img", "<script", "<em>", "<strong>", "<s>", "<del>", "<code>", "<table",
                    "<h1", "<h2", "<blockquote", "<ol", "<hr", "<!--"):
            assert tag not in body.replace("<ul><li>", "").replace("</li></ul>", ""), (markdown, html)


def test_untrusted_lines_cannot_make_a_table() -> None:
    lines = "\n".join(md_line(name(t)) for t in ("a | b", "--- | ---", "c | d"))
    assert "<table" not in RENDERER.render(lines)


def test_a_whole_report_has_no_needless_escapes() -> None:
    report = from_json(json.loads(dumps(from_result(result_with_findings()))))
    for lang in ("en", "zh"):
        text = render_markdown(report, lang)
        outside = re.sub(r"(`+)(?:(?!\1).)*?\1", "", text)  # code spans hold values as they are
        assert not re.findall(r"\\[.:@{}!>]", outside), re.findall(r".{20}\\[.:@{}!>].{20}", outside)
        assert "exposure 0.1.0" in text or re.search(r"exposure \d+\.\d+", text)
