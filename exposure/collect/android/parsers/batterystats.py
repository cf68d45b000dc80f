"""``dumpsys batterystats``: how much each app ran, used the network, the microphone, the
camera and GPS, and how much battery it took, since the phone was last charged.

Shape (AOSP ``BatteryStats.dumpLocked``; the text service prints ``Statistics since last
charge:`` with a two-space prefix, so an app's block starts at four spaces and its lines at
six)::

    Statistics since last charge:
      Time on battery: 1d 2h 3m 4s 5ms (99.9%) realtime, 20h 1m 2s 3ms (77.0%) uptime
      ...
      Estimated power use (mAh):
        Capacity: 3000, Computed drain: 812, actual drain: 780-810
        Uid u0a234: 95.3 ( cpu=40.1 wifi=12.0 ... )        (Android 11 and older)
        UID u0a234: 95.3 fg: 1.2 bg: 94.1 fgs: 0 cached: 0  (Android 12 and later)
      ...
        u0a234:
          Mobile network: 1.23MB received, 45.60MB sent (packets 900 received, 3000 sent)
          Wi-Fi network: 10.00KB received, 512B sent (packets 20 received, 8 sent)
          Audio: 40m 0s 0ms realtime (1 times)
          Camera: 5s 0ms realtime (2 times)
          Sensor GPS: 10m 0s 0ms realtime (4 times), 9m 0s 0ms background (3 times)
          Foreground services: 2h 0m 0s 0ms realtime (1 times)
          Top for: 2m 3s 0ms
          Fg Service for: 2h 0m 0s 0ms
          Background for: 10m 0s 0ms
          Total running: 2h 12m 3s 0ms

App identities are printed as ``UserHandle.formatUid``: ``u0a234`` is uid 10234 of user 0,
``1000`` a system uid. The ``Battery History`` and ``Daily stats`` parts are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exposure.collect.android.parsers.durations import parse_bytes, parse_duration

_SINCE_CHARGE = "Statistics since last charge:"
_UID_BLOCK = re.compile(r"^    (u\d+[asi]\d+|\d+):\s*$")
_NETWORK = re.compile(r"^\s+(Mobile|Wi-Fi) network: (\S+) received, (\S+) sent")
_TIMER = re.compile(r"^\s+(Audio|Camera|Video|Foreground services|Foreground activities): (.*?)\s*realtime")
_GPS = re.compile(r"^\s+Sensor GPS: (.*?)\s*realtime(?:.*?, (.*?)\s*background)?")
_STATE = re.compile(r"^\s+(Top|Fg Service|Foreground|Background|Top Sleeping|Heavy Weight|Cached) for: (.*)$")
_POWER = re.compile(r"^\s+(?:Uid|UID) (u\d+[asi]\d+|\d+): ([0-9]+(?:\.[0-9]+)?)")
_DRAIN = re.compile(r"Computed drain: ([0-9]+(?:\.[0-9]+)?)")
_ON_BATTERY = re.compile(r"^\s+Time on battery: (.*?) \(")
_APP_UID = re.compile(r"^u(\d+)a(\d+)$")
FIRST_APPLICATION_UID = 10000
PER_USER_RANGE = 100000


def uid_number(text: str) -> int | None:
    """``u0a234`` → 10234, ``u10a5`` → 1010005, ``1000`` → 1000; None for other forms."""
    if text.isdigit():
        return int(text)
    match = _APP_UID.match(text)
    if match:
        return int(match.group(1)) * PER_USER_RANGE + FIRST_APPLICATION_UID + int(match.group(2))
    return None


@dataclass(slots=True)
class UidBattery:
    """What batterystats counted for one app identity since the last charge."""

    uid: int
    mobile_rx: int = 0
    mobile_tx: int = 0
    wifi_rx: int = 0
    wifi_tx: int = 0
    audio_s: float = 0.0
    camera_s: float = 0.0
    gps_s: float = 0.0
    gps_background_s: float = 0.0
    foreground_service_s: float = 0.0
    on_screen_s: float = 0.0  # "Top for"
    not_on_screen_s: float = 0.0  # foreground service, foreground, background, cached
    power_mah: float | None = None

    @property
    def sent(self) -> int:
        return self.mobile_tx + self.wifi_tx

    @property
    def received(self) -> int:
        return self.mobile_rx + self.wifi_rx


@dataclass(slots=True)
class BatteryStats:
    since_charge_s: float | None = None  # time on battery since the last charge
    computed_drain_mah: float | None = None
    uids: dict[int, UidBattery] | None = None


def parse_batterystats(text: str) -> BatteryStats:
    out = BatteryStats(uids={})
    assert out.uids is not None
    in_section = False
    current: UidBattery | None = None
    for line in text.splitlines():
        if not line.startswith(" "):
            if line.startswith("Statistics since"):
                in_section = line.strip() == _SINCE_CHARGE and out.since_charge_s is None
            elif line.strip():
                in_section = False
            current = None
            continue
        if not in_section:
            continue
        match = _UID_BLOCK.match(line)
        if match:
            number = uid_number(match.group(1))
            current = None if number is None else out.uids.setdefault(number, UidBattery(number))
            continue
        if len(line) - len(line.lstrip(" ")) <= 4:
            current = None
            _summary_line(out, line)
            continue
        if current is None:
            _summary_line(out, line)
            continue
        _uid_line(current, line)
    return out


def _summary_line(out: BatteryStats, line: str) -> None:
    assert out.uids is not None
    match = _ON_BATTERY.match(line)
    if match and out.since_charge_s is None:
        out.since_charge_s = parse_duration(match.group(1))
        return
    match = _DRAIN.search(line)
    if match and out.computed_drain_mah is None:
        out.computed_drain_mah = float(match.group(1))
        return
    match = _POWER.match(line)
    if match:
        number = uid_number(match.group(1))
        if number is not None:
            entry = out.uids.setdefault(number, UidBattery(number))
            entry.power_mah = (entry.power_mah or 0.0) + float(match.group(2))


def _uid_line(uid: UidBattery, line: str) -> None:
    match = _NETWORK.match(line)
    if match:
        rx, tx = parse_bytes(match.group(2)) or 0, parse_bytes(match.group(3)) or 0
        if match.group(1) == "Mobile":
            uid.mobile_rx, uid.mobile_tx = rx, tx
        else:
            uid.wifi_rx, uid.wifi_tx = rx, tx
        return
    match = _TIMER.match(line)
    if match:
        seconds = parse_duration(match.group(2)) or 0.0
        if match.group(1) == "Audio":
            uid.audio_s = seconds
        elif match.group(1) == "Camera":
            uid.camera_s = seconds
        elif match.group(1) == "Foreground services":
            uid.foreground_service_s = seconds
        return
    match = _GPS.match(line)
    if match:
        uid.gps_s = parse_duration(match.group(1)) or 0.0
        uid.gps_background_s = parse_duration(match.group(2) or "") or 0.0
        return
    match = _STATE.match(line)
    if match:
        seconds = parse_duration(match.group(2)) or 0.0
        if match.group(1) == "Top":
            uid.on_screen_s += seconds
        elif match.group(1) != "Top Sleeping":
            uid.not_on_screen_s += seconds
