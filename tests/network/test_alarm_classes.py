"""False alarms of ``exposure scan --pcap`` found on the third real set of issue 18
(``benchmarks/fetch_real_captures.py --set third``), each on a capture or observations of our own.

The capture is made by ``tests/data/network/make_alarm_classes.py`` (scapy). These run on a fresh
clone (no ../shared needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from exposure.cli import main
from exposure.detect.base import DetectContext
from exposure.detect.network import NetworkHeuristics
from exposure.indicators.index import IndicatorIndex
from exposure.model import Finding, Observation
from exposure.observations.network import DnsQuery, Flow, ServerName
from tests.said import keep_english

DATA = Path(__file__).resolve().parent.parent / "data" / "network"
PHONE, PHONE6, PHONE_MAC = "192.168.1.23", "2a00:1450:4001::23", "02:00:00:00:00:23"
OTHER, OTHER_MAC = "192.168.1.50", "02:00:00:00:00:50"


def scan(tmp_path: Path, capture: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    assert main(["scan", "--no-feeds", "--quiet", "--json", str(out), "--pcap", str(DATA / capture)]) == 0
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def test_a_device_using_encrypted_dns_is_not_said_to_reach_addresses_without_lookup(tmp_path: Path) -> None:
    # wa1kpcap's multi.pcap: a phone resolving over DoT (AliDNS, DNSPod) reached 7 addresses on port
    # 80 with no visible lookup; "contacted without a name lookup" fired, though its lookups were
    # only hidden. The other device, with no encrypted DNS, is still judged.
    report = scan(tmp_path, "dot-hidden-lookups.pcap")
    found = {f["rule"]: f["params"] for f in report["findings"]}
    assert sorted(found) == ["network.encrypted-dns", "network.no-dns-lookup"]
    assert found["network.no-dns-lookup"]["addresses"] == "45.67.89.10 (port 443)"
    assert found["network.encrypted-dns"]["how"] == "DoT"
    # what was not judged is said with what the check could not see, not as a problem met while reading
    assert report["warnings"] == []
    notes = [(n["key"], n["params"]) for n in report["sources"][0]["not_checked"]]
    assert [n for n in notes if n[0] != "pcap.tls13-certificates" and "pcap.short" not in n[0]] \
        == [("pcap.dns-hidden", {"count": "2"})]


def flow(server: str, port: int, client: str = PHONE, mac: str = PHONE_MAC) -> Flow:
    return Flow("pcap", "t.pcap", protocol="tcp", client=client, client_port=40000, server=server, server_port=port,
                bytes_out=500, bytes_in=2000, packets=10, starts=(1000.0,), client_mac=mac, opened=1)


def run(observations: list[Observation]) -> tuple[list[Finding], list[str]]:
    detector = NetworkHeuristics()
    warnings: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings),
                        not_checked=lambda note: warnings.append(note.text))
    for obs in observations:
        detector.observe(obs, ctx)
    return list(detector.finish(ctx)), warnings  # the warnings and what was not checked, in English


def no_lookup(findings: list[Finding]) -> str | None:
    return next((f.param("addresses") for f in findings if f.rule == "network.no-dns-lookup"), None)


def test_encrypted_dns_hides_the_lookups_of_that_device_only_wherever_it_shows() -> None:
    lookup = DnsQuery("pcap", "t.pcap", name="www.example.com", client=OTHER, answers=("151.101.1.69",),
                      client_mac=OTHER_MAC)
    doh_by_name = ServerName("pcap", "t.pcap", name="dns.google", protocol="tls", client=PHONE, server="8.8.8.8",
                             port=443, client_mac=PHONE_MAC)
    doh_bootstrap = DnsQuery("pcap", "t.pcap", name="cloudflare-dns.com", client=PHONE, client_mac=PHONE_MAC)
    for encrypted in (doh_by_name, doh_bootstrap, flow("9.9.9.9", 853), flow("1.1.1.1", 443)):
        # the phone's flows come before its encrypted DNS shows and from its IPv6 address too: one device
        findings, warnings = run([lookup, flow("5.6.7.8", 80), flow("31.13.64.35", 443, client=PHONE6),
                                  flow("45.67.89.10", 443, client=OTHER, mac=OTHER_MAC), encrypted])
        assert no_lookup(findings) == "45.67.89.10 (port 443)", encrypted
        assert warnings == ["whether addresses were contacted without a name lookup, by a device that used "
                            "encrypted DNS, which hides its lookups (addresses not judged: 2)"]


def test_without_hardware_addresses_the_device_is_its_address() -> None:
    # raw IP captures show no hardware address: the client address stands for the device
    lookup = DnsQuery("pcap", "t.pcap", name="www.example.com", client=OTHER, answers=("151.101.1.69",))
    other = [flow("45.67.89.10", 443, client=OTHER, mac=""), flow("5.6.7.8", 80, client=OTHER, mac="")]
    findings, warnings = run([lookup, flow("5.6.7.8", 80, mac=""), flow("9.9.9.9", 853, mac=""), *other])
    listed = no_lookup(findings)
    assert listed is not None and sorted(listed.split(", ")) == ["45.67.89.10 (port 443)", "5.6.7.8 (port 80)"]
    assert warnings == []
    findings, warnings = run([lookup, flow("5.6.7.8", 80, mac=""), flow("9.9.9.9", 853, mac="")])
    assert no_lookup(findings) is None
    # one address: said without a count in the sentence ("whether 1 addresses were ..." before)
    assert warnings == ["whether addresses were contacted without a name lookup, by a device that used encrypted "
                        "DNS, which hides its lookups (addresses not judged: 1)"]


def test_traffic_on_port_80_is_called_cleartext_http_only_where_http_was_seen(tmp_path: Path) -> None:
    # wa1kpcap's multi.pcap: WeChat's mmtls records (encrypted) on port 80 were reported as "data
    # sent without encryption (HTTP)"; an HTTP POST of the same size still is
    report = scan(tmp_path, "port-80-not-http.pcap")
    cleartext = [f["params"] for f in report["findings"] if f["rule"] == "network.cleartext-data"]
    assert cleartext == [{"subject": "upload.example.net", "times": "1", "bytes": "6394", "port": "80"}]
    assert report["warnings"] == []


def test_what_was_not_judged_reads_as_a_limit_of_the_check_not_a_problem(tmp_path: Path) -> None:
    # It used to sit under "Problems while reading" as "detectors: ...": nothing went wrong while
    # reading, the rule could not judge those addresses. The person reads it with the other limits.
    for lang, limits, problems in (("en", "## What this check cannot see", "## Problems while reading"),
                                   ("zh", "这次检查看不到的内容", "读取时遇到的问题")):
        out = tmp_path / f"report.{lang}.md"
        assert main(["scan", "--no-feeds", "--quiet", "--lang", lang, "--md", str(out),
                     "--pcap", str(DATA / "dot-hidden-lookups.pcap")]) == 0
        text = out.read_text()
        assert problems not in text and "detectors" not in text
        cannot_see = text[text.index(limits):].split("\n## ")[0]
        said = ("which hides its lookups (addresses not judged: 2)" if lang == "en"
                else "2 个地址是否在没有域名查询的情况下被直接连接")
        assert said in cannot_see


def test_several_captures_each_say_what_was_not_judged(tmp_path: Path) -> None:
    # Several captures are checked each on its own (a process pool): the note goes to its capture.
    folder = tmp_path / "captures"
    folder.mkdir()
    for name in ("a.pcap", "b.pcap"):
        (folder / name).write_bytes((DATA / "dot-hidden-lookups.pcap").read_bytes())
    out = tmp_path / "report.json"
    assert main(["scan", "--no-feeds", "--quiet", "--json", str(out), "--pcap", str(folder)]) == 0
    report = json.loads(out.read_text())
    assert report["warnings"] == []
    assert [[n["key"] for n in s["not_checked"] if n["key"] != "pcap.tls13-certificates"
             and "pcap.short" not in n["key"]]
            for s in report["sources"]] == [["pcap.dns-hidden"]] * 2


def test_an_encrypted_dns_probe_never_answered_hides_nothing() -> None:
    """Android's Private DNS tries port 853 (and DoH resolvers on 443) on networks that may block
    them; a try that was never answered hid no name: the device is not an encrypted-DNS user and
    its addresses without a lookup are still judged."""
    import dataclasses

    lookup = DnsQuery("pcap", "t.pcap", name="www.example.com", client=PHONE, answers=("151.101.1.69",),
                      client_mac=PHONE_MAC)  # its lookups went by plain DNS
    for probe in (flow("9.9.9.9", 853), flow("1.1.1.1", 443)):
        unanswered = dataclasses.replace(probe, packets=2, bytes_in=0, setup_packets=2)  # two SYNs
        assert unanswered.attempt_only()
        findings, _ = run([lookup, unanswered, flow("45.67.89.10", 443)])
        assert "network.encrypted-dns" not in {f.rule for f in findings}
        assert no_lookup(findings) == "45.67.89.10 (port 443)"
        answered = dataclasses.replace(probe, setup_packets=2)  # 10 packets: lookups exchanged
        findings, _ = run([lookup, answered, flow("45.67.89.10", 443)])
        assert "network.encrypted-dns" in {f.rule for f in findings} and no_lookup(findings) is None
