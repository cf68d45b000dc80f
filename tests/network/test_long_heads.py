"""Padding must not hide a server name (security review r3, item 4): an HTTP request with 9 KB of
headers before ``Host``, a ClientHello of 30 KB; where exposure still cuts (records too small to
keep a long ClientHello whole) the cut is counted and said. Captures from
``tests/data/network/make_long_heads.py``; tshark reads the same names (``expected`` below is
``../shared/tools/tshark-names``' output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.collect.net import streams
from exposure.collect.net.streams import HELLO_CUT, HTTP_HEAD_CUT
from exposure.commands.names import names_of
from exposure.model import SourceSpec
from exposure.scan import ScanRequest, run_scan
from tests.data.network.make_long_heads import client_hello, conversation, long_head, records
from tests.paths import REPO

DATA = REPO / "tests" / "data" / "network"
C2 = "s1.spylive360.com"


@pytest.mark.parametrize(("name", "kind"), [("http-long-head.pcap", "http_host"), ("tls-long-hello.pcap", "tls_sni")])
def test_a_name_after_long_padding_is_read_as_tshark_reads_it(name: str, kind: str) -> None:
    notes: list[str] = []
    found = names_of(str(DATA / name), notes=notes).as_json()
    assert found[kind] == [C2]
    assert notes == []
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(DATA / name)),), profiles=("stalkerware",)))
    assert any(f.threat.lower() == "spylive360" for f in result.findings), [f.title for f in result.findings]


def test_a_client_hello_cut_short_is_counted_and_said() -> None:
    notes: list[str] = []
    found = names_of(str(DATA / "tls-long-hello-tiny-records.pcap"), notes=notes).as_json()
    assert found["tls_sni"] == []  # 200-byte records: more than the buffer keeps (tshark reads it)
    assert any(HELLO_CUT in note for note in notes), notes
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(DATA / "tls-long-hello-tiny-records.pcap")),),
                                  profiles=("stalkerware",)))
    assert any(dict(w.params).get("reason") == HELLO_CUT for w in result.warnings), result.warnings


def test_headers_longer_than_servers_accept_are_cut_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "MAX_HTTP_HEAD", 20_000)
    capture = tmp_path / "head.pcap"
    from scapy.utils import wrpcap

    wrpcap(str(capture), conversation(long_head(30), 80))
    notes: list[str] = []
    assert names_of(str(capture), notes=notes).as_json()["http_host"] == []
    assert any(HTTP_HEAD_CUT in note for note in notes), notes
    wrpcap(str(capture), conversation(long_head(15), 80))  # under the bound: skimmed, found
    assert names_of(str(capture), notes=notes).as_json()["http_host"] == [C2]


def test_a_long_client_hello_in_one_segment_per_record_is_read(tmp_path: Path) -> None:
    capture = tmp_path / "hello.pcap"
    from scapy.utils import wrpcap

    wrpcap(str(capture), conversation(records(client_hello(60_000), 16_384), 443))
    assert names_of(str(capture)).as_json()["tls_sni"] == [C2]


def test_a_long_head_after_a_pipelined_request_is_skimmed_too(tmp_path: Path) -> None:
    """The request before it (read, its Host reported) is dropped from the buffer with the lines."""
    capture = tmp_path / "pipelined.pcap"
    from scapy.utils import wrpcap

    first = b"GET /a HTTP/1.1\r\nHost: first.example\r\n\r\n"
    wrpcap(str(capture), conversation(first + long_head(12), 80))
    notes: list[str] = []
    assert names_of(str(capture), notes=notes).as_json()["http_host"] == ["first.example", C2]  # as tshark
    assert notes == []
