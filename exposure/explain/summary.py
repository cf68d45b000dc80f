"""The summary at the top of every report and on the terminal.

It never gives a verdict. With findings: how many, how serious, and where to start. With
none: what was checked and what was not, that this does not prove the device is safe,
and the next checks (account sign-ins, location sharing, who knows the PIN). What could
not be checked comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exposure.document import FindingRecord, ReportDocument, SourceRecord
from exposure.explain.finding import Explanation, explain_finding
from exposure.explain.lines import Line, words
from exposure.explain.notes import check_line, reason_line
from exposure.explain.sources import source_line
from exposure.explain.texts import join, known, t, tf
from exposure.model import Severity

PARTLY = ".partly."  # in a not-checked note's key: said first, in the summary too
_SHORT = "pcap.short"  # a short recording's notes (collect/traffic_notes.py)
NEXT_CHECKS = ("next.accounts", "next.location", "next.pin", "next.log")
# Sources whose "not checked" notes name parts that could not be read, said first in the
# summary; notes under _NEVER_READABLE are what such a source can never show (blind spots).
_PARTS_KINDS = frozenset({"iphone", "iphone-dump"})
_NEVER_READABLE = "iphone.not-usb."
# A source's kind -> the kind whose general blind spots it shares (texts.yaml blind.<kind>).
_BLIND_SPOT_KIND = {"android-dump": "android", "androidqf": "android", "live": "pcap"}


@dataclass(frozen=True, slots=True)
class Summary:
    """The report's summary in one language: what was checked and not, counts, next steps, findings."""

    paragraphs: tuple[Line, ...]
    checked: tuple[Line, ...]  # one line per source read
    not_checked: tuple[Line, ...]  # blind spots, in words
    next_intro: Line
    next_checks: tuple[Line, ...]
    counts: tuple[tuple[Severity, int], ...]  # severity -> number of findings, most serious first
    explanations: tuple[Explanation, ...]  # every finding, most serious first
    looked_for: tuple[Line, ...] = ()  # the worries (profiles) the scan looked for, in words
    checked_items: tuple[tuple[Line, ...], ...] = ()  # per source (as ``checked``): what it looked at


def summarize(report: ReportDocument, lang: str) -> Summary:
    findings = sorted(report.findings, key=lambda f: f.severity.rank)
    explanations = tuple(explain_finding(f, report, lang) for f in findings)
    counts: dict[Severity, int] = {}
    for exp in explanations:
        counts[exp.severity] = counts.get(exp.severity, 0) + 1
    ordered = tuple(sorted(counts.items(), key=lambda item: item[0].rank))
    read = [s for s in report.sources if not s.unread]
    checked = tuple(source_line(s, lang) for s in read)
    return Summary(
        # Last: after what was checked, before "Source by source" (which each front end shows next).
        paragraphs=(*_paragraphs(report, findings, explanations, ordered, checked, lang), *several_line(report, lang)),
        checked=checked,
        not_checked=tuple(blind_spots(report.sources, lang)),
        next_intro=words(t("summary.next_intro", lang)),
        next_checks=tuple(words(t(key, lang)) for key in NEXT_CHECKS),
        counts=ordered,
        explanations=explanations,
        checked_items=tuple(checked_notes(s, lang) for s in read),
        looked_for=tuple(words(title.get(lang)) for _, title in report.profile_titles if title.get(lang)),
    )


def _paragraphs(report: ReportDocument, findings: list[FindingRecord], explanations: tuple[Explanation, ...],
                counts: tuple[tuple[Severity, int], ...], checked: tuple[Line, ...], lang: str) -> list[Line]:
    paragraphs: list[Line] = []  # a demo is said by each front end's own banner
    if report.cancelled:
        paragraphs.append(words(t("report.cancelled", lang)))
    # What was not checked comes first: a source that gave nothing must never read as clean.
    for source in report.sources:
        if source.unread:
            paragraphs.append(not_checked_line(source, lang))
    # A source read only in part (a phone whose app list could not be read) comes next.
    for source in report.sources:
        if source.partly and not source.unread:
            paragraphs.append(partly_checked_line(source, lang))
    # An iPhone read in part: the parts that were missing or unreadable.
    paragraphs += [line for line in (missing_parts_line(s, lang) for s in report.sources if not s.unread) if line]
    # What a capture that was read could not show (a tunnel, no names): said first too, as for a phone.
    paragraphs += partly_checked_lines(report.sources, lang)
    if explanations:
        parts = [tf(f"count.{sev}", lang, count=words(str(n))) if known(f"count.{sev}") else words(f"{n} {sev}")
                 for sev, n in counts]
        key = "summary.found.one" if len(explanations) == 1 else "summary.found.many"
        paragraphs.append(tf(key, lang, count=words(str(len(explanations))), counts=join(parts, lang)))
        tools_line = tools_and_devices(findings, lang)
        if tools_line:
            paragraphs.append(tools_line)
        paragraphs.append(tf("summary.start", lang, title=explanations[0].title))
        if any(e.severity.rank <= Severity.HIGH.rank for e in explanations):
            paragraphs.append(words(t("summary.serious", lang)))
        paragraphs.append(words(t("summary.signs", lang)))
    elif checked:
        paragraphs.append(words(t("summary.none", lang)))
        paragraphs.append(words(t("summary.not_proof", lang)))
    else:
        paragraphs.append(words(t("summary.nothing_read", lang)))
    if checked:
        paragraphs.append(tf("summary.checked", lang, list=join(list(checked), lang)))
    if report.warnings:
        key = "summary.warnings.one" if len(report.warnings) == 1 else "summary.warnings.many"
        paragraphs.append(tf(key, lang, count=words(str(len(report.warnings)))))
    return paragraphs


def several_line(report: ReportDocument, lang: str) -> list[Line]:
    """"This report holds the results of 3 captures ...": a report on several sources (a
    workshop's folder of captures) says so in its summary, so that it is not handed whole to
    one person (the practice data of the demo is one person's)."""
    if len(report.sources) < 2 or report.demo:
        return []
    key = "summary.several.captures" if all(s.kind == "pcap" for s in report.sources) else "summary.several.sources"
    return [tf(key, lang, count=words(str(len(report.sources))))]


def not_checked_line(source: SourceRecord, lang: str) -> Line:
    """"Not checked: the network capture x.pcap (it holds no packets)."""
    return tf("summary.not_checked", lang, source=source_line(source, lang, counts=False),
              reason=reason_line(source.unread, lang))


def partly_checked_lines(sources: Sequence[SourceRecord], lang: str) -> list[Line]:
    """"Partly checked: the network capture x.pcap: what went through WireGuard tunnels ...": what
    a source that was read could not show (a tunnel, no names at all, a short recording), said first."""
    return [tf("summary.partly", lang, source=source_line(source, lang, counts=False),
               reason=check_line(note, lang))
            for source in sources if not source.unread for note in source.not_checked if PARTLY in note.key]


def partly_checked_line(source: SourceRecord, lang: str) -> Line:
    """"Partly checked: the Android phone Pixel 3a: its list of installed apps could not be read ..."."""
    return tf("summary.partly", lang, source=source_line(source, lang, counts=False),
              reason=reason_line(source.partly, lang))


def missing_parts_line(source: SourceRecord, lang: str) -> Line:
    """"Partly checked: the iPhone (iPhone13,2). These parts could not be read, ...": the parts
    of an iPhone read (or its saved copy) that were missing or unreadable, not what USB can
    never show (those are listed with the blind spots); () when every part was read."""
    if source.kind not in _PARTS_KINDS:
        return ()
    parts = [line for line in (check_line(note, lang) for note in source.not_checked
                               if not note.key.startswith(_NEVER_READABLE)) if line]
    if not parts:
        return ()
    return tf("summary.partly_parts", lang, source=source_line(source, lang, counts=False), parts=join(parts, lang))


def tools_and_devices(findings: Sequence[FindingRecord], lang: str) -> Line:
    """"That is 2 known tools, seen on 1 device.": indicator findings are one per tool per
    device, so this counts tools and devices, never indicators."""
    known_tools = [f for f in findings if f.rule.startswith("indicator") and f.threat]
    if not known_tools:
        return ()
    tools = {f.threat for f in known_tools}
    devices = {f.param("device") for f in known_tools}
    key = f"summary.tools.{'one' if len(tools) == 1 else 'many'}.{'one' if len(devices) == 1 else 'many'}"
    return tf(key, lang, tools=words(str(len(tools))), devices=words(str(len(devices))))


def blind_spots(sources: Sequence[SourceRecord], lang: str) -> list[Line]:
    """What this check could not see: our general words, then what each collector reported."""
    out: list[Line] = [not_checked_line(s, lang) for s in sources if s.unread]
    out += [partly_checked_line(s, lang) for s in sources if s.partly and not s.unread]
    out += partly_checked_lines(sources, lang)
    out.append(words(t("blind.general", lang)))
    kinds = []
    for source in sources:
        kind = _BLIND_SPOT_KIND.get(source.kind, source.kind)
        if kind not in kinds:
            kinds.append(kind)
    for kind in kinds:
        if known(f"blind.{kind}"):
            out.append(words(t(f"blind.{kind}", lang)))
    # Captures too short to see tools that report now and then: one line for them all (a folder
    # of short captures gave one line each, none naming its capture).
    short = sum(item.key.startswith(_SHORT) for source in sources for item in source.not_checked)
    if short > 1:
        out.append(tf("blind.short-many", lang, count=words(str(short))))
    for source in sources:
        for item in source.not_checked:
            if PARTLY in item.key and not source.unread:
                continue  # said above, with the source named
            if short > 1 and item.key.startswith(_SHORT):
                continue
            line = check_line(item, lang)
            if line and len(sources) > 1 and item.key.startswith(_SHORT):  # which capture was short
                line = tf("blind.of_source", lang, source=source_line(source, lang, counts=False), note=line)
            if line and line not in out:
                out.append(line)
    return out


def checked_notes(source: SourceRecord, lang: str) -> tuple[Line, ...]:
    """What the collector of ``source`` looked at, in ``lang``."""
    return tuple(line for line in (check_line(item, lang) for item in source.checked) if line)
