"""The JSON report: the versioned, complete record of a scan (``exposure.report/1``).

Markdown and HTML are rendered from the same dictionary, so a saved JSON report can be
re-rendered later, in any language: it carries the texts (in every language) of each
threat a finding names. The schema is ``exposure/report/report.schema.json``, described
in ``docs/report-schema.md``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from exposure.collect.base import CheckNote
from exposure.files import write_private
from exposure.model import Finding, Indicator, LocalText, Observation, ScanWarning, Severity, SourceInfo, Threat
from exposure.report.timeline import timeline
from exposure.scan import REPORT_SCHEMA, ScanResult


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def observation_to_dict(obs: Observation) -> dict[str, Any]:
    return {
        "kind": obs.kind,
        "collector": obs.collector,
        "source": obs.source,
        "description": obs.describe(),
        "first_seen": _time(obs.first_seen),
        "last_seen": _time(obs.last_seen),
        "count": obs.count,
        "facts": dict(obs.facts()),
    }


def indicator_to_dict(ind: Indicator) -> dict[str, Any]:
    return {
        "type": ind.type.value,
        "value": ind.value,
        "threat": ind.threat,
        "profile": ind.profile,
        "source": ind.source,
        "role": ind.role.value,
        "supporting": ind.supporting,
        "references": [{"title": r.title, "url": r.url} for r in ind.references],
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "category": finding.category.value,
        "confidence": finding.confidence.value,
        "title": finding.title,
        "threat": finding.threat,
        "subject": finding.subject,
        "params": dict(finding.params),
        "indicators": [indicator_to_dict(i) for i in finding.indicators],
        "evidence": [observation_to_dict(o) for o in finding.evidence],
    }


def source_to_dict(info: SourceInfo) -> dict[str, Any]:
    out = asdict(info)
    for key in ("started", "finished", "first_time", "last_time"):
        out[key] = _time(getattr(info, key))
    for key in ("checked", "not_checked"):
        out[key] = [note_to_dict(n) for n in getattr(info, key)]
    out["unread"] = note_to_dict(info.unread) if info.unread is not None else None
    return out


def note_to_dict(note: CheckNote) -> dict[str, Any]:
    return {"key": note.key, "params": dict(note.params), "text": note.text}


def warning_to_dict(warning: ScanWarning) -> dict[str, Any]:
    out: dict[str, Any] = {"source": warning.source, "message": warning.message, "count": warning.count}
    if warning.key:
        out["key"] = warning.key
        out["params"] = dict(warning.params)
    return out


def local_to_dict(text: LocalText) -> dict[str, str]:
    return {lang: value for lang, value in text.values if value}


def threat_to_dict(threat: Threat) -> dict[str, Any]:
    return {
        "id": threat.id,
        "name": local_to_dict(threat.name),
        "category": threat.category.value,
        "severity": threat.severity.value,
        "profile": threat.profile,
        "aliases": list(threat.aliases),
        "what_it_is": local_to_dict(threat.what_it_is),
        "what_it_can_do": local_to_dict(threat.what_it_can_do),
        "what_to_do": local_to_dict(threat.what_to_do),
        "references": [{"title": r.title, "url": r.url} for r in threat.references],
    }


def summary_to_dict(result: ScanResult) -> dict[str, Any]:
    by_severity = {s.value: 0 for s in Severity}
    for finding in result.findings:
        by_severity[finding.severity.value] += 1
    return {"findings": len(result.findings), "by_severity": by_severity, "warnings": len(result.warnings)}


def profile_titles(profile_ids: list[str]) -> dict[str, dict[str, str]]:
    """What each profile looks for, in plain words and every language (bundled profiles only)."""
    if not profile_ids:
        return {}
    from exposure.indicators.profiles import load_bundled_profiles

    titles = {p.id: local_to_dict(p.title) for p in load_bundled_profiles()}
    return {pid: titles[pid] for pid in profile_ids if pid in titles}


def to_dict(result: ScanResult) -> dict[str, Any]:
    named = {f.threat for f in result.findings if f.threat}
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "exposure", "version": result.tool_version},
        "started": _time(result.started),
        "finished": _time(result.finished),
        "demo": result.demo,
        "cancelled": result.cancelled,
        "profiles": list(result.profiles),
        "profile_titles": profile_titles(list(result.profiles)),
        "sources": [source_to_dict(s) for s in result.sources],
        "feeds": [
            {
                "name": f.name, "format": f.format, "source": f.source, "sha256": f.sha256,
                "imported": f.imported, "profile": f.profile, "version": f.version,
                "counts": dict(f.counts), "dated": f.dated, "bundled": f.bundled, "licence": f.licence,
            }
            for f in result.feeds
        ],
        "summary": summary_to_dict(result),
        "findings": [finding_to_dict(f) for f in result.findings],
        "threats": {tid: threat_to_dict(t) for tid, t in sorted(result.threats.items()) if tid in named},
        "warnings": [warning_to_dict(w) for w in result.warnings],
        "timeline": timeline(result.findings, result.sources),
    }


def dumps(result: ScanResult) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"


def write_json(result: ScanResult, path: Path, force: bool = False) -> None:
    write_private(path, dumps(result).encode("utf-8"), force=force)
