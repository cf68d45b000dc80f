"""The HTML report's <title> (shown in the browser's tab and history, and the default name of a
printed PDF, where an abuser may look) says nothing of surveillance; the heading inside the page
stays descriptive (review r3 trainer #10; field guidance: bland names for windows and files)."""

from __future__ import annotations

import re

import pytest

from exposure.report.document import from_result
from exposure.report.html import render_html
from tests.report.helpers import result_with_findings

WATCHED_WORDS = re.compile(r"surveil|spy|stalk|monitor|track|监控|间谍|跟踪|追踪|监视", re.IGNORECASE)


@pytest.mark.parametrize(("lang", "title", "heading"), [
    ("en", "Device check report", "Surveillance check report"),
    ("zh", "设备检查报告", "监控软件检查报告"),
])
def test_the_page_title_is_bland_and_the_heading_plain(lang: str, title: str, heading: str) -> None:
    page = render_html(from_result(result_with_findings()), lang)
    (shown,) = re.findall(r"<title>(.*?)</title>", page)
    assert shown == title and not WATCHED_WORDS.search(shown)
    assert f"<h1>{heading}</h1>" in page
