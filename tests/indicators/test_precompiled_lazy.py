"""The feeds' threats on the precompiled file's second line (``precompiled.to_text``), read
only when a threat is first asked for: the same rows, in the same order, as reading the
whole file, for every bundled feed; a file cut short is not used."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from exposure.indicators import precompiled
from exposure.indicators.catalog import build_catalog
from exposure.model import IndicatorType


def test_the_threats_are_read_when_first_asked_for_and_are_the_same(fresh: None) -> None:
    document = precompiled._document()
    assert document is not None
    whole = precompiled.from_text(precompiled.PATH.read_bytes())
    lazy = precompiled.feeds_from(document)
    part = lazy[0].threat_rows._part
    assert part is not None and part._parsed is None  # nothing read yet
    eager = precompiled.feeds_from(whole)
    for one, other in zip(lazy, eager, strict=True):
        assert list(one.threat_rows.items()) == list(other.threat_rows.items()), one.info.name
        assert one.loaded() == other.loaded(), one.info.name
    assert part._parsed is not None


def test_a_host_scan_catalog_reads_no_threat_until_one_is_looked_up(fresh: None) -> None:
    catalog = build_catalog(use_feeds=False)
    document = precompiled._document()
    assert document is not None
    part = document["feeds"][0]["threats"]._part
    assert catalog.index._lazy_threats[0][0] is document["feeds"][0]["threats"]  # the rows of this read
    assert catalog.index.lookup(IndicatorType.PACKAGE, "libc6") == ()
    assert catalog.index.lookup(IndicatorType.FILE_SHA256, "0" * 64) == ()
    assert part._parsed is None
    isdi = next(f for f in document["feeds"] if f["info"]["name"] == "isdi-app-flags")
    named = {v for f in document["feeds"] if f is not isdi for v in f.get("tables", {}).get("package", ())}
    package = next(v for v in isdi["tables"]["package"] if v not in named)  # ISDi's own row
    hits = catalog.index.lookup(IndicatorType.PACKAGE, package)
    assert hits and part._parsed is not None
    threat = catalog.index.threat(hits[-1].threat)
    assert threat is not None and threat.id == hits[-1].threat


def test_a_kept_catalog_keeps_the_rows(fresh: None) -> None:
    catalog = build_catalog(use_feeds=False)
    again = pickle.loads(pickle.dumps(catalog))
    assert again.index.threats == catalog.index.threats


def test_a_file_cut_short_is_not_used(fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cut = tmp_path / "precompiled.json"
    cut.write_bytes(precompiled.PATH.read_bytes()[:-100])
    monkeypatch.setattr(precompiled, "PATH", cut)
    assert precompiled._document() is None
    cut.write_bytes(precompiled.PATH.read_bytes().split(b"\n")[0])
    precompiled._document.cache_clear()
    assert precompiled._document() is None
