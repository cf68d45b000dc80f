"""The HTML report in a real browser: headless Chromium prints it to PDF and dumps its DOM.

A report whose names are hostile (HTML, script, template and Rich markup, javascript:
URLs) must show them as text: the DOM has no <script>/<img> element and no event-handler
attribute, the printed PDF contains the names literally, and the page makes no network
request. How the last point is checked: Chromium writes a NetLog (``--log-net-log``);
every request the page starts carries the page's origin as its ``initiator``, while the
browser's own background requests carry "not an origin". We assert the page started no
request, and a control page that does load an image proves the check can see one. Loads
of other local files cannot appear in a NetLog; the DOM check (no element that loads
anything) covers those.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exposure.report.document import from_result
from exposure.report.render import html_text
from tests.report.helpers import HOSTILE, result_with_findings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         # Keep the browser's own background requests off the real network.
         "--host-resolver-rules=MAP * ~NOTFOUND"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (see .ci/run)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = Path(tmp_path) / f"profile-{len(list(Path(tmp_path).glob('profile-*')))}"
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, check=False)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page_requests(net_log: Path) -> list[str]:
    """URLs of the requests that a page (not the browser itself) started."""
    data = json.loads(net_log.read_text("utf-8"))
    types = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        if (types.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
                and params.get("initiator") != "not an origin"):
            urls.append(str(params.get("url")))
    return urls


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chromium-report")
    path = folder / "report.html"
    path.write_text(html_text(from_result(result_with_findings(HOSTILE)), "en"), "utf-8")
    return path


def test_hostile_names_are_text_in_the_dom(hostile_report: Path, tmp_path: Path) -> None:
    done = chromium(tmp_path, "--dump-dom", hostile_report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    parsed = Elements()
    parsed.feed(done.stdout)
    assert "article" in parsed.tags and "details" in parsed.tags  # the report did render
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert parsed.handlers == []
    text = "".join(parsed.text)
    for name in HOSTILE:
        assert name in text


def test_printed_pdf_shows_the_names_and_the_page_made_no_request(hostile_report: Path, tmp_path: Path) -> None:
    pdf, net_log = tmp_path / "report.pdf", tmp_path / "net.json"
    done = chromium(tmp_path, f"--log-net-log={net_log}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    hostile_report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.\d+ 84[12]\.\d+", pdf.read_bytes()), "not A4"
    text = pdf_text(pdf)
    squeezed = re.sub(r"\s+", "", text)
    for name in HOSTILE:
        assert re.sub(r"\s+", "", name) in squeezed
    assert "Where to get help" in text and "Record of this check" in text
    assert "Technical details" in text  # the folded evidence is printed
    assert page_requests(net_log) == []


def test_the_request_check_sees_a_page_request(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><p>control</p><img src="http://127.0.0.1:9/pixel.png">', "utf-8")
    net_log = tmp_path / "net.json"
    done = chromium(tmp_path, f"--log-net-log={net_log}", "--dump-dom", control.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "http://127.0.0.1:9/pixel.png" in page_requests(net_log)


def pdf_text(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is required in CI (see .ci/run)", pytrace=False)
        pytest.skip("pdftotext is not installed")
    return subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
