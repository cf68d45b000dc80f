"""The feeds' and the iPhone backups' own lines in a Chinese report: an unreadable imported
feed, an unreadable feeds folder, a damaged bundled feed, a folder that is not a backup, an
encrypted backup that cannot be opened. Each is said in Chinese with its variable part (a
feed's name, a folder, the system's message) as a value just as it was given, and the
English line is the one exposure always wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.collect.ios_backup import collector
from exposure.collect.ios_backup.backup import Backup, BackupError
from exposure.collect.ios_backup.crypto import BadKeyBag, Keys
from exposure.errors import UserError
from exposure.explain.lines import Line, plain
from exposure.explain.notes import error_line, reason_line, warning_line
from exposure.indicators import bundled
from exposure.indicators.catalog import build_catalog
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.model import CheckNote, ScanWarning
from exposure.report.document import from_result
from exposure.report.markdown import render_markdown
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios_backup.make_backup import Spec, write_backup

MARKUP_NAME = "[b]evil"  # a feed folder's name: never taken as markup
FEED_EN = f"feed '{MARKUP_NAME}' could not be read (JSONDecodeError); import it again"
FEED_ZH = f"无法读取指标源 '{MARKUP_NAME}'（JSONDecodeError）；请重新导入它"


def values(line: Line) -> list[str]:
    return [piece.text for piece in line if piece.kind == "value"]


def broken_feed() -> None:
    folder = FeedStore.default().root / MARKUP_NAME
    folder.mkdir(parents=True)
    (folder / FEED_FILE).write_text("{broken", encoding="utf-8")


def test_an_unreadable_imported_feed_is_said_in_chinese() -> None:
    broken_feed()
    (note,) = build_catalog().warnings
    assert isinstance(note, CheckNote) and note.key == "warn.feeds.unreadable" and note.text == FEED_EN
    warning = ScanWarning.of("indicators", note)
    assert plain(warning_line(warning, "en")) == FEED_EN
    chinese = warning_line(warning, "zh")
    assert plain(chinese) == FEED_ZH
    assert values(chinese) == [f"'{MARKUP_NAME}'", "JSONDecodeError"]


def test_an_unreadable_feeds_folder_is_said_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FeedStore.default()
    store.root.mkdir(parents=True)

    def refuse(self: FeedStore) -> list[str]:
        raise PermissionError(13, "Permission denied")  # as iterdir() on a folder we may not read

    monkeypatch.setattr(FeedStore, "names", refuse)
    (note,) = build_catalog().warnings
    assert isinstance(note, CheckNote)
    english = f"the feeds folder {store.root} could not be read (Permission denied); no feeds used"
    warning = ScanWarning.of("indicators", note)
    assert note.text == english and plain(warning_line(warning, "en")) == english
    chinese = warning_line(warning, "zh")
    assert plain(chinese) == f"无法读取指标源文件夹 {store.root}（Permission denied）；没有使用任何导入的指标源"
    assert values(chinese) == [str(store.root), "Permission denied"]


def test_a_damaged_bundled_feed_is_said_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    def damaged(item: bundled.BundledFile) -> None:
        raise OSError(f"[Errno 5] Input/output error: '{item.path}'")

    monkeypatch.setattr(bundled, "_load", damaged)
    _, problems = bundled.read_bundled()
    first = problems[0]
    name = bundled.BUNDLED[0].name
    problem = f"[Errno 5] Input/output error: '{bundled.BUNDLED[0].path}'"
    english = f"the bundled feed {name} could not be read ({problem}); please reinstall exposure"
    warning = ScanWarning.of("indicators", first)
    assert len(problems) == len(bundled.BUNDLED) and first.text == english
    assert plain(warning_line(warning, "en")) == english
    chinese = warning_line(warning, "zh")
    assert plain(chinese) == f"无法读取 exposure 自带的指标源 {name}（{problem}）；请重新安装 exposure"
    assert values(chinese) == [name, problem]


def backup_error(folder: Path) -> BackupError:
    with pytest.raises(BackupError) as raised:
        Backup(folder, "password")
    return raised.value


def test_the_backups_own_errors_are_said_in_chinese(tmp_path: Path) -> None:
    """Each folder that cannot be opened: the English line as before, the Chinese one with
    the folder (named like markup here) as a value."""
    root = tmp_path / "[red]x"
    root.mkdir()
    (root / "file").write_text("", "utf-8")
    (root / "empty").mkdir()
    encrypted = write_backup(root / "locked", Spec(), encrypt="password")
    (encrypted / "Manifest.db").unlink()
    cases = {
        root / "file": ("error.ios-backup.not-a-folder", "{folder} is not a folder", "{folder} 不是一个文件夹"),
        root / "empty": ("error.ios-backup.not-a-backup",
                         "{folder} is not an iPhone backup (no Manifest.db or Info.plist + Manifest.plist)",
                         "{folder} 不是 iPhone 备份（没有 Manifest.db，也没有 Info.plist 加 Manifest.plist）"),
        encrypted: ("error.ios-backup.no-manifest-db",
                    "{folder} is encrypted but has no Manifest.db; it cannot be opened",
                    "{folder} 是加密备份，但没有 Manifest.db；无法打开它"),
    }
    for folder, (key, english, chinese) in cases.items():
        error = backup_error(folder)
        assert error.key == key and str(error) == english.format(folder=folder)
        user = UserError(str(error), key=error.key, **error.params)
        assert plain(error_line(user, "en")) == english.format(folder=folder)
        line = error_line(user, "zh")
        assert plain(line) == chinese.format(folder=folder) and values(line) == [str(folder)], key


def test_the_other_backup_errors_keep_their_english_and_have_chinese(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The errors a damaged encrypted backup gives, each with the system's message as a value."""
    folder = write_backup(tmp_path / "locked", Spec(), encrypt="password")
    # not whole AES blocks: it never decrypts (4096 zero bytes decrypted with the random test key
    # to valid padding about once in 256 runs, and the test failed)
    (folder / "Manifest.db").write_bytes(b"\x00" * 4095)
    error = backup_error(folder)
    assert error.key == "error.ios-backup.manifest-db-unreadable"
    problem = str(dict(error.params)["problem"])
    assert problem and str(error) == f"{folder}: Manifest.db cannot be read ({problem})"
    line = error_line(UserError(str(error), key=error.key, **error.params), "zh")
    # our own words inside the system's message are in Chinese too (reasons.yaml); its own stay a value
    inner = problem.removeprefix("the file does not decrypt (").removesuffix(")")
    assert plain(line) == f"{folder}：无法读取 Manifest.db（这个文件无法解密（{inner}））"
    assert values(line) == [str(folder), inner]

    monkeypatch.setattr(Keys, "decrypt", lambda *_: b"not a database")
    error = backup_error(folder)
    assert error.key == "error.ios-backup.manifest-db-no-decrypt"
    assert str(error) == f"{folder}: Manifest.db does not decrypt to a database"
    assert plain(error_line(UserError(str(error), key=error.key, **error.params), "zh")) == \
        f"{folder}：Manifest.db 解密后不是数据库"

    def no_key_bag(*_: object) -> None:
        raise BadKeyBag("Manifest.plist has no key bag")

    monkeypatch.setattr("exposure.collect.ios_backup.backup.Keys", no_key_bag)
    error = backup_error(folder)
    assert error.key == "error.ios-backup.key-bag" and str(error) == f"{folder}: Manifest.plist has no key bag"
    line = error_line(UserError(str(error), key=error.key, **error.params), "zh")
    assert plain(line) == f"{folder}：Manifest.plist 中没有密钥包" and values(line) == [str(folder)]


def test_a_chinese_report_says_a_not_backup_folder_and_a_broken_feed_in_chinese(tmp_path: Path) -> None:
    broken_feed()
    folder = tmp_path / "not-a-backup"
    folder.mkdir()
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=True))
    english_reason = f"{folder} is not an iPhone backup (no Manifest.db or Info.plist + Manifest.plist)"
    assert result.unreadable == [english_reason]
    (source,) = result.sources
    assert plain(reason_line(source.unread, "zh")) == \
        f"{folder} 不是 iPhone 备份（没有 Manifest.db，也没有 Info.plist 加 Manifest.plist）"
    report = from_result(result)
    chinese, english = render_markdown(report, "zh"), render_markdown(report, "en")
    assert "不是 iPhone 备份" in chinese and "无法读取指标源" in chinese
    assert "is not an iPhone backup" not in chinese and "import it again" not in chinese
    assert f"`{folder}` is not an iPhone backup (no Manifest.db or Info.plist + Manifest.plist)" in english
    assert f"feed `'{MARKUP_NAME}'` could not be read (`JSONDecodeError`); import it again" in english
    assert f"无法读取指标源 `'{MARKUP_NAME}'`（`JSONDecodeError`）；请重新导入它" in chinese
    # the line says where it comes from in words, not by the scan's part ("indicators")
    assert f"- `the indicator lists`: feed `'{MARKUP_NAME}'`" in english
    assert f"- `指标清单`: 无法读取指标源 `'{MARKUP_NAME}'`" in chinese
    assert "`indicators`" not in english + chinese


def test_a_backup_that_needs_a_password_is_said_in_chinese(tmp_path: Path) -> None:
    folder = write_backup(tmp_path / "locked", Spec(), encrypt="password")
    result = run_scan(ScanRequest(sources=(SourceSpec("ios-backup", str(folder)),), use_feeds=False))
    assert result.unreadable == [collector.NEEDS_PASSWORD.format(folder=folder)]
    line = reason_line(result.sources[0].unread, "zh")
    assert plain(line).startswith(f"{folder} 是加密备份：请用 --password-file") and str(folder) in values(line)
