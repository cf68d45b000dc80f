"""``exposure --lang zh COMMAND``: the language given before the command is the command's
own default (the top-level help says it sets messages and texts), a ``--lang`` given to
the command itself wins, and the "wrong folder" lines of the device sources read in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exposure.collect.ios.dump import write_dump
from tests.cli.helpers import one_line_error, run_cli
from tests.paths import REPO

HAN = re.compile("[\u4e00-\u9fff]")
UDID = "00008030-001A2B3C4D5E6F70"


def apps_only_dump(folder: Path) -> Path:
    folder.mkdir()
    write_dump(folder, UDID, {"apps.plist": (REPO / "tests" / "data" / "ios" / "isdi_ios_apps.plist").read_bytes()},
               {})
    return folder


def test_the_language_before_the_command_is_the_scans_language(tmp_path: Path) -> None:
    done = run_cli("--lang", "zh", "scan", "--iphone-dump", str(apps_only_dump(tmp_path / "dump")), "--no-feeds")
    assert done.returncode == 0, done.stderr
    assert "我们" in done.stdout and "We found" not in done.stdout and "We checked" not in done.stdout


def test_the_commands_own_language_wins(tmp_path: Path) -> None:
    done = run_cli("--lang", "zh", "scan", "--iphone-dump", str(apps_only_dump(tmp_path / "dump")), "--no-feeds",
                   "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "We checked" in done.stdout and not HAN.search(done.stdout.split("Where to get help")[0])


@pytest.mark.parametrize("option", ["--androidqf", "--android-dump", "--iphone-dump"])
@pytest.mark.parametrize("before", [True, False], ids=["lang-first", "lang-last"])
def test_a_folder_of_the_wrong_kind_is_said_in_chinese(tmp_path: Path, option: str, before: bool) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["scan", option, str(empty)]
    line = one_line_error(run_cli(*(["--lang", "zh", *args] if before else [*args, "--lang", "zh"])))
    assert HAN.search(line), line
    assert str(empty) in line
    assert not re.search(r"\b(is it|it is not|has no|neither)\b", line), line


def test_a_missing_androidqf_path_is_said_missing_in_chinese(tmp_path: Path) -> None:
    line = one_line_error(run_cli("scan", "--androidqf", str(tmp_path / "nowhere"), "--lang", "zh"))
    assert "不存在" in line and "可以读取的 zip" not in line, line
