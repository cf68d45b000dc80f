"""Dual-use apps: when a legitimate monitoring app holds more than its stated use needs.

A dual-use app (a family locator, a phone finder, a call recorder, parental control,
remote access) is a low finding on its own: it is named, and its text asks "did you
install this yourself?". It becomes medium when it is *active* (docs/detections.md,
"Dual-use apps", where every threshold below is listed):

* on a phone, it holds a privilege that its kind of app does not need: a family locator
  that reads notifications or SMS, a call recorder that follows the location...; the kind
  is read from the app's name (``KIND_WORDS``); when the name says nothing, it is judged
  as parental control is;
* on a computer, the program is running now (someone may be connected).

An app that is part of the phone's system (preinstalled) is not named at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from exposure.model import Observation, Threat
from exposure.observations.host import HostProcess

# The phone observations are imported by the functions that look for them: a scan of this
# computer never loads them (see exposure.detect.WAITS_FOR).


class Privilege(StrEnum):
    """Powers over a phone that let an app watch its user, as Android reports them (the
    values are codes; their words are ``privilege.<code>`` in explain/texts.yaml)."""

    ACCESSIBILITY = "accessibility"
    NOTIFICATIONS = "notifications"
    DEVICE_ADMIN = "device-admin"
    SMS = "sms"
    CALL_LOG = "call-log"
    MICROPHONE = "microphone"
    LOCATION = "location"


class Kind(StrEnum):
    """Kinds of dual-use app (words: ``dual-use.kind.<code>`` in explain/texts.yaml)."""

    CALL_RECORDER = "call-recorder"
    REMOTE_ACCESS = "remote-access"
    LOCATOR = "locator"
    PARENTAL = "parental"
    OTHER = "other"  # the name does not say: judged as parental control, and no "sold as" sentence


_P = Privilege
# What each kind of app needs for its stated use; anything else it holds makes it "active".
NEEDS: dict[Kind, frozenset[Privilege]] = {
    Kind.CALL_RECORDER: frozenset({_P.MICROPHONE, _P.CALL_LOG, _P.ACCESSIBILITY}),  # a11y: recording since Android 10
    Kind.REMOTE_ACCESS: frozenset({_P.ACCESSIBILITY}),  # to take control of the screen
    Kind.LOCATOR: frozenset({_P.LOCATION, _P.DEVICE_ADMIN}),  # a phone finder locks and wipes a lost phone
    Kind.PARENTAL: frozenset({_P.LOCATION, _P.DEVICE_ADMIN, _P.ACCESSIBILITY}),  # a11y: blocking apps and sites
    Kind.OTHER: frozenset({_P.LOCATION, _P.DEVICE_ADMIN, _P.ACCESSIBILITY}),
}
# Words in the app's name or aliases that tell its kind, checked in this order.
KIND_WORDS: tuple[tuple[Kind, tuple[str, ...]], ...] = (
    (Kind.CALL_RECORDER, ("call record", "callrecord", "call recorder", "record call", "call rec")),
    (Kind.REMOTE_ACCESS, ("remote", "airdroid", "teamviewer", "anydesk", "vnc", "screen shar", "wisemo")),
    (Kind.LOCATOR, ("locator", "locate", "location", "tracker", "tracking", "find my", "finder", "gps",
                    "where is", "life360")),
    (Kind.PARENTAL, ("parent", "kid", "child", "family", "famil", "teen", "screen time", "screentime")),
)
_PERMISSIONS: dict[str, Privilege] = {
    "android.permission.READ_SMS": _P.SMS,
    "android.permission.RECEIVE_SMS": _P.SMS,
    "android.permission.READ_CALL_LOG": _P.CALL_LOG,
    "android.permission.RECORD_AUDIO": _P.MICROPHONE,
    "android.permission.ACCESS_FINE_LOCATION": _P.LOCATION,
    "android.permission.ACCESS_COARSE_LOCATION": _P.LOCATION,
    "android.permission.ACCESS_BACKGROUND_LOCATION": _P.LOCATION,
}
_COMPONENTS: dict[str, Privilege] = {
    "accessibility": _P.ACCESSIBILITY,
    "notification-listener": _P.NOTIFICATIONS,
    "device-admin": _P.DEVICE_ADMIN,
    "device-owner": _P.DEVICE_ADMIN,
    "profile-owner": _P.DEVICE_ADMIN,
}


def kind_of(threat: Threat | None, fallback: str = "") -> Kind:
    """The kind of dual-use app, from its name and aliases (``OTHER`` when they do not say)."""
    words = " ".join([threat.name.get("en"), *threat.aliases] if threat else [fallback]).lower()
    for kind, markers in KIND_WORDS:
        if any(marker in words for marker in markers):
            return kind
    return Kind.OTHER


def privileges(evidence: Iterable[Observation]) -> set[Privilege]:
    """The watching powers an app holds, from its package (granted permissions) and components."""
    from exposure.observations.android import AndroidComponent, AndroidPackage

    held: set[Privilege] = set()
    for obs in evidence:
        if isinstance(obs, AndroidPackage):
            held.update(_PERMISSIONS[p] for p in obs.granted_permissions if p in _PERMISSIONS)
        elif isinstance(obs, AndroidComponent) and obs.role in _COMPONENTS:
            held.add(_COMPONENTS[obs.role])
    return held


def beyond_use(kind: Kind, evidence: Iterable[Observation]) -> list[Privilege]:
    """The privileges held that this kind of app does not need, in a stable order."""
    held = privileges(evidence)
    return [p for p in Privilege if p in held and p not in NEEDS[kind]]


def preinstalled(evidence: Iterable[Observation]) -> bool:
    """The app is part of the phone's system (Android's system apps, iOS's own apps): nobody
    installed it, so it is not named as a dual-use app. Location sharing through such apps
    (Find My, Google's) is in every report's next checks."""
    from exposure.observations.android import AndroidPackage
    from exposure.observations.ios import SYSTEM, IosApp

    return any((isinstance(obs, AndroidPackage) and obs.system)
               or (isinstance(obs, IosApp) and (obs.signing == SYSTEM or obs.app_type.lower() == "system"))
               for obs in evidence)


def running(evidence: Iterable[Observation]) -> bool:
    """A program of the app is running on this computer."""
    return any(isinstance(obs, HostProcess) for obs in evidence)
