"""What the iPhone collectors (USB, a saved folder, the phone's own traffic) see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from exposure.model import IndicatorKey, IndicatorType, Observation
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate

# How an app came onto the phone, from who signed it (research/iphone.md "Signing").
SYSTEM = "system"  # part of iOS
APP_STORE = "app-store"  # signed by Apple for the App Store (or TestFlight)
DEVELOPER = "developer"  # a developer certificate: installed from a computer, for a handful of phones
ENTERPRISE = "enterprise"  # a company (distribution) certificate: can go on any phone
OUTSIDE_STORE = "outside-store"  # needed a provisioning profile, signer not said
UNKNOWN = "unknown"  # the phone did not say
# A backup's list of apps holds no App Store record (iTunesMetadata, DRM info) for it,
# though it does for others: likely installed from outside the App Store (or TestFlight).
NO_STORE_RECORD = "no-store-record"
NOT_FROM_STORE = frozenset({DEVELOPER, ENTERPRISE, OUTSIDE_STORE})


@dataclass(frozen=True, slots=True)
class IosApp(Observation):
    """An installed app, as the installation proxy lists it."""

    kind = "ios-app"
    bundle_id: str
    name: str = ""
    version: str = ""
    app_type: str = ""  # "System", "User", ...
    signer: str = ""  # SignerIdentity as the phone gives it
    signing: str = UNKNOWN  # one of the constants above
    team_id: str = ""
    app_identifier: str = ""  # the application-identifier entitlement (TEAM.bundle)

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        # iPhone ids only: an Android id that looks the same is another app (docs/profiles.md).
        yield IndicatorKey(IndicatorType.IOS_BUNDLE, self.bundle_id)
        # Some lists (ISDi's App Store ids) write the App ID prefix too: "TEAMID.bundle".
        if self.app_identifier and self.app_identifier.lower() != self.bundle_id.lower():
            yield IndicatorKey(IndicatorType.IOS_BUNDLE, self.app_identifier)

    def describe(self) -> str:
        return f"installed app {self.bundle_id}" + (f" ({self.name})" if self.name else "")

    def subject(self) -> str:
        return self.bundle_id


@dataclass(frozen=True, slots=True)
class IosProvisioningProfile(Observation):
    """A provisioning profile: what lets apps from outside the App Store run on the phone."""

    kind = "ios-provisioning-profile"
    uuid: str
    name: str = ""
    team: str = ""
    team_id: str = ""
    app_identifier: str = ""
    expires: str = ""  # ISO date
    all_devices: bool = False  # ProvisionsAllDevices: an enterprise (in-house) profile
    device_count: int = 0  # phones a development or ad-hoc profile is limited to
    development: bool = False  # get-task-allow: a development profile

    def describe(self) -> str:
        return f"provisioning profile {self.name or self.uuid}" + (f" (team {self.team})" if self.team else "")

    def subject(self) -> str:
        return self.uuid


@dataclass(frozen=True, slots=True)
class IosConfigProfile(Observation):
    """A configuration profile and the kinds of settings (payloads) it carries."""

    kind = "ios-config-profile"
    identifier: str
    uuid: str = ""
    name: str = ""
    organization: str = ""
    description: str = ""
    removal_disallowed: bool = False
    payload_types: tuple[str, ...] = ()  # "com.apple.mdm", "com.apple.vpn.managed", ...
    payload_names: tuple[str, ...] = ()

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        if self.uuid:
            yield IndicatorKey(IndicatorType.CONFIG_PROFILE, self.uuid)
        yield IndicatorKey(IndicatorType.CONFIG_PROFILE, self.identifier)

    def describe(self) -> str:
        return f"configuration profile {self.name or self.identifier}"

    def subject(self) -> str:
        return self.identifier


@dataclass(frozen=True, slots=True)
class IosFact(Observation):
    """One fact about the phone: iOS version, supervision, Wi-Fi sync, Developer Mode..."""

    kind = "ios-fact"
    key: str
    value: str

    def describe(self) -> str:
        return f"{self.key} = {self.value}"

    def subject(self) -> str:
        return f"{self.source}:{self.key}"


@dataclass(frozen=True, slots=True)
class IosProcess(Observation):
    """A process name: running now, named by a crash report, or recorded by a backup's
    network-usage or interaction records (``origin``), with the app it belongs to when known."""

    kind = "ios-process"
    name: str
    pid: int | None = None
    origin: str = "running"  # "running" | "crash-report" | "network-usage" | "interactions"
    bundle_id: str = ""  # the app behind the process, when the record says (backups)

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        if self.name:
            yield IndicatorKey(IndicatorType.PROCESS, self.name)
        # Apple's own apps are judged from the app list (as over USB), not from every
        # record that names them: Find My in data usage is not a dual-use app someone added.
        if self.bundle_id and not self.bundle_id.startswith("com.apple."):
            yield IndicatorKey(IndicatorType.IOS_BUNDLE, self.bundle_id)

    def describe(self) -> str:
        shown = self.name or self.bundle_id
        if self.origin == "crash-report":
            return f"crash report of {shown}"
        if self.origin == "network-usage":
            return f"{shown} used the network (data-usage records)" + (
                f" ({self.bundle_id})" if self.name and self.bundle_id else "")
        if self.origin == "interactions":
            return f"{shown} appears in the phone's interaction records"
        return f"running process {shown}"

    def subject(self) -> str:
        return self.bundle_id or self.name


# -- the phone's own traffic, each item labelled by the processes that made it (pcapd) -----

def _by(processes: tuple[str, ...]) -> str:
    return f" (by {', '.join(processes)})" if processes else ""


@dataclass(frozen=True, slots=True)
class AppDnsQuery(DnsQuery):
    processes: tuple[str, ...] = field(default=(), kw_only=True)

    def describe(self) -> str:
        return DnsQuery.describe(self) + _by(self.processes)


@dataclass(frozen=True, slots=True)
class AppServerName(ServerName):
    processes: tuple[str, ...] = field(default=(), kw_only=True)

    def describe(self) -> str:
        return ServerName.describe(self) + _by(self.processes)


@dataclass(frozen=True, slots=True)
class AppTlsCertificate(TlsCertificate):
    processes: tuple[str, ...] = field(default=(), kw_only=True)

    def describe(self) -> str:
        return TlsCertificate.describe(self) + _by(self.processes)


@dataclass(frozen=True, slots=True)
class AppFlow(Flow):
    processes: tuple[str, ...] = field(default=(), kw_only=True)

    def describe(self) -> str:
        return Flow.describe(self) + _by(self.processes)
