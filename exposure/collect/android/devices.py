"""``adb devices -l``: which phones are connected, and one line of guidance per state."""

from __future__ import annotations

from dataclasses import dataclass

from exposure.errors import UserError

NO_DEVICE = ("no Android phone found: connect the phone with a USB cable, unlock it, "
             "and turn on USB debugging in Developer options")
UNAUTHORIZED = ("the phone {serial} has not allowed this computer yet: unlock the phone and accept "
                "the 'Allow USB debugging?' prompt, then run the check again")
OFFLINE = ("the phone {serial} is offline: unplug and replug the cable; if that does not help, "
           "restart adb on this computer with `adb kill-server` and try again")
NO_PERMISSIONS = ("this computer is not allowed to open the phone {serial} over USB: on Debian/Ubuntu install "
                  "the package android-sdk-platform-tools-common (USB rules), then unplug and replug the phone")
WRONG_MODE = ("the phone {serial} is in {state} mode: start it normally, unlock it, and run the check again")
SEVERAL = "several Android phones are connected ({serials}): choose one with --android SERIAL"
NOT_CONNECTED = "no phone with serial {serial} is connected (connected: {serials})"


@dataclass(frozen=True, slots=True)
class Device:
    serial: str
    state: str  # "device", "unauthorized", "offline", "no" (no permissions), "recovery"...
    model: str = ""


def parse_devices(text: str) -> list[Device]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("*", "List of devices", "adb server", "daemon")):
            continue
        parts = line.split()
        if len(parts) < 2:
            continue
        model = next((p[len("model:"):] for p in parts[2:] if p.startswith("model:")), "")
        out.append(Device(parts[0], parts[1], model))
    return out


def choose(devices: list[Device], wanted: str) -> Device:
    """The device to read, or a UserError with one line saying what to do."""
    serials = ", ".join(d.serial for d in devices) or "none"
    if not devices:
        raise UserError(NO_DEVICE, key="error.android.no-device")
    if wanted:
        chosen = next((d for d in devices if d.serial == wanted), None)
        if chosen is None:
            raise UserError(NOT_CONNECTED.format(serial=wanted, serials=serials), key="error.android.not-connected",
                            serial=wanted, serials=serials)
    elif len(devices) > 1:
        raise UserError(SEVERAL.format(serials=serials), key="error.android.several", serials=serials)
    else:
        chosen = devices[0]
    state = chosen.state
    if state == "device":
        return chosen
    if state in ("unauthorized", "authorizing"):
        raise UserError(UNAUTHORIZED.format(serial=chosen.serial), key="error.android.unauthorized",
                        serial=chosen.serial)
    if state in ("offline", "connecting"):
        raise UserError(OFFLINE.format(serial=chosen.serial), key="error.android.offline", serial=chosen.serial)
    if state == "no":
        raise UserError(NO_PERMISSIONS.format(serial=chosen.serial), key="error.android.no-permissions",
                        serial=chosen.serial)
    raise UserError(WRONG_MODE.format(serial=chosen.serial, state=state), key="error.android.wrong-mode",
                    serial=chosen.serial, state=state)
