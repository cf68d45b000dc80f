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


def test_the_data_folder_holds_only_what_the_readme_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         private_data_dir: Path) -> None:
    """After a feed import and a check, every file in the data folder is one that README's "What
    exposure keeps" lists (review r3 trainer #10: the catalog cache was not listed)."""
    from exposure.cli import main
    from tests.paths import DATA_FEEDS, NAME_CAPTURES, REPO

    monkeypatch.setattr("exposure.indicators.catalog_cache.ENABLED", True)
    assert main(["feeds", "import", str(DATA_FEEDS / "amnesty" / "cytrox.stix2")]) == 0
    assert main(["scan", "--pcap", str(NAME_CAPTURES / "bug-2430__backwards" / "capture.pcap"), "--quiet"]) == 0
    written = sorted(str(p.relative_to(private_data_dir)) for p in private_data_dir.rglob("*") if p.is_file())
    assert any(name.startswith("cache/catalog-") and name.endswith(".pickle") for name in written), written
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    keeps = readme[readme.index("## What exposure keeps"):]
    keeps = keeps[:keeps.index("\n## ", 5)]
    listed = {"feeds/": "feeds/", "cache/": "`cache/catalog-*.pickle`"}
    for name in written:
        top = name.split("/")[0] + "/"
        assert top in listed, f"{name} is written but README does not say so"
        assert listed[top] in keeps or top == "feeds/", top
