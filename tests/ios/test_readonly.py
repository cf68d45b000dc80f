"""Read-only by construction: every collector, driven through the recording fake phone,
makes only the calls on the allow-list; every destructive call of pymobiledevice3's own
classes is refused before anything reaches the phone."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pymobiledevice3.services.afc import AfcService
from pymobiledevice3.services.crash_reports import CrashReportsManager
from pymobiledevice3.services.installation_proxy import InstallationProxyService
from pymobiledevice3.services.misagent import MisagentService
from pymobiledevice3.services.mobile_config import MobileConfigService

from exposure.collect.ios import readonly, usb
from exposure.collect.ios.readonly import CallRefused
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.fake_iphone import LOCKDOWN, FakeMux, FakePhone, config_profile

Plug = Callable[..., FakeMux]

# What a whole check asks an iPhone that trusts this computer, in order.
EXPECTED_SCAN_CALLS = [
    (LOCKDOWN, "QueryType"), (LOCKDOWN, "GetValue /"), (LOCKDOWN, "StartSession"), (LOCKDOWN, "GetValue /"),
    (LOCKDOWN, "GetValue /"),
    (LOCKDOWN, "StartService com.apple.mobile.installation_proxy"), ("com.apple.mobile.installation_proxy", "Lookup"),
    (LOCKDOWN, "StartService com.apple.misagent"), ("com.apple.misagent", "CopyAll"),
    (LOCKDOWN, "StartService com.apple.mobile.MCInstall"), ("com.apple.mobile.MCInstall", "GetProfileList"),
    (LOCKDOWN, "StartService com.apple.mobile.MCInstall"), ("com.apple.mobile.MCInstall", "GetCloudConfiguration"),
    (LOCKDOWN, "GetValue com.apple.security.mac.amfi/DeveloperModeStatus"),
    (LOCKDOWN, "GetValue com.apple.mobile.wireless_lockdown/EnableWifiConnections"),
    (LOCKDOWN, "GetValue com.apple.mobile.backup/WillEncrypt"),
    (LOCKDOWN, "StartService com.apple.os_trace_relay"), ("com.apple.os_trace_relay", "PidList"),
    (LOCKDOWN, "StartService com.apple.crashreportcopymobile"), ("com.apple.crashreportcopymobile", "AFC 0x3"),
    (LOCKDOWN, "StartService com.apple.afc2"),
]
ALLOWED_ON_PHONE = {
    (LOCKDOWN, c) for c in ("QueryType", "GetValue /", "StartSession", "Pair", "StopSession")
} | {c for c in EXPECTED_SCAN_CALLS} | {(LOCKDOWN, "StartService com.apple.pcapd"),
                                         (LOCKDOWN, "GetValue /DevicePublicKey")}


def test_a_scan_makes_exactly_the_listed_read_calls(plug: Plug) -> None:
    phone = FakePhone()
    plug(phone)
    run_scan(ScanRequest(sources=(SourceSpec("iphone"),), use_feeds=False))
    assert phone.calls == EXPECTED_SCAN_CALLS


def test_every_collector_stays_on_the_allow_list(plug: Plug, tmp_path: Path) -> None:
    from exposure.collect.ios import pcapd
    from tests.ios.test_capture import tls_hello_packet

    phone = FakePhone(trusted=False, pcap_frames=[tls_hello_packet("app.example", "Maps")])
    from tests.ios.test_usb import public_key

    phone.public_key = public_key()
    plug(phone)
    saved = tmp_path / "saved"
    run_scan(ScanRequest(sources=(SourceSpec("iphone", "", (("save", str(saved)),)),), use_feeds=False))
    run_scan(ScanRequest(sources=(SourceSpec("iphone-dump", str(saved)),), use_feeds=False))
    pcapd.record("", tmp_path / "t.pcapng", duration=5, cancel=threading.Event())
    usb.probe()
    assert ("lockdown", "Pair") in phone.calls and ("lockdown", "StartService com.apple.pcapd") in phone.calls
    assert set(phone.calls) <= ALLOWED_ON_PHONE, set(phone.calls) - ALLOWED_ON_PHONE


def _on_phone(plug: Plug, action: Callable[[usb.ReadOnlyLockdown], Any]) -> FakePhone:
    """Run ``action`` on a read-only lockdown session with the fake phone; it must be refused."""
    phone = FakePhone(profiles={"com.example.profile": config_profile(
        "com.example.profile", "Example", "Example Org", "0D0C0B0A-0000-1111-2222-333344445555",
        [("com.apple.mdm", "MDM")])}, crash_files=["Maps-2024-01-02-101010.ips"])
    plug(phone)

    async def go() -> None:
        async with usb.open_lockdown("", pair=True, pair_timeout=0) as lockdown:
            before = list(phone.calls)
            with pytest.raises(CallRefused):
                await action(lockdown)
            sent = phone.calls[len(before):]
            reads = {"Lookup", "GetProfileList", "AFC 0x3", "AFC 0xa"}  # what the destructive methods read first
            assert all(call[1].startswith("StartService") or call[1] in reads for call in sent), sent

    asyncio.run(go())
    return phone


async def _uninstall(lockdown: Any) -> None:
    async with InstallationProxyService(lockdown) as proxy:
        await proxy.uninstall("com.wifi0")


async def _install(lockdown: Any) -> None:
    async with InstallationProxyService(lockdown) as proxy:
        await proxy.send_package("Install", {}, None, "/PublicStaging/x.ipa")


async def _remove_profile(lockdown: Any) -> None:
    async with MobileConfigService(lockdown) as config:
        await config.remove_profile("com.example.profile")


async def _install_profile(lockdown: Any) -> None:
    async with MobileConfigService(lockdown) as config:
        await config.install_profile(b"<plist/>")


async def _erase(lockdown: Any) -> None:
    async with MobileConfigService(lockdown) as config:
        await config.erase_device(preserve_data_plan=True, disallow_proximity_setup=True)


async def _flush_profiles(lockdown: Any) -> None:
    async with MobileConfigService(lockdown) as config:
        await config.flush()


async def _set_cloud(lockdown: Any) -> None:
    async with MobileConfigService(lockdown) as config:
        await config.set_cloud_configuration({"IsSupervised": True})


async def _remove_provisioning(lockdown: Any) -> None:
    async with MisagentService(lockdown) as misagent:
        await misagent.remove("00000000-0000-0000-0000-000000000000")


async def _install_provisioning(lockdown: Any) -> None:
    async with MisagentService(lockdown) as misagent:
        await misagent.install(io.BytesIO(b"profile"))


async def _set_value(lockdown: Any) -> None:
    await lockdown.set_value(True, "com.apple.mobile.wireless_lockdown", "EnableWifiConnections")


async def _remove_value(lockdown: Any) -> None:
    await lockdown.remove_value("com.apple.mobile.backup", "WillEncrypt")


async def _unpair(lockdown: Any) -> None:
    await lockdown.unpair()


async def _recovery(lockdown: Any) -> None:
    await lockdown.enter_recovery()


async def _clear_crashes(lockdown: Any) -> None:
    async with CrashReportsManager(lockdown) as crashes:
        await crashes.clear()


async def _flush_crashes(lockdown: Any) -> None:
    async with CrashReportsManager(lockdown) as crashes:
        await crashes.flush()


async def _sysdiagnose_with_erase(lockdown: Any) -> None:
    async with CrashReportsManager(lockdown) as crashes:
        await crashes.pull(str(Path("/nonexistent")), entry="/x.tar.gz", erase=True, progress_bar=False)


async def _afc_write(lockdown: Any) -> None:
    async with AfcService(lockdown, service_name="com.apple.crashreportcopymobile") as afc:
        await afc.set_file_contents("/x", b"data")


async def _backup_service(lockdown: Any) -> None:
    await lockdown.start_lockdown_service("com.apple.mobilebackup2")


async def _developer_service(lockdown: Any) -> None:
    await lockdown.start_lockdown_developer_service("com.apple.instruments.remoteserver")


async def _escrow(lockdown: Any) -> None:
    await lockdown.start_lockdown_service("com.apple.mobile.installation_proxy", include_escrow_bag=True)


@pytest.mark.parametrize("action", [
    _uninstall, _install, _remove_profile, _install_profile, _erase, _flush_profiles, _set_cloud,
    _remove_provisioning, _install_provisioning, _set_value, _remove_value, _unpair, _recovery, _clear_crashes,
    _flush_crashes, _sysdiagnose_with_erase, _afc_write, _backup_service, _developer_service, _escrow,
], ids=lambda f: f.__name__.lstrip("_"))
def test_destructive_calls_are_refused_before_reaching_the_phone(plug: Plug, action: Any) -> None:
    phone = _on_phone(plug, action)
    names = {call for _, call in phone.calls}
    for refused in ("Uninstall", "Install", "RemoveProfile", "InstallProfile", "EraseDevice", "Flush",
                    "SetCloudConfiguration", "Remove", "SetValue", "RemoveValue", "Unpair", "EnterRecovery"):
        assert refused not in names
    assert not any(call.startswith("AFC") and call not in ("AFC 0x3", "AFC 0xa") for call in names)  # list, stat


def test_rules_refuse_what_is_not_listed() -> None:
    for request in ("SetValue", "RemoveValue", "Unpair", "EnterRecovery", "Activate", "Deactivate", "Goodbye"):
        with pytest.raises(CallRefused):
            readonly.check_lockdown(request, {})
    with pytest.raises(CallRefused):
        readonly.check_lockdown("GetValue", {"Domain": "com.apple.mobile.iTunes"})
    with pytest.raises(CallRefused):
        readonly.check_lockdown("StartService", {"Service": "com.apple.mobile.notification_proxy"})
    for service, message in (("com.apple.mobile.installation_proxy", {"Command": "Uninstall"}),
                             ("com.apple.mobile.installation_proxy", {"Command": "Browse"}),
                             ("com.apple.misagent", {"MessageType": "Remove"}),
                             ("com.apple.mobile.MCInstall", {"RequestType": "EraseDevice"}),
                             ("com.apple.os_trace_relay", {"Request": "StartActivity"}),
                             ("com.apple.pcapd", {"anything": 1}), ("com.apple.afc2", {"Operation": 1})):
        with pytest.raises(CallRefused):
            readonly.check_message(service, message)
    readonly.check_message("com.apple.mobile.MCInstall", {"RequestType": "GetProfileList"})
    readonly.check_lockdown("GetValue", {"Domain": "com.apple.mobile.backup", "Key": "WillEncrypt"})
