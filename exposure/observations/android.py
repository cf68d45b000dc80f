"""What the Android collectors (adb, a saved dump, androidqf) see on a phone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation


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
