"""The raw answers of an iPhone (``answers.py``) → typed records. Everything here is
untrusted text from a phone or a saved folder: wrong types are skipped, strings capped."""

from __future__ import annotations

import plistlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exposure.collect.ios.answers import Answer
from exposure.collect.ios.models import MODEL_NAME, model_name
from exposure.observations import ios as O
from exposure.untrusted import load_json

MAX_ANSWER = 16 * 1024 * 1024  # as dump.MAX_FILE: a real answer is under 1 MiB
MAX_TEXT = 300
APP_STORE_SIGNER = "Apple iPhone OS Application Signing"
_DEVELOPER_SIGNERS = ("iPhone Developer:", "Apple Development:")
_DISTRIBUTION_SIGNERS = ("iPhone Distribution:", "Apple Distribution:")
# "Name-2019-03-01-101010.ips", "ExcUserFault_Name-2024-…", "Name.cpu_resource-2024-….ips"
_CRASH_NAME = re.compile(
    r"^(?:[A-Za-z]+_)?(?P<name>.+?)(?:\.[a-z_]+)?-\d{4}-\d{2}-\d{2}-\d{6}(?:\.[0-9]+)?\.[A-Za-z]+$")
# Reports that name no process (memory pressure, stack shots, panics) and folders.
_NOT_PROCESSES = frozenset({"JetsamEvent", "LowBatteryLog", "stacks", "panic-full", "panic-base", "SiriSearchFeedback",
                            "Stacks", "ResetCounter", "WiFiLQMMetrics", "xp_amp_app_usage_dnu", "log-aggregated"})


class BadAnswer(Exception):
    """An answer that cannot be decoded (a damaged or edited file)."""


def load(answer: Answer, data: bytes) -> object:
    if len(data) > MAX_ANSWER:
        raise BadAnswer(f"larger than {MAX_ANSWER // (1024 * 1024)} MiB")
    try:
        if answer.suffix == ".json":
            return load_json(data.decode("utf-8"))
        return plistlib.loads(data)
    # A damaged plist makes plistlib raise almost anything (expat's ExpatError, IndexError,
    # struct.error... found by the fuzz suite); none of it may end the scan.
    except Exception as exc:
        raise BadAnswer(f"not a valid {answer.suffix[1:]} file ({type(exc).__name__})") from None


def text(value: object, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: object) -> Iterator[Mapping[str, Any]]:
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
    for item in items:
        if isinstance(item, Mapping):
            yield item


def device_details(values: object) -> dict[str, str]:
    """Model (its code, and its name when known) and iOS version for the report; never the
    phone's own name ("Sara's iPhone"): it often holds a person's name, and a report is shared."""
    if not isinstance(values, Mapping):
        return {}
    out = {}
    for key, label in (("ProductType", "model"), ("ProductVersion", "iOS version"), ("BuildVersion", "iOS build")):
        if text(values.get(key)):
            out[label] = text(values.get(key), 40)
    if model_name(out.get("model", "")):
        out[MODEL_NAME] = model_name(out["model"])
    return out


def signing(app: Mapping[str, Any]) -> str:
    """How the app came onto the phone, from who signed it and what vouched for it."""
    if text(app.get("ApplicationType")) == "System":
        return O.SYSTEM
    signer = text(app.get("SignerIdentity"))
    entitlements = _map(app.get("Entitlements"))
    if signer.startswith(_DEVELOPER_SIGNERS) or entitlements.get("get-task-allow") is True:
        return O.DEVELOPER
    if signer.startswith(_DISTRIBUTION_SIGNERS):
        return O.ENTERPRISE
    if app.get("ProfileValidated") is True:
        return O.OUTSIDE_STORE  # it needed a provisioning profile: App Store apps do not
    if signer == APP_STORE_SIGNER:
        return O.APP_STORE
    return O.OUTSIDE_STORE if signer else O.UNKNOWN


def apps(value: object, collector: str, source: str) -> Iterator[O.IosApp]:
    seen: set[str] = set()
    for app in _dicts(value):
        bundle = text(app.get("CFBundleIdentifier"), 255)
        if not bundle or bundle in seen:
            continue
        seen.add(bundle)
        entitlements = _map(app.get("Entitlements"))
        yield O.IosApp(collector, source, bundle,
                       name=text(app.get("CFBundleDisplayName")) or text(app.get("CFBundleName")),
                       version=text(app.get("CFBundleShortVersionString"), 60) or text(app.get("CFBundleVersion"), 60),
                       app_type=text(app.get("ApplicationType"), 40), signer=text(app.get("SignerIdentity")),
                       signing=signing(app), team_id=text(entitlements.get("com.apple.developer.team-identifier"), 40),
                       app_identifier=text(entitlements.get("application-identifier")))


def _embedded_plist(blob: bytes) -> Mapping[str, Any] | None:
    """The XML plist inside a signed provisioning profile (CMS around the plist text)."""
    start = blob.find(b"<?xml")
    end = blob.find(b"</plist>", start)
    if start < 0 or end < 0:
        return None
    try:
        found = plistlib.loads(blob[start:end + len(b"</plist>")])
    except Exception:  # see load(): a damaged plist raises almost anything
        return None
    return found if isinstance(found, Mapping) else None


def _date(value: object) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else ""


def provisioning_profiles(value: object, collector: str, source: str) -> Iterator[O.IosProvisioningProfile]:
    for blob in value if isinstance(value, list) else ():
        if not isinstance(blob, bytes):
            continue
        plist = _embedded_plist(blob)
        if plist is None:
            continue
        entitlements = _map(plist.get("Entitlements"))
        teams = _list(plist.get("TeamIdentifier"))
        devices = plist.get("ProvisionedDevices")
        yield O.IosProvisioningProfile(
            collector, source, text(plist.get("UUID"), 80) or "?", name=text(plist.get("Name")),
            team=text(plist.get("TeamName")), team_id=next((text(t, 40) for t in teams if text(t)), ""),
            app_identifier=text(entitlements.get("application-identifier")), expires=_date(plist.get("ExpirationDate")),
            all_devices=plist.get("ProvisionsAllDevices") is True,
            device_count=len(devices) if isinstance(devices, list) else 0,
            development=entitlements.get("get-task-allow") is True)


def config_profiles(value: object, collector: str, source: str) -> Iterator[O.IosConfigProfile]:
    if not isinstance(value, Mapping):
        return
    metadata = _map(value.get("ProfileMetadata"))
    order = [text(i, 255) for i in _list(value.get("OrderedIdentifiers")) if text(i)]
    for identifier in dict.fromkeys([*order, *(text(k, 255) for k in metadata if text(k))]):
        meta = _map(metadata.get(identifier))
        payloads = list(_dicts(_list(meta.get("PayloadContent"))))
        types = [text(p.get("PayloadType"), 120) for p in payloads]
        names = [text(p.get("PayloadDisplayName")) for p in payloads]
        yield O.IosConfigProfile(
            collector, source, identifier, uuid=text(meta.get("PayloadUUID"), 80),
            name=text(meta.get("PayloadDisplayName")), organization=text(meta.get("PayloadOrganization")),
            description=text(meta.get("PayloadDescription")),
            removal_disallowed=meta.get("PayloadRemovalDisallowed") is True,
            payload_types=tuple(dict.fromkeys(t for t in types if t)),
            payload_names=tuple(dict.fromkeys(n for n in names if n)))


@dataclass(frozen=True, slots=True)
class Supervision:
    supervised: bool
    organization: str
    mdm_unremovable: bool


def supervision(value: object) -> Supervision:
    config = _map(value)
    return Supervision(config.get("IsSupervised") is True, text(config.get("OrganizationName")),
                       config.get("IsMDMUnremovable") is True)


def processes(value: object) -> list[tuple[int | None, str]]:
    out = []
    for pid, info in _map(_map(value).get("Payload")).items():
        name = text(_map(info).get("ProcessName"))
        if name:
            out.append((int(pid) if str(pid).isdigit() else None, name))
    return out


def crash_process_names(value: object) -> list[str]:
    """Process names from crash report file names (folders and reports about no process skipped)."""
    names = []
    for entry in value if isinstance(value, list) else ():
        match = _CRASH_NAME.match(text(entry).rsplit("/", 1)[-1])
        if match and match.group("name") not in _NOT_PROCESSES:
            names.append(match.group("name"))
    return list(dict.fromkeys(names))


def afc2_started(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("started") is True


def flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None
