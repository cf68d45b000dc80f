"""exposure and MVT side by side on the same iPhone backup and the same STIX2 file.

The backup is a copy of MVT's own test backup (../shared/fixtures/ios/mvt-backup, MVT
licence: test input only, copied to a temporary folder) with planted evidence: an SMS
link to an Echap stalkerware C2 (on a subdomain), a WhatsApp link to a second one, the
dual-use app Life360 among the installed apps with microphone and location grants, a
QuaDream process name in the data-usage records, Cytrox's configuration profile installed,
an Apple threat notification by iMessage. The STIX2 file holds those indicators as MVT reads
them (domain-name, app:id, process:name, configuration-profile:id). Both tools run
offline, alternately, ``--runs`` times each; wall-clock seconds are printed with each
tool's alerts or findings, and the encrypted copy is timed too.

    .venv/bin/python benchmarks/bench_ios_backup.py --mvt /tmp/mvt-venv/bin/mvt-ios --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import plistlib
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.ios_backup.make_backup import _record, encrypt_backup, file_id  # noqa: E402

SHARED = REPO.parent / "shared"
MVT_BACKUP = SHARED / "fixtures" / "ios" / "mvt-backup"
C2_SMS, C2_WHATSAPP = "1topspy.com", "cellphone-remote-tracker.com"  # Echap ioc.yaml C2 domains
DUAL_USE = "com.life360.safetymap"  # Echap watchware.yaml ios_bundles
PROCESS = "com.apple.avcapture"  # mvt-indicators 2023-04-11_quadream process:name
PROFILE_UUID = "76DAB334-7E17-475D-A5D6-0794EB5818A5"  # Amnesty cytrox.stix2 configuration-profile:id
PROFILES = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"


def stix() -> dict[str, object]:
    patterns = [f"[domain-name:value='{C2_SMS}']", f"[domain-name:value='{C2_WHATSAPP}']",
                f"[app:id='{DUAL_USE}']", f"[process:name='{PROCESS}']",
                f"[configuration-profile:id='{PROFILE_UUID}']"]
    malware = {"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000001",
               "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "name": "bench",
               "is_family": False}
    objects: list[dict[str, object]] = [malware]
    for i, pattern in enumerate(patterns, 2):
        ind = f"indicator--00000000-0000-4000-8000-{i:012d}"
        objects.append({"type": "indicator", "spec_version": "2.1", "id": ind, "created": "2026-01-01T00:00:00Z",
                        "modified": "2026-01-01T00:00:00Z", "indicator_types": ["malicious-activity"],
                        "pattern": pattern, "pattern_type": "stix", "pattern_version": "2.1",
                        "valid_from": "2026-01-01T00:00:00Z"})
        objects.append({"type": "relationship", "spec_version": "2.1", "id": f"relationship--{ind[11:]}",
                        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
                        "relationship_type": "indicates", "source_ref": ind, "target_ref": malware["id"]})
    return {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects}


def _add_file(folder: Path, domain: str, path: str, body: bytes) -> None:
    fid = file_id(domain, path)
    (folder / fid[:2]).mkdir(exist_ok=True)
    (folder / fid[:2] / fid).write_bytes(body)
    from datetime import UTC, datetime

    db = sqlite3.connect(folder / "Manifest.db")
    db.execute("INSERT OR REPLACE INTO Files VALUES (?, ?, ?, 1, ?)",
               (fid, domain, path, _record(path, len(body), 1, b"", datetime(2021, 11, 30, tzinfo=UTC))))
    db.commit()
    db.close()


def planted(folder: Path) -> Path:
    shutil.copytree(MVT_BACKUP, folder)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    sms = sqlite3.connect(folder / "3d" / "3d0d7e5fb2ce288813306e4d4636395e047a3d28")
    sms.execute("INSERT INTO message (guid, text, handle_id, service, date) VALUES ('b1', ?, 1, 'SMS', "
                "659000000000000000)", (f"Parcel waiting: https://track.{C2_SMS}/p?id=88",))
    sms.execute("INSERT INTO message (guid, text, handle_id, service, date) VALUES ('b2', ?, 1, 'iMessage', "
                "659100000000000000)", ("ALERT: State-sponsored attackers may be targeting your iPhone",))
    sms.commit()
    sms.close()
    wa = sqlite3.connect(folder / "7c" / "7c7fba66680ef796b916b067077cc246adacf01d")
    wa.execute("INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZFROMJID, ZTEXT, ZMESSAGEDATE, ZMESSAGETYPE, ZISFROMME) "
               "VALUES (9, 1, '14155550100@s.whatsapp.net', ?, 659200000.0, 0, 0)", (f"see http://{C2_WHATSAPP}/x",))
    wa.commit()
    wa.close()
    usage = sqlite3.connect(folder / "0d" / "0d609c54856a9bb2d56729df1d68f2958a88426b")
    usage.execute("INSERT INTO ZPROCESS (Z_PK, Z_ENT, Z_OPT, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME) "
                  "VALUES (99, 7, 1, 659300000.0, 659300500.0, NULL, ?)", (PROCESS,))
    usage.commit()
    usage.close()
    tcc = sqlite3.connect(folder / "64" / "64d0019cb3d46bfc8cce545a8ba54b93e7ea9347")
    tcc.execute("INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, "
                "indirect_object_identifier, flags, last_modified) VALUES ('kTCCServiceMicrophone', ?, 0, 2, 2, 1, "
                "'UNUSED', 0, 1638300000)", (DUAL_USE,))
    tcc.commit()
    tcc.close()
    info = plistlib.loads((folder / "Info.plist").read_bytes())
    info["Installed Applications"].append(DUAL_USE)
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    stub = {"PayloadIdentifier": "com.bench.profile", "PayloadUUID": PROFILE_UUID, "PayloadDisplayName": "Bench",
            "PayloadContent": [{"PayloadType": "com.apple.notificationsettings", "PayloadDisplayName": "N"}]}
    _add_file(folder, PROFILES, f"Library/ConfigurationProfiles/profile-{'a' * 40}.stub", plistlib.dumps(stub))
    return folder


def run_exposure(folder: Path, data_dir: Path, password_file: Path | None) -> tuple[float, list[str]]:
    out = data_dir / f"report-{time.monotonic_ns()}.json"
    command = [sys.executable, "-m", "exposure", "scan", "--ios-backup", str(folder), "--json", str(out), "--quiet"]
    if password_file:
        command += ["--password-file", str(password_file)]
    env = {**os.environ, "EXPOSURE_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - started
    found = json.loads(out.read_text("utf-8"))["findings"]
    return took, sorted(f"{f['severity']:8} {f['rule']}: {f['subject']}" for f in found)


def run_mvt(mvt: str, folder: Path, iocs: Path, out: Path) -> tuple[float, list[str]]:
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "MVT_NETWORK_ACCESS_ALLOWED": "false"}
    started = time.perf_counter()
    subprocess.run([mvt, "--disable-update-check", "--disable-indicator-update-check", "check-backup", "--iocs",
                    str(iocs), "--output", str(out), str(folder)], check=True, env=env, capture_output=True,
                   stdin=subprocess.DEVNULL)
    took = time.perf_counter() - started
    alerts_file = out / "alerts.json"
    alerts = json.loads(alerts_file.read_text("utf-8")) if alerts_file.exists() else []
    detected = sorted(p.name for p in out.glob("*_detected.json"))
    return took, [f"{a.get('level', '?'):8} {a.get('module', '?')}: {str(a.get('message', ''))[:110]}"
                  for a in alerts] + [f"detected file: {d}" for d in detected]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mvt", required=True, help="the mvt-ios program of a separate venv")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        folder = planted(root / "backup")
        iocs = root / "bench.stix2"
        iocs.write_text(json.dumps(stix()), "utf-8")
        data = root / "data"
        data.mkdir()
        env = {**os.environ, "EXPOSURE_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "exposure", "feeds", "import", str(iocs)], check=True, env=env,
                       capture_output=True)
        locked = encrypt_backup(folder, root / "locked", "bench password")
        password = root / "pw.txt"
        password.write_text("bench password\n", "utf-8")
        print(f"load average at start: {os.getloadavg()}")
        times: dict[str, list[float]] = {"exposure": [], "exposure encrypted": [], "mvt": []}
        shown: dict[str, list[str]] = {}
        for _ in range(args.runs):
            took, shown["exposure"] = run_exposure(folder, data, None)
            times["exposure"].append(took)
            took, shown["mvt"] = run_mvt(args.mvt, folder, iocs, root / "mvt-out")
            times["mvt"].append(took)
            took, shown["exposure encrypted"] = run_exposure(locked, data, password)
            times["exposure encrypted"].append(took)
        print(f"load average at end: {os.getloadavg()}")
        for name, values in times.items():
            print(f"{name}: median {sorted(values)[len(values) // 2]:.2f} s, min {min(values):.2f} s "
                  f"(runs: {', '.join(f'{v:.2f}' for v in values)})")
        for name, lines in shown.items():
            print(f"\n{name}: {len(lines)}")
            for line in lines:
                print(f"  {line}")


if __name__ == "__main__":
    main()
