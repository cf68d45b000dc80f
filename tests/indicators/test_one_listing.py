"""One listing per value (docs/profiles.md, "Precedence"; docs/severity.md).

Echap lists FindMyKids and WiseMo both in its stalkerware file (``ioc.yaml``) and in its
watchware file (monitoring apps that do not hide), under the same name, and WebWatcher's
website ``screentimelabs.com`` is also ScreenTime's (watchware). A value is one finding:
the harmful listing, whose text says the app is also sold openly; a value only the
watchware file has (FindMyKids' App Store app) is a dual-use finding.
"""

from __future__ import annotations

from functools import cache

import pytest

from exposure.explain.finding import indicator_notes
from exposure.indicators.severity import CategoryGroup, group_of
from exposure.model import Category, IndicatorType, Observation, Severity
from exposure.observations.android import AndroidPackage
from exposure.observations.ios import APP_STORE, IosApp
from exposure.observations.network import DnsQuery
from tests.indicators.matching import bundled, findings

GROUPS = (CategoryGroup.HARMFUL, CategoryGroup.DUAL_USE)


def observation(kind: IndicatorType, value: str) -> Observation:
    if kind is IndicatorType.PACKAGE:
        return AndroidPackage("adb", "pixel", package=value)
    if kind is IndicatorType.IOS_BUNDLE:
        return IosApp("ios", "iphone", bundle_id=value, app_type="User", signing=APP_STORE)
    if kind is IndicatorType.CERT_SHA1:
        return AndroidPackage("adb", "pixel", package="org.example.app", cert_sha1=(value,))
    return DnsQuery("pcap", "capture", name=value)


def listed_both_ways(kind: IndicatorType) -> list[str]:
    """Values of a tool that one bundled list has as harmful and another as dual-use (Echap's
    FindMyKids and WiseMo, in both its files), or that two lists give a harmful tool and a
    dual-use app (``screentimelabs.com``)."""
    index = bundled().index
    out = []
    for value in index.values(kind):
        threats = {i.threat for i in index.lookup(kind, value) if not i.supporting}
        groups = {group_of(category) for threat in threats for category in declared().get(threat, ())}
        if set(GROUPS) <= groups:
            out.append(value)
    return out


@cache
def declared() -> dict[str, set[Category]]:
    """Every category that a bundled profile or feed gives each threat id."""
    from exposure.indicators.bundled import load_bundled

    out: dict[str, set[Category]] = {}
    threats = [t for p in bundled().profiles for t in p.threats]
    threats += [t for feed in load_bundled(lambda _: None) for t in feed.threats]
    for threat in threats:
        out.setdefault(threat.id, set()).add(threat.category)
    return out


@pytest.mark.parametrize("kind", [IndicatorType.PACKAGE, IndicatorType.IOS_BUNDLE, IndicatorType.CERT_SHA1,
                                  IndicatorType.DOMAIN])
def test_no_bundled_value_is_both_a_harmful_and_a_dual_use_finding(kind: IndicatorType) -> None:
    values = listed_both_ways(kind)
    for value in values:
        made = findings(observation(kind, value))
        groups = {group_of(f.category) for f in made}
        assert not set(GROUPS) <= groups, (value, [(f.threat, f.category) for f in made])
        assert len({f.threat for f in made}) == len(made), value  # one finding per tool


def test_the_echap_apps_listed_both_ways_are_counted() -> None:
    """What the bundled Echap snapshot lists both ways (research for docs/profiles.md)."""
    assert {"org.findmykids.app", "com.wisemo.host.v10"} <= set(listed_both_ways(IndicatorType.PACKAGE))
    assert {"screentimelabs.com", "findmykids.org", "wisemo.com", "mycloud.wisemo.com"} <= set(
        listed_both_ways(IndicatorType.DOMAIN))


@pytest.mark.parametrize(("package", "name"), [("org.findmykids.app", "FindMyKids"),
                                                ("com.wisemo.host.v10", "WiseMo")])
def test_an_app_in_both_echap_files_is_one_stalkerware_finding_that_says_it_is_also_sold_openly(
        package: str, name: str) -> None:
    [finding] = findings(observation(IndicatorType.PACKAGE, package))
    assert (finding.category, finding.severity, finding.rule) == (Category.STALKERWARE, Severity.CRITICAL,
                                                                   "indicator")
    assert finding.param("openly") == name and "note.also-sold-openly" in finding.param("notes")
    for lang, words in (("en", "sold openly"), ("zh", "公开销售")):
        lines = indicator_notes(dict(finding.params), lang)
        assert any(words in str(line) and name in str(line) for line in lines), lang


def test_a_value_only_the_watchware_file_has_is_dual_use() -> None:
    """FindMyKids' App Store app (``com.wheremychildren.ios``) is only in Echap's watchware
    file: an iPhone with it is told of a dual-use app, not of stalkerware."""
    [finding] = findings(observation(IndicatorType.IOS_BUNDLE, "com.wheremychildren.ios"))
    assert (finding.threat, finding.category, finding.severity) == ("findmykids", Category.DUAL_USE, Severity.LOW)
    assert finding.param("openly") == ""


def test_a_website_of_a_stalkerware_and_a_watchware_app_is_one_finding_naming_both() -> None:
    [finding] = findings(observation(IndicatorType.DOMAIN, "screentimelabs.com"))
    assert (finding.threat, finding.category, finding.severity) == ("webwatcher", Category.STALKERWARE,
                                                                     Severity.LOW)
    assert finding.param("openly") == "ScreenTime"


def test_a_stalkerware_listed_only_as_stalkerware_has_no_such_note() -> None:
    [finding] = findings(observation(IndicatorType.PACKAGE, "com.wifi0"))  # SpyLive360
    assert finding.category is Category.STALKERWARE and finding.param("openly") == ""
