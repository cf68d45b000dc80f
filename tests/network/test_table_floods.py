"""A flood of decoy names or conversations must not hide a later contact with a stalkerware server
(security review r3, item 2): past the tables' caps each new name and server is still kept, without
its devices, and compared with the lists; past even that, the capture is "partly checked", said
first, exit code 2. Captures from ``tests/data/network/make_floods.py``, written per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.net import flows, tables
from exposure.model import SourceInfo, SourceSpec
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.data.network.make_floods import dns_flood, flow_flood

C2_NAME = "s1.spylive360.com"  # SpyLive360 (profiles/stalkerware.yaml)
C2_ADDRESS = bytes([69, 64, 74, 239])  # TheTruthSpy (Echap)


def scan(path: Path) -> tuple[ScanResult, SourceInfo]:
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(path)),), profiles=("stalkerware",)))
    assert len(result.sources) == 1
    return result, result.sources[0]


def threats(result: ScanResult) -> set[str]:
    return {f.threat.lower() for f in result.findings if f.threat}


def test_a_later_lookup_is_found_after_more_decoy_names_than_the_table_holds(tmp_path: Path) -> None:
    capture = tmp_path / "flood.pcap"
    dns_flood(capture, tables.MAX_NAME_OBS + 1, C2_NAME)
    result, info = scan(capture)
    assert any("spylive360" in threat for threat in threats(result)), threats(result)
    assert info.partly is None and info.unread is None  # everything was compared with the lists


def test_a_later_contact_is_found_after_more_decoy_conversations_than_the_table_holds(tmp_path: Path) -> None:
    capture = tmp_path / "flows.pcap"
    flow_flood(capture, flows.MAX_FLOWS + 1, C2_ADDRESS)
    result, info = scan(capture)
    assert any("thetruthspy" in threat for threat in threats(result)), threats(result)
    assert info.partly is None


@pytest.fixture
def small_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Caps of tens instead of hundreds of thousands: the same code, a capture of kilobytes."""
    monkeypatch.setattr(tables, "MAX_NAME_OBS", 10)
    monkeypatch.setattr(tables, "MAX_COMPACT", 20)
    monkeypatch.setattr(flows, "MAX_FLOWS", 10)
    monkeypatch.setattr(flows, "MAX_COMPACT_FLOWS", 20)


@pytest.mark.usefixtures("small_tables")
def test_names_past_the_compact_table_are_kept_until_it_is_full(tmp_path: Path) -> None:
    capture = tmp_path / "flood.pcap"
    dns_flood(capture, 25, C2_NAME)  # 10 with their devices, 15 without: the last one fits
    result, info = scan(capture)
    assert any("spylive360" in threat for threat in threats(result))
    assert info.partly is None


@pytest.mark.usefixtures("small_tables")
def test_more_names_than_exposure_follows_make_the_capture_partly_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = tmp_path / "flood.pcap"
    dns_flood(capture, 40, C2_NAME)  # 10 + 20 kept; 10 decoys and the contact are not compared
    result, info = scan(capture)
    assert not any("spylive360" in threat for threat in threats(result))
    assert info.partly is not None and info.partly.key == "error.source.pcap-too-many"
    assert dict(info.partly.params)["names"] == "11"
    assert "were not compared with the lists" in info.partly.text
    capsys.readouterr()
    assert main(["scan", "--pcap", str(capture), "--profile", "stalkerware"]) == 2
    said = capsys.readouterr().out
    assert said.index("Partly checked") < said.index("We did not find"), said
    assert "more different names and conversations than exposure can follow" in said


@pytest.mark.usefixtures("small_tables")
def test_more_conversations_than_exposure_follows_make_the_capture_partly_checked(tmp_path: Path) -> None:
    capture = tmp_path / "flows.pcap"
    flow_flood(capture, 40, C2_ADDRESS)  # 40 ports of one server: one flow without its client
    result, info = scan(capture)
    assert any("thetruthspy" in threat for threat in threats(result))  # one server past the cap: kept
    assert info.partly is None
    flow_flood(capture, 60_040, C2_ADDRESS)  # then 40 more servers: past 10 + 20 the contact is left out
    result, info = scan(capture)
    assert not any("thetruthspy" in threat for threat in threats(result))
    # 1 + 19 servers fit without their client; 21 decoy servers and the contact's connection did not
    assert info.partly is not None and dict(info.partly.params)["flows"] == "22"


def test_a_server_name_past_the_names_kept_counts_as_not_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_NAMES", 3)
    over: list[str] = []
    table = tables.NameTables(True, lambda _reason: None, over.append)
    for i in range(4):
        table.server_name("tls", f"n{i}.example", bytes(4), bytes([1, 2, 3, 4]), 443, 0.0)
    assert len(table.server_obs) == 3
    assert over.count(tables.NAMES_NOT_COMPARED) == 1
