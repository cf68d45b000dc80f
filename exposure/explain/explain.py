"""A finding in words: title, what we saw, what it likely means and how sure we are, what
the person can do, a safety note, and the sources of the indicators.

It works from the report's dictionary form (``exposure.report.json_report.to_dict``), so
a saved JSON report can be explained again later, in any language, without the profiles:
the report carries the texts of every threat its findings name. The dictionary must have
passed ``exposure.report.schema.check_report`` (or come from ``to_dict``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exposure.explain.android_seen import android_activity_what_key
from exposure.explain.rule_texts import rule_texts
from exposure.explain.texts import Line, category, fill, join, name, t, tf, ui_texts, value, words
from exposure.model import Category, LocalText

MAX_SEEN_LINES = 6
ECHAP_MARKERS = ("echap", "stalkerware-indicators")
# Roles of an indicator for which "removing it may alert whoever installed it" makes sense.
_INSTALLED_ROLES = frozenset({"app", "c2", "other"})
# Facts every observation has; the technical details show them once, with their labels.
_BASE_FACTS = frozenset({"collector", "source", "first_seen", "last_seen", "count"})


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an indicator or claim comes from: a title (in words) and an optional link."""

    title: Line
    url: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One observation, as technical detail."""

    kind: str
    description: str
    source: str
    count: int
    first_seen: str  # formatted local time, or ""
    last_seen: str
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Matched:
    """One indicator that matched."""

    type: str
    value: str
    role: str
    source: str


@dataclass(frozen=True, slots=True)
class Explanation:
    rule: str
    severity: str
    severity_words: str
    category: str
    title: Line
    seen: tuple[Line, ...]
    meaning: tuple[Line, ...]
    confidence: str
    confidence_words: str
    advice: tuple[Line, ...]
    safety_note: Line  # empty when none applies
    references: tuple[SourceRef, ...]
    matched: tuple[Matched, ...]
    evidence: tuple[EvidenceItem, ...]


def local(value: Any, lang: str) -> str:
    """A ``{lang: text}`` mapping from a report (or a LocalText) in ``lang``, English fallback."""
    if isinstance(value, LocalText):
        return value.get(lang)
    if isinstance(value, Mapping):
        return LocalText(tuple((str(k), str(v)) for k, v in value.items() if isinstance(v, str))).get(lang)
    return value if isinstance(value, str) else ""


def format_time(iso: str | None) -> str:
    """An ISO time as local time with the zone, e.g. ``2026-11-26 10:02 UTC``."""
    moment = _parse_time(iso)
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d %H:%M} {_zone(moment)}"


def format_span(first: str | None, last: str | None) -> tuple[str, str]:
    """First and last times in local time; the date and zone are not repeated needlessly."""
    start, end = _parse_time(first), _parse_time(last)
    if start is None:
        return ("", "")
    if end is None or f"{end:%Y-%m-%d %H:%M:%S}" == f"{start:%Y-%m-%d %H:%M:%S}":
        return (f"{start:%Y-%m-%d %H:%M:%S} {_zone(start)}", "")
    if end.date() == start.date():
        return (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%H:%M:%S} {_zone(end)}")
    return (f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S} {_zone(end)}")


def _parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone()
    except (ValueError, OverflowError, OSError):
        return None


def _zone(moment: datetime) -> str:
    zone = moment.tzname() or ""
    if zone and zone.isalpha():
        return zone
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else ""


def explain_finding(finding: Mapping[str, Any], report: Mapping[str, Any], lang: str) -> Explanation:
    """The explanation of one finding of ``report`` (both in dictionary form)."""
    rule = str(finding.get("rule", ""))
    severity = str(finding.get("severity", "info"))
    cat = str(finding.get("category", ""))
    confidence = str(finding.get("confidence", "low"))
    indicators: Sequence[Mapping[str, Any]] = finding.get("indicators") or []
    role = str(indicators[0].get("role", "other")) if indicators else ""
    threat: Mapping[str, Any] = (report.get("threats") or {}).get(str(finding.get("threat", ""))) or {}
    subject = str(finding.get("subject", ""))
    params: dict[str, str | Line] = {str(k): str(v) for k, v in (finding.get("params") or {}).items()}
    params["subject"] = subject
    defaults = category(cat)

    if rule.startswith("indicator"):
        threat_name = local(threat.get("name"), lang) or str(params.get("name") or finding.get("threat", ""))
        role_key = _INDICATOR_RULE_ROLES.get(rule, role)
        if f"title.indicator.{role_key}" not in _known_keys():
            role_key = "other"
        title = tf(f"title.indicator.{role_key}", lang, name=name(threat_name), subject=subject)
        meaning = [words(local(threat.get("what_it_is"), lang) or defaults.what_it_is.get(lang)),
                   words(local(threat.get("what_it_can_do"), lang) or defaults.what_it_can_do.get(lang)),
                   words(t(f"role.{role_key}", lang)), *indicator_notes(params, lang)]
        if role_key in ("website", "distribution"):
            advice = [words(t(f"advice.{role_key}", lang))]
        else:
            advice = [words(local(threat.get("what_to_do"), lang) or defaults.what_to_do.get(lang))]
    else:
        texts = rule_texts().get(rule)
        if texts is not None:
            _translate_word_lists(params, lang)
            title = fill(texts.title.get(lang), params)
            meaning = [fill(texts.meaning.get(lang), params)]
            advice = [fill(texts.advice.get(lang), params)]
        else:
            title = value(str(finding.get("title", rule)))
            meaning = [words(defaults.what_it_is.get(lang)), words(defaults.what_it_can_do.get(lang))]
            advice = [words(defaults.what_to_do.get(lang))]

    return Explanation(
        rule=rule,
        severity=severity,
        severity_words=t(f"severity.{severity}", lang) if f"severity.{severity}" in _known_keys() else severity,
        category=cat,
        title=title,
        seen=tuple(seen_lines(finding.get("evidence") or [], lang, report)),
        meaning=tuple(line for line in meaning if line),
        confidence=confidence,
        confidence_words=_confidence_words(confidence, rule, lang),
        advice=tuple(line for line in advice if line),
        safety_note=words(t("safety.note", lang)) if _needs_safety_note(cat, role, rule) else (),
        references=tuple(_references(indicators, threat, report, lang)),
        matched=tuple(Matched(str(i.get("type", "")), str(i.get("value", "")), str(i.get("role", "")),
                              str(i.get("source", ""))) for i in indicators),
        evidence=tuple(_evidence_item(e, lang, report) for e in (finding.get("evidence") or [])),
    )


# Params that hold a list of our own words as text keys ("kTCCServiceMicrophone, location"):
# param name -> the texts.yaml prefix of each word. Unknown keys stay as they are, as values.
_WORD_LIST_PARAMS = {"services": "service"}


def _translate_word_lists(params: dict[str, str | Line], lang: str) -> None:
    for param, prefix in _WORD_LIST_PARAMS.items():
        raw = params.get(param)
        if not isinstance(raw, str) or not raw:
            continue
        parts: list[Line] = [words(t(f"{prefix}.{key}", lang)) if f"{prefix}.{key}" in _known_keys() else value(key)
                             for key in raw.split(", ")]
        params[param] = join(parts, lang)

# Indicator rules whose title and meaning depend on the kind of tool, not on the role.
_INDICATOR_RULE_ROLES = {"indicator.flagged-app": "flagged", "indicator.dual-use": "dual-use"}


def indicator_notes(params: Mapping[str, str | Line], lang: str) -> list[Line]:
    """Lines that say why an indicator finding is weaker or stronger than its kind alone
    (an old indicator, a shared address; a dual-use app's powers), from the finding's params:
    ``notes`` lists text keys, ``privileges`` and ``kind`` are codes with their own words."""
    out: list[Line] = []
    known = _known_keys()
    kind = str(params.get("kind", ""))
    if kind and f"dual-use.kind.{kind}" in known:
        out.append(tf("note.dual-use.kind", lang, kind=words(t(f"dual-use.kind.{kind}", lang))))
    codes = [c for c in str(params.get("privileges", "")).split(",") if f"privilege.{c}" in known]
    if codes:
        held = join([words(t(f"privilege.{c}", lang)) for c in codes], lang)
        out.append(tf("note.dual-use.privileges", lang, privileges=held))
    if params.get("running"):
        out.append(words(t("note.dual-use.running", lang)))
    for key in str(params.get("notes", "")).split(","):
        if key.startswith("note.") and key in known:
            out.append(tf(key, lang, **params))
    return out


def _confidence_words(confidence: str, rule: str, lang: str) -> str:
    key = f"confidence.{confidence}" if rule.startswith("indicator") else f"confidence.sign.{confidence}"
    return t(key, lang) if key in _known_keys() else confidence


def _known_keys() -> Mapping[str, object]:
    return ui_texts()


def _needs_safety_note(cat: str, role: str, rule: str) -> bool:
    if rule == "indicator.flagged-app":
        return False
    try:
        alerts = Category(cat).may_alert_installer
    except ValueError:
        alerts = True  # an unknown kind of threat: err on the side of caution
    return alerts and (not role or role in _INSTALLED_ROLES)


# --- what we saw -----------------------------------------------------------------------

def seen_lines(evidence: Sequence[Mapping[str, Any]], lang: str,
               report: Mapping[str, Any] | None = None) -> list[Line]:
    """One sentence per observation (at most MAX_SEEN_LINES, then "and N more")."""
    lines = [_seen_line(obs, lang, report or {}) for obs in evidence[:MAX_SEEN_LINES]]
    if len(evidence) > MAX_SEEN_LINES:
        lines.append(tf("seen.more", lang, count=words(str(len(evidence) - MAX_SEEN_LINES))))
    return lines


def _seen_line(obs: Mapping[str, Any], lang: str, report: Mapping[str, Any]) -> Line:
    what = _what(obs, lang)
    # "this computer" and a practice source are our own words (translated); a file's
    # name, a phone's model or serial is a value. Sentences use the short name.
    recorded = source_of(report, str(obs.get("source", "")))
    ours = obs.get("collector") == "host" or bool(recorded and recorded.get("label"))
    shown = short_name(recorded, lang) if recorded else source_label(obs, lang)
    source = words(shown) if ours else shown
    count = _int(obs.get("count"), 1)
    times = words(t("seen.once", lang)) if count == 1 else tf("seen.times", lang, count=words(str(count)))
    first, last = format_span(obs.get("first_seen"), obs.get("last_seen"))
    if first:
        when = (tf("seen.between", lang, first=words(first), last=words(last)) if last
                else tf("seen.at", lang, first=words(first)))
        return tf("seen.line.timed", lang, what=what, times=times, when=when, source=source)
    if count > 1:
        return tf("seen.line.counted", lang, what=what, times=times, source=source)
    return tf("seen.line.plain", lang, what=what, source=source)


def what_line(obs: Mapping[str, Any], lang: str) -> Line:
    """What one observation (in report form) shows, as a sentence part, in ``lang``."""
    return _what(obs, lang)


def _what(obs: Mapping[str, Any], lang: str) -> Line:
    kind = str(obs.get("kind", ""))
    raw = obs.get("facts")
    facts: dict[str, str] = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    who = tf("seen.who.client", lang, client=facts["client"]) if facts.get("client") else words(
        t("seen.who.any", lang))
    if facts.get("client") and facts.get("client_mac"):  # one device under all its addresses (IPv4, IPv6)
        who = tf("seen.who.device", lang, client=facts["client"], mac=facts["client_mac"])
    if facts.get("processes"):  # an iPhone's own traffic: the app behind it (exposure.collect.ios.capture)
        who = tf("seen.who.app", lang, app=facts["processes"])
    key, params = _what_key(kind, facts, lang)
    if key and all(v for v in params.values()):
        return tf(key, lang, who=who, **params)
    return tf("seen.other", lang, description=str(obs.get("description") or kind))


def _what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, dict[str, str | Line]]:
    if kind == "dns-query":
        return "seen.dns-query", {"name": f.get("name", "")}
    if kind == "server-name":
        protocol = f.get("protocol", "tls")
        key = f"seen.server-name.{protocol}"
        return (key if key in _known_keys() else "seen.server-name.tls"), {"name": f.get("name", "")}
    if kind == "tls-certificate":
        shown = f.get("subject_name") or f.get("server_name") or f.get("names") or f.get("server", "")
        return "seen.tls-certificate", {"name": shown}
    if kind == "flow":
        server = f.get("server", "")
        if f.get("server_names"):
            server = f"{server} ({f['server_names']})"
        return "seen.flow", {"server": server, "port": f.get("server_port", "")}
    if kind == "android-package":
        if f.get("label"):
            return "seen.android-package.label", {"package": f.get("package", ""), "label": f["label"]}
        return "seen.android-package", {"package": f.get("package", "")}
    if kind == "android-component":
        role = f.get("role", "")
        role_words: str | Line = (words(t(f"component.{role}", lang)) if f"component.{role}" in _known_keys()
                                  else role)
        return "seen.android-component", {"package": f.get("component") or f.get("package", ""), "role": role_words}
    if kind == "android-setting":
        return "seen.android-setting", {"key": f.get("key", ""), "value": f.get("value", "")}
    if kind == "android-process":
        return "seen.android-process", {"name": f.get("name", "")}
    if kind == "android-file":
        return "seen.android-file", {"path": f.get("path", "")}
    if kind == "host-process":
        return "seen.host-process", {"name": f.get("name", "")}
    if kind == "installed-software":
        return "seen.installed-software", {"name": f.get("display_name") or f.get("name", "")}
    if kind == "host-connection":
        return "seen.host-connection", {"address": f.get("remote_ip", ""), "port": f.get("remote_port", "")}
    if kind == "host-setting" and f.get("area") == "root-certificate":
        # In meaning first: the certificate's name and where it was added; its fingerprint
        # stays in the technical details.
        where = file_name(f.get("location", "")) or t("seen.where.unknown", lang)
        return "seen.root-certificate", {"name": f.get("key", ""), "file": where}
    if kind == "host-setting" and f.get("area") == "hosts-entry":
        return "seen.hosts-entry", {"name": f.get("key", ""), "address": f.get("value", "")}
    if kind == "host-setting":
        return "seen.host-setting", {"key": f.get("key", ""), "value": f.get("value", "")}
    key, params = _ios_what_key(kind, f, lang)
    return (key, params) if key else android_activity_what_key(kind, f)


def _ios_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, dict[str, str | Line]]:
    if kind == "ios-app":
        return "seen.ios-app", {"app": f.get("bundle_id", ""), "name": f.get("name") or f.get("bundle_id", "")}
    if kind in ("ios-provisioning-profile", "ios-config-profile"):
        return f"seen.{kind}", {"name": f.get("name") or f.get("identifier") or f.get("uuid", "")}
    if kind == "ios-fact":
        return "seen.ios-fact", {"key": f.get("key", ""), "value": f.get("value", "")}
    if kind == "ios-process":
        key = "seen.ios-process.network" if f.get("origin") == "network-usage" else "seen.ios-process"
        return key, {"name": f.get("name") or f.get("bundle_id", "")}
    return _ios_backup_what_key(kind, f, lang)


def _ios_backup_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, dict[str, str | Line]]:
    """What an iPhone backup showed (exposure.observations.ios_backup)."""
    def known(prefix: str, name: str) -> str | Line:
        return words(t(f"{prefix}.{name}", lang)) if f"{prefix}.{name}" in _known_keys() else name

    if kind == "ios-link":
        where = known("artefact", f.get("artefact", ""))
        if f.get("sender"):
            return "seen.ios-link.from", {"host": f.get("host", ""), "where": where, "sender": f["sender"]}
        return "seen.ios-link", {"host": f.get("host", ""), "where": where}
    if kind == "ios-permission":
        return "seen.ios-permission", {"app": f.get("client", ""), "service": known("service", f.get("service", ""))}
    if kind == "ios-threat-notification":
        return "seen.ios-threat-notification", {"excerpt": f.get("excerpt", "")}
    if kind == "ios-profile-event":
        return "seen.ios-profile-event", {"name": f.get("identifier", ""), "operation": f.get("operation", "")}
    return "", {}


def _int(raw: Any, default: int) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else default


def source_label(obs: Mapping[str, Any], lang: str) -> str:
    """Where an observation was seen: the host collector's "this computer" in ``lang``,
    any other source (a capture's path, a phone's serial) as it was recorded."""
    if obs.get("collector") == "host":
        return t("source.host", lang)
    return str(obs.get("source", ""))


def source_of(report: Mapping[str, Any], recorded: str) -> Mapping[str, Any] | None:
    """The report's source whose recorded name is ``recorded`` (an observation's source)."""
    for source in report.get("sources") or []:
        if isinstance(source, Mapping) and source.get("name") == recorded:
            return source
    return None


def short_name(source: Mapping[str, Any], lang: str) -> str:
    """How a source is named in sentences: a phone by its model, a file by its name (the
    full path stays in the record and the evidence), this computer and the workshop's
    practice data in words."""
    kind = str(source.get("kind", ""))
    name = str(source.get("name", ""))
    label = str(source.get("label") or "")
    if label:
        return t(f"source.label.{label}", lang) if f"source.label.{label}" in _known_keys() else label
    if kind == "host":
        return t("source.host", lang)
    if kind == "android":
        return phone_name(source)
    if kind in ("pcap", "androidqf", "android-dump"):
        return file_name(name)
    return name


def phone_name(source: Mapping[str, Any]) -> str:
    """A phone's model when known ("Pixel 3a"), else its serial, else ""."""
    details = source.get("details")
    model = str(details.get("model") or "") if isinstance(details, Mapping) else ""
    name = str(source.get("name", ""))
    if model:
        return model
    return "" if name in ("", "Android phone") else name


def file_name(path: str) -> str:
    trimmed = path.rstrip("/\\")
    return trimmed.replace("\\", "/").rsplit("/", 1)[-1] or path


def _full_source(obs: Mapping[str, Any], lang: str, report: Mapping[str, Any]) -> str:
    """Where an observation was seen, in full for the technical details (a practice
    source by its words: its path is only where exposure is installed)."""
    recorded = source_of(report, str(obs.get("source", "")))
    if recorded and recorded.get("label"):
        return short_name(recorded, lang)
    return source_label(obs, lang)


def _evidence_item(obs: Mapping[str, Any], lang: str, report: Mapping[str, Any] | None = None) -> EvidenceItem:
    raw = obs.get("facts")
    facts = tuple((str(k), str(v)) for k, v in raw.items()
                  if k not in _BASE_FACTS) if isinstance(raw, Mapping) else ()
    return EvidenceItem(
        kind=str(obs.get("kind", "")),
        description=str(obs.get("description", "")),
        source=_full_source(obs, lang, report or {}),
        count=_int(obs.get("count"), 1),
        first_seen=format_time(obs.get("first_seen")),
        last_seen=format_time(obs.get("last_seen")),
        facts=facts,
    )


# --- sources ---------------------------------------------------------------------------

def is_echap(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in ECHAP_MARKERS)


def _references(indicators: Sequence[Mapping[str, Any]], threat: Mapping[str, Any],
                report: Mapping[str, Any], lang: str) -> list[SourceRef]:
    feeds = {str(f.get("name", "")): f for f in (report.get("feeds") or []) if isinstance(f, Mapping)}
    out: list[SourceRef] = []
    seen: set[tuple[str, str]] = set()
    echap = False

    def add(title: Line, url: str = "") -> None:
        key = ("".join(p.text for p in title), url)
        if key not in seen:
            seen.add(key)
            out.append(SourceRef(title, url))

    for ind in indicators:
        source = str(ind.get("source", ""))
        if source and not source.startswith("profile:"):
            feed = feeds.get(source, {})
            add(tf("ref.feed", lang, name=name(source)), "")
            echap = echap or is_echap(source) or is_echap(str(feed.get("format", ""))) or is_echap(
                str(feed.get("source", "")))
        for ref in ind.get("references") or []:
            title, url = str(ref.get("title", "")), str(ref.get("url", ""))
            if title or url:
                add(name(title or url), url)
                echap = echap or is_echap(title) or is_echap(url)
    for ref in threat.get("references") or []:
        title, url = str(ref.get("title", "")), str(ref.get("url", ""))
        if title or url:
            add(name(title or url), url)
            echap = echap or is_echap(title) or is_echap(url)
    if echap:
        add(words(t("ref.echap", lang)), "https://github.com/AssoEchap/stalkerware-indicators")
    return out
