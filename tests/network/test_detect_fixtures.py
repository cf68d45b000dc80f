"""Network heuristics on real captures (OISF suricata-verify pcaps in tests/data): the Tor client
and the dynamic-DNS name in them are found, and nothing in the rest is raised above low."""

from __future__ import annotations

from pathlib import Path

from exposure.indicators.catalog import build_catalog
from exposure.model import Finding, Severity, SourceSpec
from exposure.scan import ScanRequest, run_scan
from tests.paths import NAME_CAPTURES

NAMES = NAME_CAPTURES



def _capture(folder: str) -> Path:
    return next(p for p in (NAMES / folder).iterdir() if p.name.startswith("capture"))


def _heuristics(path: Path) -> list[Finding]:
    result = run_scan(ScanRequest((SourceSpec("pcap", str(path)),), use_feeds=False),
                      catalog=build_catalog(None, use_feeds=False))
    assert not [w for w in result.warnings if "network heuristics" in w.message]
    return [f for f in result.findings if f.rule.startswith("network.")]


def test_tor_client_capture() -> None:
    """A Tor client talking to a relay on port 9001 with random TLS server names (TLS 1.3, no certificate)."""
    findings = _heuristics(_capture("tls__tls-bypass-missing-event__tor_bl"))
    assert [(f.rule, f.severity, f.param("addresses")) for f in findings] == [
        ("network.tor", Severity.LOW, "79.215.173.109")]
    assert {o.kind for o in findings[0].evidence} == {"flow", "server-name"}


def test_dynamic_dns_name_in_a_real_capture() -> None:
    findings = _heuristics(_capture("bug-2736-01__23_6594"))
    assert [(f.rule, f.subject, f.param("zone")) for f in findings] == [
        ("network.dynamic-dns", "donghakacademy.ddns.net", "ddns.net")]


def test_no_capture_raises_anything_above_low() -> None:
    """Ordinary test traffic (Google, Wikipedia, QUIC, DNS over TCP...) must not look alarming."""
    captures = [_capture(d.name) for d in sorted(NAMES.iterdir())
                if d.is_dir() and any(p.name.startswith("capture") for p in d.iterdir())]
    assert len(captures) > 50
    raised = {}
    for path in captures:
        for finding in _heuristics(path):
            if finding.severity.rank < Severity.LOW.rank:
                raised[path.parent.name] = finding.title
    assert raised == {}
