"""A finding in words: title, what we saw, what it likely means and how sure we are, what
the person can do, a safety note, and the sources of the indicators.

It reads the report document (:class:`exposure.document.ReportDocument`), so a saved JSON
report is explained again later, in any language, without the profiles: the report
carries the texts of every threat its findings name.
"""

from __future__ import annotations

from dataclasses import dataclass

from exposure.document import FindingRecord, ObservationRecord, ReportDocument
from exposure.explain.categories import category
from exposure.explain.i18n import DEFAULT_LANGUAGE
from exposure.explain.lines import Line, fill, name, plain, value, words
from exposure.explain.references import SourceRef, references
from exposure.explain.rule_texts import rule_texts
from exposure.explain.seen import seen_lines, what_line
from exposure.explain.sources import is_ipad, short_name, source_label
from exposure.explain.texts import join, known, t, t_or, tf
from exposure.explain.times import format_time
from exposure.model import Category, Confidence, Severity

# Roles of an indicator for which "removing it may alert whoever installed it" makes sense.
_INSTALLED_ROLES = frozenset({"app", "c2", "other"})
# Facts every observation has; the technical details show them once, with their labels.
_BASE_FACTS = frozenset({"collector", "source", "first_seen", "last_seen", "count"})
# Indicator rules whose title and meaning depend on the kind of tool, not on the role.
_INDICATOR_RULE_ROLES = {"indicator.flagged-app": "flagged", "indicator.dual-use": "dual-use"}
# Params that hold a list of our own words as text keys ("kTCCServiceMicrophone, location"):
# param name -> the texts.yaml prefix of each word. Unknown keys stay as they are, as values.
_WORD_LIST_PARAMS = {"services": "service"}
# The same, for one rule's params only (other rules use the param name for values of their own).
_RULE_WORD_LIST_PARAMS = {"network.combined": {"signs": "sign.network"}}
# Params of a rule that hold a number exposure counted, never a value read from a device: shown as words.
_RULE_OWN_NUMBERS = {"network.combined": ("count",)}


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
    """One finding explained in one language: what was seen, what it means, how sure, what to do."""

    rule: str
    severity: Severity
    severity_words: str
    category: Category
    title: Line
    seen: tuple[Line, ...]
    meaning: tuple[Line, ...]
    confidence: Confidence
    confidence_words: str
    advice: tuple[Line, ...]
    safety_note: Line  # empty when none applies
    references: tuple[SourceRef, ...]
    matched: tuple[Matched, ...]
    evidence: tuple[EvidenceItem, ...]


def explain_finding(finding: FindingRecord, report: ReportDocument, lang: str) -> Explanation:
    """The explanation of one finding of ``report``."""
    role = finding.indicators[0].role if finding.indicators else ""
    if finding.rule.startswith("indicator"):
        title, meaning, advice = _indicator_texts(finding, report, role, lang)
    else:
        title, meaning, advice = _rule_texts(finding, report, lang)
    return Explanation(
        rule=finding.rule,
        severity=finding.severity,
        severity_words=t_or(f"severity.{finding.severity}", lang, finding.severity),
        category=finding.category,
        title=title,
        seen=tuple(seen_lines(finding.evidence, lang, report)),
        meaning=tuple(line for line in meaning if line),
        confidence=finding.confidence,
        confidence_words=_confidence_words(finding.confidence, finding.rule, lang),
        advice=tuple(line for line in advice if line),
        safety_note=words(t("safety.note", lang)) if _needs_safety_note(finding.category, role, finding.rule) else (),
        references=tuple(references(finding.indicators, report.threat(finding.threat), report, lang)),
        matched=tuple(Matched(i.type, i.value, i.role, i.source) for i in finding.indicators),
        evidence=tuple(evidence_item(e, lang, report) for e in finding.evidence),
    )


def _params(finding: FindingRecord) -> dict[str, str | Line]:
    params: dict[str, str | Line] = dict(finding.params)
    params["subject"] = finding.subject
    return params


def _indicator_texts(finding: FindingRecord, report: ReportDocument, role: str,
                     lang: str) -> tuple[Line, list[Line], list[Line]]:
    """A known tool's own texts (or its category's), by the role of what matched."""
    threat = report.threat(finding.threat)
    defaults = category(finding.category)
    params = _params(finding)
    threat_name = (threat.name.get(lang) if threat else "") or finding.param("name") or finding.threat
    role_key = _INDICATOR_RULE_ROLES.get(finding.rule, role)
    if not known(f"title.indicator.{role_key}"):
        role_key = "other"
    title = tf(f"title.indicator.{role_key}", lang, name=name(threat_name), subject=finding.subject)
    meaning = [words((threat.what_it_is.get(lang) if threat else "") or defaults.what_it_is.get(lang)),
               words((threat.what_it_can_do.get(lang) if threat else "") or defaults.what_it_can_do.get(lang)),
               words(t(f"role.{role_key}", lang)), *indicator_notes(params, lang)]
    if role_key in ("website", "distribution"):
        advice = [words(t(f"advice.{role_key}", lang))]
    else:
        advice = [words((threat.what_to_do.get(lang) if threat else "") or defaults.what_to_do.get(lang))]
    return title, meaning, advice


def _rule_texts(finding: FindingRecord, report: ReportDocument, lang: str) -> tuple[Line, list[Line], list[Line]]:
    """A heuristic rule's texts (rules/*.yaml), or its English title and its category's words."""
    texts = rule_texts().get(finding.rule)
    if texts is None:
        defaults = category(finding.category)
        return (value(finding.title),
                [words(defaults.what_it_is.get(lang)), words(defaults.what_it_can_do.get(lang))],
                [words(defaults.what_to_do.get(lang))])
    params = _params(finding)
    # "the iPad" where the iPhone rules' texts say {device}, when the finding's source is one
    seen_on = {finding.subject, *(e.source for e in finding.evidence)}
    params["device"] = words(t("device.ipad" if any(is_ipad(report.source(s)) for s in seen_on)
                               else "device.iphone", lang))
    _translate_word_lists(params, finding.rule, lang)
    return (fill(texts.title.get(lang), params), [fill(texts.meaning.get(lang), params)],
            [fill(texts.advice.get(lang), params)])


def _translate_word_lists(params: dict[str, str | Line], rule: str, lang: str) -> None:
    for param in _RULE_OWN_NUMBERS.get(rule, ()):
        raw = params.get(param)
        if isinstance(raw, str) and raw.isdigit():
            params[param] = words(raw)
    for param, prefix in {**_WORD_LIST_PARAMS, **_RULE_WORD_LIST_PARAMS.get(rule, {})}.items():
        raw = params.get(param)
        if not isinstance(raw, str) or not raw:
            continue
        parts: list[Line] = [words(t(f"{prefix}.{key}", lang)) if known(f"{prefix}.{key}") else value(key)
                             for key in raw.split(", ")]
        params[param] = join(parts, lang)


def indicator_notes(params: dict[str, str | Line], lang: str) -> list[Line]:
    """Lines that say why an indicator finding is weaker or stronger than its kind alone
    (an old indicator, a shared address; a dual-use app's powers), from the finding's params:
    ``notes`` lists text keys, ``privileges`` and ``kind`` are codes with their own words."""
    out: list[Line] = []
    kind = str(params.get("kind", ""))
    if kind and known(f"dual-use.kind.{kind}"):
        out.append(tf("note.dual-use.kind", lang, kind=words(t(f"dual-use.kind.{kind}", lang))))
    codes = [c for c in str(params.get("privileges", "")).split(",") if known(f"privilege.{c}")]
    if codes:
        held = join([words(t(f"privilege.{c}", lang)) for c in codes], lang)
        out.append(tf("note.dual-use.privileges", lang, privileges=held))
    if params.get("running"):
        out.append(words(t("note.dual-use.running", lang)))
    for key in str(params.get("notes", "")).split(","):
        if key.startswith("note.") and known(key):
            out.append(tf(key, lang, **params))
    return out


def _confidence_words(confidence: str, rule: str, lang: str) -> str:
    key = f"confidence.{confidence}" if rule.startswith("indicator") else f"confidence.sign.{confidence}"
    return t_or(key, lang, confidence)


def _needs_safety_note(cat: Category, role: str, rule: str) -> bool:
    if rule == "indicator.flagged-app":
        return False
    return cat.may_alert_installer and (not role or role in _INSTALLED_ROLES)


def _full_source(obs: ObservationRecord, lang: str, report: ReportDocument) -> str:
    """Where an observation was seen, in full for the technical details (a practice
    source by its words: its path is only where exposure is installed)."""
    recorded = report.source(obs.source)
    if recorded and recorded.label:
        return short_name(recorded, lang)
    return source_label(obs, lang)


def evidence_item(obs: ObservationRecord, lang: str, report: ReportDocument) -> EvidenceItem:
    """One observation for the technical details: in English as recorded (the fact names are
    the JSON's); in another language described in its words, with its fact names translated."""
    english = lang == DEFAULT_LANGUAGE
    return EvidenceItem(
        kind=obs.kind,
        description=obs.description if english else plain(what_line(obs, lang, report)),
        source=_full_source(obs, lang, report),
        count=obs.count,
        first_seen=format_time(obs.first_seen),
        last_seen=format_time(obs.last_seen),
        facts=tuple((k if english else t_or(f"fact.{k}", lang, k), v) for k, v in obs.facts if k not in _BASE_FACTS),
    )

