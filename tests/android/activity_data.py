"""Outputs of the activity commands (appops, batterystats, netstats, input_method) for the
test phones, and the planted "side-loaded app that listened in the background".

Real where a recording exists: ``dumpsys appops`` is MVT's recording of a Samsung phone
(../shared, test input only), and ``dumpsys batterystats`` starts with MVT's recorded
``Battery History`` and ``Daily stats``. Nothing public and licensed for tests holds the
per-app parts, so these are **generated in the shapes AOSP prints** (each function names
the AOSP code it follows, see also the parsers' docstrings): the ``Statistics since last
charge`` block of batterystats, ``dumpsys netstats --full --uid`` and
``dumpsys input_method``. The planted appops lines follow AOSP's Android 10 format, as in
MVT's recording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tests.android.phones import MVT_DATA, need_recordings

GBOARD = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"


@dataclass(frozen=True)
class PlantedUse:
    """One app-op access to add to a recorded ``dumpsys appops``."""

    uid: str  # "u0a155"
    package: str
    op: str = "RECORD_AUDIO"
    state: str = "fgsvc"  # not on the screen, as a foreground service
    when: str = "2022-03-29 02:10:00.000"  # the phone's clock; the dump ends 2022-03-29 23:27:54
    ago: str = "-21h17m54s0ms"
    duration: str = "+40m0s0ms"

    def line(self) -> str:
        duration = f" duration={self.duration}" if self.duration else ""
        return f"          Access: [{self.state}-s] {self.when} ({self.ago}){duration}"


def recorded_appops() -> str:
    need_recordings()
    return (MVT_DATA / "dumpsys_appops.txt").read_text(encoding="utf-8")


def appops_with(uses: Iterable[PlantedUse], base: str | None = None) -> str:
    """The recording with these accesses added, one ``Uid``/``Package`` block each."""
    text = recorded_appops() if base is None else base
    blocks = []
    for use in uses:
        blocks.append(f"  Uid {use.uid}:\n    state=cch\n    Package {use.package}:\n      {use.op} (allow):\n"
                      f"{use.line()}\n")
    return text.rstrip("\n") + "\n" + "".join(blocks)


def recorded_battery_history() -> str:
    need_recordings()
    return (MVT_DATA / "dumpsys_battery.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class AppBattery:
    uid: str  # "u0a155"
    power_mah: float = 0.0
    mobile: tuple[str, str] = ("", "")  # received, sent as Android prints them ("1.23MB")
    wifi: tuple[str, str] = ("", "")
    audio: str = ""  # "40m 0s 0ms "
    top: str = ""
    background: str = ""
    fg_service: str = ""


def batterystats(apps: Iterable[AppBattery] = (), *, on_battery: str = "1d 2h 0m 0s 0ms ",
                 drain: float = 1000.0, history: bool = True) -> str:
    """MVT's recorded history and daily stats, then a generated ``Statistics since last
    charge`` block (AOSP ``BatteryStats.dumpLocked``: ``printTimer``, ``formatTimeMs``,
    ``formatBytesLocked``, ``UserHandle.formatUid``)."""
    apps = list(apps)
    lines = [recorded_battery_history().rstrip("\n") if history else "Battery History (0% used):", "",
             "Statistics since last charge:",
             "  System starts: 0, currently on battery: true",
             f"  Time on battery: {on_battery}(100.0%) realtime, {on_battery}(60.0%) uptime", "",
             "  Estimated power use (mAh):",
             f"    Capacity: 3000, Computed drain: {drain:g}, actual drain: {drain * 0.9:g}-{drain:g}"]
    lines += [f"    Uid {a.uid}: {a.power_mah:g} ( cpu={a.power_mah / 2:g} wifi={a.power_mah / 2:g} )" for a in apps]
    lines.append("")
    for a in apps:
        lines.append(f"    {a.uid}:")
        if a.mobile[0]:
            lines.append(f"      Mobile network: {a.mobile[0]} received, {a.mobile[1]} sent "
                         "(packets 10 received, 20 sent)")
        if a.wifi[0]:
            lines.append(f"      Wi-Fi network: {a.wifi[0]} received, {a.wifi[1]} sent (packets 30 received, 40 sent)")
        if a.audio:
            lines.append(f"      Audio: {a.audio}realtime (1 times)")
        if a.fg_service:
            lines.append(f"      Foreground services: {a.fg_service}realtime (1 times)")
        for name, value in (("Top", a.top), ("Fg Service", a.fg_service), ("Background", a.background)):
            if value:
                lines.append(f"      {name} for: {value}")
        lines.append("      Total cpu time: u=1m 0s 0ms s=30s 0ms ")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class AppTraffic:
    uid: int
    background: tuple[int, int] = (0, 0)  # received, sent bytes
    foreground: tuple[int, int] = (0, 0)


def netstats(apps: Iterable[AppTraffic] = (), *, start: int = 1646092800, buckets: int = 28 * 12) -> str:
    """``dumpsys netstats --full --uid`` (AOSP ``NetworkStatsService.dump``,
    ``NetworkStatsCollection.dump``, ``NetworkStatsHistory.dump``): each app's bytes spread
    over ``buckets`` two-hour buckets (28 days by default) from ``start`` (Unix seconds)."""
    ident = ("ident=[{type=WIFI, ratType=COMBINED, wifiNetworkKey=\"home\", metered=false, defaultNetwork=true, "
             "oemManaged=OEM_NONE}]")
    lines = ["Active interfaces:", "  iface=wlan0 ident=[{type=WIFI}]", "Dev stats:", "  Pending bytes: 0",
             "  History since boot:", "Xt stats:", "  Pending bytes: 0", "  History since boot:", "UID stats:",
             "  Pending bytes: 1024", "  Complete history:"]
    for app in apps:
        for which, (rx, tx) in (("DEFAULT", app.background), ("FOREGROUND", app.foreground)):
            if not rx and not tx:
                continue
            lines.append(f"  {ident} uid={app.uid} set={which} tag=0x0")
            lines.append("    NetworkStatsHistory: bucketDuration=7200")
            for i in range(buckets):
                part_rx = rx // buckets + (rx % buckets if i == buckets - 1 else 0)
                part_tx = tx // buckets + (tx % buckets if i == buckets - 1 else 0)
                lines.append(f"      st={start + i * 7200} rb={part_rx} rp=1 tb={part_tx} tp=1 op=0")
            # A tagged row (a part of the total): never added.
            lines.append(f"  {ident} uid={app.uid} set={which} tag=0x1")
            lines.append("    NetworkStatsHistory: bucketDuration=7200")
            lines.append(f"      st={start} rb=999999999 rp=1 tb=999999999 tp=1 op=0")
    lines += ["UID tag stats:", "  Pending bytes: 0", "  Complete history:"]
    return "\n".join(lines) + "\n"


def input_methods(*ids: str, current: str = GBOARD) -> str:
    """``dumpsys input_method`` (AOSP ``InputMethodManagerService.dump``, abridged)."""
    lines = ["Current Input Method Manager state:", f"  Input Methods: mMethodMapUpdateCount={len(ids)}"]
    for i, ident in enumerate(ids):
        lines += [f"  InputMethod #{i}:", f"    mId={ident} mSettingsActivityName=null mIsVrOnly=false",
                  "    Service:", "      priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false"]
    lines += ["  mCurMethodId=" + current, "  mCurFocusedWindow=null"]
    return "\n".join(lines) + "\n"
