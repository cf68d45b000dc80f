"""The precompiled text tables (``exposure/explain/precompiled.json``) say exactly what the
YAML files say, are used only while those files are unchanged, and a missing or stale form
falls back to reading the YAML (a checkout where someone edited a text and did not run
``python -m exposure.explain.tables`` still shows the edited text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from exposure.explain import categories, help_services, i18n, notes, rule_texts, tables, texts

_CACHED = (tables._document, i18n.languages, texts.ui_texts, notes.check_texts, notes.warning_texts,
           notes.error_texts, notes._said_texts, categories.category_texts, rule_texts.rule_texts,
           help_services.help_services)


def _clear() -> None:
    for function in _CACHED:
        function.cache_clear()


@pytest.fixture
def fresh() -> Iterator[None]:
    _clear()
    yield
    _clear()


def _everything() -> dict[str, object]:
    """Every text the tables give, through the functions the program uses."""
    return {"languages": i18n.languages(), "ui": texts.ui_texts(), "checks": notes.check_texts(),
            "warnings": notes.warning_texts(), "errors": notes.error_texts(),
            "categories": categories.category_texts(), "rules": rule_texts.rule_texts(),
            "help": help_services.help_services()}


def test_the_precompiled_texts_are_current_and_say_what_the_yaml_says() -> None:
    """Fails after a text is edited until ``python -m exposure.explain.tables`` is run."""
    document = json.loads(tables.PATH.read_bytes())
    files = tables.source_files()
    assert {tables.name_of(p) for p in files} >= {"texts.yaml", "checks.yaml", "languages.yaml", "rules/host.yaml"}
    assert document["sources"] == tables.digests(files), "run: python -m exposure.explain.tables"
    for path in files:
        # compared as YAML gives them, not after a JSON round trip: a value JSON cannot hold
        # the same way (a date, a key that is a number or a boolean) fails here
        assert document["tables"][tables.name_of(path)] == tables.read_yaml(path.read_text("utf-8")), path.name
    assert set(document["tables"]) == {tables.name_of(p) for p in files}


def test_a_missing_or_stale_precompiled_form_falls_back_to_the_yaml(tmp_path: Path, fresh: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _everything()
    assert tables._document() is not None
    monkeypatch.setattr(tables, "PATH", tmp_path / "missing.json")
    _clear()
    assert tables._document() is None
    assert _everything() == fast

    # made from other files: a changed text in it is never shown
    stale = json.loads((tables.FOLDER / "precompiled.json").read_bytes())
    stale["tables"]["texts.yaml"]["list.and"] = {"en": "STALE"}
    stale["sources"]["texts.yaml"] = "0" * 64
    (tmp_path / "stale.json").write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(tables, "PATH", tmp_path / "stale.json")
    _clear()
    assert tables._document() is None
    assert texts.t("list.and", "en") != "STALE"
    assert _everything() == fast

    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(tables, "PATH", tmp_path / "broken.json")
    _clear()
    assert _everything() == fast


def test_the_precompiled_form_is_used_when_current(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_yaml(text: str) -> object:
        raise AssertionError("read YAML although the precompiled form is current")

    monkeypatch.setattr(tables, "read_yaml", no_yaml)
    assert set(i18n.languages()) == {"en", "zh"}
    assert texts.t("list.and", "en")
    assert rule_texts.rule_texts()


def test_a_broken_rule_file_keeps_the_others(tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the precompiled form unusable, a rule file that does not parse is skipped (its
    findings keep their English titles), the other files' rules are all there."""
    whole = rule_texts.rule_texts()
    folder = tmp_path / "explain"
    (folder / "rules").mkdir(parents=True)
    for path in (tables.FOLDER / "rules").glob("*.yaml"):
        (folder / "rules" / path.name).write_bytes(path.read_bytes())
    (folder / "rules" / "host.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(tables, "FOLDER", folder)
    monkeypatch.setattr(tables, "PATH", folder / "precompiled.json")
    _clear()
    found = rule_texts.rule_texts()
    assert found and set(found) < set(whole)
    assert {t.file for t in found.values()} == {t.file for t in whole.values()} - {"host.yaml"}
