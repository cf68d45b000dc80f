"""Scan results for the report tests, built from the real observation and finding types."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exposure.collect.base import CheckNote
from exposure.model import (
    Category,
    Confidence,
    FeedInfo,
    Finding,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Reference,
    ScanWarning,
    Severity,
    SourceInfo,
    SourceSpec,
    Threat,
)
from exposure.observations.android import AndroidComponent, AndroidPackage
from exposure.observations.network import DnsQuery, ServerName
from exposure.report.document import from_result
from exposure.report.json_report import dumps, to_json
from exposure.scan import ScanRequest, ScanResult

HOSTILE = (
    "<img src=x onerror=alert(1)>.example.com",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "[bold red]x[/]",
    "javascript:alert(document.domain)",
)

ECHAP_REF = Reference("Echap stalkerware-indicators, ioc.yaml (CC BY 4.0)",
                      "https://github.com/AssoEchap/stalkerware-indicators")


def report_dict(result: ScanResult) -> dict[str, Any]:
    """The JSON report's dictionary of ``result`` (to break it, or to read what it says)."""
    return to_json(from_result(result))


def write_json(result: ScanResult, path: Path) -> None:
    """``result`` saved as ``exposure scan --json`` saves it."""
    path.write_text(dumps(from_result(result)), "utf-8")


def t0(minute: int) -> datetime:
    return datetime(2026, 11, 26, 10, minute, tzinfo=UTC)


def spy_threat() -> Threat:
    return Threat(
        id="spylive360", name=LocalText.of(en="SpyLive360", zh="SpyLive360"),
        category=Category.STALKERWARE, severity=Severity.CRITICAL, profile="stalkerware",
        what_it_is=LocalText.of(en="SpyLive360 is sold to watch a phone secretly.",
                                zh="SpyLive360 是用来偷偷监视手机的软件。"),
        what_it_can_do=LocalText.of(en="It can share location and messages.", zh="它可以分享位置和消息。"),
        what_to_do=LocalText.of(en="Talk to a support service before removing it.", zh="删除之前先联系支持机构。"),
        references=(ECHAP_REF,),
    )


def result_with_findings(names: tuple[str, ...] = ("c2.spylive360.com",), demo: bool = False) -> ScanResult:
    threat = spy_threat()
    findings: list[Finding] = []
    for name in names:
        dns = DnsQuery("pcap", "capture.pcap", name=name, client="192.168.1.23", first_seen=t0(2),
                       last_seen=t0(40), count=14)
        tls = ServerName("pcap", "capture.pcap", name=name, protocol="tls", client="192.168.1.23",
                         server="203.0.113.9", port=443, first_seen=t0(3), last_seen=t0(39), count=5)
        ind = Indicator(IndicatorType.DOMAIN, name, "spylive360", "", "echap", IndicatorRole.C2)
        findings.append(Finding(
            rule="indicator", severity=Severity.CRITICAL, category=Category.STALKERWARE,
            title=f"SpyLive360: {name}", confidence=Confidence.HIGH, evidence=(dns, tls), indicators=(ind,),
            threat="spylive360", subject=name,
            params=(("name", "SpyLive360"), ("subject", name), ("role", "c2"), ("times", "19")),
        ))
    label = names[-1]
    app = AndroidPackage("android", "R58M123", package="com.wifi0", label=label, installer="",
                         cert_sha256=("ab" * 32,))
    acc = AndroidComponent("android", "R58M123", role="accessibility", package="com.wifi0",
                           component="com.wifi0/.Access")
    app_ind = Indicator(IndicatorType.PACKAGE, "com.wifi0", "spylive360", "stalkerware", "profile:stalkerware",
                        IndicatorRole.APP, references=(ECHAP_REF,))
    findings.append(Finding(
        rule="indicator", severity=Severity.CRITICAL, category=Category.STALKERWARE, title="SpyLive360: com.wifi0",
        confidence=Confidence.HIGH, evidence=(app, acc), indicators=(app_ind,), threat="spylive360",
        subject="com.wifi0", params=(("name", "SpyLive360"), ("subject", "com.wifi0"), ("role", "app")),
    ))
    findings.append(Finding(
        rule="test.unknown-rule", severity=Severity.LOW, category=Category.HEURISTIC,
        title=f"Something odd: {names[0]}", confidence=Confidence.LOW, subject=names[0],
        params=(("subject", names[0]),),
    ))
    return _result(findings, {"spylive360": threat}, demo=demo)


def result_without_findings() -> ScanResult:
    return _result([], {})


def _result(findings: list[Finding], threats: dict[str, Threat], demo: bool = False) -> ScanResult:
    pcap = SourceInfo("pcap", "capture.pcap", sha256="12" * 32, started=t0(50), finished=t0(51),
                      first_time=t0(1), last_time=t0(45), counts={"packets": 1200, "names": 40},
                      not_checked=[CheckNote("pcap.tls13-certificates", (), "contents of encrypted traffic")])
    phone = SourceInfo("android", "R58M123", started=t0(52), finished=t0(53), counts={"packages": 212})
    feed = FeedInfo(name="echap", format="echap-yaml", source="ioc.yaml", sha256="34" * 32,
                    imported="2026-11-20T09:00:00+00:00", counts=(("domain", 1000),), version="a04c5c1")
    return ScanResult(
        request=ScanRequest(sources=(SourceSpec("pcap", "capture.pcap"),), demo=demo),
        started=t0(50), finished=t0(54), findings=findings,
        warnings=[ScanWarning("capture.pcap", "3 packets could not be decoded", 3)],
        sources=[pcap, phone], profiles=["stalkerware"], feeds=[feed], demo=demo, threats=threats,
    )
