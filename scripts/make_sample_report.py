#!/usr/bin/env python3
"""Regenerate the sample reports in docs/ (HTML, Markdown and JSON, in English and Chinese)
and docs/sample-report.png from the demo data.

Run from anywhere: ``.venv/bin/python scripts/make_sample_report.py``.
Scans the synthetic demo capture and phone (``exposure.demo.demo_sources``) with the
bundled profiles only, writes each report (times in UTC, paths relative to the repository
so no local path leaks into the sample), and has headless Chromium take a screenshot of
the HTML one.

The reports depend on nothing but the code and the demo data: the time of the check is
pinned, so running this twice gives the same bytes. tests/report/test_sample_report.py
holds the committed files to that, for every renderer (the bytes are the contract): after
a change to what a report says, run this and review the difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exposure.scan import ScanResult

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--hide-scrollbars"]
PAGES = {"sample-report.html": "en", "sample-report.zh.html": "zh"}
TEXTS = {"sample-report.md": "en", "sample-report.zh.md": "zh"}
JSON = "sample-report.json"
CHECKED_AT = datetime(2026, 11, 26, 15, 48, 52, tzinfo=UTC)  # when the sample check "ran"


def sample_result() -> ScanResult:
    """The demo scan, with the times of the check pinned (the data's own times are fixed)."""
    from exposure.demo import demo_sources
    from exposure.scan import ScanRequest, run_scan

    sources = tuple(replace(s, target=os.path.relpath(s.target, REPO)) for s in demo_sources())
    result = run_scan(ScanRequest(sources=sources, use_feeds=False, demo=True))
    result.started = CHECKED_AT
    for number, info in enumerate(result.sources):
        info.started = CHECKED_AT + timedelta(milliseconds=100 * number)
        info.finished = info.started + timedelta(milliseconds=90)
    result.finished = CHECKED_AT + timedelta(milliseconds=100 * len(result.sources))
    return result


def sample_pages() -> dict[str, str]:
    """Each sample report's file name in docs/ and its text: HTML and Markdown in each
    language, and the JSON they are all rendered from (call with TZ=UTC, as main does)."""
    from exposure.report.document import from_result
    from exposure.report.json_report import dumps
    from exposure.report.render import html_text, markdown_text

    report = from_result(sample_result())
    pages = {name: html_text(report, lang) for name, lang in PAGES.items()}
    pages |= {name: markdown_text(report, lang) for name, lang in TEXTS.items()}
    pages[JSON] = dumps(report)
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs"), help="folder for sample-report.html and .png")
    args = parser.parse_args()

    os.environ["TZ"] = "UTC"
    time.tzset()
    os.chdir(REPO)
    from exposure.files import write_private

    out = Path(args.out)
    html_path, png_path = out / "sample-report.html", out / "sample-report.png"
    for name, page in sample_pages().items():
        write_private(out / name, page.encode("utf-8"), force=True)
        print(f"{out / name}: {len(page)} characters")

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found: no PNG made", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png_path}",
                        "--window-size=1000,2400", html_path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"{png_path}: {png_path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
