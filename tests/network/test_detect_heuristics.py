"""Network heuristics on synthetic observations: each rule fires on its trigger, stays quiet on
the ordinary traffic that looks like it, and two signs on one destination make a medium finding."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from exposure.detect import default_detectors
from exposure.detect.base import DetectContext
from exposure.detect.network import RULES, NetworkHeuristics, beacon_interval, dynamic_dns_zone, rare_tld
from exposure.explain.rule_texts import rule_texts
from exposure.indicators.index import IndicatorIndex
from exposure.model import Category, CheckNote, Confidence, Finding, Observation, Severity
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate
from tests.said import keep_english

SRC = "test.pcap"
PHONE = "192.168.1.23"
# Globally routable addresses (documentation ranges are not "public" and would be ignored).
C2 = "5.6.7.8"
OTHER = "31.13.64.35"
CDN = "151.101.1.69"


def run(observations: Iterable[Observation]) -> list[Finding]:
    detector = NetworkHeuristics()
    warnings: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings))
    out: list[Finding] = []
    for obs in observations:
        out.extend(detector.observe(obs, ctx))
    out.extend(detector.finish(ctx))
    assert not warnings
    return out


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def dns(name: str, *answers: str) -> DnsQuery:
    return DnsQuery("pcap", SRC, name=name, client=PHONE, resolver="192.168.1.1", answers=answers)


def flow(server: str, port: int, *, names: tuple[str, ...] = (), proto: str = "tcp", out: int = 500,
         inn: int = 2000, starts: tuple[float, ...] = (1000.0,), opened: int | None = None) -> Flow:
    return Flow("pcap", SRC, protocol=proto, client=PHONE, client_port=40000, server=server, server_port=port,
                bytes_out=out, bytes_in=inn, packets=10, server_names=names, starts=starts, opened=opened)


def attempt(server: str, port: int, packets: int = 2) -> Flow:
    """A TCP flow that never got past its opening: a SYN and a reset, say."""
    return Flow("pcap", SRC, protocol="tcp", client=PHONE, client_port=40000, server=server, server_port=port,
                bytes_out=44, bytes_in=40 * (packets - 1), packets=packets, starts=(1000.0,), opened=1,
                setup_packets=packets)


def sni(name: str, server: str, port: int = 443, protocol: str = "tls") -> ServerName:
    return ServerName("pcap", SRC, name=name, protocol=protocol, client=PHONE, server=server, port=port)


def cert(server: str, *, self_signed: bool = False, server_name: str = "", port: int = 443,
         subject: str = "CN=x", issuer: str = "CN=y") -> TlsCertificate:
    return TlsCertificate("pcap", SRC, sha1="ab" * 20, sha256="cd" * 32, subject_name=subject, issuer=issuer,
                          self_signed=self_signed, server=server, port=port, server_name=server_name)


def one(findings: list[Finding], rule: str) -> Finding:
    found = [f for f in findings if f.rule == rule]
    assert len(found) == 1, rules(findings)
    return found[0]


# -- registration and texts --------------------------------------------------------------


def test_registered_and_every_rule_has_texts_in_both_languages() -> None:
    assert any(isinstance(d, NetworkHeuristics) for d in default_detectors())
    texts = rule_texts()
    for rule in RULES:
        assert rule in texts, rule
        for field in (texts[rule].title, texts[rule].meaning, texts[rule].advice):
            assert {"en", "zh"} <= field.languages, rule


def test_every_param_used_by_a_text_is_provided() -> None:
    """Render each rule's texts with the params its findings carry: no placeholder is left unfilled."""
    beat = tuple(1000.0 + 60 * i for i in range(8))
    findings = run([
        dns("x.duckdns.org", C2), dns("shop.example.top", OTHER), dns("example.com", CDN),
        flow(C2, 4444, names=("x.duckdns.org",), starts=beat, out=9000, inn=100),
        sni("x.duckdns.org", C2, port=4444),
        cert(C2, self_signed=True, server_name="x.duckdns.org", port=4444),
        flow("80.80.80.80", 443), flow(OTHER, 80, names=("shop.example.top",), out=9000, inn=100),
        sni("shop.example.top", OTHER, port=80, protocol="http"),
        flow("62.210.1.1", 9001),
        *(attempt("45.67.89.10", port) for port in range(9000, 9010)),  # a port scan
        # another device's encrypted DNS: the phone's lookups stay visible, so no-dns-lookup is judged
        ServerName("pcap", SRC, name="dns.google", protocol="tls", client="192.168.1.24", server="8.8.8.8", port=443),
    ])
    assert set(rules(findings)) == set(RULES)
    texts = rule_texts()
    for finding in findings:
        params = {"subject": finding.subject, **dict(finding.params)}
        for field in (texts[finding.rule].title, texts[finding.rule].meaning, texts[finding.rule].advice):
            for lang in ("en", "zh"):
                field.get(lang).format(**params)  # KeyError if a placeholder has no value


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "zone"), [
    ("cam.duckdns.org", "duckdns.org"), ("a.b.ddns.net", "ddns.net"), ("x.3322.org", "3322.org"),
    ("duckdns.org", ""), ("www.duckdns.org", ""), ("notduckdns.org", ""), ("duckdns.org.evil.com", ""),
])
def test_dynamic_dns_zone_on_label_boundaries(name: str, zone: str) -> None:
    assert dynamic_dns_zone(name) == zone


@pytest.mark.parametrize(("name", "tld"), [("a.top", "top"), ("x.y.tk", "tk"), ("abc.xyz", ""),
                                           ("github.io", ""), ("top", ""), ("example.com", "")])
def test_rare_tld(name: str, tld: str) -> None:
    assert rare_tld(name) == tld


def test_dynamic_dns_name_from_dns_and_sni_is_one_low_finding_with_both_as_evidence() -> None:
    findings = run([dns("Cam.DuckDNS.org.", C2), sni("cam.duckdns.org", C2)])
    found = one(findings, "network.dynamic-dns")
    assert (found.severity, found.category, found.confidence) == (Severity.LOW, Category.HEURISTIC, Confidence.LOW)
    assert found.subject == "cam.duckdns.org"
    assert found.param("zone") == "duckdns.org"
    assert [type(o).__name__ for o in found.evidence] == ["DnsQuery", "ServerName"]
    assert rules(findings) == ["network.dynamic-dns"]


def test_ordinary_names_and_lets_encrypt_make_no_finding() -> None:
    findings = run([
        dns("www.example.com", CDN), sni("www.example.com", CDN), flow(CDN, 443, names=("www.example.com",)),
        cert(CDN, server_name="www.example.com", issuer="C=US, O=Let's Encrypt, CN=R3", subject="CN=www.example.com"),
        dns("abc.xyz", OTHER), dns("duckdns.org", OTHER),
    ])
    assert findings == []


# -- certificates and ports -------------------------------------------------------------------


def test_self_signed_certificate_on_the_internet_but_not_at_home() -> None:
    findings = run([cert(C2, self_signed=True), cert("192.168.1.1", self_signed=True, port=8443),
                    cert("fe80::1", self_signed=True)])
    found = one(findings, "network.self-signed-cert")
    assert found.subject == C2
    assert found.severity is Severity.LOW


def test_tls_on_unusual_port() -> None:
    findings = run([sni("updates.example.com", C2, port=4443), sni("mail.example.com", OTHER, port=993),
                    sni("push.apple.com", OTHER, port=5223), sni("printer.local", "192.168.1.5", port=631),
                    sni("quic.example.com", OTHER, port=4443, protocol="quic")])
    found = one(findings, "network.tls-unusual-port")
    assert (found.subject, found.param("port")) == ("updates.example.com", "4443")


@pytest.mark.parametrize("port", [25, 587, 143, 110, 5222, 3389])
def test_tls_after_starttls_on_a_mail_or_chat_port_is_not_unusual(port: int) -> None:
    assert "network.tls-unusual-port" not in rules(run([sni("smtp.example.com", OTHER, port=port)]))


# -- cleartext ------------------------------------------------------------------------------------


def test_cleartext_upload_to_one_destination() -> None:
    findings = run([sni("upload.example.com", C2, port=80, protocol="http"),
                    flow(C2, 80, names=("upload.example.com",), out=20_000, inn=600)])
    found = one(findings, "network.cleartext-data")
    assert (found.subject, found.param("bytes"), found.param("port")) == ("upload.example.com", "20000", "80")


def test_cleartext_on_another_port_when_http_was_seen_there() -> None:
    findings = run([sni("api.example.com", C2, port=8000, protocol="http"),
                    flow(C2, 8000, names=("api.example.com",), out=9000, inn=100)])
    assert one(findings, "network.cleartext-data").param("port") == "8000"


@pytest.mark.parametrize("obs", [
    flow(CDN, 80, names=("download.example.com",), out=60_000, inn=9_000_000),  # a download: ACKs only
    flow(CDN, 80, names=("r3.o.lencr.org",), out=9000, inn=3000),  # OCSP POSTs
    flow(CDN, 80, names=("ocsp.digicert.com",), out=9000, inn=3000),
    flow(CDN, 80, names=("connectivitycheck.gstatic.com",), out=9000, inn=100),
    flow(CDN, 80, names=("small.example.com",), out=900, inn=100),  # a GET
    flow("192.168.1.1", 80, out=90_000, inn=100),  # the router's web page
])
def test_ordinary_cleartext_is_quiet(obs: Flow) -> None:
    request = sni(obs.server_names[0] if obs.server_names else obs.server, obs.server, obs.server_port, "http")
    assert "network.cleartext-data" not in rules(run([dns("x.example.com", "9.9.9.9"), request, obs]))


def test_tls_on_port_8080_is_not_cleartext() -> None:
    findings = run([sni("api.example.com", C2, port=8080), flow(C2, 8080, names=("api.example.com",), out=9000,
                                                                inn=100)])
    assert "network.cleartext-data" not in rules(findings)


# -- no DNS lookup ----------------------------------------------------------------------------------


def test_addresses_without_lookup_make_one_finding_listing_them() -> None:
    findings = run([
        dns("www.example.com", CDN), flow(CDN, 443, names=("www.example.com",)),
        flow(C2, 443, out=50_000), flow(OTHER, 8080), flow(OTHER, 443),
        flow("80.80.80.80", 443, proto="udp"),  # QUIC
        flow("77.77.77.77", 50000, proto="udp"),  # a peer in a call: not judged
        flow("192.168.1.1", 443), flow("224.0.0.251", 5353, proto="udp"),
        flow("31.31.31.31", 123, proto="udp"),
        sni("api.example.net", "44.44.44.44"), flow("44.44.44.44", 443),  # name known from TLS
    ])
    found = one(findings, "network.no-dns-lookup")
    assert found.param("count") == "3"
    assert found.param("addresses").startswith(f"{C2} (port 443)")  # the busiest first
    assert f"{OTHER} (port 443, 8080)" in found.param("addresses")
    assert "77.77.77.77" not in found.param("addresses")
    assert found.severity is Severity.LOW


def test_connections_under_way_when_the_capture_began_are_not_judged() -> None:
    # ja4plus's latest.pcapng, ssh2.pcapng, tls3.pcapng: TCP 443 connections without their SYN (and
    # QUIC without a long header) were open before the capture; their lookups came before it too
    findings = run([
        dns("www.example.com", CDN),
        flow(C2, 443, opened=0), flow("80.80.80.80", 443, proto="udp", opened=0),  # under way
        flow(OTHER, 443, opened=1), flow("81.81.81.81", 443, proto="udp", opened=3),  # opened here
    ])
    found = one(findings, "network.no-dns-lookup")
    assert found.param("count") == "2"
    assert C2 not in found.param("addresses") and "80.80.80.80" not in found.param("addresses")
    assert run([dns("www.example.com", CDN), flow(C2, 443, opened=0)]) == []


def test_no_dns_at_all_in_the_capture_means_no_judgement_and_a_not_checked_note() -> None:
    detector = NetworkHeuristics()
    warnings: list[str] = []
    not_checked: list[CheckNote] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings), not_checked=not_checked.append)
    for obs in (flow(C2, 443), flow(OTHER, 443)):
        detector.observe(obs, ctx)
    assert list(detector.finish(ctx)) == []
    assert warnings == []
    assert [note.key for note in not_checked] == ["pcap.no-dns"]
    assert "no DNS lookups were seen" in not_checked[0].text
    assert run([flow("192.168.1.1", 443)]) == []  # nothing to say: run() fails on any warning


def test_no_dns_listing_is_capped() -> None:
    observations: list[Observation] = [dns("www.example.com", CDN)]
    observations += [flow(f"45.{i}.1.1", 443) for i in range(30)]
    found = one(run(observations), "network.no-dns-lookup")
    assert found.param("count") == "30"
    assert found.param("addresses").endswith("(+20)")
    assert len(found.evidence) == 20


# -- Tor and encrypted DNS ------------------------------------------------------------------------------


def test_tor_ports_and_certificate_shape() -> None:
    findings = run([flow("62.210.1.1", 9001), flow("127.0.0.1", 9050), flow("192.168.1.9", 9001),
                    cert("78.46.1.1", port=443, subject="CN=www.abcdefghij.net", issuer="CN=www.klmnopqrst.com")])
    found = one(findings, "network.tor")
    assert found.param("count") == "3"
    assert found.confidence is Confidence.MEDIUM  # the certificate shape adds to the ports
    assert rules(findings) == ["network.tor"]  # relays are not also "no DNS lookup"


def test_tor_client_server_names_on_any_port_when_never_looked_up() -> None:
    findings = run([dns("www.example.com", CDN),
                    sni("www.4gk67zpn3brh7qxg.com", "78.46.1.1", port=443),  # a relay on 443
                    sni("www.e4od3hnssyu6g.com", "62.210.1.1", port=9001)])
    found = one(findings, "network.tor")
    assert found.param("addresses") == "62.210.1.1, 78.46.1.1"
    assert found.confidence is Confidence.MEDIUM
    assert rules(findings) == ["network.tor"]


@pytest.mark.parametrize("observations", [
    [sni("www.facebook.com", OTHER)],  # the shape, but no digit: an ordinary word
    [dns("www.shop2buy5now.com", OTHER), sni("www.shop2buy5now.com", OTHER)],  # looked up: not Tor's
    [sni("www.4gk67zpn3brh7qxg.com", "192.168.1.9")],  # the home network is not judged
])
def test_tor_shaped_names_that_are_not_tor(observations: list[Observation]) -> None:
    assert "network.tor" not in rules(run(observations))


def test_encrypted_dns_is_one_info_note_naming_resolvers() -> None:
    findings = run([sni("dns.google", "8.8.8.8"), flow("1.1.1.1", 443), flow("9.9.9.9", 853),
                    dns("cloudflare-dns.com", "104.16.248.249"), flow("8.8.8.8", 53, proto="udp")])
    found = one(findings, "network.encrypted-dns")
    assert found.severity is Severity.INFO
    assert found.param("how") == "DoH, DoT"
    assert found.param("resolvers") == "1.1.1.1, 9.9.9.9, cloudflare-dns.com, dns.google"
    assert rules(findings) == ["network.encrypted-dns"]


# -- beaconing --------------------------------------------------------------------------------------------


def test_beacon_interval_steady_pace_with_jitter() -> None:
    starts = [0.0, 60.4, 119.8, 180.1, 240.0, 299.5, 360.2]
    beat = beacon_interval(starts)
    assert beat is not None
    assert 59 < beat[0] < 61 and beat[1] == 7


@pytest.mark.parametrize("starts", [
    [0.0, 60, 120, 180, 240],  # too few
    [0.0, 5, 10, 15, 20, 25, 30, 35],  # too fast: chatter
    [0.0, 30, 95, 110, 200, 215, 330, 400],  # irregular
    [22_538_496.0 * i for i in range(8)],  # every 260 days: a capture whose clock is wrong
    [],
])
def test_beacon_interval_rejects(starts: list[float]) -> None:
    assert beacon_interval([float(s) for s in starts]) is None


def test_a_daily_beat_is_still_a_beat() -> None:
    # the longest interval judged: a day (python-libtrace's 1000packets.pcap.gz, whose packets span
    # 7 years, made "regular contact every 22538496 s" out of a wrong clock)
    beat = beacon_interval([86_400.0 * i for i in range(7)])
    assert beat is not None and beat[0] == 86_400.0


def test_parallel_connections_count_as_one_event() -> None:
    starts = sorted([60.0 * i for i in range(6)] + [60.0 * i + 0.2 for i in range(6)])
    beat = beacon_interval(starts)
    assert beat is not None and beat[1] == 6


def test_beaconing_across_flows_to_one_name() -> None:
    flows = [flow(C2 if i % 2 else OTHER, 443, names=("beacon.example.com",), starts=(100.0 + 300 * i,))
             for i in range(12)]
    found = one(run([dns("beacon.example.com", C2, OTHER), *flows]), "network.beaconing")
    assert (found.subject, found.param("interval"), found.param("events")) == ("beacon.example.com", "300", "12")
    assert found.confidence is Confidence.MEDIUM


def test_ntp_push_and_connectivity_checks_are_not_beacons() -> None:
    beat = tuple(100.0 + 64 * i for i in range(10))
    findings = run([dns("time.example.com", OTHER), flow(OTHER, 123, proto="udp", starts=beat),
                    flow(C2, 5228, names=("mtalk.google.com",), starts=beat),
                    flow(CDN, 80, names=("connectivitycheck.gstatic.com",), starts=beat)])
    assert "network.beaconing" not in rules(findings)


# -- combined -----------------------------------------------------------------------------------------------


def test_two_signs_on_one_destination_make_a_medium_finding() -> None:
    beat = tuple(1000.0 + 120 * i for i in range(8))
    findings = run([
        dns("www.example.com", CDN), flow(CDN, 443, names=("www.example.com",)),
        flow(C2, 8443, starts=beat),  # no DNS lookup + beaconing
        cert(C2, self_signed=True, port=8443),  # + self-signed
        flow(OTHER, 443, starts=(5.0,)),  # only one sign
    ])
    combined = [f for f in findings if f.rule == "network.combined"]
    assert len(combined) == 1
    found = combined[0]
    assert (found.severity, found.subject, found.param("address")) == (Severity.MEDIUM, C2, C2)
    assert found.param("signs") == "beaconing, no-dns-lookup, self-signed-cert"
    assert found.param("count") == "3"
    for rule in ("network.beaconing", "network.no-dns-lookup", "network.self-signed-cert"):
        assert one(findings, rule).severity is Severity.LOW


def test_name_signs_reach_the_address_it_resolved_to() -> None:
    findings = run([dns("c2.example.top", C2), flow(C2, 4444, names=("c2.example.top",)),
                    sni("c2.example.top", C2, port=4444)])
    found = one(findings, "network.combined")
    assert found.subject == "c2.example.top"
    assert found.param("signs") == "rare-tld, tls-unusual-port"
    assert one(findings, "network.rare-tld").param("tld") == ".top"


def test_tor_and_encrypted_dns_never_combine() -> None:
    findings = run([dns("www.example.com", CDN), flow("62.210.1.1", 9001),
                    cert("62.210.1.1", port=9001, self_signed=True), flow("1.1.1.1", 443)])
    assert "network.combined" not in rules(findings)


# -- robustness ---------------------------------------------------------------------------------------------


def test_hostile_values_do_not_break_the_detector() -> None:
    findings = run([
        dns("", "not-an-address", "999.1.1.1"), dns("\x1b[31m.evil.top", C2), dns("." * 300),
        sni("a" * 500 + ".tk", "garbage"), flow("garbage", 443), flow(C2, 0, starts=(float("nan"),)),
        cert("", self_signed=True, subject="", issuer=""),
        Observation("other", SRC),
    ])
    assert "network.rare-tld" in rules(findings)


def test_tables_are_capped_with_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.detect.network import state

    monkeypatch.setattr(state, "MAX_NAMES", 5)
    detector = NetworkHeuristics()
    warnings: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings))
    for i in range(50):
        detector.observe(dns(f"h{i}.duckdns.org", C2), ctx)
    findings = list(detector.finish(ctx))
    assert len([f for f in findings if f.rule == "network.dynamic-dns"]) == 5
    assert warnings == ["network heuristics: too many distinct names or addresses; later ones were not judged"]
