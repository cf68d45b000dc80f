"""Checks and links across profile files: ids unique across files, ``includes`` resolved.

:func:`check_together` reports a profile or threat id used twice and an ``includes`` id
no other profile defines; :func:`resolve_includes` adds the included threats (and their
indicators) to the including profile. One file alone is checked by ``profile_schema``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from exposure.indicators.profile_schema import ParsedProfile
from exposure.model import Indicator, Profile


def check_together(parsed: Sequence[ParsedProfile], known: Iterable[Profile] = ()) -> list[str]:
    """Checks across files: profile and threat ids unique, every ``includes`` id found.

    ``known`` are already-valid profiles (the bundled ones) that ``parsed`` must not clash
    with; a profile in ``known`` with the same path or id as one in ``parsed`` is the same
    profile being re-checked and is ignored.
    """
    out: list[str] = []
    checked_ids = {p.profile.id for p in parsed}
    checked_paths = {os.path.realpath(p.path) for p in parsed}
    profile_at: dict[str, str] = {}
    threat_at: dict[str, str] = {}
    for prof in known:
        if prof.id in checked_ids or (prof.path and os.path.realpath(prof.path) in checked_paths):
            continue
        profile_at[prof.id] = f"profile {prof.id!r} ({prof.path or 'bundled'})"
        for threat in prof.threats:
            if threat.profile == prof.id:
                threat_at[threat.id] = f"profile {prof.id!r}"
    for p in parsed:
        if p.profile.id in profile_at:
            out.append(f"{p.path}:{p.id_line}: duplicate profile id {p.profile.id!r}: "
                       f"also used by {profile_at[p.profile.id]}")
        else:
            profile_at[p.profile.id] = f"{p.path}:{p.id_line}"
        for threat_id, line in p.threat_lines.items():
            if threat_id in threat_at:
                out.append(f"{p.path}:{line}: duplicate threat id {threat_id!r}: also in {threat_at[threat_id]} "
                           "(a threat id is unique across all profiles; use 'includes' to share a threat)")
            else:
                threat_at[threat_id] = f"{p.path}:{line}"
    for p in parsed:
        for threat_id, line in p.includes:
            if threat_id not in threat_at:
                out.append(f"{p.path}:{line}: 'includes' names {threat_id!r}, which no other profile defines")
            elif threat_id in p.threat_lines:
                out.append(f"{p.path}:{line}: 'includes' names {threat_id!r}, which this profile defines itself")
    return out


def resolve_includes(profiles: Sequence[Profile], includes: Mapping[str, Sequence[str]]) -> list[Profile]:
    """Profiles with the threats (and their indicators) they include from other profiles."""
    threats = {t.id: t for p in profiles for t in p.threats if t.profile == p.id}
    indicators: dict[str, list[Indicator]] = {}
    for p in profiles:
        for ind in p.indicators:
            if ind.profile == p.id:
                indicators.setdefault(ind.threat, []).append(ind)
    out = []
    for p in profiles:
        wanted = [tid for tid in includes.get(p.id, ()) if tid in threats]
        if not wanted:
            out.append(p)
            continue
        out.append(Profile(
            id=p.id, title=p.title, description=p.description, path=p.path, opt_in=p.opt_in,
            threats=p.threats + tuple(threats[tid] for tid in wanted),
            indicators=(*p.indicators, *(i for tid in wanted for i in indicators.get(tid, ()))),
        ))
    return out
