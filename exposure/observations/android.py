"""What the Android collectors (adb, a saved dump, androidqf) see on a phone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation
from exposure.observations.web_host import link_host_keys

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


# --- What apps did, and how up to date the phone is (issue 15; exposure/collect/android/activity.py) ---

@dataclass(frozen=True, slots=True)
class AndroidAppOpUse(Observation):
    """What ``dumpsys appops`` recorded for one app and one protected operation: the last
    use, the last use while the app was not on the screen, and for how long.

    ``first_seen``/``last_seen`` span the use the finding is about (in background when there
    was one), in UTC when the phone's time zone is known; the ``*_time`` fields keep the
    phone's own clock as text."""

    kind = "android-app-op"
    package: str
    op: str  # "RECORD_AUDIO"
    resource: str  # "microphone", "camera", "location", "sms", "call-log", "contacts", "screen-capture"
    mode: str = ""  # "allow", "ignore", "deny", "foreground", "default"
    last_time: str = ""  # the phone's clock, "YYYY-MM-DD HH:MM:SS"
    last_state: str = ""  # "top", "fgsvc", "bg"...
    last_duration_s: float | None = None
    background_time: str = ""  # the last use while the app was not on the screen
    background_state: str = ""
    background_duration_s: float | None = None
    running_s: float | None = None  # in use while the phone was read, for this long
    uses: int = 0  # recorded accesses (the last one per process state)

    def describe(self) -> str:
        if self.background_time:
            how = f" for {_short_duration(self.background_duration_s)}" if self.background_duration_s else ""
            return (f"{self.package} used the {self.resource} ({self.op}) while not on the screen, "
                    f"last on {self.background_time}{how}")
        return f"{self.package} used the {self.resource} ({self.op}), last on {self.last_time}"

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidAppUsage(Observation):
    """Network and battery use of one app: ``dumpsys netstats`` (bytes, on screen or not, over
    the days the phone keeps) and ``dumpsys batterystats`` (since the last charge)."""

    kind = "android-app-usage"
    package: str
    uid: int
    sent_background: int | None = None  # bytes, netstats
    received_background: int | None = None
    sent_foreground: int | None = None
    received_foreground: int | None = None
    network_days: float | None = None  # how many days the netstats buckets cover
    battery_sent: int | None = None  # bytes since the last charge, batterystats
    battery_received: int | None = None
    battery_share: float | None = None  # percent of the battery drain the phone computed
    not_on_screen_s: float | None = None  # running while not on screen, since the last charge
    foreground_service_s: float | None = None
    audio_s: float | None = None
    camera_s: float | None = None
    gps_background_s: float | None = None
    since_charge_s: float | None = None

    def describe(self) -> str:
        parts = []
        if self.sent_background is not None:
            parts.append(f"sent {_size(self.sent_background)} while not on the screen"
                         + (f" in {self.network_days:.0f} days" if self.network_days else ""))
        if self.battery_share is not None:
            parts.append(f"{self.battery_share:.1f}% of the battery used since the last charge")
        if self.not_on_screen_s:
            parts.append(f"ran {_short_duration(self.not_on_screen_s)} without being on the screen")
        return f"{self.package}: " + ("; ".join(parts) or "network and battery use")

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidKeyboard(Observation):
    """An input method (keyboard) that is switched on: it sees everything typed."""

    kind = "android-keyboard"
    package: str
    component: str
    in_use: bool = False
    system: bool | None = None
    installer: str = ""

    def describe(self) -> str:
        return f"keyboard {self.component}" + (" (in use)" if self.in_use else " (switched on)")

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidNoIcon(Observation):
    """A third-party app that shows no icon in the app list: it declares no launcher
    activity, or its launcher activities are switched off (``how``: "none" | "switched-off")."""

    kind = "android-no-icon"
    package: str
    how: str

    def describe(self) -> str:
        what = "its icon was switched off" if self.how == "switched-off" else "it has no icon"
        return f"{self.package}: {what} in the app list"

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidAppInstall(Observation):
    """When an app was installed and last updated, and by what (``dumpsys package``), on the
    phone's clock; ``first_seen``/``last_seen`` hold the same in UTC when the zone is known."""

    kind = "android-app-install"
    package: str
    installer: str = ""
    system: bool = False
    installed_time: str = ""
    updated_time: str = ""

    def describe(self) -> str:
        by = f" by {self.installer}" if self.installer else ""
        changed = self.updated_time and self.updated_time != self.installed_time
        updated = f", last updated {self.updated_time}" if changed else ""
        return f"{self.package} installed {self.installed_time}{by}{updated}"

    def subject(self) -> str:
        return self.package


@dataclass(frozen=True, slots=True)
class AndroidSoftware(Observation):
    """The phone's Android version and security patch level, and when it was read."""

    kind = "android-software"
    android_version: str = ""
    sdk: str = ""
    security_patch: str = ""  # "2021-03-01"
    read_on: str = ""  # the phone's date when it was read, "YYYY-MM-DD" ("" when unknown)

    def describe(self) -> str:
        return f"Android {self.android_version or '?'}, security patch {self.security_patch or '?'}"

    def subject(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class AndroidSmsLink(Observation):
    """A web link found in an SMS of an Android backup (``backup.ab``); only the link and
    the message's date are kept, never the message."""

    kind = "android-sms-link"
    url: str
    domain: str
    sent_time: str = ""

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.URL, self.url)
        yield from link_host_keys(self.domain)

    def describe(self) -> str:
        return f"link in an SMS: {self.url}"

    def subject(self) -> str:
        return self.domain or self.url


def _short_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
