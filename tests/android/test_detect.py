"""The Android heuristics on typed observations, and their texts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources

import yaml

from exposure.detect.android import RULES, AndroidHeuristics
from exposure.detect.base import DetectContext
from exposure.indicators.index import IndicatorIndex
from exposure.model import Finding, Observation, Severity
from exposure.observations.android import AndroidComponent, AndroidFile, AndroidPackage, AndroidSetting
from tests.said import keep_english

PHONE = "R58M12ABCDE"
P = "android.permission."


def run(observations: Iterable[Observation]) -> tuple[dict[tuple[str, str], Finding], list[str]]:
    detector = AndroidHeuristics()
    warnings: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings))
    for obs in observations:
        assert list(detector.observe(obs, ctx)) == []
    return {(f.rule, f.subject): f for f in detector.finish(ctx)}, warnings


def app(package: str, installer: str = "com.android.vending", system: bool = False,
        granted: tuple[str, ...] = ()) -> AndroidPackage:
    return AndroidPackage("android", PHONE, package, installer=installer, system=system,
                          granted_permissions=granted, requested_permissions=granted)


def comp(role: str, package: str, system: bool | None = False) -> AndroidComponent:
    return AndroidComponent("android", PHONE, role, package, f"{package}/{package}.S", owner_is_system=system)


def setting(key: str, value: str, namespace: str = "global") -> AndroidSetting:
    return AndroidSetting("android", PHONE, namespace, key, value)


SPY_GRANTS = (P + "ACCESS_FINE_LOCATION", P + "READ_SMS", P + "RECORD_AUDIO", P + "INTERNET")


def test_dangerous_combination_needs_granted_permissions_and_accessibility() -> None:
    found, _ = run([app("com.spy.a", "", granted=SPY_GRANTS), comp("accessibility", "com.spy.a")])
    danger = found[("android.dangerous-permissions", "com.spy.a")]
    assert danger.severity is Severity.HIGH
    assert danger.param("permissions") == "ACCESS_FINE_LOCATION, READ_SMS, RECORD_AUDIO"
    # It replaces the plain accessibility finding for that app: one finding, not two.
    assert ("android.accessibility", "com.spy.a") not in found
    # Requested but not granted (SpyLive360's recorded state): no combination.
    requested_only = AndroidPackage("android", PHONE, "com.spy.b", requested_permissions=SPY_GRANTS[:3])
    found, _ = run([requested_only, comp("accessibility", "com.spy.b")])
    assert ("android.dangerous-permissions", "com.spy.b") not in found
    assert ("android.accessibility", "com.spy.b") in found
    # All the permissions but no accessibility service: no combination either.
    found, _ = run([app("com.spy.c", granted=SPY_GRANTS)])
    assert not [k for k in found if k[0] == "android.dangerous-permissions"]


def test_system_components_are_not_reported() -> None:
    found, _ = run([app("com.samsung.accessibility", "", system=True),
                    comp("accessibility", "com.samsung.accessibility", system=True),
                    comp("device-admin", "com.google.android.gms", system=True),
                    comp("notification-listener", "com.android.systemui", system=True)])
    assert found == {}


def test_component_rules_and_severities() -> None:
    found, _ = run([app("com.watch.app"), comp("notification-listener", "com.watch.app"),
                    comp("device-owner", "com.example.mdm", system=None),
                    comp("always-on-vpn", "com.unknown.vpn"), comp("always-on-vpn", "ch.protonvpn.android"),
                    comp("vpn", "com.unknown.vpn")])
    assert found[("android.notification-listener", "com.watch.app")].severity is Severity.LOW
    owner = found[("android.device-admin", "com.example.mdm")]
    assert owner.param("role") == "device-owner" and owner.param("installer") == "—"
    assert found[("android.always-on-vpn", "com.unknown.vpn")].severity is Severity.MEDIUM
    assert ("android.always-on-vpn", "ch.protonvpn.android") not in found
    listener = found[("android.notification-listener", "com.watch.app")]
    assert listener.param("installer") == "com.android.vending"


def test_sideloaded_apps_make_one_finding_per_phone() -> None:
    apps = [app(f"com.side.app{i:02d}", "com.google.android.packageinstaller") for i in range(40)]
    apps += [app("org.store.app", "com.huawei.appmarket"), app("com.system.thing", "", system=True),
             app("com.null.installer", ""), app("com.system.updated", "com.android.shell", system=True)]
    found, warnings = run(apps)
    side = [f for k, f in found.items() if k[0] == "android.sideloaded"]
    assert len(side) == 1 and side[0].param("count") == "42" and side[0].severity is Severity.LOW
    assert side[0].param("apps").endswith("com.side.app13, …") and "org.store.app" not in side[0].param("apps")
    assert {"com.null.installer", "com.system.updated"} <= {e.subject() for e in side[0].evidence}
    assert "com.system.thing" not in {e.subject() for e in side[0].evidence}
    assert warnings == []


def test_no_installer_information_is_a_warning_not_a_finding() -> None:
    found, warnings = run([app("com.a.b", ""), app("com.c.d", ""), app("com.e.f", "")])
    assert found == {}
    assert len(warnings) == 1 and "could not be checked" in warnings[0]


def test_play_protect_developer_options_and_root() -> None:
    found, _ = run([setting("package_verifier_enable", "0"), setting("upload_apk_enable", "0"),
                    setting("adb_enabled", "1"), setting("development_settings_enabled", "1"),
                    AndroidFile("androidqf", PHONE, "/system/bin/su", note="root binary")])
    off = found[("android.play-protect-off", PHONE)]
    assert off.severity is Severity.MEDIUM and "package_verifier_enable=0" in off.param("settings")
    assert found[("android.developer-options", PHONE)].severity is Severity.INFO
    assert found[("android.root", PHONE)].param("paths") == "/system/bin/su"
    found, _ = run([setting("package_verifier_enable", "1"), setting("adb_enabled", "0")])
    assert found == {}


def test_every_rule_has_english_and_chinese_texts_with_known_placeholders() -> None:
    texts = yaml.safe_load(resources.files("exposure.explain").joinpath("rules/android.yaml").read_text("utf-8"))
    assert set(texts) == set(RULES)
    params = {
        "android.sideloaded": {"count", "apps", "phone"},
        "android.accessibility": {"app", "component", "installer"},
        "android.device-admin": {"app", "component", "installer"},
        "android.notification-listener": {"app", "component", "installer"},
        "android.always-on-vpn": {"app", "component", "installer"},
        "android.play-protect-off": {"settings", "phone"},
        "android.dangerous-permissions": {"app", "permissions", "component", "installer"},
        "android.developer-options": {"settings", "phone", "wireless"},
        "android.root": {"paths", "phone"},
    }
    for rule, entry in texts.items():
        for part in ("title", "meaning", "advice"):
            assert entry[part]["en"].strip() and entry[part]["zh"].strip(), (rule, part)
            for lang in ("en", "zh"):
                used = set(re.findall(r"\{(\w+)\}", entry[part][lang]))
                assert used <= params[rule] | {"subject"}, (rule, part, lang, used)
