"""The words of every text table and bundled profile: no folded-line hyphens
("digital- security"), no "(s)" plurals in English, and one space between Chinese and
Latin letters or digits, written the same way everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from exposure.indicators.profiles import load_bundled_profiles
from tests.paths import REPO

TABLES = sorted((REPO / "exposure" / "explain").glob("*.yaml")) + sorted(
    (REPO / "exposure" / "explain" / "rules").glob("*.yaml")) + [REPO / "exposure" / "tui" / "strings.yaml"]
HAN = "\u4e00-\u9fff"
CRAMMED = re.compile(f"[{HAN}][A-Za-z0-9]|[A-Za-z0-9][{HAN}]")


def texts(lang: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every text in ``lang``: our tables, then the bundled profiles."""
    def walk(node: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == lang and isinstance(value, str):
                    yield where, value
                else:
                    yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}[{i}]")

    for table in TABLES:
        yield from walk(yaml.safe_load(table.read_text("utf-8")), table.name)
    for profile in load_bundled_profiles():
        for threat in profile.threats:
            for field in ("name", "what_it_is", "what_it_can_do", "what_to_do"):
                yield f"{profile.id}.{threat.id}.{field}", getattr(threat, field).get(lang)


def test_no_word_is_broken_by_a_folded_line() -> None:
    broken = [(where, found.group()) for lang in ("en", "zh") for where, text in texts(lang)
              for found in re.finditer(r"[A-Za-z]{2,}- [a-z]+", text)]
    assert broken == []


def test_english_counts_agree_with_their_number() -> None:
    hedged = [(where, text) for where, text in texts("en") if re.search(r"\w\((s|es)\)", text)]
    assert hedged == []
    # "{count} things" needs its own text for 1 ("1 thing"), or the count goes after a colon.
    table = yaml.safe_load((REPO / "exposure" / "explain" / "texts.yaml").read_text("utf-8"))
    for key, value in table.items():
        english = value.get("en", "") if isinstance(value, dict) else ""
        if re.match(r"\{count\} [a-z]+s\b", english) and not key.endswith(".many"):
            assert f"{key}.one" in table or key.replace(".many", ".one") in table, key


def test_chinese_next_to_latin_letters_or_digits_has_one_space() -> None:
    crammed = [(where, found.group()) for where, text in texts("zh")
               for found in CRAMMED.finditer(re.sub(r"\{\w+\}", "", text))]
    assert crammed == []


def test_the_tables_are_found() -> None:
    assert len(TABLES) >= 9 and all(isinstance(t, Path) for t in TABLES)
    assert sum(1 for _ in texts("zh")) > 500


def test_chinese_texts_address_the_reader_one_way() -> None:
    # 你 throughout (most of the texts use it); a report that switches to 您 from one finding
    # to the next reads as two voices.
    polite = [(where, text) for where, text in texts("zh") if "您" in text]
    assert polite == []
    assert sum("你" in text for _, text in texts("zh")) > 100
