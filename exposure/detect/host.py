"""Heuristics about this computer's settings: an added root certificate, a system-wide
proxy, and hosts-file entries that send well-known services somewhere else.

Remote-access and monitoring software is NOT judged here: it comes from indicator
matches (the bundled ``remote-access`` profile) through ``exposure.detect.indicators``.
A root certificate or a proxy alone is common (employers, schools, antivirus), so each is
"worth a look" (low); both together are how a monitoring proxy reads encrypted traffic,
so then both are raised to medium.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from exposure.detect.base import DetectContext
from exposure.model import Category, Confidence, Finding, Observation, Severity
from exposure.observations.host import HostSetting

RULES = ("host.added-root-cert", "host.system-proxy", "host.hosts-redirect")

# Services whose redirection in the hosts file would let someone read or fake what the
# person sees (sign-in, mail, messaging, updates). Matched on label boundaries, so
# "accounts.google.com" counts as google.com. Keep it short: every name here must be a
# service whose redirection no ordinary setup needs.
WELL_KNOWN_SERVICES = frozenset({
    "google.com", "gmail.com", "youtube.com", "facebook.com", "messenger.com", "instagram.com",
    "whatsapp.com", "whatsapp.net", "signal.org", "telegram.org", "apple.com", "icloud.com",
    "microsoft.com", "microsoftonline.com", "live.com", "outlook.com", "office.com",
    "windowsupdate.com", "proton.me", "protonmail.com", "tutanota.com", "twitter.com", "x.com",
    "wikipedia.org", "paypal.com", "mozilla.org", "torproject.org", "qq.com", "wechat.com",
})


def well_known(name: str) -> str:
    """The listed service ``name`` belongs to (label boundary), or ""."""
    labels = name.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in WELL_KNOWN_SERVICES:
            return candidate
    return ""


def is_redirect(address: str) -> bool:
    """A hosts entry that sends a name to a real address, not one that blocks it."""
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (addr.is_loopback or addr.is_unspecified)


class HostHeuristics:
    name = "host"

    def __init__(self) -> None:
        self._certs: dict[str, HostSetting] = {}
        self._proxies: dict[str, list[HostSetting]] = {}
        self._redirects: list[tuple[str, HostSetting]] = []

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterable[Finding]:
        if not isinstance(obs, HostSetting):
            return ()
        if obs.area == "root-certificate":
            self._certs.setdefault(obs.value, obs)
        elif obs.area == "proxy":
            self._proxies.setdefault(obs.value, []).append(obs)
        elif obs.area == "hosts-entry":
            service = well_known(obs.key)
            if service and is_redirect(obs.value):
                self._redirects.append((service, obs))
        return ()

    def finish(self, ctx: DetectContext) -> Iterable[Finding]:
        both = bool(self._certs) and bool(self._proxies)
        severity = Severity.MEDIUM if both else Severity.LOW
        for fingerprint, cert in sorted(self._certs.items()):
            yield Finding(
                rule="host.added-root-cert", severity=severity, category=Category.HEURISTIC,
                title=f"A root certificate was added to this computer: {cert.key}",
                confidence=Confidence.MEDIUM, evidence=(cert,), subject=f"root-certificate:{fingerprint}",
                params=(("subject", cert.key), ("name", cert.key), ("fingerprint", fingerprint),
                        ("location", cert.location), ("detail", cert.detail),
                        ("with_proxy", "yes" if both else "no")),
            )
        for value, settings in sorted(self._proxies.items()):
            yield Finding(
                rule="host.system-proxy", severity=severity, category=Category.HEURISTIC,
                title=f"Web traffic is set to go through a proxy: {value}",
                confidence=Confidence.MEDIUM, evidence=tuple(settings), subject=f"proxy:{value}",
                params=(("subject", value), ("proxy", value),
                        ("settings", ", ".join(sorted({s.key for s in settings}))),
                        ("location", ", ".join(sorted({s.location for s in settings}))),
                        ("with_certificate", "yes" if both else "no")),
            )
        for service, entry in self._redirects:
            yield Finding(
                rule="host.hosts-redirect", severity=Severity.MEDIUM, category=Category.HEURISTIC,
                title=f"The hosts file sends {entry.key} to {entry.value}",
                confidence=Confidence.MEDIUM, evidence=(entry,), subject=f"hosts-entry:{entry.key}",
                params=(("subject", entry.key), ("name", entry.key), ("address", entry.value),
                        ("service", service), ("location", entry.location)),
            )
