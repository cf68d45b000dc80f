"""The precedence rule's result for a fresh install, kept in the precompiled form
(``precompiled.json``'s ``default``): it is what ``precedence.merge`` gives for the default
profiles and the bundled feeds, a catalog built with it is the one built without it, and it is
used only for that request and while the shared certificates it rests on are unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from exposure.indicators import catalog, datafiles, precompiled
from exposure.indicators.bundled import load_for_catalog
from exposure.indicators.catalog import build_catalog
from exposure.indicators.index import NETWORK_TYPES, IndicatorIndex
from exposure.indicators.profiles import load_bundled_profiles
from exposure.model import Indicator, IndicatorType


def _document() -> dict[str, Any]:
    document = precompiled._document()
    assert document is not None and "default" in document, "run: python -m exposure.indicators.precompile"
    return document


def _shipped() -> list[precompiled.LazyFeed]:
    feeds = load_for_catalog(lambda _: None)
    assert all(isinstance(f, precompiled.LazyFeed) for f in feeds)
    return feeds  # type: ignore[return-value]


def _state(index: IndicatorIndex) -> dict[str, Any]:
    """Everything an index answers from (lazy tables by their entries and what they leave out)."""
    index.index_domains()
    return {"exact": index._exact, "suffixes": index._suffixes, "networks": index._networks,
            "windows": index._windows, "size": index._size, "threats": index._threats,
            "lazy": {kind: [(id(t.entries), t.excluded) for t in tables] for kind, tables in index._lazy.items()},
            "lazy_threats": [id(rows) for rows, _ in index._lazy_threats]}


def _by_kind(indicators: list[Indicator]) -> dict[IndicatorType, list[Indicator]]:
    out: dict[IndicatorType, list[Indicator]] = {}
    for ind in indicators:
        out.setdefault(ind.type, []).append(ind)
    return out


def test_the_kept_result_is_what_the_rule_gives() -> None:
    feeds = _shipped()
    kept = precompiled.merged_from(_document(), feeds)
    fresh = catalog.default_merge(load_bundled_profiles(), feeds)
    assert kept is not None and not fresh.later
    # the network values come later (made at their first lookup), after the others: the index
    # keeps one table per kind, so what counts is the order within each kind
    assert all(i.type not in NETWORK_TYPES for i in kept.indicators)
    later = [i for part in kept.later for i in part]
    assert all(i.type in NETWORK_TYPES for i in later) and len(later) > 1000
    assert _by_kind([*kept.indicators, *later]) == _by_kind(fresh.indicators)
    assert [(kind, id(t.entries), t.excluded) for kind, t in kept.lazy] == [
        (kind, id(t.entries), t.excluded) for kind, t in fresh.lazy]
    assert len(kept.indicators) > 200 and sum(len(t.excluded) for _, t in kept.lazy) > 100


def test_a_catalog_with_the_kept_result_is_the_catalog_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[bool] = []
    real = catalog._premerged

    def watched(everything: Any, loaded: Any) -> Any:
        found = real(everything, loaded)
        used.append(found is not None)
        return found

    monkeypatch.setattr(catalog, "_premerged", watched)
    fast = build_catalog()
    assert used == [True]
    monkeypatch.setattr(catalog, "_premerged", lambda everything, loaded: None)
    slow = build_catalog()
    assert _state(fast.index) == _state(slow.index)
    assert fast.feeds == slow.feeds and fast.profiles == slow.profiles


def test_only_the_default_request_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[bool] = []
    real = catalog._premerged
    monkeypatch.setattr(catalog, "_premerged",
                        lambda everything, loaded: used.append(real(everything, loaded) is not None))
    build_catalog(["stalkerware"])  # other profiles
    build_catalog(bundled=False)  # no bundled feeds
    assert True not in used
    build_catalog()
    build_catalog(use_feeds=False)
    assert used[-2:] == [True, True]


def test_changed_shared_certificates_mean_the_rule_runs_again(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    changed = tmp_path / "shared_certificates.txt"
    changed.write_text(datafiles.SHARED_CERTS.read_text("utf-8") + "\n# one more line\n", encoding="utf-8")
    monkeypatch.setattr(datafiles, "SHARED_CERTS", changed)
    assert precompiled.merged_from(_document(), _shipped()) is None
    # and a feed list that is not the bundled one (another order) is never given the kept result
    monkeypatch.undo()
    everything = load_bundled_profiles()
    assert catalog._premerged(everything, list(reversed(_shipped()))) is None
    assert catalog._premerged(everything, _shipped()) is not None
    # profiles other than the precompiled ones (a test's, a changed copy) never get it either
    assert catalog._premerged([*everything[1:], everything[0]], _shipped()) is None
