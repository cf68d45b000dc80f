"""Recorded phones for the fake adb, assembled at test time from ../shared fixtures.

The recordings are test input only (spytrap-adb: GPL-3.0; MVT: MVT License) and stay in
../shared: a test that builds a phone from them skips on a clone without it.

Real recordings used as they are: spytrap-adb's ``dumpsys package <id>`` outputs (one
phone has the stalkerware SpyLive360, ``com.wifi0``) and its ``dumpsys accessibility``
outputs; MVT's ``ps`` and ``getprop`` outputs. The fixtures hold no ``pm list packages``,
``dumpsys device_policy`` or ``settings`` recordings, so those are derived here from the
recorded package dumps (installer, uid and code path as the dump states them; the
device-admin receiver that com.wifi0 declares, written in AOSP's
``DevicePolicyManagerService`` format); they are marked as derived wherever a test relies
on them. The APK files of third-party apps are small signed stand-ins from ``apks.py``
(their certificates are made at test time).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from tests.android.apks import v1_apk, v2_apk
from tests.paths import FIXTURES, corpus

FAKE_ADB = Path(__file__).resolve().parent / "fake_adb"
SPYTRAP = FIXTURES / "android" / "spytrap-adb" / "dumpsys"
MVT_DATA = FIXTURES / "android" / "mvt" / "android_data"
ANDROIDQF = FIXTURES / "android" / "mvt" / "androidqf"
SERIAL = "R58M12ABCDE"
PACKAGE_DUMPS = ("contacts", "fdroid", "jitsi", "gpstest", "spylive360")


def need_recordings() -> None:
    """Skip the calling test when the recordings are not beside the repository."""
    corpus("fixtures/android/spytrap-adb")
    corpus("fixtures/android/mvt")


def key(args: list[str]) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", "_".join(args))


def recorded_package_dump(names: tuple[str, ...] = PACKAGE_DUMPS) -> str:
    need_recordings()
    return "\n".join((SPYTRAP / "package" / f"{name}.txt").read_text(encoding="utf-8") for name in names)


def _blocks(dump: str) -> list[dict[str, str]]:
    """id, uid, installer, codePath, system of each ``Package [..]`` block of a dump."""
    out: list[dict[str, str]] = []
    for line in dump.splitlines():
        found = re.match(r"^  Package \[([^\]]+)\]", line)
        if found:
            out.append({"id": found.group(1), "system": ""})
            continue
        if out and line.startswith("    ") and "=" in line:
            name, _, value = line.strip().partition("=")
            if name in ("userId", "installerPackageName", "codePath") and name not in out[-1]:
                out[-1][name] = value
            if name == "flags" and " SYSTEM " in value:
                out[-1]["system"] = "1"
    return out


def pm_list(dump: str) -> str:
    lines = []
    for b in _blocks(dump):
        lines.append(f"package:{b.get('codePath', '/data/app/x')}/base.apk={b['id']} "
                     f"installer={b.get('installerPackageName', 'null')} uid:{b.get('userId', '0')}")
    return "\n".join(lines) + "\n"


def apk_hash(package: str) -> str:
    """A stand-in APK fingerprint (the fixtures hold no APKs): sha256 of the id."""
    return hashlib.sha256(package.encode()).hexdigest()


DEVICE_POLICY = """\
Current Device Policy Manager state:
  Immutable state:
    mHasFeature=true
    mIsWatch=false
  Enabled Device Admins (User 0, provisioningState: 0):
    com.wifi0/.receivers.DeviceAdmin:
      uid=10155
      testOnlyAdmin=false
      policies:
        force-lock
        wipe-data
      passwordQuality=0x0
      encryptionRequested=false
  mPasswordOwner=-1
"""


def build_phone(root: Path, serial: str = SERIAL, *, dump: str | None = None,
                accessibility: str | None = None, device_policy: str = DEVICE_POLICY,
                secure: dict[str, str] | None = None, global_: dict[str, str] | None = None,
                failing: tuple[str, ...] = (), connectivity: str = "", patch: str = "2021-12-05",
                activity: dict[str, str] | None = None, extra_props: str = "") -> Path:
    """Write one phone's recordings under ``root/serial`` and return that folder.

    ``activity`` replaces the outputs of the activity commands (``dumpsys_appops``,
    ``dumpsys_batterystats``, ``dumpsys_netstats``, ``dumpsys_input_method``); by default
    they are those of ``tests/android/activity_data.py`` (MVT's recorded appops)."""
    from tests.android import activity_data

    need_recordings()
    activity = {"dumpsys_appops": activity_data.recorded_appops(),
                "dumpsys_batterystats": activity_data.batterystats(),
                "dumpsys_netstats": activity_data.netstats(),
                "dumpsys_input_method": activity_data.input_methods(activity_data.GBOARD)} | (activity or {})
    dump = recorded_package_dump() if dump is None else dump
    if accessibility is None:
        accessibility = (SPYTRAP / "accessibility" / "spylive360.txt").read_text(encoding="utf-8")
    folder = root / serial
    folder.mkdir(parents=True, exist_ok=True)
    blocks = _blocks(dump)
    a11y = ":".join(re.findall(r"\{\{([^{}]+)\}\}", accessibility))
    secure = {"enabled_accessibility_services": a11y, "enabled_notification_listeners": "",
              "android_id": "0123456789abcdef"} | (secure or {})
    global_ = {"adb_enabled": "1", "development_settings_enabled": "1", "package_verifier_enable": "1",
               "upload_apk_enable": "1"} | (global_ or {})
    getprop = (MVT_DATA / "getprop.txt").read_text(encoding="utf-8") + (
        "[ro.product.manufacturer]: [Google]\n[ro.product.model]: [Pixel 3a]\n"
        "[ro.build.version.release]: [11]\n[ro.build.version.sdk]: [30]\n"
        f"[ro.build.version.security_patch]: [{patch}]\n" + extra_props)
    recordings: list[tuple[list[str], str]] = [
        (["shell", "getprop"], getprop),
        (["shell", "pm", "list", "packages", "-f", "-i", "-U", "-u"], pm_list(dump)),
        (["shell", "pm", "list", "packages", "-s"], "".join(f"package:{b['id']}\n" for b in blocks if b["system"])),
        (["shell", "pm", "list", "packages", "-d"], ""),
        (["shell", "dumpsys", "package"], dump),
        (["shell", "dumpsys", "accessibility"], accessibility),
        (["shell", "dumpsys", "device_policy"], device_policy),
        (["shell", "dumpsys", "connectivity"], connectivity or "Current Networks:\n"),
        (["shell", "settings", "list", "secure"], "".join(f"{k}={v}\n" for k, v in secure.items())),
        (["shell", "settings", "list", "global"], "".join(f"{k}={v}\n" for k, v in global_.items())),
        (["shell", "ps", "-A"], (MVT_DATA / "ps.txt").read_text(encoding="utf-8")),
        (["shell", "dumpsys", "appops"], activity["dumpsys_appops"]),
        (["shell", "dumpsys", "batterystats"], activity["dumpsys_batterystats"]),
        (["shell", "dumpsys", "netstats", "--full", "--uid"], activity["dumpsys_netstats"]),
        (["shell", "dumpsys", "input_method"], activity["dumpsys_input_method"]),
    ]
    for args, text in recordings:
        name = key(args)
        if name in failing:
            (folder / f"{name}.fail").write_text("error: closed\n", encoding="utf-8")
        else:
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    apks = []
    for b in blocks:
        if b["system"]:
            continue
        local = f"apk-{b['id']}.apk"
        (folder / local).write_bytes(v2_apk(b["id"]) if b["id"] != "org.jitsi.meet" else v1_apk(b["id"]))
        apks.append(f"{b.get('codePath', '/data/app/x')}/base.apk  {local}\n")
    (folder / "apks.map").write_text("".join(apks), encoding="utf-8")
    (folder / "sha256sum.map").write_text(
        "".join(f"{apk_hash(b['id'])}  {b.get('codePath', '/data/app/x')}/base.apk\n" for b in blocks),
        encoding="utf-8")
    return folder


def set_devices(root: Path, lines: list[str]) -> None:
    (root / "devices.txt").write_text("List of devices attached\n" + "".join(f"{line}\n" for line in lines)
                                      + "\n", encoding="utf-8")


def install_fake_adb(bin_dir: Path) -> Path:
    """A copy of fake_adb/adb that starts this test's interpreter directly (a ``python3``
    found through a version-manager shim can take most of a second per call)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    source = (FAKE_ADB / "adb").read_text(encoding="utf-8").split("\n", 1)[1]
    target = bin_dir / "adb"
    target.write_text(f"#!{sys.executable} -S\n{source}", encoding="utf-8")
    target.chmod(0o755)
    return bin_dir


def use_fake_adb(monkeypatch: object, root: Path, log: Path) -> None:
    """Put the fake adb first on PATH for this test (monkeypatch is pytest's fixture)."""
    setenv = monkeypatch.setenv  # type: ignore[attr-defined]
    bin_dir = install_fake_adb(root.parent / "fake-adb-bin")
    setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    setenv("FAKE_ADB_DIR", str(root))
    setenv("FAKE_ADB_LOG", str(log))


def scaled_dump(count: int) -> str:
    """A ``dumpsys package`` of ``count`` apps: the five recorded per-app dumps (resolver
    tables, package block, queries, dexopt state), repeated under new ids. About 24 KB per
    app, like a real phone's full dump."""
    need_recordings()
    parts = []
    for i in range(count):
        name = PACKAGE_DUMPS[i % len(PACKAGE_DUMPS)]
        text = (SPYTRAP / "package" / f"{name}.txt").read_text(encoding="utf-8")
        if i >= len(PACKAGE_DUMPS):
            original = re.search(r"(?m)^  Package \[([^\]]+)\]", text).group(1)  # type: ignore[union-attr]
            text = text.replace(original, f"{original}.copy{i}")
        parts.append(text)
    return "\n".join(parts)
