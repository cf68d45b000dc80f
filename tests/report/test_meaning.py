"""Findings in meaning, not internals: a root certificate by its name, a phone by its model,
a file by its name (the full path in the technical details)."""

from __future__ import annotations

from datetime import UTC, datetime

from exposure.collect.base import SourceInfo
from exposure.explain.finding import explain_finding
from exposure.explain.lines import plain
from exposure.explain.sources import source_line
from exposure.explain.summary import summarize
from exposure.model import Category, Confidence, Finding, Severity
from exposure.observations.host import HostSetting
from exposure.observations.network import DnsQuery
from exposure.report.document import from_result, source_record
from exposure.scan import ScanRequest, ScanResult, SourceSpec

FINGERPRINT = "f2a9e0037b792c2dd923436931a7234dc4eaa37d69ff2e4a35f30518534d9160"


def result(findings: list[Finding], sources: list[SourceInfo]) -> ScanResult:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ScanResult(request=ScanRequest(sources=(SourceSpec("host"),)), started=now, finished=now,
                      findings=findings, warnings=[], sources=sources, profiles=[], feeds=[])


def test_a_root_certificate_is_named_before_its_fingerprint() -> None:
    cert = HostSetting("host", "this computer", area="root-certificate", key="Totally Legit CA", value=FINGERPRINT,
                       location="/usr/local/share/ca-certificates/legit.crt", detail="issued by itself")
    finding = Finding(rule="host.added-root-cert", severity=Severity.LOW, category=Category.HEURISTIC,
                      title="x", confidence=Confidence.HIGH, evidence=(cert,), subject="Totally Legit CA",
                      params=(("name", "Totally Legit CA"),))
    report = from_result(result([finding], [SourceInfo(kind="host", name="this computer")]))
    for lang, start in (("en", "A root certificate named Totally Legit CA was added to this computer, in legit.crt"),
                        ("zh", "这台电脑的 legit.crt 中被添加了一个名为 Totally Legit CA 的根证书")):
        explained = explain_finding(report.findings[0], report, lang)
        seen = plain(explained.seen[0])
        assert seen.startswith(start), seen
        assert FINGERPRINT not in seen
        # kept for a helper: in the English description, or among the facts in any language
        assert any(FINGERPRINT in item.description or FINGERPRINT in dict(item.facts).values()
                   for item in explained.evidence)


def test_a_phone_is_named_by_its_model_and_a_file_by_its_name() -> None:
    phone = SourceInfo(kind="android", name="R58M12ABCDE", details={"model": "Pixel 3a"}, counts={"packages": 90})
    unnamed = SourceInfo(kind="android", name="Android phone")
    capture = SourceInfo(kind="pcap", name="/home/someone/Desktop/captures/phone-hotspot.pcap", counts={"packets": 9})
    assert plain(source_line(source_record(phone), "en")) == "the Android phone Pixel 3a (90 apps)"
    assert plain(source_line(source_record(phone), "zh")) == "安卓手机 Pixel 3a（90 个应用）"
    assert plain(source_line(source_record(unnamed), "en", counts=False)) == "the Android phone"
    assert plain(source_line(source_record(capture), "en")) == "the network capture phone-hotspot.pcap (9 packets)"
    query = DnsQuery("pcap", capture.name, name="s1.spylive360.com", client="192.168.77.23")
    finding = Finding(rule="indicator.domain", severity=Severity.CRITICAL, category=Category.STALKERWARE,
                      title="x", confidence=Confidence.HIGH, evidence=(query,), subject="s1.spylive360.com")
    report = from_result(result([finding], [capture]))
    explained = summarize(report, "en").explanations[0]
    assert plain(explained.seen[0]).endswith("(phone-hotspot.pcap).")
    assert explained.evidence[0].source == capture.name  # the full path, in the technical details
