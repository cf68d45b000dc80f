"""The README tells a person what exposure keeps and how to undo a phone check, and never
gives advice the code warns against."""

from __future__ import annotations

import re

from tests.paths import REPO

README = (REPO / "README.md").read_text("utf-8")


def test_readme_says_what_is_kept_and_how_to_remove_it() -> None:
    section = " ".join(README.split("## What exposure keeps, and how to remove it", 1)[1].split("\n## ", 1)[0].split())
    for needed in ("~/.local/share/exposure", "EXPOSURE_DATA_DIR", "exposure feeds remove", "rm -rf ~/.exposure",
                   "Revoke USB debugging authorizations", "USB debugging", "~/.android/adbkey", "adb kill-server"):
        assert needed in section, needed


def test_readme_never_advises_setcap_on_the_shared_python() -> None:
    for line in README.splitlines():
        if "setcap" in line and "eip" in line:
            assert "python-capture" in line, line
    assert not re.search(r"setcap[^`]*which python", README)


def test_readme_gives_the_exit_codes_and_standard_output() -> None:
    assert "--fail-on SEVERITY" in README and "`2` an" in README
    assert "`-` writes that report to standard output" in README
