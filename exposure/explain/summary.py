"""The summary at the top of every report and on the terminal.

It never gives a verdict. With findings: how many, how serious, and where to start. With
none: what was checked and what was not, that this does not prove the device is safe,
and the next checks (account sign-ins, location sharing, who knows the PIN).
Works from the report's dictionary form, like ``exposure.explain.explain``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exposure.explain.explain import Explanation, explain_finding, is_echap, local, phone_name, short_name
from exposure.explain.texts import Line, check_line, join, t, tf, ui_texts, warning_line, words
from exposure.model import Severity

NEXT_CHECKS = ("next.accounts", "next.location", "next.pin", "next.log")


@dataclass(frozen=True, slots=True)
class Summary:
    paragraphs: tuple[Line, ...]
    checked: tuple[Line, ...]  # one line per source read
    not_checked: tuple[Line, ...]  # blind spots, in words
    next_intro: Line
    next_checks: tuple[Line, ...]
    counts: tuple[tuple[str, int], ...]  # severity -> number of findings, most serious first
    explanations: tuple[Explanation, ...]  # every finding, most serious first
    looked_for: tuple[Line, ...] = ()  # the worries (profiles) the scan looked for, in words
    checked_items: tuple[tuple[Line, ...], ...] = ()  # per source (as ``checked``): what it looked at


def severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return len(Severity)


def summarize(report: Mapping[str, Any], lang: str) -> Summary:
    findings = sorted((f for f in report.get("findings") or [] if isinstance(f, Mapping)),
                      key=lambda f: severity_rank(str(f.get("severity", ""))))
    explanations = tuple(explain_finding(f, report, lang) for f in findings)
    counts: dict[str, int] = {}
    for exp in explanations:
        counts[exp.severity] = counts.get(exp.severity, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: severity_rank(item[0]))
    sources = [s for s in report.get("sources") or [] if isinstance(s, Mapping)]
    warnings = [w for w in report.get("warnings") or [] if isinstance(w, Mapping)]

    read = [s for s in sources if not s.get("unread")]
    unread = [s for s in sources if s.get("unread")]

    paragraphs: list[Line] = []  # a demo is said by each front end's own banner
    if report.get("cancelled"):
        paragraphs.append(words(t("report.cancelled", lang)))
    # What was not checked comes first: a source that gave nothing must never read as clean.
    for source in unread:
        paragraphs.append(tf("summary.not_checked", lang, source=source_line(source, lang, counts=False),
                             reason=reason_line(source.get("unread"), lang)))
    if explanations:
        parts = [tf(f"count.{sev}", lang, count=words(str(n))) if f"count.{sev}" in ui_texts()
                 else words(f"{n} {sev}") for sev, n in ordered]
        key = "summary.found.one" if len(explanations) == 1 else "summary.found.many"
        paragraphs.append(tf(key, lang, count=words(str(len(explanations))), counts=join(parts, lang)))
        tools_line = tools_and_devices(findings, lang)
        if tools_line:
            paragraphs.append(tools_line)
        paragraphs.append(tf("summary.start", lang, title=explanations[0].title))
        if any(severity_rank(e.severity) <= Severity.HIGH.rank for e in explanations):
            paragraphs.append(words(t("summary.serious", lang)))
        paragraphs.append(words(t("summary.signs", lang)))
    elif read:
        paragraphs.append(words(t("summary.none", lang)))
        paragraphs.append(words(t("summary.not_proof", lang)))
    else:
        paragraphs.append(words(t("summary.nothing_read", lang)))
    checked = tuple(source_line(s, lang) for s in read)
    if checked:
        paragraphs.append(tf("summary.checked", lang, list=join(list(checked), lang)))
    if warnings:
        key = "summary.warnings.one" if len(warnings) == 1 else "summary.warnings.many"
        paragraphs.append(tf(key, lang, count=words(str(len(warnings)))))

    return Summary(
        paragraphs=tuple(paragraphs),
        checked=checked,
        not_checked=tuple(blind_spots(sources, lang)),
        next_intro=words(t("summary.next_intro", lang)),
        next_checks=tuple(words(t(key, lang)) for key in NEXT_CHECKS),
        counts=tuple(ordered),
        explanations=explanations,
        checked_items=tuple(checked_notes(s, lang) for s in read),
        looked_for=tuple(words(local(title, lang)) for title in (report.get("profile_titles") or {}).values()
                         if local(title, lang)),
    )


def tools_and_devices(findings: list[Mapping[str, Any]], lang: str) -> Line:
    """"That is 2 known tools, seen on 1 device.": indicator findings are one per tool per
    device, so this counts tools and devices, never indicators."""
    known = [f for f in findings if str(f.get("rule", "")).startswith("indicator") and f.get("threat")]
    if not known:
        return ()
    tools = {str(f.get("threat")) for f in known}
    devices = {str((f.get("params") or {}).get("device", "")) for f in known}
    key = f"summary.tools.{'one' if len(tools) == 1 else 'many'}.{'one' if len(devices) == 1 else 'many'}"
    return tf(key, lang, tools=words(str(len(tools))), devices=words(str(len(devices))))


def source_line(source: Mapping[str, Any], lang: str, counts: bool = True) -> Line:
    """"the network capture x.pcap (1200 packets, 40 names)": the source in words, by its
    short name (see :func:`short_name`), with what was read from it."""
    kind = str(source.get("kind", ""))
    label = str(source.get("label") or "")
    if label and f"source.label.{label}" in ui_texts():
        line = words(t(f"source.label.{label}", lang))
    elif kind == "android" and not phone_name(source):
        line = words(t("source.android.unnamed", lang))
    else:
        key = f"source.{kind}" if f"source.{kind}" in ui_texts() else "source.other"
        line = tf(key, lang, name=short_name(source, lang))
    shown: list[Line] = []
    numbers = source.get("counts")
    if counts and isinstance(numbers, Mapping):
        for what, number in numbers.items():
            key = f"count.{what}.one" if number == 1 and f"count.{what}.one" in ui_texts() else f"count.{what}"
            if isinstance(number, int) and key in ui_texts():
                shown.append(tf(key, lang, count=words(str(number))))
    if shown:
        line = tf("source.with_counts", lang, source=line, counts=join(shown, lang))
    return line


def reason_line(note: Any, lang: str) -> Line:
    """Why a source was not read (its ``unread`` note) in ``lang``."""
    if isinstance(note, Mapping):
        said = {"message": note.get("text", ""), "key": note.get("key", ""), "params": note.get("params") or {}}
        return warning_line(said, lang)
    return words(str(note or ""))


def blind_spots(sources: list[Mapping[str, Any]], lang: str) -> list[Line]:
    """What this check could not see: our general words, then what each collector reported."""
    out: list[Line] = [tf("summary.not_checked", lang, source=source_line(s, lang, counts=False),
                          reason=reason_line(s.get("unread"), lang)) for s in sources if s.get("unread")]
    out.append(words(t("blind.general", lang)))
    kinds = []
    for source in sources:
        kind = {"android-dump": "android", "androidqf": "android", "live": "pcap"}.get(str(source.get("kind")),
                                                                       str(source.get("kind")))
        if kind not in kinds:
            kinds.append(kind)
    for kind in kinds:
        if f"blind.{kind}" in ui_texts():
            out.append(words(t(f"blind.{kind}", lang)))
    for source in sources:
        for item in _notes(source, "not_checked"):
            line = check_line(item, lang)
            if line and line not in out:
                out.append(line)
    return out


def source_name(report: Mapping[str, Any], recorded: str, lang: str) -> str:
    """A source's name for showing beside a warning: its short name (a file's name, a
    phone's model, "this computer" in ``lang``); a name no source has is shown as it is."""
    for source in report.get("sources") or []:
        if isinstance(source, Mapping) and source.get("name") == recorded:
            return short_name(source, lang) or recorded
    return recorded


def full_name(report: Mapping[str, Any], recorded: str, lang: str) -> str:
    """A source's recorded name in full (the record of the check): "this computer" in
    ``lang``, a path or serial as it is."""
    for source in report.get("sources") or []:
        if isinstance(source, Mapping) and source.get("kind") == "host" and source.get("name") == recorded:
            return t("source.host", lang)
    return recorded


def record_rows(report: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of the report's record section: tool, schema, times, profiles, language."""
    tool = report.get("tool") or {}
    return [
        (t("label.tool", lang), f"{tool.get('name', '')} {tool.get('version', '')}"),
        (t("label.schema", lang), str(report.get("schema", ""))),
        (t("label.started", lang), str(report.get("started") or "")),
        (t("label.finished", lang), str(report.get("finished") or "")),
        (t("label.profiles", lang), ", ".join(str(p) for p in report.get("profiles") or [])),
        (t("label.language", lang), lang),
    ]


def data_span(source: Mapping[str, Any]) -> str:
    """The time span of a source's data ("first – last"), or "" when unknown."""
    return " – ".join(x for x in (str(source.get("first_time") or ""), str(source.get("last_time") or "")) if x)


def counts_text(source: Mapping[str, Any]) -> str:
    """A source's counts as "packets=20, flows=3"."""
    return ", ".join(f"{k}={v}" for k, v in (source.get("counts") or {}).items())


def feed_date(feed: Mapping[str, Any], lang: str) -> str:
    """"data of 2026-06-21, bundled with exposure": which version of a feed a report used,
    and how recent its data is (``imported`` and the bundle's own version when they add to it)."""
    dated = str(feed.get("dated") or "")[:10]
    when = t("feed.dated", lang).format(date=dated) if dated else t("feed.undated", lang)
    how = (t("feed.bundled", lang) if feed.get("bundled")
           else t("feed.imported", lang).format(date=str(feed.get("imported") or "")[:19]))
    version = str(feed.get("version") or "")
    shown = f" ({t('label.version', lang)} {version})" if version and version[:10] != dated else ""
    return f"{when}, {how}{shown}"


def cites_echap(feeds: list[Mapping[str, Any]]) -> bool:
    """Whether any feed is Echap's, whose CC BY licence asks for attribution."""
    return any(is_echap(str(f.get("name", ""))) or is_echap(str(f.get("format", ""))) for f in feeds)


def checked_notes(source: Mapping[str, Any], lang: str) -> tuple[Line, ...]:
    """What the collector of ``source`` looked at, in ``lang``."""
    return tuple(line for line in (check_line(item, lang) for item in _notes(source, "checked")) if line)


def _notes(source: Mapping[str, Any], field: str) -> list[Any]:
    notes = source.get(field)
    return notes if isinstance(notes, list) else []
