"""The feeds bundled in the package: licences beside them, hashes as recorded, and the rule
that an imported feed is used together with the bundled one of its name unless imported with
--replace (tests/indicators/test_feed_choice.py has the rest)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from exposure.indicators.bundled import BUNDLED, load_bundled
from exposure.indicators.catalog import choose_feeds
from exposure.indicators.datafiles import FEEDS
from exposure.indicators.feeds.store import LoadedFeed
from exposure.indicators.shared_networks import FOLDER, read_ranges
from exposure.model import CheckNote, FeedInfo


def test_every_bundled_file_has_its_licence_and_source_beside_it() -> None:
    for item in BUNDLED:
        folder = (FEEDS / item.path).parent
        assert (folder / "SOURCE.md").is_file(), folder
        assert any((folder / name).is_file() for name in ("LICENSE", "LICENSE.txt")), folder
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert item.licence.split(":")[0] in source, item.name
    echap = (FEEDS / "echap" / "SOURCE.md").read_text(encoding="utf-8")
    for line in re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", echap, re.MULTILINE):
        assert hashlib.sha256((FEEDS / "echap" / line[0]).read_bytes()).hexdigest() == line[1], line[0]


def test_the_bundled_feeds_load_with_their_dates_and_counts() -> None:
    problems: list[str | CheckNote] = []
    feeds = {f.info.name: f for f in load_bundled(problems.append)}
    assert problems == [] and set(feeds) == {item.name for item in BUNDLED}
    counts = dict(feeds["echap-stalkerware"].info.counts)
    assert (counts["package/app"], counts["cert-sha1/app"], counts["domain/c2"]) == (613, 471, 925)
    assert dict(feeds["echap-samples"].info.counts)["file-sha256/app"] == 3228
    assert all(f.info.bundled and f.info.dated and f.info.imported == "" for f in feeds.values())


def _feed(name: str, dated: str = "", imported: str = "", bundled: bool = False, replaces: bool = False,
          sha256: str = "") -> LoadedFeed:
    return LoadedFeed(FeedInfo(name, "f", "", sha256, imported, dated=dated, bundled=bundled), (), (), replaces)


def test_an_imported_feed_is_used_with_the_bundled_one_unless_it_replaces_it_and_is_not_older() -> None:
    shipped = [_feed("echap-stalkerware", dated="2026-06-21", bundled=True), _feed("isdi-app-flags", "2026-07-22",
                                                                                   bundled=True),
               _feed("echap-samples", dated="2026-06-21", bundled=True)]
    undated = _feed("echap-stalkerware", imported="2026-12-01T10:00:00+00:00")  # 'feeds update', a USB stick
    older = _feed("isdi-app-flags", dated="2025-01-01", imported="2026-12-01T10:00:00+00:00", replaces=True)
    replacing = _feed("echap-samples", imported="2026-12-01T10:00:00+00:00", replaces=True)  # --replace
    other = _feed("candiru", imported="2026-12-01T10:00:00+00:00")
    chosen = choose_feeds(shipped, [undated, older, replacing, other])
    same = _feed("echap-stalkerware", imported="2026-12-01T10:00:00+00:00", sha256="ab" * 32)
    assert [f.info.bundled for f in choose_feeds([_feed("echap-stalkerware", "2026-06-21", bundled=True,
                                                        sha256="ab" * 32)], [same])] == [True]  # the same file: once
    assert [(f.info.name, f.info.bundled) for f in chosen] == [
        ("echap-stalkerware", True), ("echap-stalkerware", False),  # both: nothing forgotten
        ("isdi-app-flags", True), ("isdi-app-flags", False),  # --replace, but the bundled data is newer
        ("echap-samples", False),  # --replace: the import alone
        ("candiru", False)]


def test_the_shared_network_files_cite_their_source() -> None:
    ranges = read_ranges()
    assert set(ranges) == {"Cloudflare", "Google", "Amazon CloudFront", "Fastly", "Akamai"}
    assert all(len(r) >= 10 for r in ranges.values())
    for path in FOLDER.glob("*.txt"):
        header = path.read_text(encoding="utf-8").split("\n", 6)[:6]
        assert any("http" in line for line in header), path.name


def test_the_precompiled_cache_is_current_and_says_what_the_files_say(monkeypatch: object) -> None:
    """data/precompiled.json is what reading the files gives: regenerate it with
    ``python -m exposure.indicators.precompile`` after changing a profile or a bundled feed."""
    import json

    from exposure.indicators import bundled, precompile, precompiled, profiles

    document = precompiled.from_text(precompiled.PATH.read_bytes())
    assert document == json.loads(json.dumps(precompile.build())), "run: python -m exposure.indicators.precompile"
    assert precompiled.PATH.read_text(encoding="ascii") == precompiled.to_text(document)
    files = profiles.bundled_files()
    assert precompiled.profiles_from(document, profiles.bundled_dir()) == profiles.read_bundled_profiles(files)
    slow, problems = bundled.read_bundled()
    assert not problems
    for lazy, eager in zip(precompiled.feeds_from(document), slow, strict=True):
        loaded = lazy.loaded()
        assert loaded.info == eager.info
        assert set(loaded.threats) == set(eager.threats)
        assert sorted(loaded.indicators, key=repr) == sorted(eager.indicators, key=repr)


def test_the_catalog_is_the_same_from_the_cache_and_from_the_files(monkeypatch: object) -> None:
    """Lazy rows and objects made from the files answer every lookup the same way."""
    import pytest

    from exposure.indicators import bundled, precompiled, profiles
    from exposure.indicators.catalog import build_catalog
    from exposure.model import IndicatorType

    fast = build_catalog()
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(precompiled, "load", lambda *_: None)
    bundled._load_all.cache_clear()
    profiles._bundled.cache_clear()
    try:
        slow = build_catalog()
    finally:
        bundled._load_all.cache_clear()
        profiles._bundled.cache_clear()

    def key(hits: tuple[object, ...]) -> set[tuple[object, ...]]:
        return {(h.type, h.value, h.threat, h.role, h.source, h.supporting) for h in hits}  # type: ignore[attr-defined]

    for kind in (IndicatorType.PACKAGE, IndicatorType.CERT_SHA1, IndicatorType.FILE_SHA256, IndicatorType.DOMAIN,
                 IndicatorType.IPV4):
        values = set(slow.index.values(kind))
        assert values == set(fast.index.values(kind)), kind
        for value in values:
            assert key(fast.index.lookup(kind, value)) == key(slow.index.lookup(kind, value)), (kind, value)
    for threat_id in slow.index.threats:
        assert fast.index.threat(threat_id) == slow.index.threat(threat_id), threat_id


def test_the_csv_feeds_import_by_their_content_whatever_their_name(tmp_path: Path, capsys: object) -> None:
    """samples.csv (formerly refused), ISDi's app-flags.csv and Volexity's iocs.csv import as
    feeds of their own names, recognised by their columns, not their file names."""
    import shutil

    from exposure.indicators.feeds.store import FeedStore

    store = FeedStore.default()
    for path, name, key, count in ((FEEDS / "echap" / "samples.csv", "echap-samples", "file-sha256/app", 3228),
                                   # ISDi's 5,776 app ids: 5,128 Android ids and 648 iPhone bundle ids
                                   (FEEDS / "isdi" / "app-flags.csv", "isdi-app-flags", "package/app", 5128),
                                   (FEEDS / "isdi" / "app-flags.csv", "isdi-app-flags", "ios-bundle/app", 648),
                                   (FEEDS / "volexity-evilbamboo" / "iocs.csv", "volexity-evilbamboo",
                                    "file-sha256/app", 212)):
        renamed = tmp_path / f"download-{name}.txt"
        shutil.copy(path, renamed)
        result = store.import_file(renamed, name=name)
        assert dict(result.info.counts)[key] == count and result.info.licence, name
    copy = tmp_path / "x" / "whatever.csv"
    copy.parent.mkdir()
    shutil.copy(FEEDS / "echap" / "samples.csv", copy)
    assert store.import_file(copy).info.name == "echap-samples"  # named after the format
