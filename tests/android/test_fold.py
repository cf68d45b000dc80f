"""One app, one finding per device: the accessibility service and device-admin heuristics
of an app that an indicator finding names are folded into it (review item 9), and those of
an app with the dangerous combination into the combination finding."""

from __future__ import annotations

from exposure.detect.fold import fold_per_app
from exposure.model import Category, Confidence, Finding, Observation, Severity
from exposure.observations.android import AndroidComponent, AndroidPackage

PHONE, OTHER = "R58M12ABCDE", "emulator-5554"
APP = AndroidPackage("adb", PHONE, "com.wifi0", installer="com.android.packageinstaller")
A11Y = AndroidComponent("adb", PHONE, "accessibility", "com.wifi0", "com.wifi0/com.wifi0.AccessibilityReceiver4")
ADMIN = AndroidComponent("adb", PHONE, "device-admin", "com.wifi0", "com.wifi0/com.wifi0.receivers.DeviceAdmin")
OWNER = AndroidComponent("adb", PHONE, "device-owner", "com.wifi0", "com.wifi0/com.wifi0.receivers.DeviceAdmin")
LISTENER = AndroidComponent("adb", PHONE, "notification-listener", "com.wifi0", "com.wifi0/com.wifi0.Notifications")
COMBINATION = "android.dangerous-permissions"


def _tool(evidence: tuple[object, ...] = (APP,), rule: str = "indicator",
          severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(rule=rule, severity=severity, category=Category.STALKERWARE, title="SpyLive360: com.wifi0",
                   confidence=Confidence.HIGH, evidence=evidence, threat="spylive360",  # type: ignore[arg-type]
                   subject="com.wifi0")


def _heuristic(rule: str, comp: AndroidComponent, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(rule=rule, severity=severity, category=Category.HEURISTIC, title=f"{rule}: {comp.package}",
                   confidence=Confidence.MEDIUM, evidence=(comp, APP), subject=comp.package)


def test_the_known_tools_accessibility_and_admin_are_folded_with_their_evidence() -> None:
    found = fold_per_app([_tool(), _heuristic("android.accessibility", A11Y),
                                   _heuristic("android.device-admin", ADMIN)])
    assert [f.rule for f in found] == ["indicator"]
    assert found[0].evidence == (APP, A11Y, ADMIN)  # added once each, after what it had


def test_evidence_already_on_the_known_tool_is_not_repeated() -> None:
    found = fold_per_app([_tool((APP, A11Y)), _heuristic("android.accessibility", A11Y)])
    assert [f.evidence for f in found] == [(APP, A11Y)]


def test_the_same_app_on_another_phone_keeps_its_finding() -> None:
    there = AndroidComponent("adb", OTHER, "accessibility", "com.wifi0", "com.wifi0/.A")
    found = fold_per_app([_tool(), _heuristic("android.accessibility", there)])
    assert [f.rule for f in found] == ["indicator", "android.accessibility"]


def test_dual_use_and_flagged_apps_keep_their_heuristics() -> None:
    for rule in ("indicator.dual-use", "indicator.flagged-app"):
        found = fold_per_app([_tool(rule=rule, severity=Severity.LOW),
                                       _heuristic("android.accessibility", A11Y)])
        assert [f.rule for f in found] == [rule, "android.accessibility"]


def test_a_heuristic_more_serious_than_the_known_tool_stays() -> None:
    found = fold_per_app([_tool(severity=Severity.LOW),
                                   _heuristic("android.dangerous-permissions", A11Y, Severity.HIGH)])
    assert [f.rule for f in found] == ["indicator", "android.dangerous-permissions"]


def test_findings_about_the_phone_itself_are_never_folded() -> None:
    phone = Finding(rule="android.play-protect-off", severity=Severity.LOW, category=Category.HEURISTIC,
                    title="Play Protect is off", confidence=Confidence.MEDIUM, evidence=(APP,), subject=PHONE)
    assert fold_per_app([_tool(), phone]) == [_tool(), phone]


def _combination(*comps: Observation, severity: Severity = Severity.MEDIUM) -> Finding:
    """As exposure.detect.android makes it: the app, then its watching components."""
    return Finding(rule=COMBINATION, severity=severity, category=Category.HEURISTIC, title=f"{COMBINATION}: com.wifi0",
                   confidence=Confidence.MEDIUM, evidence=(APP, *comps), subject="com.wifi0")


def test_an_apps_watching_powers_are_folded_into_its_combination_finding() -> None:
    combination = _combination(A11Y, OWNER)
    found = fold_per_app([_heuristic("android.accessibility", A11Y), combination,
                          _heuristic("android.device-admin", OWNER)])
    assert found == [combination]  # its evidence already held them: nothing added


def test_the_combination_covers_no_notification_reader_or_vpn() -> None:
    found = fold_per_app([_combination(A11Y), _heuristic("android.notification-listener", LISTENER, Severity.LOW)])
    assert [f.rule for f in found] == [COMBINATION, "android.notification-listener"]


def test_the_combination_on_another_phone_covers_nothing_here() -> None:
    there = AndroidComponent("adb", OTHER, "accessibility", "com.wifi0", "com.wifi0/.A")
    found = fold_per_app([_combination(A11Y), _heuristic("android.accessibility", there)])
    assert [f.rule for f in found] == [COMBINATION, "android.accessibility"]


def test_a_known_tool_with_the_combination_and_its_powers_is_one_finding() -> None:
    found = fold_per_app([_heuristic("android.accessibility", A11Y), _combination(A11Y, ADMIN, severity=Severity.HIGH),
                          _tool(), _heuristic("android.device-admin", ADMIN)])
    assert [f.rule for f in found] == ["indicator"]
    assert found[0].evidence == (APP, A11Y, ADMIN)


def test_a_combination_more_serious_than_the_known_tool_keeps_the_powers_it_covers() -> None:
    # A low known-tool listing and a high combination: the combination stays, and the plain
    # accessibility finding is still part of it, not a third finding.
    found = fold_per_app([_tool(severity=Severity.LOW), _combination(A11Y, severity=Severity.HIGH),
                          _heuristic("android.accessibility", A11Y)])
    assert [f.rule for f in found] == ["indicator", COMBINATION]


def test_a_dual_use_apps_combination_still_covers_its_powers() -> None:
    found = fold_per_app([_tool(rule="indicator.dual-use", severity=Severity.LOW), _combination(A11Y),
                          _heuristic("android.accessibility", A11Y)])
    assert [f.rule for f in found] == ["indicator.dual-use", COMBINATION]


def _sideloaded(*apps: AndroidPackage, count: int | None = None) -> Finding:
    names = [a.package for a in apps]
    return Finding(rule="android.sideloaded", severity=Severity.LOW, category=Category.HEURISTIC,
                   title=f"Apps installed from outside an app store: {count or len(apps)}",
                   confidence=Confidence.MEDIUM, evidence=apps, subject=PHONE,
                   params=(("count", str(count or len(apps))), ("apps", ", ".join(names)), ("phone", PHONE)))


def test_a_known_tool_is_left_out_of_the_apps_from_outside_a_store() -> None:
    # SpyLive360 was also listed there as "often harmless": the report played down what it called very serious
    other = AndroidPackage("adb", PHONE, "org.fdroid.fdroid", installer="com.android.packageinstaller")
    found = fold_per_app([_tool(), _sideloaded(APP, other, count=7)])
    side = found[1]
    assert side.param("count") == "6" and side.param("apps") == "org.fdroid.fdroid"
    assert side.evidence == (other,) and side.title.endswith(": 6")
    assert [f.rule for f in fold_per_app([_tool(), _sideloaded(APP)])] == ["indicator"]  # nothing else: no finding
    there = AndroidPackage("adb", OTHER, "com.wifi0", installer="com.android.packageinstaller")
    assert fold_per_app([_tool(), _sideloaded(there)])[1].param("count") == "1"  # another phone: still listed
