"""``exposure scan --pcap``: the report records each capture (sha256, packets, time span, what
could not be decoded), and a file that is not a capture stops the command with one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from exposure.cli import main
from tests.paths import NAME_CAPTURES, locate

NAMES = NAME_CAPTURES


def scan(tmp_path: Path, *captures: Path) -> dict[str, object]:
    out = tmp_path / "report.json"
    args = ["scan", "--no-feeds", "--quiet", "--json", str(out)]
    for capture in captures:
        args += ["--pcap", str(capture)]
    assert main(args) == 0
    report: dict[str, object] = json.loads(out.read_text())
    return report


def test_report_records_each_capture(tmp_path: Path) -> None:
    first = NAMES / "decode-teredo-01__input" / "capture.pcap"
    second = NAMES / "quic-frag__input" / "capture.pcap"
    report = scan(tmp_path, first, second)
    sources = report["sources"]
    assert isinstance(sources, list) and [s["name"] for s in sources] == [str(first), str(second)]
    teredo = sources[0]
    assert teredo["kind"] == "pcap"
    assert teredo["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert teredo["counts"]["packets"] == 78 and teredo["counts"]["ip_packets"] == 78
    assert teredo["first_time"].startswith("2008-05-16T15:50:46.591933")
    assert teredo["last_time"].startswith("2008-05-16T15:51:16.058333")
    assert teredo["undecoded"] == {}
    assert sources[1]["counts"]["quic_server_names"] == 1


def test_undecoded_packets_become_counted_warnings(tmp_path: Path) -> None:
    capture = locate("fixtures/pcaps/tcpdump/hoobr_rt6_print.pcap")
    readable = NAMES / "quic-frag__input" / "capture.pcap"  # so that a report is written
    out = tmp_path / "report.json"
    assert main(["scan", "--no-feeds", "--quiet", "--json", str(out), "--pcap", str(capture), str(readable)]) == 2
    report = json.loads(out.read_text())
    sources = report["sources"]
    assert isinstance(sources, list)
    source = sources[0]
    # not one packet could be read as IP: not checked, saying so (never "nothing found")
    assert source["counts"]["ip_packets"] == 0
    assert source["unread"]["key"] == "error.source.no-ip-decoded"
    undecoded = source["undecoded"]
    assert undecoded, "this capture is damaged on purpose"
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    messages = [w["message"] for w in warnings]
    for reason, count in undecoded.items():
        assert any(m.startswith(f"{count} packet") and reason in m for m in messages)


def test_text_file_stops_scan_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a capture\n")
    assert main(["scan", "--no-feeds", "--pcap", str(text), "--json", str(tmp_path / "r.json")]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"exposure: {text}: not a capture file (pcap or pcapng)\n"
    assert not (tmp_path / "r.json").exists()
