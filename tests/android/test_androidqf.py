"""androidqf acquisitions (folder and zip), and parity with MVT's check-androidqf.

MVT oracle (shared/research/formats.md §4): with a STIX2 file holding ``app:id``
``com.malware.blah``, ``file:hashes.sha256`` 31037a27…e3fa and ``app:cert.sha256``
c7e56178…f730 (both of ``com.malware.muahaha``), ``mvt-android check-androidqf`` on this
folder reports the app-id hit on com.malware.blah and the hash and certificate hits on
com.malware.muahaha. exposure must find at least those.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android.androidqf import AndroidqfCollector
from exposure.collect.base import CollectContext
from exposure.model import IndicatorType, Observation, SourceSpec
from exposure.observations.android import AndroidFile, AndroidPackage
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.phones import ANDROIDQF
from tests.android.test_adb import _bundle
from tests.paths import needs_shared
from tests.said import keep_english

APK_SHA256 = "31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa"
CERT_SHA256 = "c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730"


def scan(path: Path | str, feeds: bool = False) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(path)),), profiles=("stalkerware",),
                                use_feeds=feeds))


def zipped(tmp_path: Path, folder: Path = ANDROIDQF, prefix: str = "0c1a7ad5-uuid/") -> Path:
    target = tmp_path / "acquisition.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, prefix + path.name)
    return target


def observations(path: Path) -> list[Observation]:
    warnings: list[str] = []
    collector = AndroidqfCollector(str(path))
    out = list(collector.collect(CollectContext(warn=keep_english(warnings))))
    assert warnings == []
    return out


@needs_shared()
def test_packages_json_installer_null_and_certificates() -> None:
    packages = {o.package: o for o in observations(ANDROIDQF) if isinstance(o, AndroidPackage)}
    assert packages["com.whatsapp"].installer == ""  # "null" in packages.json
    assert packages["org.nuclearfog.apollo"].installer == "org.fdroid.fdroid"
    muahaha = packages["com.malware.muahaha"]
    assert muahaha.apk_sha256 == (APK_SHA256,) and muahaha.cert_sha256 == (CERT_SHA256,)
    assert muahaha.cert_sha1 == ("4ba9d1f82adb7be841bcf53b03ddae857747199a",) and muahaha.system
    # Apps only in dumpsys.txt come in too, with their details.
    assert packages["com.sec.android.app.DataCreate"].version == "1.0"


@needs_shared()
def test_files_and_root_binaries() -> None:
    files = [o for o in observations(ANDROIDQF) if isinstance(o, AndroidFile)]
    assert sorted(f.path for f in files if f.note == "root binary") == [
        "/data/local/tmp/magisk", "/system/bin/magiskhide", "/system/bin/su", "/system/xbin/busybox"]
    assert len(files) == 7


@needs_shared()
def test_heuristics_on_the_mvt_acquisition() -> None:
    result = scan(ANDROIDQF)
    found = {f.rule: f for f in result.findings}
    side = found["android.sideloaded"]
    # As MVT (run offline on this folder): whatsapp (null installer) and the apps installed
    # by the package installer, the system app YouTube included; apollo came from F-Droid.
    assert side.param("apps") == ("app.revanced.manager.flutter, com.google.android.youtube, com.whatsapp, "
                                  "org.fdroid.fdroid")
    assert "/system/bin/su" in found["android.root"].param("paths")
    assert "android.play-protect-off" not in found  # package_verifier_enable=1 here
    assert result.sources[0].counts["packages"] == 9 and result.warnings == []


@needs_shared()
def test_zip_gives_the_same_as_the_folder(tmp_path: Path) -> None:
    from_folder = scan(ANDROIDQF)
    from_zip = scan(zipped(tmp_path))

    def keys(result: ScanResult) -> list[tuple[str, str, str]]:
        phone = result.sources[0].name  # phone-wide findings are about the source itself
        return [(f.rule, "<phone>" if f.subject == phone else f.subject, f.severity.value) for f in result.findings]

    assert keys(from_folder) == keys(from_zip) and len(keys(from_zip)) >= 2
    assert from_zip.sources[0].counts == from_folder.sources[0].counts


@needs_shared()
def test_zip_members_that_climb_out_are_ignored(tmp_path: Path) -> None:
    target = tmp_path / "evil.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(ANDROIDQF / "dumpsys.txt", "dumpsys.txt")
        archive.writestr("../packages.json", json.dumps([{"name": "com.evil.outside", "installer": "null"}]))
        archive.writestr("/abs/packages.json", "[]")
        archive.writestr("a/b/c/packages.json", "[]")
    packages = {o.package for o in observations(target) if isinstance(o, AndroidPackage)}
    assert "com.evil.outside" not in packages and "com.sec.android.app.DataCreate" in packages


def test_bad_inputs_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04garbage")
    for target, words in ((tmp_path / "not.zip", "neither an androidqf folder nor a readable zip"),
                          (tmp_path / "missing", "does not exist"),
                          (tmp_path / "x.zip.age", "encrypted with age")):
        if target.name.endswith(".age"):
            target.write_bytes(b"age")
        assert main(["scan", "--androidqf", str(target), "--no-feeds", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1


@needs_shared()
def test_broken_json_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "acq"
    shutil.copytree(ANDROIDQF, folder)
    (folder / "packages.json").chmod(0o600)
    (folder / "packages.json").write_text("[{not json")
    result = scan(folder)
    assert [w.message for w in result.warnings] == ["packages.json is not valid JSON; skipped"]
    assert result.sources[0].counts["packages"] == 2  # those of dumpsys.txt


@needs_shared()
def test_mvt_parity_with_an_imported_stix2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stix = tmp_path / "mvt-test.stix2"
    stix.write_text(json.dumps(_bundle([("app:id", "com.malware.blah"), ("file:hashes.sha256", APK_SHA256),
                                        ("app:cert.sha256", CERT_SHA256)])), encoding="utf-8")
    assert main(["feeds", "import", str(stix), "--name", "mvt-test"]) == 0
    report = tmp_path / "report.json"
    assert main(["scan", "--androidqf", str(ANDROIDQF), "--quiet", "--json", str(report)]) == 0
    capsys.readouterr()
    findings = json.loads(report.read_text())["findings"]
    # Both apps belong to the bundle's one malware: one finding for that tool on this phone,
    # carrying every value that matched.
    hits = [f for f in findings if f["rule"] == "indicator" and f["threat"] == "test-malware"]
    assert len(hits) == 1 and hits[0]["severity"] == "critical"
    text = json.dumps(hits[0])
    assert APK_SHA256 in text and CERT_SHA256 in text and "com.malware.blah" in text
    # The same from the zip.
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(zipped(tmp_path))),)))
    kinds = {(i.value, i.type) for f in result.findings if f.threat == "test-malware" for i in f.indicators}
    assert {("com.malware.blah", IndicatorType.PACKAGE), (APK_SHA256, IndicatorType.FILE_SHA256),
            (CERT_SHA256.lower(), IndicatorType.CERT_SHA256)} <= kinds


MVT = Path(os.environ.get("MVT_ANDROID", "/tmp/mvt-venv/bin/mvt-android"))


@needs_shared()
@pytest.mark.skipif(not MVT.exists(), reason="MVT is not installed (set MVT_ANDROID to its mvt-android)")
def test_live_mvt_oracle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs MVT offline on the same folder and STIX2 file: every indicator value it matches,
    exposure matches too, and every app MVT calls side-loaded, exposure lists too."""
    stix = tmp_path / "oracle.stix2"
    stix.write_text(json.dumps(_bundle([("app:id", "com.malware.blah"), ("file:hashes.sha256", APK_SHA256),
                                        ("app:cert.sha256", CERT_SHA256)])), encoding="utf-8")
    env = dict(os.environ, MVT_NETWORK_ACCESS_ALLOWED="false")
    subprocess.run([str(MVT), "--disable-update-check", "--disable-indicator-update-check", "check-androidqf",
                    "-n", "-i", str(stix), "-o", str(tmp_path / "mvt"), str(ANDROIDQF)],
                   check=True, capture_output=True, env=env, timeout=600)
    alerts = json.loads((tmp_path / "mvt" / "alerts.json").read_text())
    mvt_values = {a["matched_indicator"]["value"] for a in alerts if a.get("matched_indicator")}
    mvt_installs = {m.group(1) for a in alerts if a["module"] == "aqf_packages" and not a.get("matched_indicator")
                    for m in [re.search(r'"([^"]+)"$', str(a["message"]))] if m}
    assert main(["feeds", "import", str(stix), "--name", "oracle"]) == 0
    capsys.readouterr()
    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(ANDROIDQF)),)))
    ours = {i.value for f in result.findings if f.rule == "indicator" for i in f.indicators}
    assert mvt_values and mvt_values <= ours
    side = next(f for f in result.findings if f.rule == "android.sideloaded")
    store_installed = {"org.nuclearfog.apollo"}  # MVT: INFO "third party store" (F-Droid)
    assert mvt_installs - store_installed <= {e.subject() for e in side.evidence}


@needs_shared()
def test_processes_json_of_current_androidqf(tmp_path: Path) -> None:
    folder = tmp_path / "acq"
    shutil.copytree(ANDROIDQF, folder)
    (folder / "ps.txt").chmod(0o600)
    (folder / "ps.txt").unlink()
    (folder / "processes.json").write_text(json.dumps([
        {"pid": 1, "uid": 0, "ppid": 0, "filename": "(init)", "command_line": ["/system/bin/init"], "path": ""},
        {"pid": 4242, "uid": 10155, "ppid": 700, "filename": "(com.malware.blah)",
         "command_line": ["com.malware.blah:remote"], "path": "/system/bin/app_process64"},
        {"pid": "x"}, "junk"]))
    from exposure.observations.android import AndroidProcess
    procs = [o for o in observations(folder) if isinstance(o, AndroidProcess)]
    assert [(p.name, p.pid) for p in procs] == [("/system/bin/init", 1), ("com.malware.blah:remote", 4242)]
    assert procs[1].subject() == "com.malware.blah"
