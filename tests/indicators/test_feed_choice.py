"""An import under a bundled feed's name never makes exposure know less without saying so
(review r3, finding 1; exposure/indicators/feeds/choice.py, docs/feeds.md).

The threat: a crafted one-entry ``ioc.yaml`` (or a USB stick with its own manifest.sha256)
silently replaced the bundled Echap list, and SpyAdvice fell from "Very serious" to "Probably
minor", its C2 to nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from exposure.indicators import catalog_cache
from exposure.indicators.bundled import BUNDLED, load_for_catalog
from exposure.indicators.catalog import build_catalog
from exposure.indicators.datafiles import FEED_FILES, FEEDS
from exposure.indicators.feeds import choice
from exposure.indicators.feeds.store import FEED_FILE, FeedStore, LoadedFeed
from exposure.indicators.precompiled import LazyFeed
from exposure.model import CheckNote, IndicatorType
from tests.indicators.feed_helpers import run_cli, sideloaded_phone

CRAFTED = "- name: Harmless\n  type: stalkerware\n  packages:\n  - org.example.harmless\n"
# in the bundled Echap ioc.yaml only (not in profiles/stalkerware.yaml): SpyAdvice's app and C2
ECHAP_ONLY_C2 = "phonetracking-dd226.firebaseio.com"
ECHAP_APP = "com.sa.app"


def _bundled(name: str) -> LoadedFeed | LazyFeed | None:
    return next((f for f in load_for_catalog(lambda _: None) if f.info.name == name), None)


def _crafted(tmp_path: Path) -> Path:
    path = tmp_path / "ioc.yaml"
    path.write_text(CRAFTED, encoding="utf-8")
    return path


def _notes(catalog: object, key: str) -> list[CheckNote]:
    return [w for w in catalog.warnings if isinstance(w, CheckNote) and w.key == key]  # type: ignore[attr-defined]


def _knows_echap(index: object) -> bool:
    apps = index.lookup(IndicatorType.PACKAGE, ECHAP_APP)  # type: ignore[attr-defined]
    c2 = index.lookup_domain(ECHAP_ONLY_C2)  # type: ignore[attr-defined]
    return any(h.threat == "spyadvice" and not h.supporting for h in apps) and any(h.threat == "spyadvice" for h in c2)


def test_a_crafted_echap_file_is_used_together_with_the_bundled_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "feeds", "import", str(_crafted(tmp_path)))
    assert code == 0, err
    assert "used together with the bundled echap-stalkerware (data of 2026-06-21)" in out
    catalog = build_catalog()
    assert [(f.name, f.bundled) for f in catalog.feeds if f.name == "echap-stalkerware"] == [
        ("echap-stalkerware", True), ("echap-stalkerware", False)]
    assert _knows_echap(catalog.index)  # the bundled values stay
    assert catalog.index.lookup(IndicatorType.PACKAGE, "org.example.harmless")  # and the import adds its own
    assert not _notes(catalog, "warn.feeds.replaced-smaller")
    # the whole scan, as the reviewer ran it: SpyAdvice is still "Very serious"
    phone = sideloaded_phone(tmp_path / "qf", ECHAP_APP)
    code, out, err = run_cli(capsys, "scan", "--androidqf", str(phone))
    assert "[Very serious] SpyAdvice found: com.sa.app" in out, out + err


def test_a_usb_stick_with_its_own_manifest_cannot_replace_the_bundled_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    data = CRAFTED.encode()
    (stick / "ioc.yaml").write_bytes(data)
    (stick / "manifest.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  ioc.yaml\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "feeds", "update", "--from", str(stick))
    assert code == 0, out + err
    catalog = build_catalog()
    assert _knows_echap(catalog.index)
    assert "used together with the bundled echap-stalkerware" in run_cli(capsys, "feeds", "list")[1]


def test_replace_with_far_less_is_said_at_import_and_in_every_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "feeds", "import", "--replace", str(_crafted(tmp_path)))
    assert code == 0, err
    assert "used instead of the bundled echap-stalkerware" in out
    assert "WARNING: this file has far less than the bundled echap-stalkerware: 1 package ids where the " \
           "bundled one has 613" in err
    assert "925" in err and "147 of the bundled file's 147 tools missing" in err
    catalog = build_catalog()
    assert [(f.name, f.bundled) for f in catalog.feeds if f.name == "echap-stalkerware"] == [
        ("echap-stalkerware", False)]
    assert not _knows_echap(catalog.index)  # what the person asked for...
    [note] = _notes(catalog, "warn.feeds.replaced-smaller")  # ...and said in every report
    assert dict(note.params) == {"name": "echap-stalkerware", "date": "2026-06-21", "imported": "1",
                                 "bundled": "2745", "missing": "147", "tools": "147"}
    phone = sideloaded_phone(tmp_path / "qf", ECHAP_APP)
    code, out, err = run_cli(capsys, "scan", "--androidqf", str(phone))
    assert "is used instead of the bundled one (data of 2026-06-21) but has far less" in out + err
    # removing the import brings the bundled list back
    assert run_cli(capsys, "feeds", "remove", "echap-stalkerware")[0] == 0
    assert _knows_echap(build_catalog().index)


def test_replace_with_a_full_copy_says_nothing_and_uses_it_alone(capsys: pytest.CaptureFixture[str]) -> None:
    full = FEEDS / FEED_FILES["echap-stalkerware"]
    code, _, err = run_cli(capsys, "feeds", "import", "--replace", str(full))
    assert code == 0 and "WARNING" not in err, err
    catalog = build_catalog()
    assert [f.bundled for f in catalog.feeds if f.name == "echap-stalkerware"] == [False]
    assert _knows_echap(catalog.index) and not _notes(catalog, "warn.feeds.replaced-smaller")


def test_an_undated_replacement_gives_way_to_a_newer_bundled_snapshot(tmp_path: Path) -> None:
    FeedStore.default().import_file(_crafted(tmp_path), replace_bundled=True)
    [imported] = FeedStore.default().load_all(warn=lambda _: None)
    bundled = _bundled("echap-stalkerware")
    assert bundled is not None and choice.replaces(bundled, imported)  # imported today, after 2026-06-21
    older = dataclasses.replace(imported, info=dataclasses.replace(imported.info, imported="2026-01-01T00:00:00"))
    assert not choice.replaces(bundled, older)  # an exposure upgrade's newer snapshot: both again
    assert choice.choose_feeds([bundled], [older]) == [bundled, older]


def test_a_feed_stored_by_an_older_version_is_used_with_the_bundled_one(tmp_path: Path) -> None:
    """Old data folders: a feed.json without the new key is an import to use together."""
    store = FeedStore.default()
    store.import_file(_crafted(tmp_path), replace_bundled=True)
    document = json.loads((store.root / "echap-stalkerware" / FEED_FILE).read_text(encoding="utf-8"))
    assert document.pop("replaces_bundled") is True
    (store.root / "echap-stalkerware" / FEED_FILE).write_text(json.dumps(document), encoding="utf-8")
    assert not store.replaces_bundled("echap-stalkerware")
    assert _knows_echap(build_catalog().index)


def test_the_kept_catalog_keeps_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_cache, "ENABLED", True)
    FeedStore.default().import_file(_crafted(tmp_path), replace_bundled=True)
    first, second = build_catalog(), build_catalog()
    assert _notes(first, "warn.feeds.replaced-smaller") == _notes(second, "warn.feeds.replaced-smaller") != []


@pytest.mark.parametrize("name", [item.name for item in BUNDLED])
def test_no_bundled_feed_loses_anything_to_itself(name: str) -> None:
    feed = _bundled(name)
    assert feed is not None and choice.loss(feed, feed) is None
