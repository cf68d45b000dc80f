"""Classes of name difference from tshark found on the second real set of issue 18 (the test
captures of dpkt, python-libtrace, dnsjit and 17 other tools; ``benchmarks/fetch_real_captures.py
--set second``), each on a capture of our own.

The captures are made by ``tests/data/network/make_tunnel_classes.py`` (scapy); ``expected/``
holds what ``tshark-names`` (TShark 4.0.17) printed for each. These run on a fresh clone (no
../shared needed).
"""

from __future__ import annotations

import pytest

from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import open_capture
from tests.network.test_names_classes import DATA, TSHARK_KINDS, names, tshark


def test_ppp_sessions_inside_l2tp_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    # dpkt's nb6-http.pcap: a DSL box carries its IPv6 in L2TP inside its PPPoE session; tshark
    # read the Host inside (ipv6.icanhazip.com), exposure did not look into L2TP
    got = names(capsys, "l2tp-ppp.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("l2tp-ppp.pcap")
    assert got["http_host"] == ["l2tp-offset.example", "l2tp-reply-side.example", "l2tp-v6.example"]
    assert got["dns"] == ["l2tp-dns.example"]


def test_l2tp_without_user_traffic_or_damaged_gives_no_name() -> None:
    """A control message and L2TPv3 carry no PPP to read; a Length below the header's own is
    counted as damaged; an Offset past the end leaves nothing to read."""
    extractor = Extractor()
    with open_capture(DATA / "l2tp-ppp.pcap", hashing=False) as reader:
        extractor.run(reader)
    extractor.finish()
    assert not set(extractor.names.http_host) & {"l2tp-control.example", "l2tp-v3.example", "l2tp-short-length.example",
                        "l2tp-offset-past-end.example"}
    assert extractor.undecoded == {"damaged packet": 1}


def test_dns_quoted_by_an_icmp_redirect_is_not_read(capsys: pytest.CaptureFixture[str]) -> None:
    # python-libtrace's icmp-sample.pcap: a redirect quotes a query for "com"; Wireshark reads the
    # DNS quoted by ICMP errors (unreachable, time exceeded, ...) but not by a redirect, whose
    # datagram the router still forwards (its names are read in its own packet)
    got = names(capsys, "icmp-quoted-dns.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("icmp-quoted-dns.pcap")
    assert "redirect.example" not in got["dns"]
    assert {"unreachable.example", "time-exceeded.example", "unreachable-v6.example"} <= set(got["dns"])


def test_a_label_with_a_comma_stays_one_name(capsys: pytest.CaptureFixture[str]) -> None:
    # dnsjit's sll2.pcap asks for ",." (one label: a comma and a dot); tshark-names joins a
    # packet's names with commas and splits them again, so it prints "." (compare_names.py's
    # class comma-in-name); exposure keeps the name the client asked for, whole
    got = names(capsys, "dns-comma-label.pcap")
    assert got["dns"] == [",.", "a,b.comma.example", "plain.example"]
    expected = tshark("dns-comma-label.pcap")
    assert expected["dns"] == [".", "a", "b.comma.example", "plain.example"]
    pieces = {piece for name in got["dns"] for piece in name.split(",") if piece}
    assert pieces == set(expected["dns"])


@pytest.mark.parametrize("capture", ["wifi-prism.pcap", "wifi-avs.pcap"])
def test_wifi_behind_prism_and_avs_headers_is_read(capsys: pytest.CaptureFixture[str], capture: str) -> None:
    # aircrack-ng's wpa.cap (link type 119, Prism): exposure could read no packet of it; an open
    # network recorded in monitor mode this way hid every name from it, tshark reads them
    got = names(capsys, capture)
    assert {k: got[k] for k in TSHARK_KINDS} == tshark(capture)
    assert got["dns"]


def test_prism_header_variants() -> None:
    """Always 144 bytes whatever length it says (as Wireshark); an AVS header in its place; an
    unknown message code and an AVS length past the frame are counted as damaged; a protected
    frame gives nothing."""
    extractor = Extractor()
    with open_capture(DATA / "wifi-prism.pcap", hashing=False) as reader:
        extractor.run(reader)
    extractor.finish()
    assert sorted(extractor.names.dns) == ["avs-in-prism.example", "prism-be.example", "prism-le.example",
                                           "prism-length-ignored.example"]
    assert extractor.undecoded == {"damaged packet": 2}


def test_short_control_frames_are_not_counted_as_truncated() -> None:
    """An ACK is 10 bytes: a whole frame, not a truncated one (aircrack-ng's captures counted
    thousands); a data frame cut inside its header still is."""
    extractor = Extractor()
    with open_capture(DATA / "wifi-avs.pcap", hashing=False) as reader:
        extractor.run(reader)
    extractor.finish()
    assert extractor.undecoded == {"truncated packet": 1}
