"""A fake ``nmcli`` for the hotspot tests: it logs every call and answers from a small state
file (NetworkManager's devices, saved and active connections, the Wi-Fi radio), changing that
state as the real one would, so a test can check what was asked and what was left behind.

Written next to ``state.json`` and ``calls.log`` in a folder put first on PATH (see
``conftest.py``); run by the Python that runs the tests. The answers follow nmcli's terse
output (``-t``: fields separated by ``:``, a ``:`` inside a value escaped as ``\\:``) and its
messages ("Device 'wlan0' successfully activated with '<uuid>'.").
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STATE = HERE / "state.json"
CALLS = HERE / "calls.log"


def esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def fail(message: str, code: int = 10) -> None:
    sys.stderr.write(message + "\n")
    raise SystemExit(code)


def terse(args: list[str]) -> tuple[list[str], list[str]]:
    """(fields asked for with -f, the rest of the arguments)."""
    fields: list[str] = []
    rest: list[str] = []
    skip = False
    for n, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in ("-t", "--terse"):
            continue
        if arg in ("-f", "--fields"):
            fields = args[n + 1].split(",")
            skip = True
        elif arg in ("-w", "--wait"):
            skip = True
        else:
            rest.append(arg)
    return fields, rest


def device_of(state: dict[str, Any], conn: str) -> str:
    for name, active in state["active"].items():
        if active == conn:
            return str(name)
    return ""


def answer(state: dict[str, Any], args: list[str]) -> str:  # noqa: C901 - one branch per nmcli command
    fields, rest = terse(args)
    if not state["running"]:
        fail("Error: NetworkManager is not running.", 8)
    broken = state.get("fail", {})
    for prefix, message in broken.items():
        if " ".join(rest).startswith(prefix):
            fail(message)
    names = {c["uuid"]: c["name"] for c in state["connections"]}
    if rest == ["general"]:
        return "running\n"
    if rest == ["device", "status"]:
        lines = []
        for dev in state["devices"]:
            active = state["active"].get(dev["name"], "")
            conn = names.get(active, "--")
            status = "connected" if active else ("unavailable" if state["radio"] != "enabled" else "disconnected")
            lines.append(":".join(esc(v) for v in (dev["name"], "wifi", status, conn)))
        return "\n".join(lines) + "\n"
    if rest[:2] == ["device", "show"]:
        found = [d for d in state["devices"] if d["name"] == rest[2]]
        if not found:
            fail(f"Error: Device '{rest[2]}' not found.")
        ap = "yes" if found[0]["ap"] else "no"
        return "".join(f"WIFI-PROPERTIES.{k}:{v}\n" for k, v in
                       (("WEP", "yes"), ("WPA", "yes"), ("WPA2", "yes"), ("AP", ap), ("ADHOC", "yes")))
    if rest[:2] == ["connection", "show"]:
        if "--active" in rest:
            rows = [{"UUID": u, "NAME": names[u], "DEVICE": d} for d, u in state["active"].items() if u]
        else:
            rows = [{"UUID": c["uuid"], "NAME": c["name"], "DEVICE": device_of(state, c["uuid"])}
                    for c in state["connections"]]
        return "".join(":".join(esc(row[f]) for f in fields) + "\n" for row in rows)
    if rest[:2] == ["radio", "wifi"]:
        if len(rest) == 2:
            return str(state["radio"]) + "\n"
        state["radio"] = "enabled" if rest[2] == "on" else "disabled"
        if rest[2] == "off":
            state["active"] = {}
        return ""
    if rest[:3] == ["device", "wifi", "hotspot"]:
        opts = dict(zip(rest[3::2], rest[4::2], strict=False))
        if state["radio"] != "enabled":
            fail("Error: Connection activation failed: Wi-Fi radio is disabled.", 4)
        new = str(uuid.uuid4())
        state["connections"].append({"uuid": new, "name": opts.get("con-name", "Hotspot"), "ssid": opts["ssid"],
                                     "password": opts.get("password", "")})
        state["active"][opts["ifname"]] = new
        return f"Device '{opts['ifname']}' successfully activated with '{new}'.\n"
    if rest[:2] == ["connection", "down"]:
        conn = rest[-1]
        dev = device_of(state, conn)
        if not dev:
            fail(f"Error: '{conn}' is not an active connection.")
        state["active"][dev] = ""
        return f"Connection '{names.get(conn)}' successfully deactivated\n"
    if rest[:2] == ["connection", "delete"]:
        conn = rest[-1]
        if conn not in names:
            fail(f"Error: unknown connection '{conn}'.")
        state["connections"] = [c for c in state["connections"] if c["uuid"] != conn]
        for dev, active in list(state["active"].items()):
            if active == conn:
                state["active"][dev] = ""
        return f"Connection '{names[conn]}' ({conn}) successfully deleted.\n"
    if rest[:2] == ["connection", "up"]:
        conn = rest[-1]
        if conn not in names:
            fail(f"Error: unknown connection '{conn}'.")
        if state["radio"] != "enabled":
            fail("Error: Connection activation failed: Wi-Fi radio is disabled.", 4)
        state["active"][state["devices"][0]["name"]] = conn
        return "Connection successfully activated\n"
    fail(f"Error: the fake nmcli does not know: {' '.join(args)}", 2)
    return ""


def main() -> None:
    args = sys.argv[1:]
    with CALLS.open("a", encoding="utf-8") as log:
        log.write(json.dumps(args) + "\n")
    state = json.loads(STATE.read_text("utf-8"))
    try:
        out = answer(state, args)
    finally:
        STATE.write_text(json.dumps(state), "utf-8")
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
