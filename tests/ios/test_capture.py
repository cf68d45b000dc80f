"""The phone's own traffic over USB: pcapd frames built here go through pymobiledevice3's
real frame parser and pcapng writer into a private file; the capture check then labels
flows, names and findings with the process behind them."""

from __future__ import annotations

import json
import os
import struct
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP
from scapy.packet import Raw

from exposure.cli import main
from exposure.collect.ios import pcapd
from exposure.collect.ios.capture import IphoneCaptureCollector, process_of
from exposure.collect.net.reader import open_capture
from exposure.model import Category, IndicatorRole, IndicatorType, Severity
from exposure.observations.ios import AppDnsQuery, AppFlow, AppServerName, IosProcess
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.catalogs import threat, with_indicators
from tests.ios.fake_iphone import FakeMux, FakePhone, pcapd_frame
from tests.network.test_capture import client_hello

Plug = Callable[..., FakeMux]
PHONE_IP = "192.168.1.23"
CELL_IP = "10.64.1.7"


def tls_hello_packet(name: str, comm: str, *, server: str = "203.0.113.10", sport: int = 50000,
                     cellular: bool = False, pid: int = 400) -> bytes:
    src = CELL_IP if cellular else PHONE_IP
    packet = bytes(IP(src=src, dst=server) / TCP(sport=sport, dport=443, flags="PA", seq=1) / Raw(client_hello(name)))
    return pcapd_frame(packet, pid, comm, interface="pdp_ip0" if cellular else "en0", ethernet=not cellular)


def dns_packet(name: str) -> bytes:
    packet = bytes(IP(src=PHONE_IP, dst="192.168.1.1") / UDP(sport=53000, dport=53) / DNS(rd=1, qd=DNSQR(qname=name)))
    return pcapd_frame(packet, 311, "mDNSResponder")


FRAMES = [
    dns_packet("c2.spy.example"),
    tls_hello_packet("c2.spy.example", "SysHelper", sport=50001, pid=812),
    tls_hello_packet("c2.spy.example", "SysHelper", sport=50002, pid=812),
    tls_hello_packet("maps.apple.com", "Maps", server="17.0.0.5", cellular=True, pid=501),
]


def record(plug: Plug, out: Path) -> pcapd.Recorded:
    plug(FakePhone(pcap_frames=FRAMES))
    return pcapd.record("", out, duration=10, cancel=threading.Event())


def test_pcapd_frames_become_a_private_pcapng_with_the_process_of_each_packet(plug: Plug, tmp_path: Path) -> None:
    out = tmp_path / "iphone.pcapng"
    result = record(plug, out)
    assert result.packets == 4 and result.stopped_by == "ended"
    assert result.processes == {"mDNSResponder": 1, "SysHelper": 2, "Maps": 1}
    assert os.stat(out).st_mode & 0o777 == 0o600
    with open_capture(out) as reader:
        reader.keep_comments = True
        seen = []
        for link, _ts, data in reader.frames():
            seen.append((link, process_of(reader.comment), len(data)))
            assert reader.comment.startswith("PID: ")
    assert [name for _, name, _ in seen] == ["mDNSResponder", "SysHelper", "SysHelper", "Maps"]
    assert all(link == 1 for link, _, _ in seen)  # cellular frames get pcapd's Ethernet header too


def test_the_capture_check_labels_findings_and_flows_by_process(plug: Plug, tmp_path: Path) -> None:
    out = tmp_path / "iphone.pcapng"
    record(plug, out)
    catalog = with_indicators([threat("spy-test", "SpyTest", Category.STALKERWARE, Severity.HIGH)],
                              [(IndicatorType.DOMAIN, "c2.spy.example", "spy-test")], IndicatorRole.C2)
    result = run_scan(ScanRequest(sources=(SourceSpec("iphone-capture", str(out)),), use_feeds=False),
                      catalog=catalog)
    hit = next(f for f in result.findings if f.threat == "spy-test")
    labels = {(type(o).__name__, o.processes) for o in hit.evidence if hasattr(o, "processes")}
    assert ("AppServerName", ("SysHelper",)) in labels
    assert ("AppDnsQuery", ("mDNSResponder",)) in labels
    assert any("(by SysHelper)" in o.describe() for o in hit.evidence)
    info = result.sources[0]
    assert info.kind == "iphone-capture" and info.counts["packets"] == 4
    assert info.details["apps in the traffic"] == "SysHelper (2), Maps (1), mDNSResponder (1)"
    assert any(n.key == "iphone.capture-processes" for n in info.checked)


def test_flows_and_names_carry_their_process(plug: Plug, tmp_path: Path) -> None:
    from exposure.collect.base import CollectContext

    out = tmp_path / "iphone.pcapng"
    record(plug, out)
    observations = list(IphoneCaptureCollector(str(out)).collect(CollectContext()))
    flows = {(o.server, o.processes) for o in observations if isinstance(o, AppFlow)}
    assert ("203.0.113.10", ("SysHelper",)) in flows and ("17.0.0.5", ("Maps",)) in flows
    names = {(o.name, o.processes) for o in observations if isinstance(o, AppServerName)}
    assert names == {("c2.spy.example", ("SysHelper",)), ("maps.apple.com", ("Maps",))}
    assert {o.name for o in observations if isinstance(o, AppDnsQuery)} == {"c2.spy.example"}
    processes = {o.name: o.count for o in observations if isinstance(o, IosProcess)}
    assert processes == {"SysHelper": 2, "Maps": 1, "mDNSResponder": 1}


def test_capture_command_records_the_iphone_then_checks_it(plug: Plug, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    plug(FakePhone(pcap_frames=FRAMES))
    out, report = tmp_path / "c.pcapng", tmp_path / "r.json"
    assert main(["capture", "--iphone", "--duration", "5", "--out", str(out), "--json", str(report),
                 "--no-feeds"]) == 0
    err = capsys.readouterr().err
    assert "Recording the traffic of the iPhone" in err and "4 packets" in err
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["sources"][0]["kind"] == "iphone-capture"
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_a_capture_without_process_comments_says_so(tmp_path: Path) -> None:
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcapng

    from exposure.collect.base import CollectContext

    path = tmp_path / "plain.pcapng"
    wrpcapng(str(path), [Ether() / IP(src=PHONE_IP, dst="203.0.113.10") / TCP(sport=1, dport=443)])
    collector = IphoneCaptureCollector(str(path))
    observations = list(collector.collect(CollectContext()))
    assert not any(isinstance(o, IosProcess) for o in observations)
    assert any(n.key == "iphone.capture-no-processes" for n in collector.info.not_checked)


def test_reader_keeps_each_packets_comment_and_only_when_asked(tmp_path: Path) -> None:
    # Two enhanced packet blocks, one with a comment, then a simple packet block.
    def block(kind: int, body: bytes) -> bytes:
        body += bytes(-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    def option(code: int, value: bytes) -> bytes:
        return struct.pack("<HH", code, len(value)) + value + bytes(-len(value) % 4)

    frame = bytes(60)
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 0))
    epb = struct.pack("<IIIII", 0, 0, 0, len(frame), len(frame)) + frame
    comment = "PID: 9, ProcName: Näme, EPID: 9, EProcName: Näme, SVC: 0".encode()
    data = shb + idb + block(6, epb + option(1, comment) + option(0, b"")) + block(6, epb) \
        + block(3, struct.pack("<I", len(frame)) + frame)
    path = tmp_path / "c.pcapng"
    path.write_bytes(data)
    with open_capture(path) as reader:
        assert [reader.comment for _ in reader.frames()] == ["", "", ""]
    with open_capture(path) as reader:
        reader.keep_comments = True
        got = [reader.comment for _ in reader.frames()]
    assert got == [comment.decode(), "", ""]
    assert process_of(got[0]) == "Näme"


def test_a_saved_iphone_capture_is_recognised_when_checked_again(plug: Plug, tmp_path: Path) -> None:
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcapng

    from exposure.collect.ios.capture import is_iphone_capture
    from exposure.tui.screens.file import source_for

    out = tmp_path / "iphone.pcapng"
    record(plug, out)
    plain = tmp_path / "plain.pcapng"
    wrpcapng(str(plain), [Ether() / IP() / TCP()])
    assert is_iphone_capture(out) and not is_iphone_capture(plain) and not is_iphone_capture(tmp_path / "none")
    assert source_for(out) == SourceSpec("iphone-capture", str(out))
    report = tmp_path / "r.json"
    assert main(["scan", "--pcap", str(out), "--no-feeds", "--json", str(report), "--quiet"]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["sources"][0]["kind"] == "iphone-capture"


def test_ctrl_c_ends_the_recording_and_what_was_recorded_is_checked(plug: Plug, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import signal

    plug(FakePhone(pcap_frames=FRAMES, pcap_end=False))
    out, report = tmp_path / "c.pcapng", tmp_path / "r.json"
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        assert main(["capture", "--iphone", "--out", str(out), "--json", str(report), "--no-feeds"]) == 0
    finally:
        timer.cancel()
    assert "Recording stopped: 4 packets" in capsys.readouterr().err
    assert json.loads(report.read_text(encoding="utf-8"))["sources"][0]["counts"]["packets"] == 4


def test_an_iphone_capture_that_is_checked_leaves_no_recording_behind(
        plug: Plug, tmp_path: Path, capsys: pytest.CaptureFixture[str], working_folders: tuple[Path, Path]) -> None:
    """Without --out the iPhone's recording is private and temporary too (review r3 trainer #10)."""
    plug(FakePhone(pcap_frames=FRAMES))
    here, scratch = working_folders
    report = tmp_path / "r.json"
    assert main(["capture", "--iphone", "--duration", "5", "--json", str(report), "--no-feeds"]) == 0
    err = capsys.readouterr().err
    assert "Recording the traffic of the iPhone" in err and "deleted once it is checked" in err
    assert "Recording stopped: 4 packets" in err and "kept in" not in err
    assert list(here.iterdir()) == [] and list(scratch.iterdir()) == []
    [source] = json.loads(report.read_text(encoding="utf-8"))["sources"]
    assert source["kind"] == "iphone-capture" and source["counts"]["packets"] == 4
