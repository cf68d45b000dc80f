"""A temporary Wi-Fi access point on this laptop, and the Wi-Fi state it replaces.

:func:`start` notes how Wi-Fi was (the radio, the connection active on the card), writes that
down in a private recovery file *before* changing anything, then asks NetworkManager for an
access point with a bland name and a random password. :func:`stop` takes it down, deletes its
connection profile (nothing stays in the laptop's list of networks), brings the previous
connection back up and turns the radio off again if it was off. It runs once per access
point, whatever calls it first: the front end when the check ends, an error, Ctrl-C, a signal,
the app's quick exit, or, as a last resort, the interpreter's exit (``atexit``).

If the process is killed outright, the recovery file is still there: the next :func:`start`
(or :func:`recover`) removes the old access point and brings the old connection back first.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from exposure.collect.hotspot import joining, nmcli
from exposure.errors import UserError
from exposure.paths import data_dir

RECOVERY_FILE = "hotspot-state.json"


class HotspotUnavailable(UserError):
    """No temporary access point can be made here (the message says why, in one line)."""


@dataclass(slots=True)
class WifiState:
    """How Wi-Fi was before the access point, and the access point's own profile."""

    device: str
    radio_was_on: bool = True
    previous_uuid: str = ""
    previous_name: str = ""
    hotspot_uuid: str = ""
    hotspot_name: str = ""


@dataclass(slots=True)
class AccessPoint:
    """A running access point: the interface to record, what the phone needs to join."""

    device: str
    ssid: str
    password: str
    state: WifiState
    stopped: bool = False
    problems: list[UserError] = field(default_factory=list)  # what stop() could not undo

    @property
    def qr_payload(self) -> str:
        return joining.wifi_payload(self.ssid, self.password)


_RUNNING: list[AccessPoint] = []
_LOCK = threading.RLock()
_ATEXIT = False


def recovery_path() -> Path:
    return data_dir() / RECOVERY_FILE


def find_device(wanted: str = "") -> str:
    """The Wi-Fi interface to make the access point on, or HotspotUnavailable saying why not."""
    if not sys.platform.startswith("linux"):
        raise HotspotUnavailable("exposure can make a temporary Wi-Fi network only on Linux with NetworkManager",
                                 key="error.hotspot.not-linux")
    try:
        if not nmcli.running():
            raise HotspotUnavailable("NetworkManager is not running", key="error.hotspot.nm-not-running")
        devices = nmcli.wifi_devices()
    except nmcli.NmcliError as exc:
        raise HotspotUnavailable(str(exc), key=exc.key, **dict(exc.params)) from None
    if wanted:
        devices = [d for d in devices if d.name == wanted]
        if not devices:
            raise HotspotUnavailable(f"no Wi-Fi card named {wanted}", key="error.hotspot.no-such-device",
                                     device=wanted)
    if not devices:
        raise HotspotUnavailable("this computer has no Wi-Fi card that NetworkManager manages",
                                 key="error.hotspot.no-wifi")
    for device in devices:
        if device.state != "unavailable" or not wanted:
            with contextlib.suppress(nmcli.NmcliError):
                if nmcli.can_host(device.name):
                    return device.name
    raise HotspotUnavailable(f"the Wi-Fi card ({devices[0].name}) cannot make an access point",
                             key="error.hotspot.no-ap", device=devices[0].name)


def start(device: str) -> AccessPoint:
    """Make the access point on ``device`` (see the module's docstring); HotspotUnavailable
    when NetworkManager refuses, with Wi-Fi put back as it was."""
    recover()  # an earlier run that was killed: its access point goes first
    try:
        previous = nmcli.active_on(device)
        state = WifiState(device, nmcli.radio_on(), previous.uuid if previous else "",
                          previous.name if previous else "")
    except nmcli.NmcliError as exc:
        raise HotspotUnavailable(str(exc), key=exc.key, **dict(exc.params)) from None
    ssid = joining.network_name()
    state.hotspot_name = ssid
    point = AccessPoint(device, ssid, joining.password(), state)
    _save(state)
    _register(point)
    try:
        if not state.radio_was_on:
            nmcli.set_radio(True)
        state.hotspot_uuid = nmcli.start_hotspot(device, ssid, ssid, point.password)
        _save(state)
    except nmcli.NmcliError as exc:
        stop(point)
        raise HotspotUnavailable(f"NetworkManager could not start the Wi-Fi network: {exc}",
                                 key="error.hotspot.start-failed",
                                 problem=dict(exc.params).get("problem", exc)) from None
    except BaseException:
        stop(point)
        raise
    return point


def stop(point: AccessPoint, quick: bool = False) -> list[UserError]:
    """Take the access point down and put Wi-Fi back as it was (once; later calls return the
    same problems). Problems are returned, never raised: each step is tried. ``quick`` (the
    app's quick exit) asks for the previous connection without waiting for it to come up."""
    with _LOCK:
        if point.stopped:
            return point.problems
        point.stopped = True
        point.problems = _undo(point.state, leftover=False, quick=quick)
        if point in _RUNNING:
            _RUNNING.remove(point)
        if not point.problems:
            with contextlib.suppress(OSError):
                recovery_path().unlink()
        return point.problems


def stop_on(device: str) -> None:
    """Stop the access point this process runs on ``device``, if any (the recording on it is over)."""
    with _LOCK:
        for point in [p for p in _RUNNING if p.device == device]:
            stop(point)


def stop_all(quick: bool = False) -> list[UserError]:
    """Stop every access point this process started (quick exit, signals, interpreter exit)."""
    problems: list[UserError] = []
    with _LOCK:
        for point in list(_RUNNING):
            problems += stop(point, quick)
    return problems


@contextlib.contextmanager
def running(device: str) -> Iterator[AccessPoint]:
    """``with running(device) as point:`` the access point lives exactly as long as the block."""
    point = start(device)
    try:
        yield point
    finally:
        stop(point)


def recover() -> list[UserError]:
    """Undo what an earlier run left when it was killed (its recovery file), if anything. The
    file is removed after one try: a network that was since deleted by hand must not block
    every later check."""
    path = recovery_path()
    try:
        raw = json.loads(path.read_text("utf-8"))
        state = WifiState(**{f.name: raw[f.name] for f in dataclasses.fields(WifiState) if f.name in raw})
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            path.unlink()
        return []
    with _LOCK:
        if any(p.state.hotspot_name == state.hotspot_name for p in _RUNNING):
            return []  # ours, still running
        problems = _undo(state, leftover=True)
    with contextlib.suppress(OSError):
        path.unlink()
    return problems


def _undo(state: WifiState, leftover: bool, quick: bool = False) -> list[UserError]:
    problems: list[UserError] = []
    hotspot = state.hotspot_uuid
    if not hotspot and state.hotspot_name:
        with contextlib.suppress(nmcli.NmcliError):
            hotspot = nmcli.uuid_of(state.hotspot_name)
    if hotspot:
        with contextlib.suppress(nmcli.NmcliError):
            nmcli.down(hotspot)  # deleting an active profile takes it down anyway
        try:
            nmcli.delete(hotspot)
        except nmcli.NmcliError as exc:
            if _still_there(hotspot):
                problems.append(UserError(f"the temporary Wi-Fi network {state.hotspot_name} could not be removed "
                                          f"({exc}): remove it in the network settings",
                                          key="error.hotspot.not-removed", name=state.hotspot_name,
                                          problem=dict(exc.params).get("problem", exc)))
    if state.previous_uuid and not (leftover and _connected(state.device)):
        try:
            nmcli.up(state.previous_uuid, wait=not quick)
        except nmcli.NmcliError as exc:
            problems.append(UserError(f"your Wi-Fi connection {state.previous_name} could not be turned back on "
                                      f"({exc}): choose it again in the network menu",
                                      key="error.hotspot.not-restored", name=state.previous_name,
                                      problem=dict(exc.params).get("problem", exc)))
    if not state.radio_was_on:
        try:
            nmcli.set_radio(False)
        except nmcli.NmcliError as exc:
            problems.append(UserError(f"Wi-Fi could not be turned off again ({exc}): turn it off in the network menu",
                                      key="error.hotspot.radio-on", problem=dict(exc.params).get("problem", exc)))
    return problems


def _still_there(uuid: str) -> bool:
    try:
        return any(nmcli.fields(line)[0] == uuid for line in nmcli.run(["-t", "-f", "UUID", "connection", "show"])
                   .splitlines())
    except nmcli.NmcliError:
        return True


def _connected(device: str) -> bool:
    try:
        return nmcli.active_on(device) is not None
    except nmcli.NmcliError:
        return False


def _register(point: AccessPoint) -> None:
    global _ATEXIT
    with _LOCK:
        _RUNNING.append(point)
        if not _ATEXIT:
            atexit.register(stop_all)
            _ATEXIT = True


def _save(state: WifiState) -> None:
    """Write the recovery file (private, replaced whole); a folder that cannot be written only
    means that a killed run could not be undone by the next one."""
    from exposure.files import write_private

    path = recovery_path()
    with contextlib.suppress(OSError, UserError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(asdict(state)).encode("utf-8"), force=True)
