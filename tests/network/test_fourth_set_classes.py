"""Classes of name difference from tshark found on the fourth real set of issue 18 (the sample and
test captures of libpcap's PyPI package, two MCP servers and eight more archives;
``benchmarks/fetch_real_captures.py --set fourth``), each on a capture of our own.

The captures are made by ``tests/data/network/make_fourth_set_classes.py`` (scapy, zlib);
``expected/`` holds what ``tshark-names`` (TShark 4.0.17) printed for each. These run on a fresh
clone (no ../shared needed).
"""

from __future__ import annotations

import struct
import tracemalloc
import zlib

import pytest

from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import open_capture
from tests.network.test_names_classes import DATA, TSHARK_KINDS, names, tshark


def read(capture: str) -> Extractor:
    extractor = Extractor()
    with open_capture(DATA / capture, hashing=False) as reader:
        extractor.run(reader)
    extractor.finish()
    return extractor


def test_names_inside_ipsec_ah_and_ipcomp_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    # libpcap's AH-IPcomp-IPv4.pcap and AH-IPcomp-IPv6.pcap: an HTTP request inside AH (which
    # signs but does not encrypt) and IPComp (DEFLATE); tshark inflated it and read the Host,
    # exposure stopped at the AH header
    got = names(capsys, "ah-ipcomp.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("ah-ipcomp.pcap")
    assert got["http_host"] == ["ah-ipcomp-tunnel.example", "ah-ipcomp-v6.example", "ah-transport.example",
                                "ipcomp-only.example", "ipcomp-v6.example"]
    assert got["dns"] == ["ah-dns.example"]


def test_ipcomp_that_does_not_inflate_and_a_cut_ah_header_are_counted() -> None:
    extractor = read("ah-ipcomp.pcap")
    assert extractor.undecoded == {"damaged packet": 1, "truncated packet": 1}
    assert "ah-cut.example" not in extractor.names.http_host


def test_connections_inside_ipsec_are_counted_as_their_own_protocol() -> None:
    """AH and IPComp are headers before the packet's own protocol: the HTTP connection in
    transport mode is a TCP flow to port 80, not a flow of protocol 51."""
    extractor = read("ah-ipcomp.pcap")
    protocols = {(proto, port) for proto, _client, _server, port in extractor.flows}
    assert ("tcp", 80) in protocols
    assert not {proto for proto, _ in protocols} & {"51", "108"}


def test_an_ipcomp_payload_is_inflated_to_at_most_one_datagram() -> None:
    """A compression bomb (16 MiB of zeros DEFLATEd to ~16 KiB) costs no more than an IP
    datagram's largest size to read, and gives no name."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = packer.compress(bytes(16 << 20)) + packer.flush()
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 108, 0, bytes([192, 0, 2, 1]),
                         bytes([198, 51, 100, 1]))
    frame = bytes(12) + b"\x08\x00" + header + struct.pack("!BBH", 6, 0, 0x2000) + bomb
    extractor = Extractor()
    tracemalloc.start()
    try:
        extractor.packet(1, 1_700_300_000.0, frame)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    extractor.finish()
    assert peak < 1 << 20
    assert not extractor.names.http_host


def test_wifi_behind_a_ppi_header_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    # libpcap's http_PPI.pcap (link type 192): exposure could read no packet of it, tshark read
    # the DNS query for the web server the laptop then visited
    got = names(capsys, "wifi-ppi.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("wifi-ppi.pcap")
    assert got["dns"] == ["ppi-ethernet.example", "ppi-in-ppi.example", "ppi-no-fields.example",
                          "ppi-too-short.example", "ppi-wifi.example"]


def test_a_ppi_length_past_the_frame_is_counted_as_damaged() -> None:
    extractor = read("wifi-ppi.pcap")
    assert extractor.undecoded == {"damaged packet": 1}
    assert "ppi-too-long.example" not in extractor.names.dns
