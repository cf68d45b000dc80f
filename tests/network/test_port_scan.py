"""A connection attempt is not a contact: a port scan's unanswered SYNs were judged as contacts
(nDPI's synscan.pcap, nmap scanning scanme.nmap.org, was reported as "Tor-like connections" from
its SYNs to 9001 and 9050), while what an attempt still says is kept: an indicator-listed address
tried, a dead server tried by its address or on a timer.

The capture is made by ``tests/data/network/make_port_scan.py`` (scapy); these run on a fresh
clone (no ../shared needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exposure.cli import main
from exposure.detect.base import DetectContext
from exposure.detect.network import NetworkHeuristics
from exposure.detect.network.attempts import SCAN_MIN_PORTS
from exposure.indicators.index import IndicatorIndex
from exposure.model import Finding
from exposure.observations.network import Flow
from tests.data.network.make_port_scan import (
    DEAD_C2,
    FILTERED_PORTS,
    LAPTOP,
    LISTED,
    OPEN_PORTS,
    RELAY,
    RELAY_DEAD,
    SCANNED,
    SCANNED_PORTS,
)
from tests.network.test_capture import collect
from tests.said import keep_english

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
CAPTURE = DATA / "port-scan.pcap"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("scan") / "report.json"
    assert main(["scan", "--no-feeds", "--quiet", "--json", str(out), "--pcap", str(CAPTURE)]) == 0
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def params(report: dict[str, Any], rule: str) -> dict[str, str]:
    found = [f["params"] for f in report["findings"] if f["rule"] == rule]
    assert len(found) == 1, [f["rule"] for f in report["findings"]]
    return dict(found[0])


def test_flows_say_which_packets_only_opened_or_refused_a_connection() -> None:
    _, observations, _ = collect(CAPTURE)
    flows = {(o.server, o.server_port): o for o in observations if isinstance(o, Flow)}
    for port in SCANNED_PORTS:
        scanned = flows[(SCANNED, port)]
        # filtered: the SYN twice; open: SYN, SYN-ACK, the scanner's reset; closed: SYN and a reset
        assert scanned.setup_packets == scanned.packets == (3 if port in OPEN_PORTS else 2), port
        assert scanned.attempt_only(), port
    relay = flows[(RELAY, 9001)]
    assert (relay.packets, relay.setup_packets, relay.attempt_only()) == (5, 2, False)
    assert flows[(RELAY_DEAD, 9001)].attempt_only() and flows[(LISTED, 443)].attempt_only()
    assert not flows[(SCANNED, 22)].bytes_in == 0  # answered (a SYN-ACK), and still no contact
    assert all(flows[(SCANNED, p)].bytes_in == 0 for p in FILTERED_PORTS)


def test_a_port_scan_is_said_plainly_and_its_tries_are_not_judged_as_contacts(report: dict[str, Any]) -> None:
    scan = params(report, "network.port-scan")
    assert (scan["subject"], scan["addresses"], scan["count"], scan["ports"]) == (
        LAPTOP, SCANNED, "1", str(len(SCANNED_PORTS)))
    severity = {f["rule"]: f["severity"] for f in report["findings"]}
    assert severity["network.port-scan"] == "info"
    # the scanned address, tried on 9001 and 9050, is neither Tor nor an address reached without a lookup
    assert SCANNED not in params(report, "network.tor")["addresses"]
    assert SCANNED not in params(report, "network.no-dns-lookup")["addresses"]
    assert not any(SCANNED in f["title"] for f in report["findings"] if f["rule"] != "network.port-scan")


def test_a_tor_relay_that_answered_is_still_tor_and_one_that_never_did_is_said_as_not_checked(
        report: dict[str, Any]) -> None:
    tor = params(report, "network.tor")
    assert (tor["addresses"], tor["count"]) == (RELAY, "1")
    notes = {n["key"]: n["params"] for n in report["sources"][0]["not_checked"]}
    assert notes["pcap.tor-unanswered"] == {"count": "1"}


def test_an_unanswered_try_of_a_listed_server_is_still_reported(report: dict[str, Any]) -> None:
    listed = [f for f in report["findings"] if f["rule"] == "indicator"]
    assert [(f["params"]["name"], f["subject"], f["params"]["evidence"]) for f in listed] == [
        ("MobiStealth", LISTED, "c2-address")]


def test_a_dead_server_tried_by_address_on_a_timer_is_still_worth_a_look(report: dict[str, Any]) -> None:
    assert params(report, "network.no-dns-lookup")["addresses"] == f"{DEAD_C2} (port 443), {LISTED} (port 443)"
    beacon = params(report, "network.beaconing")
    assert (beacon["subject"], beacon["interval"], beacon["events"]) == (DEAD_C2, "60", "8")


def attempt(server: str, port: int, client: str = "192.168.1.50") -> Flow:
    return Flow("pcap", "t.pcap", protocol="tcp", client=client, client_port=0, server=server, server_port=port,
                bytes_out=44, bytes_in=40, packets=2, starts=(1000.0,), opened=1, setup_packets=2)


def run(flows: list[Flow]) -> tuple[list[Finding], list[str]]:
    detector = NetworkHeuristics()
    said: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(said), not_checked=lambda n: said.append(n.key))
    for flow in flows:
        detector.observe(flow, ctx)
    return list(detector.finish(ctx)), said


def test_fewer_ports_than_a_scan_are_judged_as_tries_and_a_local_scan_is_a_scan_too() -> None:
    few = [attempt(SCANNED, p) for p in (*range(9000, 9000 + SCAN_MIN_PORTS - 2), 9050)]
    findings, said = run(few)
    assert [f.rule for f in findings] == []  # no DNS in these observations: no-dns-lookup is not judged
    assert sorted(said) == ["pcap.no-dns", "pcap.tor-unanswered"]
    # a scan of this computer's own ports (captured on loopback) touches Tor's SOCKS port: not Tor
    findings, said = run([attempt("127.0.0.1", p, client="127.0.0.1") for p in range(9040, 9060)])
    assert [(f.rule, f.param("addresses"), f.param("ports")) for f in findings] == [
        ("network.port-scan", "127.0.0.1", "20")]
    assert said == []


def test_a_flow_that_exchanged_anything_or_whose_source_does_not_say_is_a_contact() -> None:
    def tor(flow: Flow) -> list[str]:
        return [f.rule for f in run([flow])[0]]

    answered = Flow("pcap", "t.pcap", protocol="tcp", client="192.168.1.23", client_port=0, server=RELAY,
                    server_port=9001, bytes_out=700, bytes_in=700, packets=5, opened=1, setup_packets=2)
    unknown = Flow("pcap", "t.pcap", protocol="tcp", client="192.168.1.23", client_port=0, server=RELAY,
                   server_port=9001, bytes_out=44, packets=1, opened=1)
    under_way = Flow("pcap", "t.pcap", protocol="tcp", client="192.168.1.23", client_port=0, server=RELAY,
                     server_port=9001, bytes_out=40, packets=1, opened=0, setup_packets=1)  # a reset only
    assert tor(answered) == tor(unknown) == tor(under_way) == ["network.tor"]
