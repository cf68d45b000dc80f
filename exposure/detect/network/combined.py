"""network.combined: one medium finding per destination that shows two or more different signs.

A sign's hit can be about several destinations at once (``network.no-dns-lookup`` is one hit
for every address reached without a lookup; a name can resolve to several addresses), so the
evidence a combined finding takes from each hit is only what concerns its own destination: an
observation whose server is that address, or whose name is one of the destination's names.
"""

from __future__ import annotations

from collections.abc import Iterator

from exposure.detect.network.lists import clean_name, is_public, parse_address
from exposure.detect.network.state import Hit, Seen
from exposure.model import Category, Confidence, Finding, Observation, Severity
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

RULE = "network.combined"
EVIDENCE_PER_SIGN = 5  # observations each sign lends to the combined finding


def combined_findings(hits: list[Hit], title: str) -> Iterator[Finding]:
    """One finding per public destination address with two or more different signs; ``title`` is
    the English fallback title, with ``{count}`` and ``{subject}`` (and ``{address}``, ``{signs}``)."""
    by_address: dict[str, dict[str, Hit]] = {}
    for hit in hits:
        for address in hit.addresses:
            if is_public(address):
                by_address.setdefault(address, {}).setdefault(hit.rule, hit)
    done: set[frozenset[str]] = set()
    for address, rules in sorted(by_address.items()):
        if len(rules) < 2:
            continue
        names = {n for hit in rules.values() for n in hit.names}
        subject = min(names) if names else address
        identity = frozenset({subject, *rules})
        if identity in done:
            continue  # the same name on several addresses with the same signs: say it once
        done.add(identity)
        signs = sorted(rules)
        seen = Seen()
        for rule in signs:
            own = [obs for obs in rules[rule].seen.evidence if concerns(obs, address, names)]
            for obs in own[:EVIDENCE_PER_SIGN]:
                seen.add(obs)
        params = {"subject": subject, "address": address,
                  "signs": ", ".join(s.removeprefix("network.") for s in signs), "count": str(len(signs))}
        yield Finding(rule=RULE, severity=Severity.MEDIUM, category=Category.HEURISTIC,
                      title=title.format(**params), confidence=Confidence.MEDIUM,
                      evidence=tuple(seen.evidence), params=tuple(params.items()), subject=subject)


def concerns(obs: Observation, address: str, names: set[str]) -> bool:
    """Whether ``obs`` is about the destination ``address`` (or one of its ``names``): a flow or a
    certificate by its server, a server name or a lookup by its name (or the address it led to)."""
    if isinstance(obs, Flow):
        return _same(obs.server, address) or any(clean_name(n) in names for n in obs.server_names)
    if isinstance(obs, TlsCertificate):
        return _same(obs.server, address) or (bool(obs.server_name) and clean_name(obs.server_name) in names)
    if isinstance(obs, ServerName):
        return _same(obs.server, address) or clean_name(obs.name) in names
    if isinstance(obs, DnsQuery):
        return clean_name(obs.name) in names or any(_same(a, address) for a in obs.answers)
    return False  # no network observation of a kind the signs use: nothing says it is about this destination


def _same(text: str, address: str) -> bool:
    return bool(text) and (parse_address(text) or text) == address
