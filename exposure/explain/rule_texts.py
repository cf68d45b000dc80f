"""The texts of heuristic rules: every ``exposure/explain/rules/*.yaml`` file.

Each file maps a rule id (``Finding.rule``) to ``title``, ``meaning`` and ``advice``,
each a ``{language code: text}`` mapping (see ``rules/README.md``). A rule id defined in
two files is a packaging mistake and is reported by the tests, not at scan time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from exposure.explain.i18n import _load_yaml, local_text
from exposure.explain.tables import FOLDER, rule_tables
from exposure.model import LocalText

FIELDS = ("title", "meaning", "advice")


@dataclass(frozen=True, slots=True)
class RuleText:
    """One detection rule's plain-language title, meaning and advice, and the file they come from."""

    rule: str
    title: LocalText
    meaning: LocalText
    advice: LocalText
    file: str = ""


def rule_files() -> list[tuple[str, str]]:
    """(file name, content) of every bundled rule-text file, sorted by name."""
    out = []
    for entry in (FOLDER / "rules").iterdir():
        if entry.name.endswith(".yaml") and entry.is_file():
            out.append((entry.name, entry.read_text("utf-8")))
    return sorted(out)


def parse_rule_file(file_name: str, content: str) -> list[RuleText]:
    """The rules of one file read with YAML; entries that are not mappings are skipped."""
    return _rules_of(file_name, _load_yaml(content))


def _rules_of(file_name: str, data: Any) -> list[RuleText]:
    out = []
    for rule, entry in (data.items() if isinstance(data, dict) else ()):
        if not isinstance(entry, dict):
            continue
        texts = {field: local_text(entry.get(field) or {}) for field in FIELDS}
        out.append(RuleText(str(rule), texts["title"], texts["meaning"], texts["advice"], file_name))
    return out


@cache
def rule_texts() -> dict[str, RuleText]:
    """Rule id -> its texts, over all bundled rule files (the first file wins a clash)."""
    out: dict[str, RuleText] = {}
    for file_name, data in rule_tables():
        # A broken bundled file (None) is a packaging bug (the tests parse every file); the
        # findings it explains fall back to their English titles rather than crash.
        for text in _rules_of(file_name, data):
            out.setdefault(text.rule, text)
    return out
