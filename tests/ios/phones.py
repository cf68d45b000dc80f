"""The phones the iPhone tests read: ISDi's real app list, plus apps and profiles planted here."""

from __future__ import annotations

from tests.ios.fake_iphone import FakePhone, app, config_profile, isdi_apps, provisioning_profile

# A side-loaded helper signed with a developer certificate, and the profile that lets it run.
PLANTED_DEVELOPER = app("com.example.syshelper", "System Helper", "Apple Development: Jane Roe (AB12CD34EF)",
                        team="Q1W2E3R4T5", get_task_allow=True)
DEVELOPER_PROFILE = provisioning_profile("SysHelper Dev", "Q1W2E3R4T5", "Jane Roe",
                                         "Q1W2E3R4T5.com.example.syshelper", devices=3)
# Dual-use apps from the App Store (Echap watchware ios_bundles: Life360, Qustodio).
PLANTED_DUAL_USE = [
    app("com.life360.safetymap", "Life360", "Apple iPhone OS Application Signing", team="3F8MD6TZ3B"),
    app("com.qustodio.par.qustodio-family-parental-control-app", "Qustodio", "Apple iPhone OS Application Signing",
        team="GDD8MR8KN5"),
]
# A company-signed app on a phone that is not a work phone.
PLANTED_ENTERPRISE = app("com.devicecare.agent", "Device Care", "iPhone Distribution: Device Care Ltd",
                         team="Z9Y8X7W6V5", validated=True)
ENTERPRISE_PROFILE = provisioning_profile("Device Care In-House", "Z9Y8X7W6V5", "Device Care Ltd",
                                          "Z9Y8X7W6V5.*", all_devices=True)
ISDI_DEVELOPER_SIGNED = {"com.nianticlabs.pokemongo", "com.tweakmo.TwekMo-Silver", "org.coolstar.electra"}


def planted_phone(**changes: object) -> FakePhone:
    """ISDi's recorded phone with the developer-signed and dual-use apps planted."""
    values: dict[str, object] = {"apps": [*isdi_apps(), PLANTED_DEVELOPER, *PLANTED_DUAL_USE],
                                 "provisioning": [DEVELOPER_PROFILE]} | changes
    return FakePhone(**values)  # type: ignore[arg-type]


MANAGED_PROFILES = {
    "com.example.mdm": config_profile(
        "com.example.mdm", "Device Management", "Example Holdings", "6B3E2C1A-1111-4222-8333-944455556666",
        [("com.apple.mdm", "MDM"), ("com.apple.security.root", "Example Root CA"),
         ("com.apple.proxy.http.global", "Proxy"), ("com.apple.notificationsettings", "Notifications")],
        removal_disallowed=True),
    "com.cafe.wifi": config_profile("com.cafe.wifi", "Cafe Wi-Fi", "Cafe [bold]Bar[/bold]",
                                    "A1A2A3A4-0000-4000-8000-000000000001", [("com.apple.wifi.managed", "Wi-Fi")]),
}
