"""The summary at the top of every report and on the terminal.

It never gives a verdict. What could not be checked comes first. Then, with a known tool
found: how many findings, how serious, how many tools on how many devices. With none: that
none of the known tools was found and that this does not prove the device is safe, even
when other signs follow ("We also noticed ..."). Then where to start. The next checks
(account sign-ins, location sharing, who knows the PIN; for a phone read over USB, how to
undo what the check left) go with every result.
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
from exposure.model import CheckNote, Severity

PARTLY = ".partly."  # in a not-checked note's key: said first, in the summary too
_SHORT = "pcap.short"  # a short recording's notes (collect/traffic_notes.py)
NEXT_CHECKS = ("next.accounts", "next.location", "next.pin", "next.log")
# A finding that names a known spying or monitoring tool. Apps that police systems flag
# (indicator.flagged-app) and dual-use apps (indicator.dual-use) match lists too, but are
# no such tool: they are counted on a line of their own, never as "known tools".
KNOWN_TOOL_RULE = "indicator"
# Sources read with USB debugging turned on for the check (adb, androidqf, a saved adb read).
_USB_DEBUGGING_KINDS = frozenset({"android", "android-dump", "androidqf"})
_ORDINARY_APP_RULES = (("indicator.flagged-app", "summary.flagged"), ("indicator.dual-use", "summary.dual-use"))
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
        next_checks=tuple(words(t(key, lang)) for key in (*NEXT_CHECKS, *_after_check(report))),
        counts=ordered,
        explanations=explanations,
        checked_items=tuple(checked_notes(s, lang) for s in read),
        looked_for=tuple(words(title.get(lang)) for _, title in report.profile_titles if title.get(lang)),
    )


def _after_check(report: ReportDocument) -> tuple[str, ...]:
    """What a check of an Android phone leaves behind (USB debugging trusted, adb's key on
    the computer), to undo: not for the demo's practice phone."""
    if report.demo or not any(s.kind in _USB_DEBUGGING_KINDS for s in report.sources):
        return ()
    return ("next.android-undo",)


def _paragraphs(report: ReportDocument, findings: list[FindingRecord], explanations: tuple[Explanation, ...],
                counts: tuple[tuple[Severity, int], ...], checked: tuple[Line, ...], lang: str) -> list[Line]:
    paragraphs: list[Line] = []  # a demo is said by each front end's own banner
    if report.cancelled:
        paragraphs.append(words(t("report.cancelled", lang)))
    # What was not checked comes first: a source that gave nothing must never read as clean.
    for source in report.sources:
        if source.unread:
            paragraphs.append(not_checked_line(source, lang))
    # A source read only in part comes next: a phone whose app list could not be read, an iPhone
    # whose parts were missing, what a capture could not show (a tunnel, no names).
    for source in report.sources:
        paragraphs += partly_checked_lines(source, lang)
    tools = [f for f in findings if f.rule == KNOWN_TOOL_RULE and f.threat]
    if tools:
        paragraphs.append(_found_line("summary.found", explanations, counts, lang))
        paragraphs.append(tools_and_devices(findings, lang))
    elif checked:
        # No known tool: say so, and that it is no proof, even when other signs follow.
        paragraphs.append(words(t("summary.none", lang)))
        paragraphs.append(words(t("summary.not_proof", lang)))
    else:
        paragraphs.append(words(t("summary.nothing_read", lang)))
    if explanations:
        if not tools:
            paragraphs.append(_found_line("summary.also", explanations, counts, lang))
        paragraphs += ordinary_apps(findings, lang)
        paragraphs.append(tf("summary.start", lang, title=explanations[0].title))
        if any(e.severity.rank <= Severity.HIGH.rank for e in explanations):
            paragraphs.append(words(t("summary.serious", lang)))
        paragraphs.append(words(t("summary.signs", lang)))
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


def partly_reasons(source: SourceRecord, lang: str) -> list[Line]:
    """Why ``source``, which was read, was checked only in part, one line per reason: its main
    part not read (a phone's app list: ``partly``), what it could not show (a capture's tunnel,
    no names: its ``.partly.`` notes), the parts of an iPhone that were missing or unreadable
    (not what USB can never show: those are blind spots). Empty when it was read whole, or
    not read at all (that is "not checked")."""
    if source.unread:
        return []
    reasons = [reason_line(source.partly, lang)] if source.partly else []
    reasons += [check_line(note, lang) for note in source.not_checked if PARTLY in note.key]
    parts = [check_line(note, lang) for note in source.not_checked if _is_missing_part(source, note)]
    if any(parts):
        reasons.append(tf("summary.partly_parts", lang, parts=join([part for part in parts if part], lang)))
    return [reason for reason in reasons if reason]


def is_partly_note(source: SourceRecord, note: CheckNote) -> bool:
    """Whether ``note``, one of what ``source`` could not check, is said in its "Partly checked" lines."""
    return not source.unread and (PARTLY in note.key or _is_missing_part(source, note))


def _is_missing_part(source: SourceRecord, note: CheckNote) -> bool:
    return source.kind in _PARTS_KINDS and not note.key.startswith(_NEVER_READABLE)


def partly_checked_lines(source: SourceRecord, lang: str) -> list[Line]:
    """"Partly checked: the Android phone Pixel 3a: its list of installed apps could not be
    read ...", one line per reason of ``partly_reasons``: the one way every source, in every
    renderer, says what of it was not checked."""
    named = source_line(source, lang, counts=False)
    return [tf("summary.partly", lang, source=named, reason=reason) for reason in partly_reasons(source, lang)]


def _found_line(key: str, explanations: tuple[Explanation, ...], counts: tuple[tuple[Severity, int], ...],
                lang: str) -> Line:
    """"We found 3 things worth your attention (1 very serious and 2 for your information).";
    with ``summary.also``: "We also noticed 1 thing worth a look (...)"."""
    parts = [tf(f"count.{sev}", lang, count=words(str(n))) if known(f"count.{sev}") else words(f"{n} {sev}")
             for sev, n in counts]
    number = "one" if len(explanations) == 1 else "many"
    return tf(f"{key}.{number}", lang, count=words(str(len(explanations))), counts=join(parts, lang, "list.and.counts"))


def tools_and_devices(findings: Sequence[FindingRecord], lang: str) -> Line:
    """"That is 2 known tools, seen on 1 device.": indicator findings are one per tool per
    device, so this counts tools and devices, never indicators. Apps that are not spying
    tools (flagged by police systems, or dual-use) are counted by :func:`ordinary_apps`."""
    known_tools = [f for f in findings if f.rule == KNOWN_TOOL_RULE and f.threat]
    if not known_tools:
        return ()
    tools = {f.threat for f in known_tools}
    devices = {f.param("device") for f in known_tools}
    key = f"summary.tools.{'one' if len(tools) == 1 else 'many'}.{'one' if len(devices) == 1 else 'many'}"
    return tf(key, lang, tools=words(str(len(tools))), devices=words(str(len(devices))))


def ordinary_apps(findings: Sequence[FindingRecord], lang: str) -> list[Line]:
    """"2 of them are ordinary apps that police systems in some places flag ...": one line
    per kind of app that matched a list but is no spying tool in itself."""
    out: list[Line] = []
    for rule, key in _ORDINARY_APP_RULES:
        count = sum(f.rule == rule for f in findings)
        if count:
            out.append(tf(f"{key}.{'one' if count == 1 else 'many'}", lang, count=words(str(count))))
    return out


def blind_spots(sources: Sequence[SourceRecord], lang: str) -> list[Line]:
    """What this check could not see: our general words, then what each collector reported."""
    out: list[Line] = [not_checked_line(s, lang) for s in sources if s.unread]
    out += [line for source in sources for line in partly_checked_lines(source, lang)]
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
            if is_partly_note(source, item):
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
