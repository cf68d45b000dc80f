"""Evidence lines ("what we saw") for the observations of what apps did on an Android phone
(``exposure/collect/android/activity.py``), in the person's language: the text keys in
``texts.yaml`` (``seen.android-app-op`` ...) and their values, from an observation's facts."""

from __future__ import annotations

from exposure.explain.lines import Line

_NONE = "—"


def android_activity_what_key(kind: str, f: dict[str, str]) -> tuple[str, dict[str, str | Line]]:
    """The ``seen.*`` key and its values for one of these observations, or ("", {})."""
    if kind == "android-app-op":
        if f.get("background_time"):
            return "seen.android-app-op.background", {
                "app": f.get("package", ""), "ops": f.get("op", ""), "when": f["background_time"],
                "duration": _clock(f.get("background_duration_s"))}
        return "seen.android-app-op", {"app": f.get("package", ""), "ops": f.get("op", ""),
                                       "when": f.get("last_time") or _NONE}
    if kind == "android-app-usage":
        return "seen.android-app-usage", {"app": f.get("package", ""), "sent": _size(f.get("sent_background")),
                                          "share": f"{f['battery_share']}%" if f.get("battery_share") else _NONE}
    if kind == "android-keyboard":
        return "seen.android-keyboard", {"component": f.get("component", "")}
    if kind == "android-no-icon":
        return "seen.android-no-icon", {"app": f.get("package", ""), "how": f.get("how", "")}
    if kind == "android-app-install":
        return "seen.android-app-install", {"app": f.get("package", ""), "when": f.get("installed_time") or _NONE,
                                            "installer": f.get("installer") or _NONE}
    if kind == "android-software":
        return "seen.android-software", {"version": f.get("android_version") or _NONE,
                                         "patch": f.get("security_patch") or _NONE}
    if kind == "android-sms-link":
        return "seen.android-sms-link", {"url": f.get("url", ""), "when": f.get("sent_time") or _NONE}
    return "", {}


def _clock(raw: str | None) -> str:
    try:
        seconds = round(float(raw or ""))
    except ValueError:
        return _NONE
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _size(raw: str | None) -> str:
    try:
        count = int(raw or "")
    except ValueError:
        return _NONE
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
