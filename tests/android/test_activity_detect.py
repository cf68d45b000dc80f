"""The activity and age rules (exposure/detect/android_activity.py) on typed observations:
one test per threshold of docs/detections.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from importlib import resources

import pytest
import yaml

from exposure.detect import android_activity
from exposure.detect.android_activity import (
    PATCH_MAX_AGE_DAYS,
    RULES,
    AndroidActivity,
    android_versions,
    clock,
    patch_age_days,
    version_line,
)
from exposure.detect.base import DetectContext
from exposure.indicators.index import IndicatorIndex
from exposure.model import Finding, Indicator, IndicatorType, Observation, Severity
from exposure.observations.android import (
    AndroidAppOpUse,
    AndroidAppUsage,
    AndroidComponent,
    AndroidKeyboard,
    AndroidNoIcon,
    AndroidPackage,
    AndroidSoftware,
)

PHONE = "R58M12ABCDE"
STORE = "com.android.vending"
APK = "com.google.android.packageinstaller"
MIC = "android.permission.RECORD_AUDIO"


def run(observations: Iterable[Observation], index: IndicatorIndex | None = None) -> dict[tuple[str, str], Finding]:
    detector = AndroidActivity()
    ctx = DetectContext(index=index or IndicatorIndex())
    for obs in observations:
        assert list(detector.observe(obs, ctx)) == []
    found = list(detector.finish(ctx))
    keyed = {(f.rule, f.subject): f for f in found}
    assert len(keyed) == len(found), "one finding per rule and subject"
    return keyed


def app(package: str, installer: str = STORE, system: bool = False, granted: tuple[str, ...] = ()) -> AndroidPackage:
    return AndroidPackage("android", PHONE, package, installer=installer, system=system,
                          granted_permissions=granted)


def use(package: str, resource: str = "microphone", state: str = "fgsvc", op: str = "RECORD_AUDIO",
        seconds: float | None = 2400.0) -> AndroidAppOpUse:
    background = state not in ("top", "pers")
    return AndroidAppOpUse("android", PHONE, package, op, resource, mode="allow", last_time="2022-03-29 02:10:00",
                           last_state=state, last_duration_s=seconds,
                           background_time="2022-03-29 02:10:00" if background else "",
                           background_state=state if background else "",
                           background_duration_s=seconds if background else None, uses=1)


def software(patch: str = "2022-03-01", version: str = "12", read_on: str = "2022-03-29") -> AndroidSoftware:
    return AndroidSoftware("android", PHONE, android_version=version, sdk="31", security_patch=patch, read_on=read_on)


# --- app-op use while not on the screen ------------------------------------------------

def test_a_sideloaded_app_that_listened_in_the_background_is_worth_checking() -> None:
    found = run([app("com.spy", APK), use("com.spy")])
    mic = found[("android.used-microphone", "com.spy")]
    assert mic.severity is Severity.MEDIUM
    assert (mic.param("when"), mic.param("duration"), mic.param("state")) == ("2022-03-29 02:10:00", "0:40:00",
                                                                               "fgsvc")
    assert mic.param("installer") == APK and mic.param("signs") == "—"


@pytest.mark.parametrize(("state", "fires"), [("top", False), ("pers", False), ("fgsvc", True), ("fgsvcl", True),
                                              ("fg", True), ("bg", True), ("cch", True)])
def test_only_use_while_not_on_the_screen_counts(state: str, fires: bool) -> None:
    found = run([app("com.spy", APK), use("com.spy", state=state)])
    assert (("android.used-microphone", "com.spy") in found) is fires


@pytest.mark.parametrize("role", ["accessibility", "device-admin", "device-owner", "profile-owner",
                                  "notification-listener"])
def test_a_watching_power_makes_it_high(role: str) -> None:
    comp = AndroidComponent("android", PHONE, role, "com.spy", "com.spy/.S", owner_is_system=False)
    found = run([app("com.spy", APK), use("com.spy"), comp])
    mic = found[("android.used-microphone", "com.spy")]
    assert mic.severity is Severity.HIGH and mic.param("signs") == role


def test_a_hidden_icon_makes_it_high_and_a_vpn_does_not() -> None:
    found = run([app("com.spy", APK), use("com.spy"), AndroidNoIcon("android", PHONE, "com.spy", "switched-off")])
    assert found[("android.used-microphone", "com.spy")].severity is Severity.HIGH
    vpn = AndroidComponent("android", PHONE, "vpn", "com.spy", "", owner_is_system=False)
    found = run([app("com.spy", APK), use("com.spy"), vpn])
    assert found[("android.used-microphone", "com.spy")].severity is Severity.MEDIUM


def test_unknown_installer_is_low_and_store_apps_are_information_in_one_finding() -> None:
    # The phone names no installer at all: not known to come from outside a store.
    found = run([app("com.x", ""), use("com.x")])
    assert found[("android.used-microphone", "com.x")].severity is Severity.LOW
    found = run([app("com.whatsapp", STORE), use("com.whatsapp"), app("com.maps", STORE),
                 use("com.maps", "location", "bg", "FINE_LOCATION"), app("com.android.system", "", system=True),
                 use("com.android.system", "camera", "bg", "CAMERA")])
    assert not any(rule.startswith("android.used-") for rule, _ in found)
    store = found[("android.store-apps-background", PHONE)]
    assert store.severity is Severity.INFO and store.param("count") == "3"
    assert "com.whatsapp (RECORD_AUDIO 2022-03-29 02:10:00)" in store.param("apps")


def test_an_app_from_a_file_on_a_phone_that_names_installers_is_outside_a_store() -> None:
    # No installer for this app while others have one: androidqf's "null", an APK opened by hand.
    found = run([app("com.store", STORE), app("com.spy", ""), use("com.spy")])
    assert found[("android.used-microphone", "com.spy")].severity is Severity.MEDIUM


def test_each_resource_has_its_rule_and_hotword_is_not_one() -> None:
    resources_ = ["microphone", "camera", "location", "sms", "call-log", "contacts", "screen-capture"]
    found = run([app("com.spy", APK), *[use("com.spy", r) for r in resources_]])
    assert {rule for rule, _ in found if rule.startswith("android.used-")} == {f"android.used-{r}" for r in resources_}
    from exposure.collect.android.activity import SENSITIVE_OPS
    assert "RECORD_AUDIO_HOTWORD" not in SENSITIVE_OPS and set(SENSITIVE_OPS.values()) == set(resources_)


def test_durations_are_hours_minutes_seconds() -> None:
    assert clock(2400) == "0:40:00" and clock(3725.4) == "1:02:05" and clock(0.033) == "0.033 s"
    assert clock(None) == "—"


# --- security patch and Android version ------------------------------------------------

@pytest.mark.parametrize(("days", "fires"), [(PATCH_MAX_AGE_DAYS, False), (PATCH_MAX_AGE_DAYS + 1, True)])
def test_a_patch_older_than_six_months_on_the_day_the_phone_was_read(days: int, fires: bool) -> None:
    read = date(2022, 3, 1).toordinal() + days
    found = run([software("2022-03-01", "13", date.fromordinal(read).isoformat())])
    assert (("android.old-patch", PHONE) in found) is fires
    assert PATCH_MAX_AGE_DAYS == 183


def test_the_old_patch_finding_says_how_old_and_when_read() -> None:
    found = run([software("2021-03-01", "", "2022-03-29")])
    old = found[("android.old-patch", PHONE)]
    assert old.severity is Severity.LOW and old.param("months") == "13" and old.param("read_on") == "2022-03-29"
    assert len(found) == 1


def test_an_unsupported_version_from_the_day_its_fixes_stopped() -> None:
    ended = android_versions()["11"][1]
    assert ended == date(2024, 2, 5)
    before = run([software("2024-01-05", "11", "2024-02-04")])
    assert before == {}
    after = run([software("2024-01-05", "11", "2024-02-05")])
    assert after[("android.unsupported-version", PHONE)].param("ended") == "2024-02-05"
    both = run([software("2023-01-05", "11", "2024-03-01")])
    assert set(both) == {("android.old-patch-unsupported", PHONE)}  # one finding, never two


def test_version_lines_and_patch_forms() -> None:
    assert [version_line(v) for v in ("11", "8.1.0", "12", "12L", "10.0", "99")] == ["11", "8.1", "12", "12L", "10",
                                                                                     None]
    assert patch_age_days("2021-03", date(2021, 4, 1)) == 31
    assert patch_age_days("not a date", date(2021, 4, 1)) is None
    # Every row of the shipped data has a release before its end of support.
    for release, ended in android_versions().values():
        assert ended is None or release < ended


def test_without_a_read_date_today_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(android_activity, "today", lambda: date(2030, 1, 1))
    found = run([software("2029-12-01", "13", "")])
    assert found == {}
    found = run([software("2029-01-01", "13", "")])
    assert found[("android.old-patch", PHONE)].param("read_on") == "2030-01-01"


# --- keyboards, overlays, icons --------------------------------------------------------

def test_keyboards_by_where_they_came_from() -> None:
    def kb(package: str, system: bool | None) -> AndroidKeyboard:
        return AndroidKeyboard("android", PHONE, package, f"{package}/.IME", in_use=True, system=system)
    found = run([app("com.google.android.inputmethod.latin", "", system=True),
                 kb("com.google.android.inputmethod.latin", True), app("com.touchtype.swiftkey", STORE),
                 kb("com.touchtype.swiftkey", False), app("com.keylog", APK), kb("com.keylog", False)])
    assert found[("android.keyboard", "com.touchtype.swiftkey")].severity is Severity.INFO
    spy = found[("android.keyboard-outside-store", "com.keylog")]
    assert spy.severity is Severity.MEDIUM and spy.param("in_use") == "✓" and spy.param("installer") == APK
    assert not any(subject == "com.google.android.inputmethod.latin" for _, subject in found)
    # The phone's own keyboard replaced by an APK file (an "update" from outside a store) is reported.
    found = run([app("com.google.android.inputmethod.latin", APK, system=True),
                 kb("com.google.android.inputmethod.latin", True)])
    assert found[("android.keyboard-outside-store", "com.google.android.inputmethod.latin")].severity is Severity.MEDIUM


def test_overlays_only_for_apps_from_outside_a_store() -> None:
    def overlay(package: str) -> AndroidComponent:
        return AndroidComponent("android", PHONE, "overlay", package, "", owner_is_system=False)
    found = run([app("com.facebook.orca", STORE), overlay("com.facebook.orca"), app("com.spy", APK),
                 overlay("com.spy")])
    found_overlay = found[("android.overlay", PHONE)]
    assert found_overlay.severity is Severity.LOW and found_overlay.param("apps") == "com.spy"


def test_a_hidden_icon_needs_powers() -> None:
    hidden = AndroidNoIcon("android", PHONE, "com.spy", "none")
    assert run([app("com.spy", APK), hidden]) == {}
    found = run([app("com.spy", APK, granted=(MIC,)), hidden])
    assert found[("android.hidden-icon", "com.spy")].severity is Severity.MEDIUM
    assert found[("android.hidden-icon", "com.spy")].param("powers") == "RECORD_AUDIO"
    found = run([app("com.plugin", STORE, granted=(MIC,)), AndroidNoIcon("android", PHONE, "com.plugin", "none")])
    assert found[("android.hidden-icon", "com.plugin")].severity is Severity.LOW


# --- network and battery use ----------------------------------------------------------

def usage(package: str, sent: int = 50 * 1024 * 1024) -> AndroidAppUsage:
    return AndroidAppUsage("android", PHONE, package, 10234, sent_background=sent, received_background=1024,
                           sent_foreground=0, received_foreground=0, network_days=28.0, battery_share=9.5,
                           not_on_screen_s=7200.0, since_charge_s=93600.0, battery_sent=1024)


def test_usage_is_summarised_only_for_apps_other_checks_point_at() -> None:
    assert run([app("com.game", STORE), usage("com.game")]) == {}
    comp = AndroidComponent("android", PHONE, "accessibility", "com.helper", "com.helper/.S", owner_is_system=False)
    found = run([app("com.helper", STORE), usage("com.helper"), comp])
    summary = found[("android.app-activity", "com.helper")]
    assert summary.severity is Severity.INFO
    assert (summary.param("sent_background"), summary.param("days"), summary.param("battery_share"),
            summary.param("background_time")) == ("50.0 MB", "28", "9.5%", "2:00:00")


def test_usage_of_an_app_a_finding_or_an_indicator_names() -> None:
    found = run([app("com.spy", APK), use("com.spy"), usage("com.spy")])
    assert ("android.app-activity", "com.spy") in found
    index = IndicatorIndex([Indicator(IndicatorType.PACKAGE, "com.known.spy", "t", "p", "profile:p")])
    found = run([app("com.known.spy", STORE), usage("com.known.spy")], index)
    assert ("android.app-activity", "com.known.spy") in found


def test_system_like_names_from_outside_a_store_are_low() -> None:
    found = run([app("com.android.system.sync", APK), usage("com.android.system.sync"), app("com.wifi0", APK),
                 usage("com.wifi0"), app("org.example.notes", APK), usage("org.example.notes")])
    assert found[("android.system-like-app-activity", "com.android.system.sync")].severity is Severity.LOW
    assert ("android.system-like-app-activity", "com.wifi0") in found
    assert not any(subject == "org.example.notes" for _, subject in found)
    # The same name from a store is not judged by its name.
    assert run([app("com.android.system.sync", STORE), usage("com.android.system.sync")]) == {}


def test_no_usage_no_summary() -> None:
    comp = AndroidComponent("android", PHONE, "accessibility", "com.helper", "com.helper/.S", owner_is_system=False)
    nothing = AndroidAppUsage("android", PHONE, "com.helper", 10234, sent_background=0, battery_share=0.0)
    assert ("android.app-activity", "com.helper") not in run([app("com.helper", STORE), nothing, comp])


def test_every_rule_has_texts_in_both_languages_with_known_placeholders() -> None:
    texts = yaml.safe_load(resources.files("exposure.explain").joinpath("rules/android_activity.yaml")
                           .read_text("utf-8"))
    assert set(texts) == set(RULES)
    used_by = {"android.used-": {"app", "when", "duration", "state", "operations", "installer", "signs", "phone"},
               "android.store-apps-background": {"apps", "count", "phone"},
               "android.old-patch": {"patch", "months", "read_on", "version", "ended", "phone"},
               "android.unsupported-version": {"patch", "months", "read_on", "version", "ended", "phone"},
               "android.keyboard": {"app", "component", "in_use", "installer"},
               "android.overlay": {"apps", "count", "phone"},
               "android.hidden-icon": {"app", "how", "powers", "installer"},
               "android.app-activity": {"app", "sent_background", "received_background", "sent_foreground", "days",
                                        "battery_share", "background_time", "battery_sent", "since_charge",
                                        "installer", "phone"},
               "android.system-like-app-activity": {"app", "sent_background", "received_background",
                                                    "sent_foreground", "days", "battery_share", "background_time",
                                                    "battery_sent", "since_charge", "installer", "phone"}}
    for rule, entry in texts.items():
        allowed = next(v for k, v in used_by.items() if rule.startswith(k))
        for part in ("title", "meaning", "advice"):
            for lang in ("en", "zh"):
                assert entry[part][lang].strip(), (rule, part, lang)
                assert set(re.findall(r"\{(\w+)\}", entry[part][lang])) <= allowed, (rule, part, lang)


def test_docs_detections_md_lists_every_activity_threshold() -> None:
    """Operations, states, roles, permissions, the patch age and the version dates of the
    activity rules are on docs/detections.md, so the page and the code cannot drift apart."""
    from pathlib import Path

    from exposure.collect.android import commands as cmd
    from exposure.collect.android.activity import OVERLAY_OP, SENSITIVE_OPS
    from exposure.collect.android.parsers.appops import NOT_ON_SCREEN

    page = (Path(__file__).resolve().parents[2] / "docs" / "detections.md").read_text(encoding="utf-8")
    section = page[page.index("### What apps did"):page.index("## iPhone heuristics")]
    for op in [*SENSITIVE_OPS, OVERLAY_OP, "RECORD_AUDIO_HOTWORD"]:
        assert f"`{op}`" in section, op
    for state in [*NOT_ON_SCREEN, "top", "pers"]:
        assert f"`{state}`" in section, state
    for rule in RULES:
        assert f"`{rule}`" in section, rule
    for role in android_activity.WATCHING_ROLES:
        assert role.replace("-", " ").replace("notification listener", "notification reader") in section, role
    for permission in android_activity.POWER_PERMISSIONS:
        assert f"`{permission.rsplit('.', 1)[-1]}`" in section, permission
    assert f"**{PATCH_MAX_AGE_DAYS} days**" in section
    for version in ("10", "11", "12"):
        ended = android_versions()[version][1]
        assert ended is not None and ended.isoformat() in section, version
    for command in (cmd.DUMPSYS_APPOPS, cmd.DUMPSYS_INPUT_METHOD, cmd.DUMPSYS_NETSTATS, cmd.DUMPSYS_BATTERYSTATS):
        assert " ".join(command.args[1:]) in section, command.name
