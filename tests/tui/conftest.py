"""Every app test runs with an ``adb`` that sees no phone, first on PATH: a test never talks
to a real phone and never starts an adb server that would outlive it. A test that needs
phones puts its own fake adb first on PATH."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

NO_PHONE_ADB = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/calls.log"
[ "$1" = devices ] && printf 'List of devices attached\\n\\n'
exit 0
"""


@pytest.fixture(autouse=True)
def no_real_adb(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("no-phone-adb")
    adb = folder / "adb"
    adb.write_text(NO_PHONE_ADB)
    adb.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    yield folder
