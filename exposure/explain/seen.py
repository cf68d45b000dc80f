"""What we saw, in sentences: one per observation ("The device at 192.168.1.23 looked up
c2.example 14 times, between ... (capture.pcap)."), in the person's language.

Each kind of observation has a ``seen.<kind>`` text in ``texts.yaml``, filled from the
observation's facts; values read from a device stay values. An observation of a kind
without a text (from a newer version) is said with its English description.
"""

from __future__ import annotations

from collections.abc import Sequence

from exposure.document import ObservationRecord, ReportDocument, TimelineEvent
from exposure.explain.android_seen import android_activity_what_key
from exposure.explain.lines import Line, words
from exposure.explain.sources import file_name, is_ipad, short_name, source_label
from exposure.explain.texts import known, t, tf
from exposure.explain.times import format_span

MAX_SEEN_LINES = 6

Params = dict[str, str | Line]


def seen_lines(evidence: Sequence[ObservationRecord], lang: str, report: ReportDocument | None = None) -> list[Line]:
    """One sentence per observation (at most MAX_SEEN_LINES, then "and N more")."""
    lines = [_seen_line(obs, lang, report) for obs in evidence[:MAX_SEEN_LINES]]
    if len(evidence) > MAX_SEEN_LINES:
        lines.append(tf("seen.more", lang, count=words(str(len(evidence) - MAX_SEEN_LINES))))
    return lines


def _seen_line(obs: ObservationRecord, lang: str, report: ReportDocument | None) -> Line:
    what = what_line(obs, lang, report)
    # "this computer" and a practice source are our own words (translated); a file's
    # name, a phone's model or serial is a value. Sentences use the short name.
    recorded = report.source(obs.source) if report is not None else None
    ours = obs.collector == "host" or bool(recorded and recorded.label)
    shown = short_name(recorded, lang) if recorded else source_label(obs, lang)
    source = words(shown) if ours else shown
    times = words(t("seen.once", lang)) if obs.count == 1 else tf("seen.times", lang, count=words(str(obs.count)))
    first, last = format_span(obs.first_seen, obs.last_seen)
    if first:
        when = (tf("seen.between", lang, first=words(first), last=words(last)) if last
                else tf("seen.at", lang, first=words(first)))
        return tf("seen.line.timed", lang, what=what, times=times, when=when, source=source)
    if obs.count > 1:
        return tf("seen.line.counted", lang, what=what, times=times, source=source)
    return tf("seen.line.plain", lang, what=what, source=source)


def what_line(obs: ObservationRecord | TimelineEvent, lang: str, report: ReportDocument | None = None) -> Line:
    """What one observation (or timeline event) shows, as a sentence part, in ``lang``; an
    iPad's as an iPad's when ``report`` has its source."""
    facts = dict(obs.facts)
    ipad = report is not None and is_ipad(report.source(obs.source))
    device = words(t("device.ipad" if ipad else "device.iphone", lang))
    who = tf("seen.who.client", lang, client=facts["client"]) if facts.get("client") else words(
        t("seen.who.any", lang))
    if facts.get("client") and facts.get("client_mac"):  # one device under all its addresses (IPv4, IPv6)
        who = tf("seen.who.device", lang, client=facts["client"], mac=facts["client_mac"])
    if facts.get("processes"):  # an iPhone's own traffic: the app behind it (exposure.collect.ios.capture)
        who = tf("seen.who.app", lang, app=facts["processes"], device=device)
    key, params = _what_key(obs.kind, facts, lang)
    if key and all(v for v in params.values()):
        return tf(key, lang, who=who, device=device, **params)
    return tf("seen.other", lang, description=obs.description or obs.kind)


def _known_words(prefix: str, name: str, lang: str) -> str | Line:
    """Our words for ``name`` (texts.yaml ``prefix.name``), else the name as a value."""
    return words(t(f"{prefix}.{name}", lang)) if known(f"{prefix}.{name}") else name


def _what_key(kind: str, facts: dict[str, str], lang: str) -> tuple[str, Params]:
    """The ``seen.*`` key for an observation of ``kind`` and the values that fill it, or ("", {})."""
    for area in (_network_what_key, _android_what_key, _host_what_key, _ios_what_key, _ios_backup_what_key):
        key, params = area(kind, facts, lang)
        if key:
            return key, params
    return android_activity_what_key(kind, facts)


def _network_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, Params]:
    """What a capture showed (exposure.observations.network)."""
    if kind == "dns-query":
        return "seen.dns-query", {"name": f.get("name", "")}
    if kind == "server-name":
        key = f"seen.server-name.{f.get('protocol', 'tls')}"
        return (key if known(key) else "seen.server-name.tls"), {"name": f.get("name", "")}
    if kind == "tls-certificate":
        shown = f.get("subject_name") or f.get("server_name") or f.get("names") or f.get("server", "")
        return "seen.tls-certificate", {"name": shown}
    if kind == "flow":
        server = f.get("server", "")
        if f.get("server_names"):
            server = f"{server} ({f['server_names']})"
        if f.get("protocol") not in ("tcp", "udp"):  # ESP and other IP protocols have no ports
            return "seen.flow-no-port", {"server": server, "protocol": f.get("protocol", "").upper()}
        return "seen.flow", {"server": server, "port": f.get("server_port", "")}
    return "", {}


def _android_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, Params]:
    """What an Android phone showed (exposure.observations.android); what its apps did is
    in exposure.explain.android_seen."""
    if kind == "android-package":
        if f.get("label"):
            return "seen.android-package.label", {"package": f.get("package", ""), "label": f["label"]}
        return "seen.android-package", {"package": f.get("package", "")}
    if kind == "android-component":
        return "seen.android-component", {"package": f.get("component") or f.get("package", ""),
                                          "role": _known_words("component", f.get("role", ""), lang)}
    if kind == "android-setting":
        return "seen.android-setting", {"key": f.get("key", ""), "value": f.get("value", "")}
    if kind == "android-process":
        return "seen.android-process", {"name": f.get("name", "")}
    if kind == "android-file":
        return "seen.android-file", {"path": f.get("path", "")}
    return "", {}


def _host_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, Params]:
    """What this computer showed (exposure.observations.host)."""
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
    return "", {}


def _ios_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, Params]:
    """What an iPhone showed over USB (exposure.observations.ios)."""
    if kind == "ios-app":
        return "seen.ios-app", {"app": f.get("bundle_id", ""), "name": f.get("name") or f.get("bundle_id", "")}
    if kind in ("ios-provisioning-profile", "ios-config-profile"):
        return f"seen.{kind}", {"name": f.get("name") or f.get("identifier") or f.get("uuid", "")}
    if kind == "ios-fact":
        return "seen.ios-fact", {"key": f.get("key", ""), "value": f.get("value", "")}
    if kind == "ios-process":
        key = "seen.ios-process.network" if f.get("origin") == "network-usage" else "seen.ios-process"
        return key, {"name": f.get("name") or f.get("bundle_id", "")}
    return "", {}


def _ios_backup_what_key(kind: str, f: dict[str, str], lang: str) -> tuple[str, Params]:
    """What an iPhone backup showed (exposure.observations.ios_backup)."""
    if kind == "ios-link":
        where = _known_words("artefact", f.get("artefact", ""), lang)
        if f.get("sender"):
            return "seen.ios-link.from", {"host": f.get("host", ""), "where": where, "sender": f["sender"]}
        return "seen.ios-link", {"host": f.get("host", ""), "where": where}
    if kind == "ios-permission":
        return "seen.ios-permission", {"app": f.get("client", ""),
                                       "service": _known_words("service", f.get("service", ""), lang)}
    if kind == "ios-threat-notification":
        return "seen.ios-threat-notification", {"excerpt": f.get("excerpt", "")}
    if kind == "ios-profile-event":
        return "seen.ios-profile-event", {"name": f.get("identifier", ""), "operation": f.get("operation", "")}
    return "", {}
