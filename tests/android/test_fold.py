"""One known tool, one finding per device (review item 9): the accessibility service and
device-admin heuristics of an app that an indicator finding names are folded into it."""

from __future__ import annotations

from exposure.detect.fold import fold_into_known_tools
from exposure.model import Category, Confidence, Finding, Severity
from exposure.observations.android import AndroidComponent, AndroidPackage

PHONE, OTHER = "R58M12ABCDE", "emulator-5554"
APP = AndroidPackage("adb", PHONE, "com.wifi0", installer="com.android.packageinstaller")
A11Y = AndroidComponent("adb", PHONE, "accessibility", "com.wifi0", "com.wifi0/com.wifi0.AccessibilityReceiver4")
ADMIN = AndroidComponent("adb", PHONE, "device-admin", "com.wifi0", "com.wifi0/com.wifi0.receivers.DeviceAdmin")


def _tool(evidence: tuple[object, ...] = (APP,), rule: str = "indicator",
          severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(rule=rule, severity=severity, category=Category.STALKERWARE, title="SpyLive360: com.wifi0",
                   confidence=Confidence.HIGH, evidence=evidence, threat="spylive360",  # type: ignore[arg-type]
                   subject="com.wifi0")


def _heuristic(rule: str, comp: AndroidComponent, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(rule=rule, severity=severity, category=Category.HEURISTIC, title=f"{rule}: {comp.package}",
                   confidence=Confidence.MEDIUM, evidence=(comp, APP), subject=comp.package)


def test_the_known_tools_accessibility_and_admin_are_folded_with_their_evidence() -> None:
    found = fold_into_known_tools([_tool(), _heuristic("android.accessibility", A11Y),
                                   _heuristic("android.device-admin", ADMIN)])
    assert [f.rule for f in found] == ["indicator"]
    assert found[0].evidence == (APP, A11Y, ADMIN)  # added once each, after what it had


def test_evidence_already_on_the_known_tool_is_not_repeated() -> None:
    found = fold_into_known_tools([_tool((APP, A11Y)), _heuristic("android.accessibility", A11Y)])
    assert [f.evidence for f in found] == [(APP, A11Y)]


def test_the_same_app_on_another_phone_keeps_its_finding() -> None:
    there = AndroidComponent("adb", OTHER, "accessibility", "com.wifi0", "com.wifi0/.A")
    found = fold_into_known_tools([_tool(), _heuristic("android.accessibility", there)])
    assert [f.rule for f in found] == ["indicator", "android.accessibility"]


def test_dual_use_and_flagged_apps_keep_their_heuristics() -> None:
    for rule in ("indicator.dual-use", "indicator.flagged-app"):
        found = fold_into_known_tools([_tool(rule=rule, severity=Severity.LOW),
                                       _heuristic("android.accessibility", A11Y)])
        assert [f.rule for f in found] == [rule, "android.accessibility"]


def test_a_heuristic_more_serious_than_the_known_tool_stays() -> None:
    found = fold_into_known_tools([_tool(severity=Severity.LOW),
                                   _heuristic("android.dangerous-permissions", A11Y, Severity.HIGH)])
    assert [f.rule for f in found] == ["indicator", "android.dangerous-permissions"]


def test_findings_about_the_phone_itself_are_never_folded() -> None:
    sideloaded = Finding(rule="android.sideloaded", severity=Severity.LOW, category=Category.HEURISTIC,
                         title="1 app(s)", confidence=Confidence.MEDIUM, evidence=(APP,), subject=PHONE)
    assert fold_into_known_tools([_tool(), sideloaded]) == [_tool(), sideloaded]
