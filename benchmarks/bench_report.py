"""Time the report layer on a large scan: 500 findings with 50 observations each.

Usage: .venv/bin/python benchmarks/bench_report.py [--findings N]
Measures the report document (``from_result``), the JSON text, HTML and Markdown rendering
from the document, and reading a saved report back (JSON parse + schema check + document),
with tracemalloc's peak for the HTML rendering.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import dumps, read_report
from exposure.report.markdown import render_markdown
from exposure.scan import ScanResult
from tests.report.helpers import result_with_findings, t0

T = TypeVar("T")


def big_result(findings: int, per_finding: int) -> ScanResult:
    from exposure.observations.network import DnsQuery

    result = result_with_findings()
    template = result.findings[0]
    many = []
    for i in range(findings):
        name = f"c{i}.spylive360.com"
        evidence = tuple(DnsQuery("pcap", "capture.pcap", name=f"h{j}.{name}", client="192.168.1.23",
                                  first_seen=t0(1), last_seen=t0(40), count=j + 1) for j in range(per_finding))
        many.append(replace(template, subject=name, evidence=evidence,
                            params=(("name", "SpyLive360"), ("subject", name))))
    result.findings = many
    return result


def timed(label: str, fn: Callable[[], T], repeat: int = 3) -> T:
    times: list[float] = []
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    print(f"{label}: median {statistics.median(times):.3f} s CPU")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=500)
    parser.add_argument("--per-finding", type=int, default=50)
    args = parser.parse_args()
    result = big_result(args.findings, args.per_finding)
    print(f"{args.findings} findings x {args.per_finding} observations")
    report = timed("from_result (ScanResult -> document)", lambda: from_result(result))
    text = timed("JSON text (dumps)", lambda: dumps(report))
    page = timed("HTML (from the document)", lambda: render_html(report, "en"))
    md = timed("Markdown (from the document)", lambda: render_markdown(report, "zh"))
    timed("fresh scan, all three (from_result + JSON + HTML + Markdown)",
          lambda: (lambda doc: (dumps(doc), render_html(doc, "en"), render_markdown(doc, "zh")))(from_result(result)))
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "r.json"
        saved.write_text(str(text), "utf-8")
        timed("read_report (parse + schema check + document)", lambda: read_report(saved))
        timed("exposure report: read_report + HTML", lambda: render_html(read_report(saved), "en"))
    tracemalloc.start()
    render_html(report, "en")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"sizes: JSON {len(str(text)) / 1e6:.1f} MB, HTML {len(str(page)) / 1e6:.1f} MB, "
          f"Markdown {len(str(md)) / 1e6:.1f} MB; HTML rendering peak {peak / 1e6:.0f} MB (tracemalloc)")
    json.loads(str(text))


if __name__ == "__main__":
    main()
