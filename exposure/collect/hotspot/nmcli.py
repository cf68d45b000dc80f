"""NetworkManager through its command-line client, ``nmcli``: the few calls a temporary Wi-Fi
access point needs, and the parsing of their terse answers.

Every call has a time limit, runs in the C locale (the answers are parsed), and a failure is
an :class:`NmcliError` with nmcli's own first line. Terse output (``-t``) separates fields
with ``:`` and escapes a ``:`` or ``\\`` inside a value with a backslash.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from exposure.errors import UserError

NMCLI = "nmcli"
TIMEOUT = 30.0
HOTSPOT_TIMEOUT = 60.0  # bringing an access point up can take a while on slow cards
NOT_RUNNING = 8  # nmcli's exit status when NetworkManager is not running (nmcli(1), EXIT STATUS)
_ACTIVATED = re.compile(r"successfully activated with '([0-9A-Fa-f-]{36})'")


class NmcliError(UserError):
    """nmcli is missing, failed or did not answer in time (the message says which)."""


@dataclass(frozen=True, slots=True)
class WifiDevice:
    name: str  # the interface, e.g. wlan0
    state: str  # connected, disconnected, unavailable...
    connection: str  # the active connection's name, "" when none


@dataclass(frozen=True, slots=True)
class ActiveConnection:
    uuid: str
    name: str


def run(args: list[str], timeout: float = TIMEOUT) -> str:
    """``nmcli ARGS``'s standard output, or NmcliError."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        done = subprocess.run([NMCLI, *args], capture_output=True, text=True, timeout=timeout, env=env,
                              check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise NmcliError("NetworkManager's nmcli is not installed", key="error.hotspot.no-nmcli") from None
    except subprocess.TimeoutExpired:
        raise NmcliError(f"nmcli did not answer within {timeout:g} s", key="error.hotspot.nmcli-slow",
                         seconds=f"{timeout:g}") from None
    except OSError as exc:
        raise NmcliError(f"nmcli could not be run: {exc.strerror or exc}", key="error.hotspot.nmcli-failed",
                         problem=exc.strerror or exc) from None
    if done.returncode == NOT_RUNNING:
        raise NmcliError("NetworkManager is not running", key="error.hotspot.nm-not-running")
    if done.returncode != 0:
        said = next((line.strip().rstrip(".") for line in done.stderr.splitlines() if line.strip()), "") or (
            f"exit code {done.returncode}")
        raise NmcliError(f"nmcli failed: {said}", key="error.hotspot.nmcli-failed", problem=said)
    return done.stdout


def fields(line: str) -> list[str]:
    """The fields of one terse line (``\\:`` and ``\\\\`` are a ``:`` and a ``\\`` in a value)."""
    out, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return out


def running() -> bool:
    """Whether NetworkManager runs (nmcli answers ``running``; it exits with 8 when not)."""
    try:
        return run(["-t", "-f", "RUNNING", "general"]).strip() == "running"
    except NmcliError as exc:
        if exc.key == "error.hotspot.nm-not-running":
            return False
        raise


def wifi_devices() -> list[WifiDevice]:
    """The Wi-Fi interfaces NetworkManager manages."""
    out = []
    for line in run(["-t", "-f", "DEVICE,TYPE,STATE,CONNECTION", "device", "status"]).splitlines():
        parts = fields(line)
        if len(parts) >= 4 and parts[1] == "wifi":
            out.append(WifiDevice(parts[0], parts[2], parts[3] if parts[3] != "--" else ""))
    return out


def can_host(device: str) -> bool:
    """Whether the card behind ``device`` can be an access point (its AP property)."""
    for line in run(["-t", "-f", "WIFI-PROPERTIES", "device", "show", device]).splitlines():
        parts = fields(line)
        if len(parts) == 2 and parts[0] == "WIFI-PROPERTIES.AP":
            return parts[1].strip().lower() == "yes"
    return False


def active_on(device: str) -> ActiveConnection | None:
    """The connection active on ``device`` now (the Wi-Fi network it is joined to), if any."""
    for line in run(["-t", "-f", "UUID,NAME,DEVICE", "connection", "show", "--active"]).splitlines():
        parts = fields(line)
        if len(parts) == 3 and parts[2] == device:
            return ActiveConnection(parts[0], parts[1])
    return None


def radio_on() -> bool:
    return run(["radio", "wifi"]).strip() == "enabled"


def set_radio(on: bool) -> None:
    run(["radio", "wifi", "on" if on else "off"])


def start_hotspot(device: str, name: str, ssid: str, password: str) -> str:
    """Create and activate an access point on ``device``; returns its connection's UUID."""
    said = run(["-w", f"{HOTSPOT_TIMEOUT - 10:g}", "device", "wifi", "hotspot", "ifname", device, "con-name", name,
                "ssid", ssid, "password", password], timeout=HOTSPOT_TIMEOUT)
    found = _ACTIVATED.search(said)
    if found:
        return found.group(1)
    return uuid_of(name)  # an nmcli that words it differently


def uuid_of(name: str) -> str:
    """The UUID of the connection profile named ``name`` ("" when there is none)."""
    for line in run(["-t", "-f", "UUID,NAME", "connection", "show"]).splitlines():
        parts = fields(line)
        if len(parts) == 2 and parts[1] == name:
            return parts[0]
    return ""


def down(uuid: str) -> None:
    run(["connection", "down", "uuid", uuid])


def delete(uuid: str) -> None:
    run(["connection", "delete", "uuid", uuid])


def up(uuid: str, wait: bool = True) -> None:
    """Activate a connection; without ``wait``, only ask for it (``-w 0``: nmcli does not wait)."""
    run(["-w", f"{TIMEOUT - 5:g}" if wait else "0", "connection", "up", "uuid", uuid])
