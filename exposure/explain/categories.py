"""categories.yaml: what each kind of threat is, what it can do and what to do, for a threat
whose own texts are missing (a family known only from a feed) or a heuristic finding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from exposure.explain.i18n import bundled_table, local_text
from exposure.model import Category, LocalText


@dataclass(frozen=True, slots=True)
class CategoryTexts:
    """The plain-language texts of one threat category, in every language."""

    name: LocalText
    what_it_is: LocalText
    what_it_can_do: LocalText
    what_to_do: LocalText


@cache
def category_texts() -> dict[str, CategoryTexts]:
    data = bundled_table("categories.yaml")
    out: dict[str, CategoryTexts] = {}
    for key, entry in data.items():
        entry = entry if isinstance(entry, dict) else {}
        out[str(key)] = CategoryTexts(*(local_text(entry.get(f, {})) for f in
                                        ("name", "what_it_is", "what_it_can_do", "what_to_do")))
    return out


def category(cat: str) -> CategoryTexts:
    """The texts of category ``cat`` (those of a heuristic for an unknown one)."""
    found = category_texts()
    return found.get(cat) or found[Category.HEURISTIC.value]
