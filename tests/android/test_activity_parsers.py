"""The activity parsers: appops, batterystats, netstats, keyboards, launcher icons, durations.

Real recordings where they exist: MVT's ``dumpsys appops`` of a Samsung phone (../shared,
test input only), the two examples of AOSP's app-ops documentation (tests/data, Apache-2.0),
spytrap-adb's ``dumpsys package`` of SpyLive360 (../shared). The other shapes are generated
from the AOSP code that prints them (tests/android/activity_data.py says which).
"""

from __future__ import annotations

from datetime import datetime

from exposure.collect.android.parsers.appops import dump_time, parse_appops
from exposure.collect.android.parsers.batterystats import parse_batterystats, uid_number
from exposure.collect.android.parsers.durations import parse_bytes, parse_duration, parse_local_time
from exposure.collect.android.parsers.input_method import parse_input_methods
from exposure.collect.android.parsers.launcher import parse_launchers
from exposure.collect.android.parsers.netstats import parse_netstats
from tests.android.activity_data import (
    GBOARD,
    AppBattery,
    AppTraffic,
    PlantedUse,
    appops_with,
    batterystats,
    input_methods,
    netstats,
    recorded_appops,
)
from tests.android.phones import SPYTRAP
from tests.paths import DATA, needs_shared

AOSP = DATA / "fixtures" / "android" / "aosp"


def test_durations_sizes_and_times_as_android_prints_them() -> None:
    assert parse_duration("+40m0s0ms") == 2400 and parse_duration("-4h50m23s772ms") == 17423.772
    assert parse_duration("+1d2h3m4s5ms") == 93784.005 and parse_duration("0") == 0
    assert parse_duration("1h 2m 3s 4ms ") == 3723.004  # BatteryStats.formatTimeMs
    assert parse_duration("soon") is None and parse_duration("") is None
    assert parse_bytes("512B") == 512 and parse_bytes("1.50KB") == 1536 and parse_bytes("2.00MB") == 2 * 1024**2
    assert parse_bytes("12 apples") is None
    assert parse_local_time("x 2022-03-29 18:37:30.315 y") == datetime(2022, 3, 29, 18, 37, 30, 315000)
    assert parse_local_time("2022-13-40 00:00:00") is None


@needs_shared()
def test_appops_mvt_recording_android10() -> None:
    ops = parse_appops(recorded_appops())
    by = {(o.package, o.op): o for o in ops}
    wake = by[("com.facebook.katana", "WAKE_LOCK")]
    assert wake.uid == "u0a103" and wake.mode == "allow"
    assert [(e.state, e.flags) for e in wake.events] == [("fg", "s"), ("bg", "s"), ("cch", "s")]
    assert wake.events[1].duration_s == 0.033 and wake.events[1].time == datetime(2022, 3, 29, 23, 3, 3, 763000)
    sms = by[("com.facebook.katana", "WRITE_SMS")]
    assert sms.mode == "ignore" and [e.kind for e in sms.events] == ["reject"] * 3  # "Reject: [fg-s]2021-…"
    contacts = by[("com.facebook.katana", "READ_CONTACTS")]
    assert contacts.events[0].state == "bg" and contacts.events[0].flags == "tpd" and contacts.events[0].not_on_screen
    # The factory camera app's microphone op has no access; its RUN_IN_BACKGROUND has one.
    assert by[("com.sec.factory.camera", "RECORD_AUDIO")].events == []
    # uid-level modes ("COARSE_LOCATION: mode=ignore") are not package operations.
    assert not any(o.package == "" for o in ops)
    # The dump was printed at 2022-03-29 23:27:54 on the phone's clock (each time + its offset).
    assert dump_time(ops) == datetime(2022, 3, 29, 23, 27, 54)
    only = parse_appops(recorded_appops(), ["READ_CONTACTS"])
    assert {o.op for o in only} == {"READ_CONTACTS"}


def test_appops_aosp_android11_attribution_tags_and_proxies() -> None:
    ops = parse_appops((AOSP / "appops_attribution.txt").read_text(encoding="utf-8"))
    contacts = next(o for o in ops if o.op == "READ_CONTACTS")
    assert contacts.package == "com.google.android.gms" and len(contacts.events) == 6
    assert [e.flags for e in contacts.events] == ["s", "tp", "tp", "tpd", "tpd", "tpd"]
    storage = next(o for o in ops if o.op == "MANAGE_EXTERNAL_STORAGE")
    assert storage.mode == "default" and [e.kind for e in storage.events] == ["reject", "reject"]
    running = parse_appops("Package com.example.maps:\n" + (AOSP / "appops_running.txt").read_text(encoding="utf-8"))
    assert running[0].op == "MONITOR_LOCATION" and running[0].mode == "allow"
    assert running[0].running_s == 27.669 and running[0].events[0].duration_s == 27.67


def test_appops_android9_one_line_per_state_and_one_duration_per_operation() -> None:
    # AOSP Android 9 AppOpsService.dumpTimesLocked: "Access: <state> = <time> (<offset>)",
    # further states on their own lines, then the op's duration.
    text = """  Uid u0a77:
    state=cch
    Package com.example.recorder:
      RECORD_AUDIO (allow):
          Access: top   = 2019-05-01 10:00:00.000 (-2d0h0m0s0ms)
                  bg    = 2019-05-02 23:00:00.000 (-11h0m0s0ms)
          Reject: cch   = 2019-05-01 09:00:00.000 (-2d1h0m0s0ms)
          duration=+40m0s0ms
"""
    (op,) = parse_appops(text)
    assert [(e.kind, e.state) for e in op.events] == [("access", "top"), ("access", "bg"), ("reject", "cch")]
    assert op.events[1].duration_s == 2400 and op.events[0].duration_s is None  # the latest access has it
    assert dump_time([op]) == datetime(2019, 5, 3, 10, 0, 0)


def test_appops_android8_relative_times_only() -> None:
    (op,) = parse_appops("  Uid u0a5:\n    Package com.old:\n      CAMERA (allow): time=+1h2m0s0ms ago; "
                         "duration=+5s0ms\n")
    assert op.events[0].ago_s == 3720 and op.events[0].duration_s == 5 and op.events[0].state == ""
    assert not op.events[0].not_on_screen  # the state is not known: never counted as background


@needs_shared()
def test_appops_planted_use_joins_the_recording() -> None:
    text = appops_with([PlantedUse("u0a155", "com.wifi0")])
    op = next(o for o in parse_appops(text) if o.package == "com.wifi0")
    assert (op.op, op.events[0].state, op.events[0].duration_s) == ("RECORD_AUDIO", "fgsvc", 2400)
    assert dump_time(parse_appops(text)) == datetime(2022, 3, 29, 23, 27, 54)


def test_batterystats_per_app_since_last_charge() -> None:
    text = batterystats([AppBattery("u0a234", 95.3, mobile=("1.23MB", "45.60MB"), wifi=("10.00KB", "512B"),
                                    audio="40m 0s 0ms ", top="2m 0s 0ms ", background="10m 0s 0ms ",
                                    fg_service="2h 0m 0s 0ms ")], drain=812, history=False)
    stats = parse_batterystats(text)
    assert stats.since_charge_s == 93600 and stats.computed_drain_mah == 812
    assert stats.uids is not None
    app = stats.uids[10234]
    assert app.power_mah == 95.3 and app.mobile_tx == round(45.6 * 1024**2) and app.wifi_tx == 512
    assert app.sent == round(45.6 * 1024**2) + 512 and app.audio_s == 2400
    assert app.foreground_service_s == 7200 and app.on_screen_s == 120 and app.not_on_screen_s == 600 + 7200


@needs_shared()
def test_batterystats_history_alone_has_no_per_app_part() -> None:
    from tests.android.activity_data import recorded_battery_history
    stats = parse_batterystats(recorded_battery_history())
    assert stats.uids == {} and stats.since_charge_s is None


def test_batterystats_android12_power_lines_and_uids() -> None:
    text = ("Statistics since last charge:\n  Estimated power use (mAh):\n    Capacity: 4000, Computed drain: 200, "
            "actual drain: 0\n    UID u0a234: 50.0 fg: 1.0 bg: 49.0 fgs: 0 cached: 0\n      cpu=40.0 (1h 0m 0s 0ms)\n"
            "    UID 1000: 20.0 fg: 20.0\n")
    stats = parse_batterystats(text)
    assert stats.uids is not None and stats.uids[10234].power_mah == 50.0 and stats.uids[1000].power_mah == 20.0
    assert [uid_number(x) for x in ("u0a234", "u10a5", "1000", "u0i3")] == [10234, 1010005, 1000, None]


def test_netstats_per_app_background_and_foreground() -> None:
    text = netstats([AppTraffic(10234, background=(1024, 50 * 1024**2), foreground=(2048, 4096))])
    traffic = parse_netstats(text)[10234]
    assert traffic.sent_background == 50 * 1024**2 and traffic.received_background == 1024  # tagged rows skipped
    assert traffic.sent_foreground == 4096 and traffic.sent == 50 * 1024**2 + 4096
    assert traffic.last is not None and traffic.first is not None
    assert (traffic.last - traffic.first) == 28 * 86400
    # A plain "dumpsys netstats" (androidqf's dumpsys.txt) has no UID stats: nothing is read.
    assert parse_netstats("Dev stats:\n  Pending bytes: 0\n  History since boot:\n"
                          "  ident=[{type=WIFI}] uid=-1 set=ALL tag=0x0\n    NetworkStatsHistory: bucketDuration=3600\n"
                          "      st=1 rb=5 rp=1 tb=5 tp=1 op=0\n") == {}


def test_keyboards_from_dumpsys_and_settings() -> None:
    swift = "com.touchtype.swiftkey/com.touchtype.KeyboardService"
    found = parse_input_methods(input_methods(GBOARD, swift, current=swift), {})
    assert found.current == ("com.touchtype.swiftkey", swift) and found.enabled == [("com.touchtype.swiftkey", swift)]
    assert [p for p, _ in found.installed] == ["com.google.android.inputmethod.latin", "com.touchtype.swiftkey"]
    settings = {"enabled_input_methods": f"{GBOARD};-921088104;529847764:com.spy.keys/.Ime",
                "default_input_method": "com.spy.keys/.Ime"}
    found = parse_input_methods("", settings)
    assert found.current == ("com.spy.keys", "com.spy.keys/com.spy.keys.Ime")
    assert [p for p, _ in found.enabled] == ["com.google.android.inputmethod.latin", "com.spy.keys"]


@needs_shared()
def test_launcher_icons_from_spylive360s_package_dump() -> None:
    dump = (SPYTRAP / "package" / "spylive360.txt").read_text(encoding="utf-8")
    launchers = parse_launchers(dump)
    assert launchers is not None and launchers.activities["com.wifi0"] == {"com.wifi0.activities.WelcomeActivity"}
    assert launchers.has_icon("com.wifi0") and not launchers.has_icon("com.other")
    # The same app after hiding its icon (what stalkerware does once set up).
    hidden = dump.replace("      enabledComponents:\n",
                          "      disabledComponents:\n        com.wifi0.activities.WelcomeActivity\n"
                          "      enabledComponents:\n")
    hidden_launchers = parse_launchers(hidden)
    assert hidden_launchers is not None
    assert not hidden_launchers.has_icon("com.wifi0") and hidden_launchers.icon_switched_off("com.wifi0")
    assert parse_launchers("Packages:\n  Package [x] (1):\n") is None  # no resolver table: nothing known
