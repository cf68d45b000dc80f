"""STIX 2.1 bundles as MVT, mvt-indicators and Amnesty publish them.

Each ``malware`` or ``report`` object is a threat (id = slug of its name; a second object
with the same slug in one file gets the feed name as a prefix). Indicators join a threat
through an ``indicates`` relationship or a report's ``object_refs``; the rest join a
threat named after the feed. Patterns hold one comparison, ``[key='value']`` or
``[key = 'value']``: we split on the FIRST ``=`` (a URL may contain more) and undo
``\\'`` escapes. A pattern we cannot read or a key we cannot check is skipped with a
warning, never the whole file.

Keys (research/formats.md §2): ``domain-name:value`` (an IP address there counts as an
address), ``ipv4-addr:value``/``ipv6-addr:value`` (a range counts as CIDR), ``url:value``,
``process:name``, ``email-addr:value``, ``file:path``, ``file:hashes.md5|sha1|sha256``
(also ``'SHA-256'`` spellings), ``app:id``, ``app:cert.md5|sha1|sha256``,
``configuration-profile:id`` (an iPhone's configuration profiles). Skipped with a
warning: ``file:name`` (a bare file name, with no folder, is too weak to report and no
collector matches names alone) and ``android-property:name`` (no collector reads it yet).

A ``process:name`` is a phone's process (``process``), as MVT reads it: MVT checks process
names on iPhones and Android phones only, and mvt-indicators' bundles state no platform.
When a ``malware`` object does state its platforms (``x_mitre_platforms``, as MITRE's
bundles write them, or ``operating_system_refs`` to ``software`` objects), its process
names are typed by them: a computer's platforms (Windows, macOS, Linux) give
``desktop-process`` (this computer's running programs), a phone's give ``process``, both
give both.
"""

from __future__ import annotations

import re

from exposure import untrusted
from exposure.indicators.feeds import limits
from exposure.indicators.feeds.parsed import FeedBuilder, FeedError, slug
from exposure.indicators.feeds.sources import SourceDefaults
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType

FORMAT = "stix2"

_T = IndicatorType
_APP_KEYS: dict[str, IndicatorType] = {
    "process:name": _T.PROCESS,
    "file:path": _T.FILE_PATH,
    "file:hashes.md5": _T.FILE_MD5,
    "file:hashes.sha1": _T.FILE_SHA1,
    "file:hashes.sha256": _T.FILE_SHA256,
    # An Android application id: MVT checks app:id against Android apps only, and Echap's
    # export mixes its iPhone ids in unmarked (its YAML, bundled, types them as ios-bundle).
    "app:id": _T.PACKAGE,
    "app:cert.md5": _T.CERT_MD5,
    "app:cert.sha1": _T.CERT_SHA1,
    "app:cert.sha256": _T.CERT_SHA256,
    "configuration-profile:id": _T.CONFIG_PROFILE,  # checked on iPhones (exposure.collect.ios)
}
_NETWORK_KEYS = {"domain-name:value", "ipv4-addr:value", "ipv6-addr:value", "url:value"}
_UNSUPPORTED = {
    "file:name": "file:name indicators (a bare file name is not checked)",
    "android-property:name": "android-property:name indicators (not checked yet)",
}


def load_json(text: str) -> object:
    try:
        return untrusted.load_json(text)  # depth and number sizes bounded: see exposure.untrusted
    except untrusted.InvalidJSON as exc:
        raise FeedError(str(exc)) from None
    except untrusted.UntrustedInputError as exc:
        raise limits.refused(exc) from None


def looks_like_stix(data: object) -> bool:
    return isinstance(data, dict) and data.get("type") == "bundle"


def parse_pattern(pattern: str) -> tuple[str, str] | None:
    """``(key, value)`` from ``[key='value']``, or None when the pattern is not one comparison."""
    text = pattern.strip()
    if len(text) < 2 or text[0] != "[" or text[-1] != "]":
        return None
    key, sep, rest = text[1:-1].partition("=")
    rest = rest.strip()
    if not sep or len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
        return None
    value, escaped = [], False
    for char in rest[1:-1]:
        if escaped:
            value.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "'":
            return None  # a second comparison (AND/OR) or a broken quote
        else:
            value.append(char)
    if escaped:
        return None
    return _normal_key(key), "".join(value)


def _normal_key(key: str) -> str:
    key = key.strip().lower().replace("'", "").replace('"', "").replace(" ", "")
    return key.replace("sha-256", "sha256").replace("sha-1", "sha1")


ECHAP_EXPORT_DESCRIPTION = "Stalkerware applications"
ECHAP_EXPORT = SourceDefaults("stalkerware", Category.STALKERWARE, IndicatorRole.OTHER)


def is_echap_export(data: object) -> bool:
    """Whether a bundle is Echap's generated ``stalkerware.stix2``, known by its content.

    Every ``malware`` object of that export is described as "Stalkerware applications"
    (upstream ``scripts/generate.py``). The export mixes vendor websites and C2 servers
    without saying which is which, so its network values get the role ``other``; the
    YAML, which does say, wins for the values both list (docs/profiles.md, "Precedence")."""
    if not looks_like_stix(data):
        return False
    assert isinstance(data, dict)
    objects = data.get("objects")
    malware = [o for o in objects if isinstance(o, dict) and o.get("type") == "malware"] if isinstance(
        objects, list) else []
    return bool(malware) and all(o.get("description") == ECHAP_EXPORT_DESCRIPTION for o in malware)


def parse(data: object, builder: FeedBuilder, defaults: SourceDefaults) -> str:
    """Fill ``builder`` from a loaded STIX2 bundle; returns its version (latest ``modified``)."""
    if not looks_like_stix(data):
        raise FeedError("not a STIX2 bundle (no \"type\": \"bundle\")")
    assert isinstance(data, dict)
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise FeedError("not a STIX2 bundle (no list of objects)")
    objects = [o for o in objects if isinstance(o, dict)]

    threat_of: dict[str, str] = {}  # malware/report STIX id -> threat id
    software = {str(o.get("id")): o for o in objects if o.get("type") == "software"}
    platforms: dict[str, frozenset[str]] = {}  # threat id -> the platforms its malware object states
    for obj in objects:
        if obj.get("type") in ("malware", "report"):
            threat = threat_of[str(obj.get("id"))] = _declare(obj, builder, defaults)
            platforms[threat] = platforms.get(threat, frozenset()) | stated_platforms(obj, software)

    links: dict[str, list[str]] = {}  # indicator STIX id -> threat ids
    for obj in objects:
        if obj.get("type") == "relationship" and obj.get("relationship_type") == "indicates":
            target = threat_of.get(str(obj.get("target_ref")))
            if target:
                links.setdefault(str(obj.get("source_ref")), []).append(target)
        elif obj.get("type") == "report" and isinstance(obj.get("object_refs"), list):
            for ref in obj["object_refs"]:
                links.setdefault(str(ref), []).append(threat_of[str(obj.get("id"))])

    for obj in objects:
        if obj.get("type") != "indicator":
            continue
        threats = links.get(str(obj.get("id"))) or [_default_threat(builder, defaults)]
        _add_indicator(obj, list(dict.fromkeys(threats)), builder, defaults, platforms)
    stamps = [o["modified"] for o in objects if isinstance(o.get("modified"), str) and len(o["modified"]) <= 40]
    return max(stamps, default="")


def _declare(obj: dict[str, object], builder: FeedBuilder, defaults: SourceDefaults) -> str:
    raw = obj.get("name")
    name = raw.strip() if isinstance(raw, str) and raw.strip() else builder.name
    threat_id = slug(name) or builder.name
    if threat_id in builder.threats:
        threat_id = f"{builder.name}-{threat_id}"
    aliases = obj.get("aliases")
    alias_list = tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else ()
    return builder.threat(threat_id, name, defaults.category, headline(defaults.category), aliases=alias_list)


def _default_threat(builder: FeedBuilder, defaults: SourceDefaults) -> str:
    return builder.threat(builder.name, builder.name, defaults.category, headline(defaults.category))


PHONE = "phone"
COMPUTER = "computer"
_PLATFORM_WORDS = {"android": PHONE, "ios": PHONE, "iphone": PHONE, "ipados": PHONE,
                   "windows": COMPUTER, "macos": COMPUTER, "mac": COMPUTER, "osx": COMPUTER, "linux": COMPUTER}
_MAX_PLATFORMS = 50  # a crafted object's list is read this far


def stated_platforms(obj: dict[str, object], software: dict[str, dict[str, object]]) -> frozenset[str]:
    """``{"phone", "computer"}`` or a part of it: what a malware object says it runs on, from
    MITRE's ``x_mitre_platforms`` or STIX 2.1's ``operating_system_refs`` (``software``
    objects, by name or CPE: ``cpe:2.3:o:apple:iphone_os``); empty when it says nothing."""
    names: list[object] = []
    for field_name in ("x_mitre_platforms", "operating_system_refs"):
        listed = obj.get(field_name)
        if isinstance(listed, list):
            names.extend(listed[:_MAX_PLATFORMS])
    words: list[str] = []
    for name in names:
        if not isinstance(name, str):
            continue
        target = software.get(name)
        texts = [target.get("name"), target.get("cpe")] if target is not None else [name]
        for text in texts:
            if isinstance(text, str):
                words.extend(re.split(r"[^a-z0-9]+", text[:200].lower()))
    return frozenset(_PLATFORM_WORDS[w] for w in words if w in _PLATFORM_WORDS)


def _process_types(stated: frozenset[str]) -> tuple[IndicatorType, ...]:
    """A phone's process names unless the threat says it runs on computers only."""
    kinds = (_T.PROCESS,) if PHONE in stated or not stated else ()
    return kinds + ((_T.DESKTOP_PROCESS,) if COMPUTER in stated else ())


def _add_indicator(obj: dict[str, object], threats: list[str], builder: FeedBuilder, defaults: SourceDefaults,
                   platforms: dict[str, frozenset[str]]) -> None:
    pattern = obj.get("pattern")
    parsed = parse_pattern(pattern) if isinstance(pattern, str) else None
    if parsed is None:
        builder.warn("indicators with a pattern that is not one [key='value'] comparison")
        return
    key, value = parsed
    if key in _UNSUPPORTED:
        builder.warn(_UNSUPPORTED[key])
        return
    kind, role = _kind_and_role(key, value, defaults)
    if kind is None:
        builder.warn(f"indicators with an unknown key ({key[:40]})")
        return
    for threat in threats:
        kinds = _process_types(platforms.get(threat, frozenset())) if kind is _T.PROCESS else (kind,)
        for each in kinds:
            if not builder.add(each, value, threat, role, key):
                return


def _kind_and_role(key: str, value: str, defaults: SourceDefaults) -> tuple[IndicatorType | None, IndicatorRole]:
    if key in _APP_KEYS:
        return _APP_KEYS[key], IndicatorRole.APP
    if key == "email-addr:value":
        return _T.EMAIL, IndicatorRole.OTHER
    if key not in _NETWORK_KEYS:
        return None, IndicatorRole.OTHER
    role = defaults.network_role
    if key == "url:value":
        return _T.URL, role
    text = value.strip()
    if "/" in text and key != "domain-name:value":
        return _T.CIDR, role
    if key == "ipv6-addr:value" or (":" in text and key == "domain-name:value"):
        return _T.IPV6, role
    if key == "ipv4-addr:value" or _looks_like_ipv4(text):
        return _T.IPV4, role
    return _T.DOMAIN, role


def _looks_like_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)
