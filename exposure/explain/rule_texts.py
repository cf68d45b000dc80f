"""The texts of heuristic rules: every ``exposure/explain/rules/*.yaml`` file.

Each file maps a rule id (``Finding.rule``) to ``title``, ``meaning`` and ``advice``,
each a ``{language code: text}`` mapping (see ``rules/README.md``). A rule id defined in
two files is a packaging mistake and is reported by the tests, not at scan time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from exposure.explain.i18n import _load_yaml, local_text
from exposure.model import LocalText

FIELDS = ("title", "meaning", "advice")


@dataclass(frozen=True, slots=True)
class RuleText:
    rule: str
    title: LocalText
    meaning: LocalText
    advice: LocalText
    file: str = ""


def rule_files() -> list[tuple[str, str]]:
    """(file name, content) of every bundled rule-text file, sorted by name."""
    folder = resources.files("exposure.explain").joinpath("rules")
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml") and entry.is_file():
            out.append((entry.name, entry.read_text("utf-8")))
    return sorted(out)


def parse_rule_file(file_name: str, content: str) -> list[RuleText]:
    """The rules of one file; entries that are not mappings are skipped."""
    out = []
    for rule, entry in _load_yaml(content).items():
        if not isinstance(entry, dict):
            continue
        texts = {field: local_text(entry.get(field) or {}) for field in FIELDS}
        out.append(RuleText(str(rule), texts["title"], texts["meaning"], texts["advice"], file_name))
    return out


@cache
def rule_texts() -> dict[str, RuleText]:
    """Rule id -> its texts, over all bundled rule files (the first file wins a clash)."""
    out: dict[str, RuleText] = {}
    for file_name, content in rule_files():
        try:
            texts = parse_rule_file(file_name, content)
        except yaml.YAMLError:
            # A broken bundled file is a packaging bug (the tests parse every file); the
            # findings it explains fall back to their English titles rather than crash.
            continue
        for text in texts:
            out.setdefault(text.rule, text)
    return out
