"""The command line's texts as the code says them: every ``say``/``say_in``/``count`` call
with a constant key (found by reading the source, so a text that only an error path says is
found too), argparse's own words, and the labels of feed counts."""

from __future__ import annotations

import ast
from pathlib import Path

from exposure import cli
from exposure.commands import capture, names, scan
from exposure.commands.words import ARGPARSE
from exposure.indicators.feeds.parsed import COUNT_LABELS
from tests.paths import REPO

SAYING = {"say": (0, 1), "say_in": (1, 2), "count": (0, 2)}  # function: (key's index, English's index)


def _calls(path: Path) -> list[tuple[str, str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SAYING:
            continue
        key_at, english_at = SAYING[name]
        args = node.args
        if len(args) > english_at and all(isinstance(args[i], ast.Constant) for i in (key_at, english_at)):
            key, english = args[key_at].value, args[english_at].value  # type: ignore[attr-defined]
            if isinstance(key, str) and isinstance(english, str):
                out.append((key, english, node.lineno))
    return out


def said_in_code() -> dict[str, list[str]]:
    """key -> the English texts the code gives it (one, unless a test is about to fail)."""
    said: dict[str, list[str]] = {}
    for path in sorted((REPO / "exposure").rglob("*.py")):
        for key, english, _line in _calls(path):
            said.setdefault(key, [])
            if english not in said[key]:
                said[key].append(english)
    for message, key in ARGPARSE.items():
        said.setdefault(key, [])
        if message not in said[key]:
            said[key].append(message)
    for command in cli.SUBCOMMANDS:  # HELP: (key, English), said by cli.build_parser
        key, english = cli._command(command).HELP
        said[key] = [english]
    said["cli.iphone-hint"] = [scan.IPHONE_HINT]
    for kind, title in names._TITLES:  # said as names.KIND
        said[f"names.{kind}"] = [title]
    for role, words in capture._ROLE_WORDS.items():  # said as capture.role.ROLE
        said[f"capture.role.{role}"] = [words]
    for label, (one, many) in COUNT_LABELS.items():
        said[f"feeds.count.{label}"] = ["{n} " + one, "{n} " + many]
    return said
