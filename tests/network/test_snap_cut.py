"""Packets a capture kept only the first bytes of (``tcpdump -s 96``): counted by both readers, in
one pass and in byte ranges alike, and said in the scan's report (a warning and a line of what
could not be checked, en and zh) and by ``exposure names``; a frame check sequence the capture
left out is not a cut, and a capture kept whole says nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exposure.cli import main
from exposure.collect.net import parallel
from exposure.collect.net.extract import Extractor
from exposure.collect.net.merge import Joined, scan_ranges
from exposure.collect.net.reader import SnapCut, open_capture
from tests.network.test_scan_ranges import in_ranges, record_offsets

DATA = Path(__file__).resolve().parents[1] / "data" / "network"
CUT_PCAP, CUT_PCAPNG, UNCUT = DATA / "snap-cut.pcap", DATA / "snap-cut.pcapng", DATA / "snap-uncut.pcap"
# make_snap_cut.py: 20 rounds of three packets cut at 96 bytes (and one short and one FCS frame kept)
CUT = SnapCut(60, 96)
WARNING = ("packets were cut short when the capture was recorded (it kept only the first 96 bytes of each): 60; "
           "names inside their missing part could not be read")


def counted(path: Path, backend: str = "native", loop: bool = True) -> SnapCut:
    with open_capture(path, backend, hashing=False) as reader:
        if loop:
            ex = Extractor()
            ex.run(reader)
            ex.finish()
        else:
            for _frame in reader.frames():
                pass
        return reader.snap_cut


@pytest.mark.parametrize("path", [CUT_PCAP, CUT_PCAPNG], ids=["pcap", "pcapng"])
@pytest.mark.parametrize(("backend", "loop"), [("native", True), ("native", False), ("scapy", True)])
def test_cut_packets_are_counted_by_every_reader(path: Path, backend: str, loop: bool) -> None:
    assert counted(path, backend, loop) == CUT


def test_a_capture_kept_whole_counts_none_not_even_the_missing_frame_check_sequence() -> None:
    assert counted(UNCUT) == SnapCut() and counted(UNCUT, loop=False) == SnapCut()


@pytest.mark.parametrize("path", [CUT_PCAP, CUT_PCAPNG], ids=["pcap", "pcapng"])
def test_byte_ranges_count_what_one_pass_counts(path: Path) -> None:
    joined = scan_ranges(str(path), 2, 0)
    assert isinstance(joined, Joined) and joined.snap_cut == CUT
    names = parallel.names_in_parallel(str(path), 2, 0)
    assert names is not None and names.snap_cut == CUT
    assert parallel.names_in_parallel(str(path), 3, 0) is not None


def test_a_cut_at_every_record_counts_each_packet_once() -> None:
    offsets = record_offsets(CUT_PCAP)
    for cut in offsets[1::7]:
        joined = in_ranges(CUT_PCAP, [cut])
        assert isinstance(joined, Joined) and joined.snap_cut == CUT, cut


def scan(tmp_path: Path, capture: Path, lang: str) -> tuple[dict[str, Any], str]:
    out, md = tmp_path / f"{lang}.json", tmp_path / f"{lang}.md"
    assert main(["scan", "--no-feeds", "--quiet", "--lang", lang, "--json", str(out), "--md", str(md),
                 "--pcap", str(capture)]) == 0
    return json.loads(out.read_text()), md.read_text()


@pytest.mark.parametrize("capture", [CUT_PCAP, CUT_PCAPNG], ids=["pcap", "pcapng"])
def test_the_report_says_packets_were_cut_in_english_and_chinese(tmp_path: Path, capture: Path) -> None:
    report, md = scan(tmp_path, capture, "en")
    warnings = [w for w in report["warnings"] if w["key"] == "warn.pcap.snap-cut"]
    assert [(w["message"], dict(w["params"])) for w in warnings] == [(WARNING, {"count": "60", "snap": "96"})]
    (source,) = report["sources"]
    assert "pcap.snap-cut" in [note["key"] for note in source["not_checked"]]
    assert WARNING in md and "it kept only the first 96 bytes of the packets it cut short" in md
    _report, md_zh = scan(tmp_path, capture, "zh")
    assert "录制抓包时有数据包被截短了（每个只保留了前 96 个字节）：60 个" in md_zh
    assert "被截短的数据包只保留了前 96 个字节" in md_zh


def test_a_capture_kept_whole_gets_no_such_warning(tmp_path: Path) -> None:
    report, md = scan(tmp_path, UNCUT, "en")
    assert not [w for w in report["warnings"] if w["key"] == "warn.pcap.snap-cut"]
    (source,) = report["sources"]
    assert "pcap.snap-cut" not in [note["key"] for note in source["not_checked"]]
    assert "cut short" not in md


def test_names_prints_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", str(CUT_PCAP), str(UNCUT)]) == 0
    err = capsys.readouterr().err
    assert f"{CUT_PCAP}: {WARNING}" in err
    assert err.count("cut short") == 1
