"""Each Android parser against the real recordings in ../shared/fixtures/android."""

from __future__ import annotations

from exposure.collect.android.parsers.accessibility import parse_accessibility
from exposure.collect.android.parsers.components import parse_component_list
from exposure.collect.android.parsers.device_policy import parse_device_policy
from exposure.collect.android.parsers.dumpsys_package import parse_dumpsys_package
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys
from exposure.collect.android.parsers.getprop import basics, parse_getprop
from exposure.collect.android.parsers.packages_list import parse_packages_list
from exposure.collect.android.parsers.ps import parse_processes_json, parse_ps
from exposure.collect.android.parsers.settings import parse_settings
from exposure.collect.android.parsers.vpn import parse_vpn_owner_uids
from tests.android.phones import ANDROIDQF, DEVICE_POLICY, MVT_DATA, SPYTRAP, recorded_package_dump
from tests.paths import needs_shared


@needs_shared()
def test_dumpsys_package_spylive360() -> None:
    pkg = parse_dumpsys_package((SPYTRAP / "package" / "spylive360.txt").read_text())["com.wifi0"]
    assert (pkg.uid, pkg.version_name, pkg.version_code) == (10155, "1.4.0", "140")
    assert pkg.first_install == "2021-12-15 17:51:52"
    assert pkg.installer == "com.android.packageinstaller"
    assert pkg.code_path == "/data/app/~~V5jud4ex5-s8L3x2B4lvUA==/com.wifi0-q-C29yRZYy55N91XTD2EoA=="
    assert not pkg.system and pkg.enabled and pkg.installed
    assert len(pkg.requested) == 34 and "android.permission.RECORD_AUDIO" in pkg.requested
    # Runtime permissions were all refused on this phone: requested is not granted.
    assert "android.permission.READ_SMS" not in pkg.granted
    assert "android.permission.ACCESS_FINE_LOCATION" not in pkg.granted
    assert "android.permission.INTERNET" in pkg.granted and len(pkg.granted) == 10


@needs_shared()
def test_dumpsys_package_runtime_grants_and_system_flag() -> None:
    gps = parse_dumpsys_package((SPYTRAP / "package" / "gpstest.txt").read_text())["com.android.gpstest.osmdroid"]
    assert "android.permission.ACCESS_FINE_LOCATION" in gps.granted
    assert "android.permission.READ_EXTERNAL_STORAGE" not in gps.granted
    contacts = parse_dumpsys_package((SPYTRAP / "package" / "contacts.txt").read_text())["com.android.contacts"]
    assert contacts.system and contacts.installer is None
    assert "android.permission.READ_CONTACTS" in contacts.granted


@needs_shared()
def test_dumpsys_package_whole_dump_and_samsung() -> None:
    assert set(parse_dumpsys_package(recorded_package_dump())) == {
        "com.android.contacts", "org.fdroid.fdroid", "org.jitsi.meet", "com.android.gpstest.osmdroid", "com.wifi0"}
    samsung = parse_dumpsys_package((MVT_DATA / "dumpsys_packages.txt").read_text())
    assert samsung["com.samsung.android.provider.filterprovider"].system
    assert samsung["com.samsung.android.provider.filterprovider"].uid == 1000


@needs_shared()
def test_dumpsys_package_disabled_state() -> None:
    text = (SPYTRAP / "package" / "jitsi.txt").read_text().replace(" enabled=0 ", " enabled=3 ", 1)
    assert not parse_dumpsys_package(text)["org.jitsi.meet"].enabled


@needs_shared()
def test_accessibility_aosp_style() -> None:
    assert parse_accessibility((SPYTRAP / "accessibility" / "spylive360.txt").read_text()) == [
        ("com.wifi0", "com.wifi0/com.wifi0.AccessibilityReceiver4")]
    assert parse_accessibility((SPYTRAP / "accessibility" / "plain.txt").read_text()) == []
    assert parse_accessibility((SPYTRAP / "accessibility" / "plain2.txt").read_text()) == []
    assert parse_accessibility((MVT_DATA / "dumpsys_accessibility_v14_or_later.txt").read_text()) == [
        ("com.malware.accessibility", "com.malware.accessibility/com.malware.service.malwareservice")]


@needs_shared()
def test_accessibility_samsung_block_style() -> None:
    text = (MVT_DATA / "dumpsys_accessibility.txt").read_text()
    # Installed services are listed but none is enabled: nothing counts.
    assert parse_accessibility(text) == []
    talkback = "com.samsung.accessibility/com.samsung.android.app.talkback.TalkBackService"
    enabled = text.replace("  enabled services: {\n",
                           f"  enabled services: {{\n    0 : {talkback}\n    1 : com.wifi0/.AccessibilityReceiver4\n")
    assert parse_accessibility(enabled) == [
        ("com.samsung.accessibility", talkback), ("com.wifi0", "com.wifi0/com.wifi0.AccessibilityReceiver4")]


def test_accessibility_several_inline() -> None:
    line = "     Enabled services:{{com.a.b/.S}, {org.c.d/org.c.d.T}}"
    assert [p for p, _ in parse_accessibility(line)] == ["com.a.b", "org.c.d"]


def test_device_policy_admins_and_owners() -> None:
    text = DEVICE_POLICY + (
        "  Device Owner: \n    admin=ComponentInfo{com.example.mdm/com.example.mdm.Receiver}\n"
        "    name=Example\n    package=com.example.mdm\n    User ID: 0\n\n"
        "  Profile Owner (User 10): \n    admin=ComponentInfo{com.google.android.apps.work.clouddpc/.receivers.X}\n"
        "    name=Android Device Policy\n    package=com.google.android.apps.work.clouddpc\n"
        "  Enabled Device Admins (User 10, provisioningState: 3):\n"
        "    com.google.android.apps.work.clouddpc/.receivers.X:\n      uid=1010123\n"
        "  mSomething=com.evil.notanadmin/.Fake:\n")
    entries = {(e.role, e.package, e.user) for e in parse_device_policy(text)}
    assert entries == {("device-admin", "com.wifi0", 0), ("device-owner", "com.example.mdm", 0),
                       ("profile-owner", "com.google.android.apps.work.clouddpc", 10),
                       ("device-admin", "com.google.android.apps.work.clouddpc", 10)}


def test_pm_list_packages_paths_with_equals_and_null_installer() -> None:
    text = ("package:/data/app/~~V5jud4ex5-s8L3x2B4lvUA==/com.wifi0-q-C29yRZYy55N91XTD2EoA==/base.apk=com.wifi0 "
            "installer=com.android.packageinstaller uid:10155\n"
            "package:com.whatsapp installer=null uid:10271\npackage:org.example\nnoise\npackage:bad id\n")
    listed = {p.package: p for p in parse_packages_list(text)}
    assert listed["com.wifi0"].apk_path.endswith("==/base.apk") and listed["com.wifi0"].uid == 10155
    assert listed["com.wifi0"].installer == "com.android.packageinstaller"
    assert listed["com.whatsapp"].installer == ""
    assert listed["org.example"].installer is None
    assert set(listed) == {"com.wifi0", "com.whatsapp", "org.example", "bad"}


@needs_shared()
def test_settings_and_component_lists() -> None:
    settings = parse_settings((ANDROIDQF / "settings_random.txt").read_text())
    assert settings["package_verifier_enable"] == "1" and settings["navigationbar_recently_used_color"] == ""
    assert parse_settings("a=b=c\n")["a"] == "b=c"
    assert parse_component_list("com.a/.B:com.c/com.c.D:junk:") == [
        ("com.a", "com.a/com.a.B"), ("com.c", "com.c/com.c.D")]


@needs_shared()
def test_getprop_and_ps() -> None:
    props = parse_getprop((ANDROIDQF / "getprop.txt").read_text())
    assert props["dalvik.vm.heapgrowthlimit"] == "128m"
    assert basics({"ro.product.model": "Pixel 3a", "ro.build.version.security_patch": "2021-12-05"}) == {
        "model": "Pixel 3a", "security patch level": "2021-12-05"}
    rows = parse_ps((MVT_DATA / "ps.txt").read_text())
    assert rows[0].name == "init" and rows[0].pid == 1 and rows[0].user == "root"
    assert len(rows) == 17
    assert parse_processes_json([{"pid": 5, "filename": "(com.wifi0)", "command_line": []}])[0].name == "com.wifi0"


@needs_shared()
def test_androidqf_dumpsys_sections() -> None:
    text = (ANDROIDQF / "dumpsys.txt").read_text(errors="replace")
    sections = split_dumpsys(text)
    assert {"accessibility", "package", "appops", "adb", "dbinfo", "batterystats", "platform_compat"} <= set(sections)
    assert "com.sec.android.app.DataCreate" in parse_dumpsys_package(sections["package"])
    assert parse_accessibility(sections["accessibility"]) == []


def test_vpn_owner() -> None:
    text = ("NetworkAgentInfo{network{101}  handle{...}  ni{WIFI CONNECTED} nc{[ Transports: WIFI OwnerUid: 1000]}}\n"
            "  NetworkAgentInfo{network{102}  ni{VPN CONNECTED} nc{[ Transports: VPN Capabilities: INTERNET "
            "OwnerUid: 10155 AdminUids: [10155]]}}\n")
    assert parse_vpn_owner_uids(text) == [10155]
