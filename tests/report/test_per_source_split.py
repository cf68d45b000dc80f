"""exposure.report.per_source: a report on several sources split into one per source, holding
nothing read from the others, and the file names each one gets."""

from __future__ import annotations

from exposure.document import (
    FindingRecord,
    ObservationRecord,
    ReportDocument,
    SourceRecord,
    ThreatRecord,
    TimelineEvent,
)
from exposure.model import Category, Confidence, LocalText, ScanWarning, Severity
from exposure.report.per_source import file_part, file_parts, path_for, split_by_source

A, B = "/w/amina.pcap", "/w/li.pcap"


def _seen(source: str, what: str) -> ObservationRecord:
    return ObservationRecord(kind="dns-query", collector="pcap", source=source, description=what,
                             first_seen="2026-01-01T00:00:00+00:00", last_seen=None, count=1, facts=())


def _finding(threat: str, *evidence: ObservationRecord) -> FindingRecord:
    return FindingRecord(rule="indicator", severity=Severity.HIGH, category=Category.STALKERWARE,
                         confidence=Confidence.HIGH, title=threat, threat=threat, subject=threat, params=(),
                         indicators=(), evidence=evidence)


def _threat(key: str) -> ThreatRecord:
    text = LocalText((("en", key),))
    return ThreatRecord(id=key, name=text, category=Category.STALKERWARE, severity=Severity.HIGH, profile="p",
                        aliases=(), what_it_is=text, what_it_can_do=text, what_to_do=text, references=())


def _event(finding: int, source: str, what: str) -> TimelineEvent:
    return TimelineEvent(time="2026-01-01T00:00:00+00:00", last_time=None, finding=finding, source=source,
                         kind="dns-query", description=what, facts=())


def workshop() -> ReportDocument:
    findings = (
        _finding("spy-a", _seen(A, "amina looked up spy-a")),
        _finding("spy-both", _seen(A, "amina looked up spy-both"), _seen(B, "li looked up spy-both")),
        _finding("spy-b", _seen(B, "li looked up spy-b")),
    )
    return ReportDocument(
        tool_version="0", started=None, finished=None, demo=False, cancelled=False, profiles=("p",),
        profile_titles=(), feeds=(), findings=findings,
        sources=(SourceRecord(kind="pcap", name=A, findings=(0, 1)),
                 SourceRecord(kind="pcap", name=B, findings=(1, 2))),
        threats=tuple((k, _threat(k)) for k in ("spy-a", "spy-b", "spy-both")),
        warnings=(ScanWarning(A, "amina's capture is cut"), ScanWarning(B, "li's capture is cut"),
                  ScanWarning("detectors", "a check of the scan itself")),
        timeline=(_event(0, A, "amina looked up spy-a"), _event(1, A, "amina looked up spy-both"),
                  _event(1, B, "li looked up spy-both"), _event(2, B, "li looked up spy-b")),
    )


def test_each_part_holds_only_what_rests_on_its_own_source() -> None:
    (amina_source, amina), (li_source, li) = split_by_source(workshop())
    assert (amina_source.name, li_source.name) == (A, B)
    assert [s.name for s in amina.sources] == [A] and [s.name for s in li.sources] == [B]
    # A finding seen in both keeps in each only the evidence read from that one.
    assert [(f.threat, [o.description for o in f.evidence]) for f in li.findings] == [
        ("spy-both", ["li looked up spy-both"]), ("spy-b", ["li looked up spy-b"])]
    assert [f.threat for f in amina.findings] == ["spy-a", "spy-both"]
    assert [k for k, _ in li.threats] == ["spy-b", "spy-both"]
    assert li.sources[0].findings == (0, 1)
    # The timeline keeps its own moments, numbered as the findings of its own report.
    assert [(e.finding, e.description) for e in li.timeline] == [(0, "li looked up spy-both"),
                                                                (1, "li looked up spy-b")]
    assert [w.message for w in li.warnings] == ["li's capture is cut", "a check of the scan itself"]
    assert "amina" not in repr(li).lower() and "li looked up" not in repr(amina)


def test_file_names_say_whose_report_it_is() -> None:
    def part(kind: str, name: str) -> str:
        return file_part(SourceRecord(kind=kind, name=name))

    assert part("pcap", "/w/amina-phone.pcap") == "amina-phone"
    assert part("pcap", "/w/Li Wei's phone.PCAPNG.gz") == "Li-Wei-s-phone"
    assert part("pcap", "/w/李明.pcap") == "李明"
    assert part("pcap", "/w/.hidden.pcap") == "hidden"  # never a hidden file
    assert part("pcap", "/w/../..pcap") == "pcap"
    assert part("androidqf", "/acq/2026-01-01/") == "2026-01-01"
    assert part("android", "R58M12345") == "R58M12345"
    assert part("host", "this computer") == "this-computer"
    assert len(part("pcap", "/w/" + "x" * 300 + ".pcap")) == 60
    same = (SourceRecord(kind="pcap", name="/a/phone.pcap"), SourceRecord(kind="pcap", name="/b/phone.pcap"))
    assert file_parts(same) == ["phone", "phone-2"]
    assert path_for("out/ws.html", "amina") == "out/ws-amina.html"
    assert path_for("report", "amina") == "report-amina"
