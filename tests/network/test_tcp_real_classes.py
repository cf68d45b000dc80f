"""Classes of name difference from tshark found on real captures (nDPI 4.2's and Wireshark
4.0.17's test suites, issue 18), each on a capture of our own.

The captures are made by ``tests/data/network/make_tcp_classes.py`` (scapy); ``expected/`` holds
what ``tshark-names`` (TShark 4.0.17) printed for each. Where exposure deliberately reports more
than tshark, the extra names are listed here and explained in docs/tshark-differences.md.
These run on a fresh clone (no ../shared needed).
"""

from __future__ import annotations

import pytest

from tests.network.test_names_classes import TSHARK_KINDS, names, only_ours, tshark


def test_a_nul_byte_ends_a_server_name_as_in_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    # nDPI's fuzz-2006-09-29-28586.pcap: "Host:%s\x002.20.3.5"; Wireshark's string fields (http.host,
    # the TLS and QUIC server name) end at the NUL, as a server written in C reads the value
    got = names(capsys, "nul-in-names.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("nul-in-names.pcap")
    assert got["http_host"] == ["%s", "nul-host.example"]  # "Host:\x00lead-nul.example" is empty
    assert got["tls_sni"] == ["nul-sni.example"]  # "\x00lead-sni.example" is empty
    assert got["quic_sni"] == ["nul-quic.example"]
    assert not any("\x00" in name for kind in TSHARK_KINDS for name in got[kind])


def test_tls_after_rdp_negotiation_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    # nDPI's rdp.pcap: tshark 4.0 gives port 3389 to TPKT and does not follow RDP's switch to TLS
    # after the X.224 negotiation, so it never reads the ClientHello; exposure does (an IP literal
    # too, as tshark prints one on port 443; see docs/tshark-differences.md)
    got = names(capsys, "rdp-tls.pcap")
    assert only_ours(got, tshark("rdp-tls.pcap")) == {"tls_sni": {"rdp-host.example", "198.51.100.40"}}


def test_a_request_never_finished_keeps_its_host(capsys: pytest.CaptureFixture[str]) -> None:
    # Wireshark's tcp-badsegments.pcap (bytes never captured before the end of the headers) and
    # nDPI's fuzz capture (a body shorter than its Content-Length): tshark waits for the whole
    # message and reports no Host; the Host line arrived whole and in order, and exposure keeps it
    got = names(capsys, "http-unfinished.pcap")
    assert only_ours(got, tshark("http-unfinished.pcap")) == {"http_host": {"hole.example", "body-cut.example"}}
