"""Helpers for the feed tests: run the CLI, read the store, count STIX2 objects independently."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.indicators.feeds.store import FeedStore, LoadedFeed
from exposure.model import CheckNote


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def loaded(name: str) -> LoadedFeed:
    warnings: list[str | CheckNote] = []
    feeds = {f.info.name: f for f in FeedStore.default().load_all(warnings.append)}
    assert warnings == []
    return feeds[name]


# STIX2 keys as the feeds write them -> (our count key, checked?); written from the key
# list in research/formats.md §2, independently of exposure.indicators.feeds.stix2.
STIX_KEYS = {
    "domain-name:value": "domain",
    "ipv4-addr:value": "ipv4",
    "url:value": "url",
    "process:name": "process/app",
    "email-addr:value": "email/other",
    "file:path": "file-path/app",
    "file:hashes.sha256": "file-sha256/app",
    "file:hashes.'SHA-256'": "file-sha256/app",
    "app:id": "package/app",
    "app:cert.sha1": "cert-sha1/app",
    "app:cert.sha256": "cert-sha256/app",
    "configuration-profile:id": "config-profile/app",
}
STIX_SKIPPED = {"file:name"}


def stix_expectations(path: Path) -> tuple[int, dict[str, set[str]], Counter[str]]:
    """(indicator objects, distinct values per raw key, objects per raw key) read from the JSON."""
    bundle = json.loads(path.read_text(encoding="utf-8"))
    objects = [o for o in bundle["objects"] if o["type"] == "indicator"]
    values: dict[str, set[str]] = {}
    per_key: Counter[str] = Counter()
    for obj in objects:
        inner = obj["pattern"].strip()[1:-1]
        key, _, value = inner.partition("=")
        key = key.strip()
        value = value.strip()[1:-1]
        values.setdefault(key, set()).add(value)
        per_key[key] += 1
    return len(objects), values, per_key


def sideloaded_phone(folder: Path, *names: str) -> Path:
    """An androidqf folder (``packages.json`` only) with ``names`` installed from outside a store."""
    folder.mkdir()
    apps = [{"name": n, "files": [{"path": f"/data/app/{n}/base.apk"}], "installer": "null", "uid": 10999,
             "disabled": False, "system": False, "third_party": True} for n in names]
    (folder / "packages.json").write_text(json.dumps(apps), encoding="utf-8")
    return folder
