"""Behaviour a mutation pass found unpinned (issue 12 item 5), each pinned on both sides of its
threshold, so that changing the constant or the code either way fails a test:

- the beacon tolerance (+-10 % of the median interval) and regularity share (80 %);
- the 4,096-byte cleartext threshold;
- the TCP stream buffer caps (HTTP request heads 8 KB, TLS handshakes 24 KB);
- a DNS answer made only of a CNAME: its target is a name looked up.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from exposure.collect.net import streams
from exposure.commands.names import names_of
from exposure.detect.network import CLEARTEXT_MIN_BYTES, beacon_interval
from exposure.observations.network import DnsQuery
from tests.network.test_capture import client_hello, collect, tcp_segments, write
from tests.network.test_detect_heuristics import C2, flow, rules, run, sni


def _starts(gaps: list[float]) -> list[float]:
    starts = [1000.0]
    for gap in gaps:
        starts.append(starts[-1] + gap)
    return starts


# -- beaconing -----------------------------------------------------------------------------------


def test_beacon_gaps_within_ten_percent_of_the_median_are_steady() -> None:
    # median 60 s, tolerance 6 s: four gaps 5.5 s off the median are still steady
    beat = beacon_interval(_starts([60.0] * 6 + [65.5] * 4))
    assert beat is not None and beat[0] == 60.0 and beat[1] == 11


def test_beacon_gaps_beyond_ten_percent_of_the_median_are_not() -> None:
    # the same with the four gaps 6.5 s off: only 6 of 10 gaps are steady, under 80 %
    assert beacon_interval(_starts([60.0] * 6 + [66.5] * 4)) is None


def test_beacon_needs_eighty_percent_of_gaps_steady() -> None:
    assert beacon_interval(_starts([60.0] * 8 + [200.0] * 2)) is not None  # 8 of 10
    assert beacon_interval(_starts([60.0] * 7 + [200.0] * 3)) is None  # 7 of 10


# -- cleartext -----------------------------------------------------------------------------------


def test_cleartext_threshold_is_4096_bytes_sent() -> None:
    assert CLEARTEXT_MIN_BYTES == 4096
    request = sni("upload.example.com", C2, port=80, protocol="http")
    at = run([request, flow(C2, 80, names=("upload.example.com",), out=4096, inn=100)])
    below = run([request, flow(C2, 80, names=("upload.example.com",), out=4095, inn=100)])
    assert "network.cleartext-data" in rules(at)
    assert "network.cleartext-data" not in rules(below)


# -- TCP stream buffer caps ----------------------------------------------------------------------


def _request_with_host_ending_at(end: int) -> bytes:
    """An HTTP request whose Host line (with its CRLF) ends at byte ``end`` (beyond the cap by 2:
    the name itself is cut)."""
    head = b"GET / HTTP/1.1\r\nX-Pad: "
    host = b"\r\nHost: capped.example\r\n"
    pad = end - len(head) - len(host)
    return head + b"p" * pad + host + b"\r\n"


@pytest.mark.parametrize(("end", "found"), [(streams.HTTP_CAP, True), (streams.HTTP_CAP + 2, False)])
def test_http_request_heads_are_read_up_to_the_cap(tmp_path: Path, end: int, found: bool) -> None:
    assert streams.HTTP_CAP == 8 * 1024
    request = _request_with_host_ending_at(end)
    sizes = [1000] * (len(request) // 1000 + 1)
    path = write(tmp_path / "http.pcap", tcp_segments(request, sizes, dport=80))
    assert (names_of(str(path)).http_host == {"capped.example"}) is found


@pytest.mark.parametrize("padding", [23_000, 25_000, 60_000])
def test_tls_client_hellos_are_read_to_their_end(tmp_path: Path, padding: int) -> None:
    """Past TLS_CAP, a ClientHello is read as long as it says it is, up to OpenSSL's maximum
    (review r3 item 4: a padding extension of 25 KB hid the server name)."""
    assert streams.TLS_CAP == 24 * 1024 and streams.MAX_CLIENT_HELLO == 131_396
    hello = client_hello("big-hello.example", padding=padding)
    path = write(tmp_path / "tls.pcap", tcp_segments(hello, [1400] * (len(hello) // 1400 + 1)))
    assert names_of(str(path)).tls_sni == {"big-hello.example"}


# -- DNS -------------------------------------------------------------------------------------------


def test_a_cname_only_answer_makes_its_target_a_name_looked_up(tmp_path: Path) -> None:
    answer = Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=33333) / DNS(
        id=1, qr=1, qd=DNSQR(qname="innocent.example"),
        an=DNSRR(rrname="innocent.example", type="CNAME", rdata="c2.hidden.example"))
    _collector, observations, _ = collect(write(tmp_path / "cname-only.pcap", [answer]))
    dns = {o.name: o for o in observations if isinstance(o, DnsQuery)}
    assert set(dns) == {"innocent.example", "c2.hidden.example"}
    assert dns["c2.hidden.example"].answers == () and dns["innocent.example"].answers == ()
    assert dns["c2.hidden.example"].client == "10.0.0.2" and dns["c2.hidden.example"].resolver == "10.0.0.1"
