"""Small modules that each do one thing (docs/architecture.md): none in exposure/ is over 500
lines, and each says what it is for in a docstring at its top."""

from __future__ import annotations

import ast

from tests.paths import REPO

MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    modules = sorted((REPO / "exposure").rglob("*.py"))
    assert len(modules) > 150
    long = [f"{p.relative_to(REPO)}: {n} lines" for p in modules
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES]
    assert not long, "split these by concern:\n" + "\n".join(long)


def test_every_module_says_what_it_is_for() -> None:
    silent = [str(p.relative_to(REPO)) for p in sorted((REPO / "exposure").rglob("*.py"))
              if p.stat().st_size and not ast.get_docstring(ast.parse(p.read_text("utf-8")))]
    assert not silent, "no docstring at the top:\n" + "\n".join(silent)
