"""The catalog kept between runs (exposure/indicators/catalog_cache.py): a new process loads it
instead of building it, it answers as a freshly built one does, and any change to what it is
built from (an imported feed, a profile file) or a damaged file makes it built again."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from exposure.indicators import catalog_cache
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.indicators.feeds.store import FeedStore
from exposure.model import IndicatorType
from tests.paths import DATA_FEEDS


@pytest.fixture(autouse=True)
def enabled(monkeypatch: pytest.MonkeyPatch, private_data_dir: Path) -> None:
    monkeypatch.setattr(catalog_cache, "ENABLED", True)
    (private_data_dir / "feeds").mkdir()  # a person who keeps feeds (the cache is kept beside them)


def test_nothing_is_kept_for_a_person_who_keeps_no_feeds(private_data_dir: Path) -> None:
    (private_data_dir / "feeds").rmdir()
    build_catalog()
    assert list(private_data_dir.iterdir()) == []  # exposure leaves no trace (README, "What exposure keeps")


def kept(data: Path) -> list[Path]:
    return sorted((data / catalog_cache.CACHE_FOLDER).glob("catalog-*.pickle"))


def never(*_args: object) -> Catalog:
    raise AssertionError("built again")


def lookups(catalog: Catalog) -> dict[str, set[tuple[str, str]]]:
    index = catalog.index
    wanted = ((IndicatorType.DOMAIN, "mobile-gw.thd.cc"), (IndicatorType.PACKAGE, "com.life360.android.safetymapd"),
              (IndicatorType.DOMAIN, "1topspy.com"))
    return {value: {(h.threat, h.source) for h in index.lookup(kind, value)} for kind, value in wanted}


def test_a_second_run_loads_the_catalog_kept(private_data_dir: Path) -> None:
    first = build_catalog()
    (path,) = kept(private_data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = catalog_cache.cached(None, True, True, never, Catalog)  # loaded, not built
    assert lookups(again) == lookups(first) and all(lookups(first).values())
    assert [f.name for f in again.feeds] == [f.name for f in first.feeds]
    assert len(again.index) == len(first.index)
    # the request is part of the key: the Xinjiang app list alone is another catalog
    build_catalog(["flagged-apps-xinjiang"])
    assert len(kept(private_data_dir)) == 2


def test_an_imported_feed_or_a_changed_profile_builds_it_again(private_data_dir: Path) -> None:
    build_catalog()
    FeedStore.default().import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")
    with pytest.raises(AssertionError, match="built again"):
        catalog_cache.cached(None, True, True, never, Catalog)
    catalog = build_catalog()
    assert [f.name for f in catalog.feeds if not f.bundled]
    assert catalog_cache.cached(None, True, True, never, Catalog).feeds == catalog.feeds


def test_a_damaged_or_foreign_file_is_ignored(private_data_dir: Path) -> None:
    build_catalog()
    (path,) = kept(private_data_dir)
    data = path.read_bytes()
    for broken in (data[: len(data) // 2], b"not a catalog", catalog_cache.MAGIC + b"0" * 32 + b"\n" + data[-100:]):
        path.write_bytes(broken)
        assert len(build_catalog().index) > 1000
        assert path.read_bytes() == data  # built again and kept again


def test_the_age_of_the_feeds_is_judged_at_each_load(private_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_catalog()
    import datetime as dt

    from exposure.indicators import catalog as catalog_module

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Later:
            return cls(2040, 1, 1, tzinfo=tz)

    monkeypatch.setattr(catalog_module, "datetime", Later)
    warned = build_catalog().warnings
    assert [w for w in warned if "six months" in str(w)]
    monkeypatch.undo()
    assert not [w for w in build_catalog().warnings if "six months" in str(w)]


def test_an_unwritable_data_folder_still_gives_a_catalog(private_data_dir: Path) -> None:
    (private_data_dir / catalog_cache.CACHE_FOLDER).write_text("a file where the folder would be")
    assert len(build_catalog().index) > 1000
    os.unlink(private_data_dir / catalog_cache.CACHE_FOLDER)


def test_the_kept_catalog_holds_the_very_same_objects(private_data_dir: Path) -> None:
    """Dataclasses are kept as their constructor's arguments (loading is ~3x faster): every
    indicator, threat, profile and feed of the loaded catalog equals the built one's, field by
    field and in the same order, for every kind, and its lazy rows make the same indicators."""
    first = build_catalog()
    again = catalog_cache.cached(None, True, True, never, Catalog)
    assert again is not first
    assert again.profiles == first.profiles and again.feeds == first.feeds and again.warnings == first.warnings
    assert again.index.threats == first.index.threats
    assert again.index._exact == first.index._exact and again.index._networks == first.index._networks
    for kind in IndicatorType:
        values = list(first.index.values(kind))
        assert list(again.index.values(kind)) == values, kind
        for value in values[::50]:
            assert again.index.lookup(kind, value) == first.index.lookup(kind, value), (kind, value)
    indicator = next(iter(again.index._exact[IndicatorType.DOMAIN].values()))[0]
    with pytest.raises(AttributeError):
        indicator.value = "changed"  # type: ignore[misc]  # still frozen


def test_only_dataclasses_made_by_their_fields_alone_are_kept_by_their_arguments() -> None:
    from exposure.indicators.index import LazyTable
    from exposure.model import Indicator, Observation, SourceInfo

    assert catalog_cache._positional_fields(Indicator) is not None
    assert catalog_cache._positional_fields(LazyTable) is not None
    assert catalog_cache._positional_fields(Observation) is None  # keyword-only fields
    assert catalog_cache._positional_fields(SourceInfo) is not None
    assert catalog_cache._positional_fields(dict) is None
