"""Echap's ``ioc.yaml`` and ``watchware.yaml``: a YAML list of apps and their indicators.

Format (AssoEchap/stalkerware-indicators; notes in research/formats.md §1): each entry has
``name``, ``type`` (stalkerware | watchware), ``names`` (aliases), ``packages``,
``certificates`` (signing-cert SHA-1), ``websites``, ``distribution``, ``c2.domains`` and
``c2.ips`` (also read under the misspelt ``c2.ip``), ``ios_bundles`` (watchware).

Every scalar is read as text (YAML base loader, as upstream does). Each app becomes a
threat whose id is the slug of its name, the same id the bundled stalkerware profile
uses, so feed and profile hits merge. Watchware (monitoring apps that do not hide: parental
control, trackers, remote access) is kept as ``dual-use``: a legitimate app that can be used
to watch someone, not spyware (docs/severity.md).
Full URLs under ``distribution`` are kept as URLs, never as domains, with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import yaml

from exposure import untrusted
from exposure.indicators.datafiles import FEEDS
from exposure.indicators.feeds import limits
from exposure.indicators.feeds.parsed import FeedBuilder, FeedError, slug
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType, Reference

FORMAT = "echap-yaml"
_REFERENCE = Reference("Echap stalkerware-indicators (CC BY 4.0)", "https://github.com/AssoEchap/stalkerware-indicators")

try:
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.BaseLoader


def load_yaml(text: str) -> object:
    try:
        return untrusted.load_yaml(text, _Loader)  # aliases refused: see exposure.untrusted
    except untrusted.UntrustedInputError as exc:
        raise limits.refused(exc) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FeedError(f"not valid YAML{where}") from None
    except RecursionError:
        raise FeedError("not valid YAML (nested too deeply)") from None


def looks_like_echap(data: object) -> bool:
    """A list of mappings, at least half of them with a ``name`` (odd entries are skipped later)."""
    if not isinstance(data, list) or not data:
        return False
    head = data[:50]
    return sum(1 for e in head if isinstance(e, dict) and "name" in e) * 2 >= len(head)


def aliases(data: object) -> dict[str, tuple[str, str]]:
    """The slug of every app name and alias -> (threat id, name), names first.

    Echap's ``samples.csv`` names a family by one of these (``Copy9`` is TheTruthSpy)."""
    out: dict[str, tuple[str, str]] = {}
    items = data if isinstance(data, list) else []
    entries = [e for e in items if isinstance(e, dict) and isinstance(e.get("name"), str)]
    for entry in entries:
        name = str(entry["name"]).strip()
        if slug(name):
            out.setdefault(slug(name), (slug(name), name))
    for entry in entries:
        name = str(entry["name"]).strip()
        names = entry.get("names")
        for alias in names if isinstance(names, list) else ():
            if isinstance(alias, str) and slug(alias) and slug(name):
                out.setdefault(slug(alias), (slug(name), name))
    return out


def _strings(value: object, builder: FeedBuilder, where: str) -> Iterable[object]:
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        return value
    builder.warn(f"{where} fields that are not lists")
    return ()


def parse(data: object, builder: FeedBuilder) -> None:
    """Fill ``builder`` from a loaded Echap YAML document."""
    if not isinstance(data, list):
        raise FeedError("not an Echap indicator file (expected a list of apps)")
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not slug(entry["name"]):
            builder.warn("entries without a name")
            continue
        _parse_app(entry, builder)


def _parse_app(entry: dict[str, object], builder: FeedBuilder) -> None:
    name = str(entry["name"]).strip()
    kind = entry.get("type", "stalkerware")
    watchware = kind == "watchware"
    names = tuple(a.strip() for a in _strings(entry.get("names"), builder, "names") if isinstance(a, str))
    category = Category.DUAL_USE if watchware else Category.STALKERWARE
    threat = builder.threat(slug(name), name, category, headline(category), aliases=names,
                            references=(_REFERENCE,))
    app, c2 = IndicatorRole.APP, IndicatorRole.C2
    for value in _strings(entry.get("packages"), builder, "packages"):
        builder.add(IndicatorType.PACKAGE, value, threat, app, "packages")
    for value in _strings(entry.get("ios_bundles"), builder, "ios_bundles"):
        builder.add(IndicatorType.IOS_BUNDLE, value, threat, app, "ios_bundles")
    for value in _strings(entry.get("certificates"), builder, "certificates"):
        builder.add(IndicatorType.CERT_SHA1, value, threat, app, "certificates")
    for value in _strings(entry.get("websites"), builder, "websites"):
        _add_host(value, threat, IndicatorRole.WEBSITE, builder, "websites")
    for value in _strings(entry.get("distribution"), builder, "distribution"):
        if isinstance(value, str) and "://" in value:
            if builder.add(IndicatorType.URL, value, threat, IndicatorRole.DISTRIBUTION, "distribution"):
                builder.warn("distribution values that are URLs, kept as URLs and not as domains")
            continue
        _add_host(value, threat, IndicatorRole.DISTRIBUTION, builder, "distribution")
    servers = entry.get("c2")
    if servers is None or servers == "":
        return
    if not isinstance(servers, dict):
        builder.warn("c2 fields that are not mappings")
        return
    for value in _strings(servers.get("domains"), builder, "c2.domains"):
        _add_host(value, threat, c2, builder, "c2.domains")
    for key in ("ips", "ip"):  # "ip" is a misspelling found in the upstream file
        for value in _strings(servers.get(key), builder, f"c2.{key}"):
            _add_address(value, threat, c2, builder, f"c2.{key}")


def _add_host(value: object, threat: str, role: IndicatorRole, builder: FeedBuilder, where: str) -> None:
    """A host name, or an address where the feed put one among names (HelloSpy does)."""
    text = value.strip() if isinstance(value, str) else ""
    if text.replace(".", "").isdigit() or ":" in text:
        _add_address(value, threat, role, builder, where)
    else:
        builder.add(IndicatorType.DOMAIN, value, threat, role, where)


def _add_address(value: object, threat: str, role: IndicatorRole, builder: FeedBuilder, where: str) -> None:
    text = value.strip() if isinstance(value, str) else ""
    kind = IndicatorType.IPV6 if ":" in text else IndicatorType.IPV4
    if "/" in text:
        kind = IndicatorType.CIDR
    builder.add(kind, value, threat, role, where)


@cache
def bundled_aliases() -> dict[str, tuple[str, str]]:
    """Echap's family names and aliases (the bundled ``ioc.yaml`` and ``watchware.yaml``) ->
    (threat id, name): what Echap's ``samples.csv`` names its families by."""
    out: dict[str, tuple[str, str]] = {}
    for name in ("ioc.yaml", "watchware.yaml"):
        try:
            found = aliases(load_yaml((FEEDS / "echap" / name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, FeedError):
            continue
        for key, value in found.items():
            out.setdefault(key, value)
    return out
