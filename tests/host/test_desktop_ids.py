"""This computer's software is looked up among desktop ids only (docs/profiles.md, "Matching").

A Mac app's bundle id, a flatpak id or a .desktop file name share their look with phone app
ids: Echap lists ``com.trackview`` as TrackView's Android stalkerware and ``com.screentime`` as
WebWatcher's, and a Mac app carrying either id is another program. Installed software is
compared with ``desktop-app`` indicators (the remote-access profile's package names, bundle
ids, launchd labels and uninstall keys), never with Android ``package`` nor iPhone
``ios-bundle`` ids; and a phone's app is never compared with a desktop id.
"""

from __future__ import annotations

import pytest

from exposure.model import Category, IndicatorType, Severity
from exposure.observations.android import AndroidPackage
from exposure.observations.host import InstalledSoftware
from exposure.observations.ios import APP_STORE, IosApp
from tests.indicators.matching import bundled, findings

# Android ids of stalkerware in the bundled Echap list (ioc.yaml, "packages")
ECHAP_ANDROID_IDS = ("com.trackview", "com.screentime")


def software(name: str, manager: str) -> InstalledSoftware:
    return InstalledSoftware("host", "this computer", name=name, manager=manager, display_name=name)


@pytest.mark.parametrize("package", ECHAP_ANDROID_IDS)
@pytest.mark.parametrize("manager", ["macos-app", "flatpak", "desktop-entry"])
def test_a_desktop_app_with_an_echap_android_id_is_not_stalkerware(package: str, manager: str) -> None:
    index = bundled().index
    # the bundled lists do hold it, as an Android id of a stalkerware
    listed = {index.threat(i.threat).category for i in index.lookup(IndicatorType.PACKAGE, package)}  # type: ignore[union-attr]
    assert Category.STALKERWARE in listed
    assert findings(software(package, manager)) == []


def test_a_desktop_app_with_an_iphone_id_is_not_matched() -> None:
    """``com.life360.safetymap`` is Life360's iPhone id in Echap's watchware list."""
    assert bundled().index.lookup(IndicatorType.IOS_BUNDLE, "com.life360.safetymap")
    assert findings(software("com.life360.safetymap", "macos-app")) == []


@pytest.mark.parametrize(("name", "manager", "threat"), [
    ("com.teamviewer.TeamViewer", "macos-app", "teamviewer"),  # macOS bundle id
    ("com.philandro.anydesk.service", "macos-launchd", "anydesk"),  # launchd job label
    ("anydesk", "dpkg", "anydesk"),  # Debian package
    ("rustdesk", "rpm", "rustdesk"),
    ("chrome-remote-desktop", "dpkg", "chrome-remote-desktop"),
])
def test_desktop_ids_of_the_remote_access_profile_still_match(name: str, manager: str, threat: str) -> None:
    [finding] = findings(software(name, manager))
    assert (finding.threat, finding.category, finding.severity) == (threat, Category.DUAL_USE, Severity.LOW)
    assert {i.type for i in finding.indicators} == {IndicatorType.DESKTOP_APP}
    assert {i.source for i in finding.indicators} == {"profile:remote-access"}


def test_a_phone_app_is_not_matched_against_desktop_ids() -> None:
    android = AndroidPackage("adb", "pixel", package="com.philandro.anydesk", installer="com.android.vending")
    iphone = IosApp("ios", "00008030-001A2B3C4D5E6F70", bundle_id="com.teamviewer.TeamViewer", name="TeamViewer",
                    app_type="User", signing=APP_STORE)
    assert bundled().index.lookup(IndicatorType.DESKTOP_APP, "com.philandro.anydesk")
    assert [f for f in findings(android, iphone) if f.threat in ("anydesk", "teamviewer")] == []


def test_the_remote_access_profile_lists_desktop_ids_only() -> None:
    """Its package names, bundle ids, labels and uninstall keys are desktop ids (with program
    names): none is left as an Android or iPhone id, which no computer's software is compared with."""
    profile = next(p for p in bundled().profiles if p.id == "remote-access")
    assert {i.type for i in profile.indicators} == {IndicatorType.DESKTOP_APP, IndicatorType.DESKTOP_PROCESS}
