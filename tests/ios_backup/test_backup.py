"""Reading backups as they come: with or without Manifest.plist or Manifest.db, damaged
databases, hostile files, encrypted ones with and without the right password (command
line included), and no decrypted byte left on disk, even when a scan breaks off."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.ios_backup import backup as backup_module
from exposure.collect.ios_backup import collector, messages, passwords
from exposure.collect.ios_backup.backup import file_id
from exposure.model import Observation
from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios_backup.make_backup import Spec, write_backup

WHEN = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
PASSWORD = "tr0ub4dor & 3 — 密码"
SPEC = Spec(messages=[("hello https://one.example.net/x", "SMS", "+15550100", WHEN),
                      ("and https://two.example.net/y", "iMessage", "+15550101", WHEN)],
            safari_history=[("https://three.example.net/", WHEN)])
SMS = ("HomeDomain", "Library/SMS/sms.db")


def scan(folder: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False))


def links_read(folder: Path) -> list[str]:
    from exposure.collect.base import CollectContext

    found = collector.make_collector(SourceSpec("ios-backup", str(folder))).collect(CollectContext())
    return sorted(o.describe() for o in found if o.kind == "ios-link")


def stored(folder: Path, domain: str, path: str) -> Path:
    fid = file_id(domain, path)
    return folder / fid[:2] / fid


def keys(notes: Sequence[object]) -> set[str]:
    return {getattr(n, "key", "") for n in notes}


def test_an_unencrypted_backup_with_or_without_manifest_plist_and_manifest_db(tmp_path: Path) -> None:
    full = write_backup(tmp_path / "full", SPEC)
    no_plist = write_backup(tmp_path / "no-plist", Spec(**{**SPEC.__dict__, "manifest_plist": False}))
    no_db = write_backup(tmp_path / "no-db", SPEC)
    (no_db / "Manifest.db").unlink()
    expected = ["link to one.example.net in an SMS", "link to three.example.net in Safari's history (Safari)",
                "link to two.example.net in an iMessage"]
    for folder in (full, no_plist, no_db):
        assert links_read(folder) == expected, folder
    result = scan(no_db)
    assert "warn.ios-backup.no-manifest-db" in {w.key for w in result.warnings}
    assert "ios-backup.website-data.absent" in keys(result.sources[0].not_checked)
    assert "ios-backup.sms" in keys(result.sources[0].checked)


@pytest.mark.parametrize("kind", ["link to /dev/zero", "pipe"])
def test_a_manifest_db_that_is_not_a_file_is_said_as_such(tmp_path: Path, kind: str) -> None:
    # it was reported as "Manifest.db is missing", which sends a trainer looking for a lost file
    folder = write_backup(tmp_path / "b", SPEC)
    (folder / "Manifest.db").unlink()
    if kind == "pipe":
        os.mkfifo(folder / "Manifest.db")
    else:
        (folder / "Manifest.db").symlink_to("/dev/zero")
    result = scan(folder)
    assert [w.key for w in result.warnings if "manifest" in w.key] == ["warn.ios-backup.manifest-db-not-regular"]
    assert links_read(folder)  # the rest is read by computed names


def test_a_damaged_database_is_a_warning_for_it_and_the_rest_is_checked(tmp_path: Path) -> None:
    folder = write_backup(tmp_path / "b", SPEC)
    stored(folder, *SMS).write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    result = scan(folder)
    (warning,) = [w for w in result.warnings if w.key == "warn.ios-backup.unreadable"]
    assert dict(warning.params)["file"] == "HomeDomain/Library/SMS/sms.db"
    source = result.sources[0]
    assert "ios-backup.sms.unreadable" in keys(source.not_checked) and "ios-backup.sms" not in keys(source.checked)
    assert "ios-backup.safari-history" in keys(source.checked) and source.counts["links"] == 1
    assert not result.unreadable


def test_hostile_files_links_and_oversized_ones_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_backup(tmp_path / "b", SPEC)
    secret = tmp_path / "outside.db"
    secret.write_bytes(stored(folder, *SMS).read_bytes())
    stored(folder, *SMS).unlink()
    stored(folder, *SMS).symlink_to(secret)
    result = scan(folder)
    problems = [dict(w.params)["problem"] for w in result.warnings if w.key == "warn.ios-backup.unreadable"]
    assert problems == ["it is not a regular file (a link or a device)"]
    monkeypatch.setattr(backup_module, "MAX_FILE", 1000)
    small = scan(write_backup(tmp_path / "c", SPEC))
    assert any("larger than" in dict(w.params).get("problem", "") for w in small.warnings)


def test_not_a_backup_and_an_encrypted_one_without_manifest_plist_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "is not an iPhone backup" in scan(empty).unreadable[0]
    locked = write_backup(tmp_path / "locked", Spec(**{**SPEC.__dict__, "manifest_plist": False}), encrypt=PASSWORD)
    (message,) = scan(locked).unreadable
    assert "encrypted" in message and "Manifest.plist" in message


def test_encrypted_backup_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = write_backup(tmp_path / "locked", SPEC, encrypt=PASSWORD)
    assert main(["scan", "--ios-backup", str(locked), "--quiet"]) == 2  # no terminal to ask on
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--password-file" in err
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", "utf-8")
    assert main(["scan", "--ios-backup", str(locked), "--password-file", str(wrong), "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == f"exposure: the password does not open the encrypted backup {locked}"
    right = tmp_path / "pw.txt"
    right.write_text(PASSWORD + "\n", "utf-8")
    report = tmp_path / "report.json"
    assert main(["scan", "--ios-backup", str(locked), "--password-file", str(right), "--json", str(report),
                 "--quiet"]) == 0
    text = report.read_text("utf-8")
    assert PASSWORD not in text and "one.example.net" not in text  # no finding: links are not listed
    data = json.loads(text)
    assert data["sources"][0]["details"]["encrypted"] == "yes" and data["sources"][0]["counts"]["links"] == 3
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    assert main(["scan", "--ios-backup", str(locked), "--password-file", str(empty)]) == 2
    assert "empty" in capsys.readouterr().err


def test_the_password_typed_at_a_terminal_is_used_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write_backup(tmp_path / "locked", SPEC, encrypt=PASSWORD)
    asked: list[str] = []

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return PASSWORD

    monkeypatch.setattr("getpass.getpass", getpass)
    report = tmp_path / "r.json"
    assert main(["scan", "--ios-backup", str(locked), "--json", str(report), "--quiet"]) == 0
    assert len(asked) == 1 and "not shown" in asked[0]
    assert passwords.take(locked) is None  # the collector took it; nothing kept
    assert json.loads(report.read_text("utf-8"))["sources"][0]["counts"]["links"] == 3


def _files_under(*folders: Path) -> dict[str, bytes]:
    out = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                out[str(path)] = path.read_bytes()
    return out


@pytest.mark.parametrize("stop", [None, RuntimeError, KeyboardInterrupt])
def test_nothing_decrypted_is_left_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           stop: type[BaseException] | None) -> None:
    """Decrypted databases live only in memory: after a scan, and after one that breaks off
    half-way (an error, Ctrl-C), no file anywhere under the test's folders or the temporary
    folder holds a decrypted byte."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    locked = write_backup(tmp_path / "locked", SPEC, encrypt=PASSWORD)
    before = _files_under(tmp_path)
    closed: list[bool] = []
    real_close = backup_module.Backup.close

    def close(self: backup_module.Backup) -> None:
        closed.append(True)
        real_close(self)

    monkeypatch.setattr(backup_module.Backup, "close", close)
    if stop is not None:
        real_sms = messages.sms

        def breaking(db: sqlite3.Connection, where: messages.Where) -> Iterator[Observation]:
            for count, obs in enumerate(real_sms(db, where)):
                if count == 1:
                    raise stop("stopped half-way")
                yield obs

        first = dataclasses.replace(collector.ARTEFACTS[0], database=breaking)
        monkeypatch.setattr(collector, "ARTEFACTS", (first, *collector.ARTEFACTS[1:]))
    passwords.give(locked, PASSWORD)
    if stop is None:
        assert scan(locked).sources[0].counts["links"] == 3
    else:
        with pytest.raises(stop):
            scan(locked)
    assert closed == [True]
    after = _files_under(tmp_path)
    assert after == before
    assert not any(data.startswith(b"SQLite format 3") for name, data in after.items()
                   if "Manifest.db" not in name and os.path.basename(name) != "db.sqlite")


def test_stopping_a_scan_ends_the_backup_read_without_calling_it_damaged(tmp_path: Path) -> None:
    from exposure.collect.base import CollectContext

    folder = write_backup(tmp_path / "b", SPEC)
    warned: list[object] = []
    ctx = CollectContext(warn=warned.append)
    reader = collector.make_collector(SourceSpec("ios-backup", str(folder)))
    seen = []
    for obs in reader.collect(ctx):
        seen.append(obs)
        if obs.kind == "ios-link":
            ctx.cancel.set()
    assert [o.kind for o in seen].count("ios-link") == 1 and warned == []
    assert "ios-backup.safari-history" not in keys(reader.info.checked)


def test_plists_of_the_wrong_shape_are_skipped_without_a_crash(tmp_path: Path) -> None:
    import plistlib

    domain = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
    odd: dict[tuple[str, str], bytes] = {
        (domain, "Library/ConfigurationProfiles/profile-1.stub"): plistlib.dumps(["not", "a", "dict"]),
        (domain, "Library/ConfigurationProfiles/profile-2.stub"): plistlib.dumps(
            {"PayloadIdentifier": 7, "PayloadContent": "x"}),
        (domain, "Library/ConfigurationProfiles/profile-3.stub"): plistlib.dumps(
            {"PayloadIdentifier": "ok.id", "PayloadContent": [1, "x", {"PayloadType": ["no"]}], "InstallDate": "soon"}),
        (domain, "Library/ConfigurationProfiles/MCProfileEvents.plist"): plistlib.dumps(
            {"ProfileEvents": [1, {"a": "b"}, {"c": {"operation": 5, "timestamp": "x"}}]}),
        (domain, "Library/ConfigurationProfiles/CloudConfigurationDetails.plist"): plistlib.dumps([1, 2]),
        ("RootDomain", "Library/Caches/locationd/clients.plist"): plistlib.dumps(
            {"a": 1, "b": {"Authorization": True}, "c": {"Authorization": 3, "BundleId": 9}}),
        ("HomeDomain", "Library/Preferences/.GlobalPreferences.plist"): b"<plist><dict><key>x",
    }
    result = scan(write_backup(tmp_path / "b", Spec(lockdown=None, extra_files=odd)))
    source = result.sources[0]
    assert source.counts["profiles"] == 1 and source.counts["permissions"] == 1  # "ok.id" and "c"
    assert "ios-backup.lockdown-mode.unreadable" in keys(source.not_checked)
    assert [dict(w.params)["file"] for w in result.warnings if w.key == "warn.ios-backup.unreadable"] == [
        "HomeDomain/Library/Preferences/.GlobalPreferences.plist"]
