"""Compressed capture bombs (issue 17 item 4): limits on name length, on names in all, on pcapng
interface descriptions; what they drop is counted and said, in English and Chinese.

``bomb-long-names.pcap.gz`` (307 KB) holds 16,000 DNS queries for distinct names of 16 labels of
63 unprintable bytes and 8,000 HTTP requests with a 1,000-character Host. Before the limits,
``exposure names`` read it with a peak of ~250 MB and printed 80 MB of JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exposure.collect.base import CollectContext
from exposure.collect.net import tables
from exposure.collect.net.reader import MAX_INTERFACES, open_capture
from exposure.collect.pcap import PcapCollector
from exposure.commands.names import names_of
from exposure.explain.lines import plain
from exposure.explain.notes import warning_line
from exposure.model import CheckNote, ScanWarning

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
BOMB = DATA / "bomb-long-names.pcap.gz"
INTERFACES = DATA / "bomb-interfaces.pcapng.gz"


def test_long_names_are_dropped_counted_and_said() -> None:
    notes: list[str] = []
    found = names_of(str(BOMB), notes=notes)
    assert found.total() == 0
    assert any("16000 not read: DNS names longer than 255 bytes" in note for note in notes)
    assert any("8000 not read: server names longer than 253 characters" in note for note in notes)


_PEAK = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_names_of_a_bomb_stays_small_in_memory_and_output(tmp_path: Path) -> None:
    # measured from a small wrapper: a child forked straight from this (large) test process
    # would count the parent's pages in its peak
    out_path = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-c", _PEAK, str(out_path), sys.executable, "-m", "exposure", "names",
                          "--json", str(BOMB)], capture_output=True, text=True, check=True)
    code, peak_kib = map(int, run.stdout.split())
    assert code == 0
    out_bytes = out_path.read_bytes()
    assert len(out_bytes) < 1000  # it was 80 MB before the limits
    assert json.loads(out_bytes)["dns"] == []
    assert peak_kib < 150 * 1024, peak_kib  # it was ~250 MB before the limits


def test_peak_memory_of_reading_a_bomb_is_bounded() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        names_of(str(BOMB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, peak


def test_the_scan_warns_with_its_own_key() -> None:
    warnings: list[CheckNote | str] = []
    ctx = CollectContext(warn=warnings.append)
    observations = list(PcapCollector(str(BOMB)).collect(ctx))
    assert {type(o).__name__ for o in observations} == {"Flow"}  # no name was kept
    capped = [w for w in warnings if isinstance(w, CheckNote) and w.key == "warn.pcap.capped"]
    assert {dict(w.params)["reason"] for w in capped} == {tables.TOO_LONG_DNS, tables.TOO_LONG}
    for note in capped:
        params = dict(note.params)
        said = ScanWarning.of("bomb", note)
        english, chinese = plain(warning_line(said, "en")), plain(warning_line(said, "zh"))
        assert params["count"] in english and params["reason"] in english
        # the reason in Chinese (exposure/explain/reasons.yaml), not in English
        assert params["count"] in chinese and params["reason"] not in chinese and "没有保留" in chinese
        assert "exhaust memory" in plain(warning_line(said, "en"))
        assert "耗尽内存" in plain(warning_line(said, "zh"))


def test_pcapng_interface_descriptions_are_capped() -> None:
    with open_capture(INTERFACES) as reader:
        frames = list(reader.frames())
        dropped = dict(reader.dropped)
        problems = dict(reader.problems)
    assert frames == []
    assert dropped == {f"interface descriptions beyond the first {MAX_INTERFACES}": 100_000 - MAX_INTERFACES,
                       f"packets on interfaces beyond the first {MAX_INTERFACES}": 1}
    assert problems == {}


@pytest.mark.parametrize("budget", [5_000])
def test_total_name_characters_are_capped(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    monkeypatch.setattr(tables, "MAX_NAME_CHARS", budget)
    dropped: list[str] = []
    table = tables.NameTables(False, lambda reason: None, lambda reason: None, dropped.append)
    for i in range(1000):
        table.server_name("tls", f"name-{i:04d}.example", b"\x01\x02\x03\x04", b"\x05\x06\x07\x08", 443, 0.0)
    kept = sum(map(len, table.names.tls_sni))
    assert kept <= budget < kept + len("name-0000.example")
    assert len(dropped) == 1000 - len(table.names.tls_sni) > 0


def test_names_json_escapes_c1_controls_and_bidi_overrides(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17 (low): an HTTP Host carrying U+202E (right-to-left override) and U+0085 (a C1
    control) is never printed raw: its bytes outside printable ASCII are written ``\\xNN``, as a
    DNS name's are (one name, one text, whatever carried it)."""
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    from scapy.utils import wrpcap

    from exposure.cli import main

    host = "evil\u202egnp.example\u0085x\u2066"
    request = b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"
    capture = tmp_path / "bidi.pcap"
    wrpcap(str(capture), [Ether() / IP(src="192.0.2.1", dst="192.0.2.2") / TCP(sport=40000, dport=80, flags="PA")
                          / Raw(request)])
    assert main(["names", "--json", str(capture)]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\u0085" not in out and "\u2066" not in out
    assert json.loads(out)["http_host"] == ["evil\\xe2\\x80\\xaegnp.example\\xc2\\x85x\\xe2\\x81\\xa6"]
    assert main(["names", str(capture)]) == 0  # the readable listing escapes them too
    listing = capsys.readouterr().out
    assert "\u202e" not in listing and "\u0085" not in listing
