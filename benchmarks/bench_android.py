"""Benchmark: an Android check of a recorded 300-app phone, our own time without adb's,
and an androidqf acquisition of the same size next to MVT's check-androidqf.

Run by hand:  .venv/bin/python benchmarks/bench_android.py [--apps 300] [--repeat 5] [--mvt PATH]
              .venv/bin/python benchmarks/bench_android.py --activity [--repeat 5] [--mvt PATH]

* The phone is built from the real recordings in ../shared/fixtures/android (spytrap-adb's
  per-app ``dumpsys package`` outputs, repeated under new ids to reach ``--apps``; about
  24 KB of dump per app, like a real phone's full dump) and replayed by the fake adb of
  tests/android/fake_adb.
* "live scan" is ``run_scan`` on kind "android" through the fake adb; the time spent
  waiting for adb (every ``subprocess.run`` of the runner) is measured and taken out:
  "our own time" = scan time - adb time. The catalog (all bundled profiles) is built once,
  outside the timing, as a scan would do once at start-up. Reading APK files for their
  certificates (25 apps from outside a store) also counts as adb time; fingerprinting them
  is ours.
* "saved dump" re-analyses the folder ``--save`` wrote: no adb at all.
* "androidqf" is the same phone as an androidqf folder (packages.json with hashes and
  certificates, dumpsys.txt); MVT's ``mvt-android check-androidqf`` runs on the same folder
  offline (``--mvt`` names its program; default: /tmp/mvt-venv/bin/mvt-android if present).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import exposure.collect.android.commands as commands  # noqa: E402
from exposure.indicators.catalog import build_catalog  # noqa: E402
from exposure.model import SourceSpec  # noqa: E402
from exposure.scan import ScanRequest, run_scan  # noqa: E402
from tests.android.phones import (  # noqa: E402
    ANDROIDQF,
    SERIAL,
    build_phone,
    install_fake_adb,
    scaled_dump,
    set_devices,
)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def androidqf_folder(target: Path, dump: str, apps: int) -> Path:
    """MVT's androidqf fixture grown to ``apps`` packages (ids renamed, same fields)."""
    shutil.copytree(ANDROIDQF, target)
    base = json.loads((ANDROIDQF / "packages.json").read_text())
    ids = re.findall(r"(?m)^  Package \[([^\]]+)\]", dump)[:apps]
    packages = []
    for i, name in enumerate(ids):  # the dump's apps, with MVT's entries' fields and files
        item = json.loads(json.dumps(base[i % len(base)]))
        item["name"] = name
        packages.append(item)
    (target / "packages.json").chmod(0o644)
    (target / "packages.json").write_text(json.dumps(packages))
    (target / "dumpsys.txt").chmod(0o644)
    (target / "dumpsys.txt").write_text("DUMP OF SERVICE package:\n" + dump + "\n"
                                        + (ANDROIDQF / "dumpsys.txt").read_text(errors="replace"))
    return target


def activity_side_by_side(mvt: Path, repeat: int) -> None:
    """Issue 15's acquisitions, exposure's CLI and MVT's check-androidqf interleaved.

    Three copies of MVT's androidqf folder: (a) patch level 2021-03 and a side-loaded app
    whose appops entry records 40 minutes of microphone use as a foreground service
    (dumpsys.txt); (b) the same with a bugreport.zip instead of dumpsys.txt/getprop.txt;
    (c) (a) plus a backup.ab whose SMS holds a link to a TheTruthSpy C2 name. MVT gets that
    name in a STIX2 file (-i); exposure knows it from its bundled profile."""
    from tests.android.extras_data import backup_ab, sms
    from tests.android.test_acquisition_extras import C2, planted_bugreport_acquisition
    from tests.android.test_activity_sources import planted_acquisition
    from tests.android.test_adb import _bundle

    work = Path(tempfile.mkdtemp(prefix="bench-activity-"))
    os.environ["EXPOSURE_DATA_DIR"] = str(work / "data")
    folders = {"a: dumpsys.txt": planted_acquisition(work / "a"),
               "b: bugreport.zip": planted_bugreport_acquisition(work / "b")}
    with_backup = planted_acquisition(work / "c")
    (with_backup / "backup.ab").write_bytes(backup_ab([sms(f"Your parcel: https://{C2}/track"), sms("see you")]))
    folders["c: dumpsys.txt + backup.ab"] = with_backup
    stix = work / "c2.stix2"
    stix.write_text(json.dumps(_bundle([("domain-name:value", C2)])))
    env = dict(os.environ, MVT_NETWORK_ACCESS_ALLOWED="false")
    for label, folder in folders.items():
        ours: list[float] = []
        theirs: list[float] = []
        report = work / "ours.json"
        out = work / "mvt-out"
        for _ in range(repeat + 1):  # the first pair warms the disk cache and is dropped
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "exposure", "scan", "--androidqf", str(folder), "--no-feeds",
                            "--quiet", "--json", str(report), "--force"], check=True, capture_output=True)
            ours.append(time.perf_counter() - start)
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            subprocess.run([str(mvt), "--disable-update-check", "--disable-indicator-update-check",
                            "check-androidqf", "-n", "-i", str(stix), "-o", str(out), str(folder)],
                           check=False, capture_output=True, env=env)
            theirs.append(time.perf_counter() - start)
        ours, theirs = ours[1:], theirs[1:]
        found = json.loads(report.read_text())["findings"]
        alerts = json.loads((out / "alerts.json").read_text()) if (out / "alerts.json").exists() else []
        print(f"\n== {label}")
        print(f"exposure: median {statistics.median(ours):.2f} s (max {max(ours):.2f}); {len(found)} findings")
        for f in found:
            print(f"  {f['severity']:8} {f['rule']:34} {f.get('subject', '')}")
        print(f"MVT: median {statistics.median(theirs):.2f} s (max {max(theirs):.2f}); {len(alerts)} alerts "
              f"(ratio MVT/exposure {statistics.median(theirs) / statistics.median(ours):.2f})")
        for a in alerts:
            print(f"  {a['level']:13} {a['module']:22} {a['message'][:110]}")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mvt", default="/tmp/mvt-venv/bin/mvt-android")
    parser.add_argument("--activity", action="store_true",
                        help="issue 15's acquisitions (patch, background microphone, bug report, backup) side by side "
                             "with MVT, interleaved")
    args = parser.parse_args()
    if args.activity:
        activity_side_by_side(Path(args.mvt), args.repeat)
        return

    work = Path(tempfile.mkdtemp(prefix="bench-android-"))
    os.environ["EXPOSURE_DATA_DIR"] = str(work / "data")
    phones = work / "phones"
    dump = scaled_dump(args.apps)
    build_phone(phones, dump=dump)
    set_devices(phones, [f"{SERIAL} device usb:1-1 model:Pixel_3a transport_id:1"])
    os.environ["PATH"] = f"{install_fake_adb(work / 'bin')}{os.pathsep}{os.environ['PATH']}"
    os.environ["FAKE_ADB_DIR"] = str(phones)
    catalog = build_catalog(use_feeds=False)

    adb_time = [0.0]
    real_run = subprocess.run  # what exposure.collect.android.commands calls

    def counting_run(*a: Any, **k: Any) -> Any:
        start = time.perf_counter()
        try:
            return real_run(*a, **k)
        finally:
            adb_time[0] += time.perf_counter() - start

    real_read = commands.AdbRunner.read_bytes

    def counting_read(self: commands.AdbRunner, *a: object, **k: object) -> bytes | None:
        start = time.perf_counter()
        try:
            return real_read(self, *a, **k)  # type: ignore[arg-type]
        finally:
            adb_time[0] += time.perf_counter() - start

    subprocess.run = counting_run
    commands.AdbRunner.read_bytes = counting_read  # type: ignore[method-assign]
    live: list[tuple[float, float, int]] = []
    for i in range(args.repeat + 1):
        adb_time[0] = 0.0
        start = time.perf_counter()
        result = run_scan(ScanRequest((SourceSpec("android"),)), catalog=catalog)
        total = time.perf_counter() - start
        if i:
            live.append((total, adb_time[0], len(result.findings)))
    subprocess.run = real_run
    commands.AdbRunner.read_bytes = real_read  # type: ignore[method-assign]
    saved = work / "saved"
    run_scan(ScanRequest((SourceSpec("android", "", (("save", str(saved)),)),)), catalog=catalog)
    dump_times = timed(lambda: run_scan(ScanRequest((SourceSpec("android-dump", str(saved)),)), catalog=catalog),
                       args.repeat)
    qf = androidqf_folder(work / "androidqf", dump, args.apps)
    qf_result = run_scan(ScanRequest((SourceSpec("androidqf", str(qf)),)), catalog=catalog)
    qf_times = timed(lambda: run_scan(ScanRequest((SourceSpec("androidqf", str(qf)),)), catalog=catalog),
                     args.repeat)
    cli_times = timed(lambda: subprocess.run([sys.executable, "-m", "exposure", "scan", "--androidqf", str(qf),
                                              "--no-feeds", "--quiet", "--json", str(work / "r.json"), "--force"],
                                             check=True, capture_output=True), args.repeat)

    ours = [t - a for t, a, _ in live]
    print(f"phone: {args.apps} apps, dumpsys package {len(dump) / 1e6:.1f} MB; "
          f"{live[0][2]} findings; {result.sources[0].counts}")
    print(f"live scan via fake adb: median {statistics.median(t for t, _, _ in live):.2f} s, "
          f"of which adb {statistics.median(a for _, a, _ in live):.2f} s")
    print(f"live scan, our own time (scan - adb): median {statistics.median(ours):.3f} s, max {max(ours):.3f} s")
    print(f"saved dump re-analysis: median {statistics.median(dump_times):.3f} s, max {max(dump_times):.3f} s")
    print(f"androidqf folder (run_scan): median {statistics.median(qf_times):.3f} s; "
          f"{len(qf_result.findings)} findings")
    print(f"androidqf folder (exposure CLI, fresh process): median {statistics.median(cli_times):.3f} s")
    mvt = Path(args.mvt)
    if mvt.exists():
        env = dict(os.environ, MVT_NETWORK_ACCESS_ALLOWED="false")

        def run_mvt() -> None:
            out = work / "mvt-out"
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([str(mvt), "--disable-update-check", "--disable-indicator-update-check",
                            "check-androidqf", "-n", "-o", str(out), str(qf)],
                           check=False, capture_output=True, env=env)

        mvt_times = timed(run_mvt, args.repeat)
        ratio = statistics.median(mvt_times) / statistics.median(cli_times)
        print(f"MVT check-androidqf (fresh process): median {statistics.median(mvt_times):.3f} s; "
              f"exposure CLI is {ratio:.1f}x {'faster' if ratio >= 1 else 'slower'}")
    else:
        print(f"MVT not found at {mvt}: no side-by-side figure")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
