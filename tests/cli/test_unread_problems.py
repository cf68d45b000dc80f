"""A source that gave nothing says why in one line, and the problems met on the way that
line points to are printed after it (they were lost before: "see the warnings" with none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_cli


@pytest.mark.parametrize(("lang", "said", "problem"), [("en", "see the problems listed", "Problem: "),
                                                       ("zh", "见列出的问题", "问题：")])
def test_a_damaged_package_list_is_named_after_the_not_checked_line(tmp_path: Path, lang: str, said: str,
                                                                    problem: str) -> None:
    folder = tmp_path / "qf"
    folder.mkdir()
    (folder / "packages.json").write_text('[{"name": "com.wifi0", "files": [', "utf-8")
    done = run_cli("scan", "--androidqf", str(folder), "--lang", lang)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert said in lines[0], lines
    assert any(line.startswith(f"exposure: {problem}") and "packages.json" in line for line in lines[1:]), lines
