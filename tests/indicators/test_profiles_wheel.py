"""The profiles ship inside the wheel, and an installed copy finds them from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.paths import REPO

OURS = ("stalkerware", "china-state-monitoring", "forensic-agents", "flagged-apps-xinjiang")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: hatchling is already in the venv, and the test must not need the network.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(REPO)], check=True, timeout=300, capture_output=True)
    return next(out.glob("exposure-*.whl"))


def test_the_wheel_contains_the_profiles(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for profile_id in OURS:
            name = f"exposure/_profiles/{profile_id}.yaml"
            assert name in names
            assert zf.read(name) == (REPO / "profiles" / f"{profile_id}.yaml").read_bytes()


def test_the_wheel_carries_the_bundled_feeds_with_their_licences(wheel: Path) -> None:
    data = REPO / "exposure" / "indicators" / "data"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for path in data.rglob("*"):
        if path.is_file():
            assert f"exposure/indicators/data/{path.relative_to(data).as_posix()}" in names, path


def test_an_installed_copy_finds_them_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site),
                    str(wheel)], check=True, timeout=300, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    code = ("import exposure; from exposure.indicators.profiles import bundled_dir, load_bundled_profiles; "
            "print(exposure.__file__); print(bundled_dir()); print(sorted(p.id for p in load_bundled_profiles()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    module, folder, ids = done.stdout.splitlines()
    assert Path(module).is_relative_to(site)  # the installed copy, not the checkout
    assert Path(folder) == site / "exposure" / "_profiles"
    for profile_id in OURS:
        assert repr(profile_id) in ids
    # The installed copy carries the full Echap list: a fresh install knows every family.
    code = ("from exposure.indicators.catalog import build_catalog; c = build_catalog(); "
            "print(sorted(f.name for f in c.feeds)); print(len(c.index.threats))")
    done = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    feeds, threats = done.stdout.splitlines()
    assert "'echap-samples'" in feeds and "'isdi-app-flags'" in feeds and int(threats) > 5000
    listed = subprocess.run([sys.executable, "-m", "exposure", "profiles", "list"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "Someone close to me may be watching my phone" in listed.stdout
