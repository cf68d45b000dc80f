"""The Android heuristics on typed observations, and their texts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources

import yaml

from exposure.detect.android import RULES, AndroidHeuristics
from exposure.detect.base import DetectContext
from exposure.detect.fold import fold_per_app
from exposure.indicators.index import IndicatorIndex
from exposure.model import Finding, Observation, Severity
from exposure.observations.android import AndroidComponent, AndroidFile, AndroidPackage, AndroidSetting
from tests.said import keep_english

PHONE = "R58M12ABCDE"
P = "android.permission."


def run(observations: Iterable[Observation]) -> tuple[dict[tuple[str, str], Finding], list[str]]:
    """The heuristics' findings as a scan gives them: folded one per app (detect/fold.py)."""
    detector = AndroidHeuristics()
    warnings: list[str] = []
    ctx = DetectContext(index=IndicatorIndex(), warn=keep_english(warnings))
    for obs in observations:
        assert list(detector.observe(obs, ctx)) == []
    return {(f.rule, f.subject): f for f in fold_per_app(list(detector.finish(ctx)))}, warnings


def app(package: str, installer: str = "com.android.vending", system: bool = False,
        granted: tuple[str, ...] = ()) -> AndroidPackage:
    return AndroidPackage("android", PHONE, package, installer=installer, system=system,
                          granted_permissions=granted, requested_permissions=granted)


def comp(role: str, package: str, system: bool | None = False) -> AndroidComponent:
    return AndroidComponent("android", PHONE, role, package, f"{package}/{package}.S", owner_is_system=system)


def setting(key: str, value: str, namespace: str = "global") -> AndroidSetting:
    return AndroidSetting("android", PHONE, namespace, key, value)


SPY_GRANTS = (P + "ACCESS_FINE_LOCATION", P + "READ_SMS", P + "RECORD_AUDIO", P + "INTERNET")


def test_dangerous_combination_needs_granted_permissions_and_a_watching_component() -> None:
    found, _ = run([app("com.spy.a", "", granted=SPY_GRANTS), comp("accessibility", "com.spy.a")])
    danger = found[("android.dangerous-permissions", "com.spy.a")]
    assert danger.param("permissions") == "ACCESS_FINE_LOCATION, READ_SMS, RECORD_AUDIO"
    # It replaces the plain accessibility finding for that app: one finding, not two.
    assert ("android.accessibility", "com.spy.a") not in found
    # Requested but not granted (SpyLive360's recorded state): no combination.
    requested_only = AndroidPackage("android", PHONE, "com.spy.b", requested_permissions=SPY_GRANTS[:3])
    found, _ = run([requested_only, comp("accessibility", "com.spy.b")])
    assert ("android.dangerous-permissions", "com.spy.b") not in found
    assert ("android.accessibility", "com.spy.b") in found
    # All the permissions but no accessibility service or device administrator: no combination.
    found, _ = run([app("com.spy.c", granted=SPY_GRANTS)])
    assert not [k for k in found if k[0] == "android.dangerous-permissions"]
    # A device administrator is a watching component too.
    found, _ = run([app("com.spy.d", "com.android.vending", granted=SPY_GRANTS), comp("device-admin", "com.spy.d")])
    assert ("android.dangerous-permissions", "com.spy.d") in found
    assert ("android.device-admin", "com.spy.d") not in found


def test_each_permission_threshold_of_the_combination() -> None:
    """Location, messages or calls, and the microphone are each needed (docs/detections.md)."""
    needed = {"location": P + "ACCESS_COARSE_LOCATION", "messages": P + "READ_CALL_LOG",
              "microphone": P + "RECORD_AUDIO"}
    for missing in needed:
        granted = tuple(v for k, v in needed.items() if k != missing)
        found, _ = run([app("com.x.y", "", granted=granted), comp("accessibility", "com.x.y")])
        assert ("android.dangerous-permissions", "com.x.y") not in found, missing
    found, _ = run([app("com.x.y", "", granted=tuple(needed.values())), comp("accessibility", "com.x.y")])
    assert ("android.dangerous-permissions", "com.x.y") in found


def _combination(package: str, installer: str, role: str = "accessibility", label: str = "") -> Finding:
    pkg = AndroidPackage("android", PHONE, package, label=label, installer=installer,
                         granted_permissions=SPY_GRANTS, requested_permissions=SPY_GRANTS)
    found, _ = run([pkg, comp(role, package), app("org.other.store", "com.android.vending")])
    return found[("android.dangerous-permissions", package)]


def test_the_combination_is_high_only_outside_a_store_with_a_sign_of_hiding() -> None:
    # From a store (a caller-id or call-recorder app holds all of it): medium, never high.
    assert _combination("com.truecaller", "com.android.vending").severity is Severity.MEDIUM
    assert _combination("com.truecaller", "com.android.vending", label="System Service").severity is Severity.MEDIUM
    # From an APK file but with an ordinary name and no device administrator: medium.
    assert _combination("com.example.recorder", "com.google.android.packageinstaller").severity is Severity.MEDIUM
    # From an APK file with a system-like name (id or label), or with device-administrator powers: high.
    for package, label in (("com.wifi0", ""), ("com.example.app", "System Service"), ("com.android.core.mnta", "")):
        found = _combination(package, "com.google.android.packageinstaller", label=label)
        assert found.severity is Severity.HIGH and found.param("signs").startswith("name:"), package
    admin = _combination("com.example.app", "", role="device-admin")
    assert admin.severity is Severity.HIGH and admin.param("signs") == "device-admin"
    # A phone that says nothing about installers: nothing is known about stores, so medium.
    pkg = AndroidPackage("android", PHONE, "com.wifi0", granted_permissions=SPY_GRANTS)
    by_rule, _ = run([pkg, comp("accessibility", "com.wifi0")])
    assert by_rule[("android.dangerous-permissions", "com.wifi0")].severity is Severity.MEDIUM


def test_system_like_names() -> None:
    from exposure.detect.android import is_system_like

    for package, label in (("com.wifi0", ""), ("com.systemservice", ""), ("android.sys.process", ""),
                           ("com.sec.android.internet.service.ik", ""), ("com.x.y", "Update service"),
                           ("com.x.y", "Wi-Fi"), ("sys.framework", "")):
        assert is_system_like(package, label), (package, label)
    for package, label in (("com.truecaller", "Truecaller"), ("org.thoughtcrime.securesms", "Signal"),
                           ("com.whatsapp", "WhatsApp")):
        assert not is_system_like(package, label), package


def test_known_assistive_password_and_watch_apps_are_information_with_their_names() -> None:
    talkback = "com.google.android.marvin.talkback"
    found, _ = run([app(talkback), comp("accessibility", talkback),
                    app("com.x8bit.bitwarden"), comp("accessibility", "com.x8bit.bitwarden"),
                    app("com.lastpass.lpandroid", "com.sec.android.app.samsungapps"),
                    comp("accessibility", "com.lastpass.lpandroid"),
                    app("com.samsung.android.app.watchmanager"),
                    comp("notification-listener", "com.samsung.android.app.watchmanager")])
    for package, rule, name in ((talkback, "android.assistive-app", "TalkBack (screen reader)"),
                                ("com.x8bit.bitwarden", "android.assistive-app", "Bitwarden (password manager)"),
                                ("com.lastpass.lpandroid", "android.assistive-app", "LastPass (password manager)"),
                                ("com.samsung.android.app.watchmanager", "android.wearable-app", "Galaxy Wearable")):
        finding = found[(rule, package)]
        assert finding.severity is Severity.INFO and finding.param("known_as") == name
    assert not [k for k in found if k[0] in ("android.accessibility", "android.notification-listener")]
    # The same id installed from a file is not trusted by its name: the usual rule applies.
    found, _ = run([app("com.x8bit.bitwarden", "com.google.android.packageinstaller"),
                    comp("accessibility", "com.x8bit.bitwarden")])
    assert found[("android.accessibility", "com.x8bit.bitwarden")].severity is Severity.MEDIUM


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
        "android.assistive-app": {"app", "component", "installer", "known_as"},
        "android.wearable-app": {"app", "component", "installer", "known_as"},
        "android.device-admin": {"app", "component", "installer"},
        "android.notification-listener": {"app", "component", "installer"},
        "android.always-on-vpn": {"app", "component", "installer"},
        "android.play-protect-off": {"settings", "phone"},
        "android.dangerous-permissions": {"app", "permissions", "component", "installer", "signs"},
        "android.developer-options": {"settings", "phone", "wireless"},
        "android.root": {"paths", "phone"},
    }
    for rule, entry in texts.items():
        for part in ("title", "meaning", "advice"):
            assert entry[part]["en"].strip() and entry[part]["zh"].strip(), (rule, part)
            for lang in ("en", "zh"):
                used = set(re.findall(r"\{(\w+)\}", entry[part][lang]))
                assert used <= params[rule] | {"subject"}, (rule, part, lang, used)


def test_docs_detections_md_lists_every_threshold_the_code_uses() -> None:
    """The words, namespaces, permissions and known apps of the Android rules and the dual-use
    kinds are in docs/detections.md, so the page and the code cannot drift apart."""
    from pathlib import Path

    from exposure.detect import android, dual_use

    page = (Path(__file__).resolve().parents[2] / "docs" / "detections.md").read_text(encoding="utf-8")
    for word in android.SYSTEM_LIKE_WORDS:
        assert f'"{word}"' in page, word
    for namespace in android.PLATFORM_NAMESPACES:
        assert f"`{namespace}`" in page, namespace
    for permission in android.LOCATION | android.MESSAGES_OR_CALLS | android.MICROPHONE:
        short = permission.rsplit(".", 1)[-1]
        assert short in page or short.split("_")[-1].lower() in page, short
    for name in [*android.ASSISTIVE_APPS.values(), *android.WEARABLE_APPS.values()]:
        assert name.split(" (")[0] in page, name
    for _kind, words in dual_use.KIND_WORDS:
        for word in words:
            assert f'"{word}"' in page, word
