"""Leave no trace unless asked: a check of this computer writes nothing in the person's home
(GSettings' dconf used to leave ~/.cache/dconf behind)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli

# Behaves as dconf does when GSettings reads a value: it creates its runtime file first.
FAKE_GSETTINGS = """#!/bin/sh
dir="${XDG_RUNTIME_DIR:-$HOME/.cache}/dconf"
mkdir -p "$dir" && : > "$dir/user"
echo "'none'"
"""


def home_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*"))


@pytest.mark.parametrize("gsettings", ["fake", "real"])
def test_scan_host_leaves_nothing_in_home(gsettings: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if gsettings == "fake":
        (bin_dir / "gsettings").write_text(FAKE_GSETTINGS)
        (bin_dir / "gsettings").chmod(0o755)
    elif shutil.which("gsettings") is None:
        pytest.skip("gsettings is not installed here (the fake one stands in for it)")
    env = {"HOME": str(home), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run_cli("scan", "--host", "--quiet", env=env, unset=("XDG_RUNTIME_DIR",))
    assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr, done.stderr
    assert home_files(home) == []
