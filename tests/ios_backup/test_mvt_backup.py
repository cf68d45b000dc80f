"""The issue's "done when", on MVT's real-format test backup (read from ../shared, copied
to a temporary folder, never into the repo): an SMS link to an Echap C2 planted in its
sms.db and a dual-use app added to its Info.plist are both named; WhatsApp (installed, with
messages) is not reported by default; an encrypted copy without its password is one line
and exit 2, and with it gives the same findings; nothing decrypted is left on disk."""

from __future__ import annotations

import os
import plistlib
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from exposure.collect.ios_backup import passwords
from exposure.model import Category, Finding, IndicatorRole
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios_backup.make_backup import encrypt_backup
from tests.paths import FIXTURES, REPO, locate, needs_shared

MVT_BACKUP = FIXTURES / "ios" / "mvt-backup"  # MVT licence: test input only, read from ../shared
ECHAP_IOC = locate("feeds/stalkerware-indicators/ioc.yaml")  # bundled with the package since issue 10
SMS_DB = "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28"  # HomeDomain/Library/SMS/sms.db in that backup
DUAL_USE = "com.life360.safetymap"  # Life360's iOS bundle id in Echap's watchware.yaml
PASSWORD = "correct horse battery staple"

pytestmark = needs_shared(MVT_BACKUP / "Manifest.db")


def echap_c2() -> tuple[str, str]:
    """(app name, C2 domain) of the first Echap stalkerware with a C2 domain."""
    for app in yaml.safe_load(ECHAP_IOC.read_text("utf-8")):
        domains = (app.get("c2") or {}).get("domains") or []
        if domains:
            return str(app["name"]), str(domains[0])
    raise AssertionError("Echap lists no C2 domain")


def planted_copy(folder: Path, host: str) -> Path:
    """MVT's backup with an SMS carrying a link to ``host`` and Life360 among the installed apps."""
    shutil.copytree(MVT_BACKUP, folder)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    db = sqlite3.connect(folder / SMS_DB)
    db.execute("INSERT INTO message (guid, text, handle_id, service, date, is_from_me) VALUES "
               "('planted-1', ?, 1, 'SMS', 700000000000000000, 0)",
               (f"Your parcel is waiting: https://track.{host}/p?id=88 (reply STOP)",))
    db.commit()
    db.close()
    info = plistlib.loads((folder / "Info.plist").read_bytes())
    info["Installed Applications"].append(DUAL_USE)
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    return folder


def scan(folder: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),)))


def names(result: ScanResult, folder: Path | None = None) -> set[tuple[str, str, str]]:
    """(rule, threat, subject) of each finding; the backup's own path said as "<backup>"."""
    def subject(text: str) -> str:
        return text.replace(str(folder), "<backup>") if folder else text

    return {(f.rule, f.threat, subject(f.subject)) for f in result.findings}


def mentions_whatsapp(finding: Finding) -> bool:
    shown = [finding.subject, finding.title, *(o.describe() for o in finding.evidence)]
    return any("net.whatsapp" in text.lower() or "whatsapp message" in text.lower() for text in shown)


def test_planted_c2_link_and_dual_use_app_are_named_and_whatsapp_is_not(tmp_path: Path) -> None:
    """With what a fresh install carries (the bundled Echap lists), no feed imported."""
    app, c2 = echap_c2()
    result = scan(planted_copy(tmp_path / "backup", c2))
    link = [f for f in result.findings if f.subject == f"track.{c2}"]
    assert len(link) == 1, names(result)
    assert link[0].category is Category.STALKERWARE and link[0].indicator is not None
    assert link[0].indicator.role is IndicatorRole.C2 and link[0].indicator.value == c2  # on a label boundary
    assert app.lower() in link[0].title.lower()
    (seen,) = link[0].evidence
    assert seen.kind == "ios-link" and seen.facts()["artefact"] == "sms" and seen.first_seen is not None
    dual = [f for f in result.findings if f.subject == DUAL_USE]
    assert len(dual) == 1 and dual[0].category is Category.DUAL_USE
    # WhatsApp is installed, has messages and permissions: none of that is a finding by default.
    assert not [f for f in result.findings if mentions_whatsapp(f)], names(result)
    assert "ios-backup.sms" in {n.key for n in result.sources[0].checked}


def test_encrypted_copy_needs_its_password_and_then_finds_the_same(tmp_path: Path) -> None:
    _, c2 = echap_c2()
    plain = planted_copy(tmp_path / "plain", c2)
    locked = encrypt_backup(plain, tmp_path / "locked", PASSWORD)
    assert not (locked / "Manifest.db").read_bytes().startswith(b"SQLite format 3")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "exposure", "scan", "--ios-backup", str(locked), "--quiet"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "encrypted backup" in run.stderr and "--password-file" in run.stderr
    assert run.stdout == ""

    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    passwords.give(locked, PASSWORD)
    opened = scan(locked)
    expected = scan(plain)
    assert names(opened, locked) == names(expected, plain) and len(opened.findings) >= 3
    assert opened.sources[0].details["encrypted"] == "yes"
    assert {n.key for n in opened.sources[0].checked} == {n.key for n in expected.sources[0].checked}
    # Nothing decrypted was written anywhere under the test's folders.
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_whatsapp_is_named_when_the_travel_worry_is_chosen(tmp_path: Path) -> None:
    _, c2 = echap_c2()
    folder = planted_copy(tmp_path / "backup", c2)
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),),
                                  profiles=("flagged-apps-xinjiang",)))
    flagged = [f for f in result.findings if mentions_whatsapp(f)]
    assert flagged and all(f.category is Category.FLAGGED_APP for f in flagged)
    assert any(o.kind == "ios-app" and "net.whatsapp.WhatsApp" in o.describe() for f in flagged for o in f.evidence)
