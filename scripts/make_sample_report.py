#!/usr/bin/env python3
"""Regenerate docs/sample-report.html (+ .zh.html) and docs/sample-report.png from the demo data.

Run from anywhere: ``.venv/bin/python scripts/make_sample_report.py``.
Scans the synthetic demo capture and phone (``exposure.demo.demo_sources``) with the
bundled profiles only, writes the HTML report (times in UTC, paths relative to the
repository so no local path leaks into the sample), and has headless Chromium take a
screenshot of it.
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--hide-scrollbars"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs"), help="folder for sample-report.html and .png")
    args = parser.parse_args()

    os.environ["TZ"] = "UTC"
    time.tzset()
    os.chdir(REPO)
    from exposure.demo import demo_sources
    from exposure.report.render import write_html
    from exposure.scan import ScanRequest, run_scan

    sources = tuple(replace(s, target=os.path.relpath(s.target, REPO)) for s in demo_sources())
    result = run_scan(ScanRequest(sources=sources, use_feeds=False, demo=True))
    out = Path(args.out)
    html_path, png_path = out / "sample-report.html", out / "sample-report.png"
    write_html(result, html_path, force=True, lang="en")
    write_html(result, out / "sample-report.zh.html", force=True, lang="zh")
    print(f"{html_path} and sample-report.zh.html: {len(result.findings)} findings")

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
