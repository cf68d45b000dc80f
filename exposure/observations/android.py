"""What the Android collectors (adb, a saved dump, androidqf) see on a phone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation

# Installers that are app stores. Sources: the store apps' own package ids as published by
# Google, Samsung, Huawei, Honor, Xiaomi, OPPO/HeyTap, vivo, Amazon, Tencent, Baidu, 360,
# Meizu and Lenovo; F-Droid and the Aurora/Neo Store clients are open-source stores that
# do not carry stalkerware. ``com.google.android.packageinstaller`` and
# ``com.android.packageinstaller`` are NOT stores: they install an APK file the person (or
# someone else) opened, which is how stalkerware is installed (MVT flags them as well,
# formats.md §4; spytrap-adb's SpyLive360 recording shows com.android.packageinstaller).
KNOWN_STORES: frozenset[str] = frozenset({
    "com.android.vending",  # Google Play
    "com.google.android.feedback",  # Google Play on old Android versions
    "com.sec.android.app.samsungapps",  # Samsung Galaxy Store
    "com.huawei.appmarket",  # Huawei AppGallery
    "com.hihonor.appmarket",  # Honor App Market
    "com.xiaomi.market", "com.xiaomi.mipicks",  # Xiaomi GetApps / Mi Market
    "com.oppo.market", "com.heytap.market",  # OPPO / OnePlus / realme
    "com.bbk.appstore", "com.vivo.appstore",  # vivo
    "com.amazon.venezia",  # Amazon Appstore
    "com.tencent.android.qqdownloader",  # Tencent MyApp (应用宝)
    "com.baidu.appsearch",  # Baidu mobile assistant
    "com.qihoo.appstore",  # 360 mobile assistant
    "com.meizu.mstore",  # Meizu App Store
    "com.lenovo.leos.appstore",  # Lenovo
    "org.fdroid.fdroid", "org.fdroid.basic",  # F-Droid
    "com.aurora.store", "com.machiav3lli.fdroid",  # Aurora Store, Neo Store
})

# Installers that install an APK file (opened from a browser, a file manager or a
# message) or over USB (``adb install`` runs as com.android.shell). An app installed by one
# of these is reported even if it is marked as a system app: a system app's update
# should come from a store or an over-the-air update (MVT does the same, formats.md §4).
APK_INSTALLERS: frozenset[str] = frozenset({
    "com.google.android.packageinstaller", "com.android.packageinstaller",
    "com.samsung.android.packageinstaller", "com.miui.packageinstaller", "com.android.shell",
})


def installed_outside_store(installer: str, system: bool) -> bool:
    """Whether an app came from an APK file or an unknown installer rather than a store."""
    return installer in APK_INSTALLERS or (not system and installer not in KNOWN_STORES)


@dataclass(frozen=True, slots=True)
class AndroidPackage(Observation):
    """An installed app."""

    kind = "android-package"
    package: str
    label: str = ""
    installer: str = ""  # "" when unknown or none
    uid: int | None = None
    system: bool = False
    enabled: bool = True
    version: str = ""
    first_install: str = ""  # as the phone printed it
    requested_permissions: tuple[str, ...] = ()
    granted_permissions: tuple[str, ...] = ()
    cert_sha1: tuple[str, ...] = ()
    cert_sha256: tuple[str, ...] = ()
    cert_md5: tuple[str, ...] = ()
    apk_sha256: tuple[str, ...] = ()
    apk_paths: tuple[str, ...] = ()

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.PACKAGE, self.package)
        for value in self.cert_sha1:
            yield IndicatorKey(IndicatorType.CERT_SHA1, value)
        for value in self.cert_sha256:
            yield IndicatorKey(IndicatorType.CERT_SHA256, value)
        for value in self.cert_md5:
            yield IndicatorKey(IndicatorType.CERT_MD5, value)
        for value in self.apk_sha256:
            yield IndicatorKey(IndicatorType.FILE_SHA256, value)

    def describe(self) -> str:
        return f"installed app {self.package}" + (f" ({self.label})" if self.label else "")

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidComponent(Observation):
    """A privileged component that is switched on: an accessibility service, a device
    administrator, a notification listener, a device or profile owner, a VPN."""

    kind = "android-component"
    role: str  # "accessibility" | "device-admin" | "notification-listener" | "device-owner"
    #            | "profile-owner" | "vpn" | "always-on-vpn"
    package: str
    component: str = ""  # pkg/.Class
    owner_is_system: bool | None = None  # None when unknown

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.PACKAGE, self.package)

    def describe(self) -> str:
        words = {
            "accessibility": "accessibility service (can read the screen and act on it)",
            "device-admin": "device administrator",
            "notification-listener": "notification reader",
            "device-owner": "device owner (full management)",
            "profile-owner": "profile owner (management)",
            "vpn": "active VPN",
            "always-on-vpn": "always-on VPN",
        }
        return f"{words.get(self.role, self.role)}: {self.component or self.package}"

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidSetting(Observation):
    """A setting or property read from the phone (settings, getprop)."""

    kind = "android-setting"
    namespace: str  # "secure" | "global" | "system" | "getprop"
    key: str
    value: str

    def describe(self) -> str:
        return f"{self.namespace} setting {self.key} = {self.value}"

    def subject(self) -> str:
        return f"{self.namespace}:{self.key}"


@dataclass(frozen=True, slots=True)
class AndroidProcess(Observation):
    """A process running on the phone."""

    kind = "android-process"
    name: str
    pid: int | None = None
    user: str = ""
    path: str = ""

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.PROCESS, self.name)
        if "." in self.name and "/" not in self.name:
            yield IndicatorKey(IndicatorType.PACKAGE, self.name.split(":")[0])

    def describe(self) -> str:
        return f"running process {self.name}"

    def subject(self) -> str:
        return self.name.split(":")[0]


@dataclass(frozen=True, slots=True)
class AndroidFile(Observation):
    """A file on the phone with its hashes (androidqf files.json, root binaries)."""

    kind = "android-file"
    path: str
    sha256: str = ""
    sha1: str = ""
    md5: str = ""
    note: str = ""  # e.g. "root binary"

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.FILE_PATH, self.path)
        if self.sha256:
            yield IndicatorKey(IndicatorType.FILE_SHA256, self.sha256)
        if self.sha1:
            yield IndicatorKey(IndicatorType.FILE_SHA1, self.sha1)
        if self.md5:
            yield IndicatorKey(IndicatorType.FILE_MD5, self.md5)

    def describe(self) -> str:
        return f"file {self.path}"

    def subject(self) -> str:
        return self.path
