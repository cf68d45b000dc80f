"""The access point's life against the fake NetworkManager: the Wi-Fi state saved before and
restored after (the previous connection, the radio), once whoever stops it, and after a run
that was killed outright; the network's name, password and QR code."""

from __future__ import annotations

import json
import threading

import pytest

from exposure.collect.hotspot import access_point, joining
from tests.hotspot.conftest import HOME, FakeNetworkManager


def test_the_previous_wifi_connection_is_restored(nm: FakeNetworkManager) -> None:
    point = access_point.start("wlan0")
    assert nm.active() == point.state.hotspot_uuid != HOME  # the card is the access point now
    assert (point.state.previous_uuid, point.state.radio_was_on) == (HOME, True)
    assert access_point.stop(point) == []
    assert nm.active() == HOME
    assert [c["uuid"] for c in nm.state()["connections"]] == [HOME]


def test_a_radio_that_was_off_is_turned_off_again(nm: FakeNetworkManager) -> None:
    nm.set(radio="disabled", active={})
    with access_point.running("wlan0") as point:
        assert nm.state()["radio"] == "enabled" and nm.active() == point.state.hotspot_uuid
    assert nm.commands()[-3:] == [f"connection down uuid {point.state.hotspot_uuid}",
                                  f"connection delete uuid {point.state.hotspot_uuid}", "radio wifi off"]
    state = nm.state()
    assert state["radio"] == "disabled" and state["connections"] == [{"uuid": HOME, "name": "Home: 5 GHz"}]


def test_stop_runs_once_whoever_calls_it(nm: FakeNetworkManager) -> None:
    point = access_point.start("wlan0")
    callers = [threading.Thread(target=access_point.stop, args=(point,)) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    access_point.stop_all()  # the app's quick exit, the interpreter's exit
    access_point.stop_on("wlan0")  # the recording on it is over
    commands = nm.commands()
    assert commands.count(f"connection up uuid {HOME}") == 1
    assert commands.count(f"connection delete uuid {point.state.hotspot_uuid}") == 1


def test_a_run_that_was_killed_is_undone_by_the_next(nm: FakeNetworkManager) -> None:
    point = access_point.start("wlan0")
    saved = json.loads(access_point.recovery_path().read_text("utf-8"))
    assert saved["hotspot_uuid"] == point.state.hotspot_uuid and saved["previous_uuid"] == HOME
    assert access_point.recovery_path().stat().st_mode & 0o777 == 0o600
    access_point._RUNNING.remove(point)  # killed: nothing of this process remains
    second = access_point.start("wlan0")
    commands = nm.commands()
    undo = commands.index(f"connection delete uuid {point.state.hotspot_uuid}")
    # the old network went first, then the person's connection came back (the card was free)
    assert commands[undo + 1:undo + 3] == ["connection show --active", f"connection up uuid {HOME}"]
    assert undo < next(n for n, c in enumerate(commands) if c.startswith("device wifi hotspot") and n > undo)
    assert second.state.previous_uuid == HOME  # so the new one restores the person's own connection
    access_point.stop(second)
    assert nm.active() == HOME and [c["uuid"] for c in nm.state()["connections"]] == [HOME]
    assert not access_point.recovery_path().exists()


def test_a_failed_restore_is_said_and_kept_for_the_next_run(nm: FakeNetworkManager) -> None:
    point = access_point.start("wlan0")
    nm.set(fail={"connection up": "Error: Connection activation failed: no secrets."})
    [problem] = access_point.stop(point)
    assert problem.key == "error.hotspot.not-restored"
    assert str(problem).startswith("your Wi-Fi connection Home: 5 GHz could not be turned back on")
    assert access_point.recovery_path().exists()
    nm.set(fail={})
    assert access_point.recover() == []
    assert nm.active() == HOME and not access_point.recovery_path().exists()


def test_the_name_and_password_say_nothing_and_are_easy_to_type() -> None:
    names = {joining.network_name() for _ in range(200)}
    assert len(names) > 150
    for name in names:
        assert name.split("-")[0] in joining.BLAND_NAMES and "exposure" not in name.lower()
    secret = joining.password()
    assert len(secret) == 12 and set(secret) <= set(joining.TYPABLE_LETTERS)
    assert not set("0O1lI") & set(joining.TYPABLE_LETTERS)


def test_the_qr_code_is_the_wifi_payload_drawn_in_half_blocks() -> None:
    import segno

    payload = joining.wifi_payload("Cafe-01AB", "ab;c:d")
    assert payload == "WIFI:T:WPA;S:Cafe-01AB;P:ab\\;c\\:d;;"  # special characters escaped
    rows = joining.qr_rows(payload)
    # Back from glyphs to modules: exactly segno's matrix, quiet zone included.
    bits = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    top = [[bits[c][0] for c in row] for row in rows]
    bottom = [[bits[c][1] for c in row] for row in rows]
    drawn = [line for pair in zip(top, bottom, strict=True) for line in pair]
    expected = [[int(bool(m)) for m in row] for row in segno.make(payload, error="m", micro=False)
                .matrix_iter(border=joining.QUIET_ZONE)]
    assert drawn[:len(expected)] == expected
    assert all(set(row) <= set(bits) for row in rows)


def test_a_missing_card_name_is_said(nm: FakeNetworkManager) -> None:
    with pytest.raises(access_point.HotspotUnavailable, match="no Wi-Fi card named wlan7"):
        access_point.find_device("wlan7")
    assert access_point.find_device("wlan0") == "wlan0"


def test_only_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    with pytest.raises(access_point.HotspotUnavailable) as caught:
        access_point.find_device()
    assert caught.value.key == "error.hotspot.not-linux"
