"""An androidqf acquisition's ``backup.ab`` (links in text messages against domain
indicators) and ``bugreport.zip`` (the dumpsys sections when there is no ``dumpsys.txt``),
both streamed and bounded. The files are generated in their documented formats
(tests/android/extras_data.py); the bug report carries MVT's recorded dumpsys sections."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from exposure.collect.android import acquisition_extras, qf_extras
from exposure.collect.android import backup_ab as backup_ab_module
from exposure.collect.android.backup_ab import NotABackup, links_in, read_backup
from exposure.collect.android.bugreport import read_bugreport
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys
from exposure.model import Severity, SourceSpec
from exposure.observations.android import AndroidSmsLink
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.activity_data import PlantedUse, appops_with
from tests.android.extras_data import backup_ab, bugreport_zip, dumpstate_text, sms
from tests.android.phones import ANDROIDQF
from tests.android.test_activity_sources import SIDELOADED, assert_patch_and_microphone
from tests.paths import needs_shared

C2 = "icloudappe.com"  # a TheTruthSpy C2 name in the bundled stalkerware profile
SERVICES = {"package": "dumpsys_package", "appops": "dumpsys_appops", "accessibility": "dumpsys_accessibility"}


def scan(path: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(path)),), profiles=("stalkerware",),
                                use_feeds=False))


def minimal_acquisition(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "qf"
    folder.mkdir()
    packages = [{"name": "com.whatsapp", "files": [], "installer": "com.android.vending", "uid": 10080,
                 "disabled": False, "system": False, "third_party": True}]
    (folder / "packages.json").write_text(json.dumps(packages), encoding="utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


# --- backup.ab -------------------------------------------------------------------------

def test_links_in_message_text() -> None:
    found = list(links_in(f"Your parcel: https://{C2}/track?id=1. Or www.Example.org/x, call 555. "
                          "(see http://203.0.113.9:8080/a) and ftp://nope.example"))
    assert found == [(f"https://{C2}/track?id=1", C2), ("http://www.Example.org/x", "www.example.org"),
                     ("http://203.0.113.9:8080/a", "203.0.113.9")]


@pytest.mark.parametrize("compressed", [True, False])
def test_backup_messages_links_and_dates(compressed: bool) -> None:
    data = backup_ab([sms(f"Click https://{C2}/x now"), sms("no link here"), sms("see www.example.org", 0)],
                     compressed=compressed)
    contents = read_backup(io.BytesIO(data))
    assert not contents.encrypted and contents.version == "5" and contents.problems == []
    assert contents.sms_files == 2 and contents.messages == 3
    assert [(link.host, link.sent.isoformat() if link.sent else "") for link in contents.links] == [
        (C2, "2022-03-29T00:00:00+00:00"), ("www.example.org", "1970-01-01T00:00:00+00:00")]


def test_encrypted_damaged_and_foreign_backups() -> None:
    assert read_backup(io.BytesIO(backup_ab([sms("x")], encrypted=True))).encrypted
    with pytest.raises(NotABackup):
        read_backup(io.BytesIO(b"PK\x03\x04 not a backup"))
    with pytest.raises(NotABackup):
        read_backup(io.BytesIO(b"ANDROID BACKUP\n5\n"))
    cut = backup_ab([sms(f"https://{C2}/")])[:60]
    assert read_backup(io.BytesIO(cut)).problems  # damaged data: said, never raised
    bad_member = backup_ab(extra_members={"apps/com.android.providers.telephony/d_f/000001_sms_backup":
                                          b"not deflated"})
    contents = read_backup(io.BytesIO(bad_member))
    assert any("000001_sms_backup could not be read" in p for p in contents.problems)


def test_a_link_to_a_c2_name_in_an_sms_is_an_indicator_finding(tmp_path: Path) -> None:
    folder = minimal_acquisition(tmp_path, {"backup.ab": backup_ab([sms(f"Open https://{C2}/login"),
                                                                   sms("https://www.wikipedia.org/")])})
    result = scan(folder)
    hits = [f for f in result.findings if f.rule == "indicator" and f.subject == C2]
    assert len(hits) == 1 and hits[0].threat == "thetruthspy"
    assert hits[0].severity in (Severity.HIGH, Severity.CRITICAL)
    link = next(o for o in hits[0].evidence if isinstance(o, AndroidSmsLink))
    assert link.sent_time == "2022-03-29T00:00:00+00:00" and "Open" not in link.describe()  # the link, not the text
    assert not any(f.subject == "www.wikipedia.org" for f in result.findings)
    info = result.sources[0]
    assert info.counts["messages"] == 2 and info.counts["links"] == 2
    assert "androidqf.backup" in {n.key for n in info.checked}


@pytest.mark.parametrize("host", ["69.64.74.239", "1161841391", "0x45.0x40.0x4a.0xef"])
def test_a_link_to_a_listed_address_in_an_sms_is_found_however_it_is_written(tmp_path: Path, host: str) -> None:
    # 69.64.74.239: a TheTruthSpy server in the bundled stalkerware profile; a browser opens all three forms
    folder = minimal_acquisition(tmp_path, {"backup.ab": backup_ab([sms(f"Open http://{host}/login")])})
    hits = [f for f in scan(folder).findings if f.rule == "indicator"]
    assert [(f.threat, f.subject) for f in hits] == [("thetruthspy", host)]


def test_a_link_after_many_decoy_links_in_earlier_messages_is_read(tmp_path: Path) -> None:
    # 10,000 links in earlier messages (repeated, or 2,100 different ones in each of 5) hid a C2 link once
    decoys = [sms(" ".join(f"https://s{i}-{m}.example.org/" for i in range(2100))) for m in range(5)]
    repeated = [sms("https://same.example.org/ " * 3000) for _ in range(4)]
    folder = minimal_acquisition(tmp_path, {"backup.ab": backup_ab([*decoys, *repeated,
                                                                   sms(f"Open https://{C2}/login")])})
    result = scan(folder)
    assert [f.threat for f in result.findings if f.rule == "indicator" and f.subject == C2] == ["thetruthspy"]
    assert result.sources[0].counts["links"] == 5 * 2100 + 2  # a repeated link is kept once
    assert result.warnings == []


def test_links_past_the_bound_of_a_backup_are_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_ab_module, "MAX_LINKS", 3)
    monkeypatch.setattr(qf_extras, "MAX_LINKS", 3)
    folder = minimal_acquisition(tmp_path, {"backup.ab": backup_ab([sms("https://a.test/ https://b.test/"),
                                                                   sms("https://c.test/ https://d.test/ https://e.test/")])})
    result = scan(folder)
    assert [(w.key, dict(w.params)["count"]) for w in result.warnings] == [("warn.androidqf.links-cut", "2")]
    assert result.sources[0].counts["links"] == 3


def test_an_encrypted_backup_is_not_checked_and_said(tmp_path: Path) -> None:
    folder = minimal_acquisition(tmp_path, {"backup.ab": backup_ab([sms(f"https://{C2}/")], encrypted=True)})
    result = scan(folder)
    assert "androidqf.backup-encrypted" in {n.key for n in result.sources[0].not_checked}
    assert not any(f.subject == C2 for f in result.findings)


def test_a_broken_backup_is_one_warning_and_the_rest_is_checked(tmp_path: Path) -> None:
    folder = minimal_acquisition(tmp_path, {"backup.ab": b"ANDROID BACKUP\nfive\n"})
    result = scan(folder)
    assert [w.key for w in result.warnings] == ["warn.androidqf.extra-unreadable"]
    assert result.sources[0].counts["packages"] == 1


def test_a_backup_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    folder = minimal_acquisition(tmp_path, {})
    (folder / "backup.ab").mkdir()
    result = scan(folder)
    assert any("not a regular file" in w.message for w in result.warnings)


def test_a_backup_bomb_in_a_zip_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = minimal_acquisition(tmp_path, {})
    target = tmp_path / "qf.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(folder / "packages.json", "uuid/packages.json")
        archive.writestr("uuid/backup.ab", b"ANDROID BACKUP\n5\n0\nnone\n" + b"\0" * (8 << 20))
    result = scan(target)
    assert any("too large" in w.message for w in result.warnings)
    # Within the limits the same member is read (a stored tar of zeros: no messages).
    monkeypatch.setattr(acquisition_extras, "MAX_RATIO", 10**6)
    assert "androidqf.backup" in {n.key for n in scan(target).sources[0].checked}


# --- bugreport.zip ---------------------------------------------------------------------

def recorded_services() -> dict[str, str]:
    return split_dumpsys((ANDROIDQF / "dumpsys.txt").read_text(encoding="utf-8", errors="replace"))


@needs_shared()
def test_bugreport_sections_are_those_of_dumpsys() -> None:
    services = recorded_services()
    text = dumpstate_text({"accessibility": services["accessibility"], "package": services["package"],
                           "appops": services["appops"]}, getprop="[ro.build.version.security_patch]: [2021-03-01]\n")
    report = read_bugreport(io.BytesIO(bugreport_zip(text)), SERVICES)
    assert set(report.outputs) == {"dumpsys_package", "dumpsys_appops", "dumpsys_accessibility"}
    assert "com.sec.android.app.DataCreate" in report.outputs["dumpsys_package"]
    assert "this is not kept" not in report.outputs["dumpsys_appops"]  # outside the DUMPSYS section
    def content(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip() and not line.startswith("-")]

    assert content(report.outputs["dumpsys_appops"]) == content(services["appops"])
    assert report.getprop == "[ro.build.version.security_patch]: [2021-03-01]\n"
    # Without main_entry.txt the largest bugreport-*.txt is the main text.
    assert read_bugreport(io.BytesIO(bugreport_zip(text, main_entry=False)), SERVICES).outputs


def planted_bugreport_acquisition(tmp_path: Path) -> Path:
    """The shared acquisition without dumpsys.txt and getprop.txt, the same content in a
    bug report: the patch level 2021-03 and the side-loaded app that listened."""
    folder = tmp_path / "with-bugreport"
    shutil.copytree(ANDROIDQF, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    services = recorded_services()
    services["appops"] = appops_with([PlantedUse("u0a234", SIDELOADED)], base=services["appops"])
    getprop = (folder / "getprop.txt").read_text(encoding="utf-8") + "[ro.build.version.security_patch]: [2021-03-01]\n"
    (folder / "dumpsys.txt").unlink()
    (folder / "getprop.txt").unlink()
    packages = json.loads((folder / "packages.json").read_text(encoding="utf-8"))
    packages.append({"name": SIDELOADED, "files": [], "installer": "com.google.android.packageinstaller",
                     "uid": 10234, "disabled": False, "system": False, "third_party": True})
    (folder / "packages.json").write_text(json.dumps(packages), encoding="utf-8")
    (folder / "bugreport.zip").write_bytes(bugreport_zip(dumpstate_text(services, getprop=getprop)))
    return folder


@needs_shared()
def test_bugreport_gives_the_same_findings_as_dumpsys(tmp_path: Path) -> None:
    result = scan(planted_bugreport_acquisition(tmp_path))
    assert_patch_and_microphone(result, SIDELOADED, Severity.MEDIUM)
    info = result.sources[0]
    assert "androidqf.bugreport" in {n.key for n in info.checked}
    assert info.details["bug report"].startswith("bugreport-")
    assert result.warnings == []


@needs_shared()
def test_bugreport_in_a_zipped_acquisition(tmp_path: Path) -> None:
    folder = planted_bugreport_acquisition(tmp_path)
    target = tmp_path / "acquisition.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, "uuid/" + path.name)
    assert_patch_and_microphone(scan(target), SIDELOADED, Severity.MEDIUM)


@needs_shared()
def test_dumpsys_txt_wins_over_the_bugreport(tmp_path: Path) -> None:
    folder = tmp_path / "both"
    shutil.copytree(ANDROIDQF, folder)
    (folder / "bugreport.zip").write_bytes(b"not read at all")
    result = scan(folder)
    assert "androidqf.bugreport" not in {n.key for n in [*result.sources[0].checked, *result.sources[0].not_checked]}
    assert result.warnings == []


def test_broken_and_bomb_bugreports_are_warnings(tmp_path: Path) -> None:
    folder = minimal_acquisition(tmp_path, {"bugreport.zip": b"PK\x03\x04 broken"})
    result = scan(folder)
    assert [w.key for w in result.warnings] == ["warn.androidqf.extra-unreadable"]
    assert "androidqf.bugreport" in {n.key for n in result.sources[0].not_checked}
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main_entry.txt", "bugreport-x.txt")
        archive.writestr("bugreport-x.txt", b"\n" * (300 << 20))  # 300 MiB of newlines pack to ~300 KB
    (folder / "bugreport.zip").write_bytes(bomb.getvalue())
    result = scan(folder)
    assert any("far more than a real bug report" in w.message for w in result.warnings)


def test_an_overlong_line_is_cut_not_kept_whole() -> None:
    noise = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(50_000))  # 3.2 MB, packs ~2:1
    text = dumpstate_text({"appops": "Current AppOps Service state:\n" + noise + "\n  Uid u0a1:\n"})
    report = read_bugreport(io.BytesIO(bugreport_zip(text)), SERVICES)
    assert len(report.outputs["dumpsys_appops"]) < (2 << 20) and "Uid u0a1:" in report.outputs["dumpsys_appops"]


def test_a_damaged_deflate_stream_is_a_problem_line() -> None:
    data = bytearray(bugreport_zip(dumpstate_text({"appops": "Current AppOps Service state:\n" * 20000})))
    start = data.find(b"bugreport-sargo") + 200
    data[start:start + 64] = bytes(64)
    report = read_bugreport(io.BytesIO(bytes(data)), SERVICES)
    assert len(report.problems) == 1 and "is damaged after" in report.problems[0]
