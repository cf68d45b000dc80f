"""The sample reports in docs/ are what the code renders today, for every renderer (JSON,
Markdown, HTML; English and Chinese): the bytes are the contract. And the saved JSON sample,
re-rendered by ``exposure report``, gives the same HTML and Markdown byte for byte.

After a change to what a report says or how it looks, run
``.venv/bin/python scripts/make_sample_report.py`` and review the difference it makes.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from exposure.cli import main
from tests.paths import REPO


@pytest.fixture
def utc() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_report", REPO / "scripts" / "make_sample_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("utc")
def test_the_sample_reports_in_docs_are_what_the_code_renders() -> None:
    pages = _script().sample_pages()
    assert sorted(pages) == ["sample-report.html", "sample-report.json", "sample-report.md", "sample-report.zh.html",
                             "sample-report.zh.md"]
    for name, page in pages.items():
        committed = (REPO / "docs" / name).read_text("utf-8")
        difference = "".join(difflib.unified_diff(committed.splitlines(True), page.splitlines(True),
                                                  f"docs/{name}", "rendered now", n=1))
        assert page == committed, f"run scripts/make_sample_report.py, then review:\n{difference[:3000]}"


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_saved_sample_re_renders_to_the_same_bytes(lang: str, tmp_path: Path) -> None:
    suffix = "" if lang == "en" else f".{lang}"
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    assert main(["report", str(REPO / "docs" / "sample-report.json"), "--html", str(html), "--md", str(md),
                 "--lang", lang]) == 0
    assert html.read_text("utf-8") == (REPO / "docs" / f"sample-report{suffix}.html").read_text("utf-8")
    assert md.read_text("utf-8") == (REPO / "docs" / f"sample-report{suffix}.md").read_text("utf-8")


@pytest.mark.usefixtures("utc")
def test_the_sample_is_the_same_on_every_run() -> None:
    script = _script()
    assert script.sample_pages() == script.sample_pages()
