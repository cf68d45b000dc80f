"""What an iPhone backup shows beyond what USB can: links in messages and browsing,
permission grants, Apple's threat notifications and the history of configuration profiles.

Installed apps, configuration profiles, device facts (iOS version, Lockdown Mode) and
process names use the iPhone types of ``exposure.observations.ios``, so an app seen in a
backup and over USB is explained the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation
from exposure.observations.web_host import address_shown, link_host_keys

# Where a link was seen, in English words (the explain layer has them in every language
# under ``artefact.<name>``).
ARTEFACTS: dict[str, str] = {
    "sms": "an SMS",
    "imessage": "an iMessage",
    "safari-history": "Safari's history",
    "safari-tab": "an open Safari tab",
    "chrome-history": "Chrome's history",
    "firefox-history": "Firefox's history",
    "whatsapp": "a WhatsApp message",
    "calendar": "a calendar event",
    "webkit": "the website data an app keeps",
    "website-folder": "the website data an app keeps",
}


def artefact_words(artefact: str) -> str:
    return ARTEFACTS.get(artefact, artefact)


@dataclass(frozen=True, slots=True)
class IosLink(Observation):
    """A link (or a bare web address) found in a message, a browser's history or an open tab."""

    kind = "ios-link"
    host: str
    url: str = ""
    artefact: str = ""  # a key of ARTEFACTS
    sender: str = ""  # who sent the message, as the phone recorded it (messages only)
    app: str = ""  # the app whose web views loaded it (website data), or the browser

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield from link_host_keys(self.host)
        if self.url:
            yield IndicatorKey(IndicatorType.URL, self.url)

    def describe(self) -> str:
        shown = f"link to {address_shown(self.host)} in {artefact_words(self.artefact)}"
        return shown + (f" ({self.app})" if self.app else "")

    def subject(self) -> str:
        return self.host


# TCC services (HomeDomain/Library/TCC/TCC.db, column ``service``) that let an app watch
# a person, with plain names. Location is not in TCC.db: see IosPermission.artefact.
SENSITIVE_SERVICES: dict[str, str] = {
    "kTCCServiceMicrophone": "microphone",
    "kTCCServiceCamera": "camera",
    "kTCCServiceAddressBook": "contacts",
    "kTCCServicePhotos": "photos",
    "kTCCServiceCalendar": "calendar",
    "kTCCServiceReminders": "reminders",
    "kTCCServiceScreenCapture": "screen",
    "kTCCServiceMediaLibrary": "media library",
    "kTCCServiceMotion": "motion and fitness",
    "kTCCServiceBluetoothAlways": "Bluetooth",
    "kTCCServiceSpeechRecognition": "speech recognition",
    "kTCCServiceUserTracking": "tracking across apps",
    "location": "location",
}


@dataclass(frozen=True, slots=True)
class IosPermission(Observation):
    """An app allowed to use something that can watch a person (microphone, camera, location...)."""

    kind = "ios-permission"
    client: str  # the app's bundle id (or a program's path for system services)
    service: str  # a key of SENSITIVE_SERVICES
    grant: str = "allowed"  # "allowed" | "limited" | "always" | "while-using"
    artefact: str = "tcc"  # "tcc" (TCC.db) | "location" (locationd's clients.plist)

    def describe(self) -> str:
        return f"{self.client} may use the {SENSITIVE_SERVICES.get(self.service, self.service)} ({self.grant})"

    def subject(self) -> str:
        return self.client


@dataclass(frozen=True, slots=True)
class IosThreatNotification(Observation):
    """A message with the words of Apple's threat notifications (state-sponsored or mercenary
    spyware attacks), or an imitation of one."""

    kind = "ios-threat-notification"
    excerpt: str  # the matching words, as written in the message
    sender: str = ""
    artefact: str = ""  # "sms" | "imessage"
    has_link: bool = False  # Apple's real notifications never ask to open a link

    def describe(self) -> str:
        return f"a message with the words of an Apple threat notification in {artefact_words(self.artefact)}"

    def subject(self) -> str:
        return "apple-threat-notification"


@dataclass(frozen=True, slots=True)
class IosProfileEvent(Observation):
    """A configuration profile installed or removed, from the phone's own history
    (``MCProfileEvents.plist``); the time is ``first_seen``."""

    kind = "ios-profile-event"
    identifier: str
    operation: str  # "install" | "remove" | what the record says
    process: str = ""  # the program that did it (e.g. the Settings app, an MDM daemon)
    installed_now: bool = False  # whether a profile with this identifier is still installed

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        yield IndicatorKey(IndicatorType.CONFIG_PROFILE, self.identifier)

    def describe(self) -> str:
        return f"configuration profile {self.identifier}: {self.operation}" + (
            f" by {self.process}" if self.process else "")

    def subject(self) -> str:
        return self.identifier
