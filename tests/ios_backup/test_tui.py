"""The app's "An iPhone backup folder" source: a folder and, for an encrypted backup, its
password, which goes to the check in memory only and is not kept on the screen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from exposure.collect.ios_backup import passwords
from exposure.scan import SourceSpec
from exposure.tui.app import ExposureApp
from exposure.tui.screens.ios_backup import IosBackupScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from tests.ios_backup.make_backup import Spec, write_backup
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

PASSWORD = "s3cret backup"
WHEN = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


async def test_an_encrypted_backup_is_checked_with_the_password_typed_in_the_app(tmp_path: Path) -> None:
    folder = write_backup(tmp_path / "b", Spec(ios_version="16.2", messages=[(
        "ALERT: State-sponsored attackers may be targeting your iPhone", "iMessage", "apple", WHEN)]), encrypt=PASSWORD)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        await pilot.press("down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IosBackupScreen))
        assert "MobileSync" in shown_text(app)
        await pilot.press(*str(tmp_path / "nothing"), "enter", "enter")
        await wait_for(pilot, lambda: "not an iPhone backup" in shown_text(app))
        app.screen.query_one("#path", Input).value = str(folder)
        app.screen.query_one("#password", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "This backup is encrypted" in shown_text(app))
        await pilot.press(*PASSWORD)
        assert PASSWORD not in shown_text(app)  # a password field shows no letters
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.sources == (SourceSpec("ios-backup", str(folder)),)  # no password in the request
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and "threat notification"
                       in shown_text(app), timeout=60)
        assert passwords.take(folder) is None and "Traceback" not in shown_text(app)


def test_a_backup_folder_typed_on_the_file_screen_is_read_as_a_backup(tmp_path: Path) -> None:
    from exposure.tui.screens.file import source_for

    plain_backup = write_backup(tmp_path / "plain", Spec())
    assert source_for(plain_backup) == SourceSpec("ios-backup", str(plain_backup))
