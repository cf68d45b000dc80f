"""An iPhone backup is untrusted like any other input (issue 17): found by the fuzz suite,
a named pipe as Manifest.db hung the check, and a database whose schema holds bytes that
are not UTF-8 made sqlite3 raise UnicodeDecodeError (an internal error, exit 70)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exposure.scan import ScanRequest, ScanResult, SourceSpec, run_scan
from tests.ios_backup.make_backup import Spec, file_id, write_backup

WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def scan(folder: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="named pipes")
@pytest.mark.timeout(30)
def test_a_named_pipe_as_manifest_db_is_never_opened(tmp_path: Path) -> None:
    folder = write_backup(tmp_path / "backup", Spec())
    (folder / "Manifest.db").unlink()
    os.mkfifo(folder / "Manifest.db")
    result = scan(folder)  # ends, whatever it then says about the backup
    assert result.sources or result.unreadable


def test_a_schema_with_bytes_that_are_not_utf8_is_a_warning_for_that_database(tmp_path: Path) -> None:
    folder = write_backup(tmp_path / "backup", Spec(messages=[("hello", "SMS", "+15550100", WHEN)],
                                                    safari_history=[("https://example.com/", WHEN)]))
    fid = file_id("HomeDomain", "Library/SMS/sms.db")
    stored = folder / fid[:2] / fid
    data = stored.read_bytes()
    at = data.index(b"CREATE TABLE message")
    # The "(" after the table's name: sqlite3 then fails with 'malformed database schema
    # ... near "\x82ROWID"', a message that is not UTF-8, so Python raises
    # UnicodeDecodeError instead of sqlite3.Error.
    paren = data.index(b"(", at)
    stored.write_bytes(data[:paren] + b"\x82" + data[paren + 1:])
    result = scan(folder)
    damaged = [w for w in result.warnings if w.key == "warn.ios-backup.unreadable"]
    assert [dict(w.params)["file"] for w in damaged] == ["HomeDomain/Library/SMS/sms.db"]
    assert not result.unreadable  # the rest of the backup was checked
