"""The technical details of a report in Chinese: each observation described in Chinese, its
fact names translated, and full-width colons after the labels; in English they stay as the
JSON names them (review item 11)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest

from exposure.collect.ios.dump import write_dump
from exposure.explain.texts import ui_texts
from exposure.model import Observation
from exposure.report.document import from_result
from exposure.report.markdown import render_markdown
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.paths import REPO

ISDI_APPS = REPO / "tests" / "data" / "ios" / "isdi_ios_apps.plist"


@pytest.fixture(scope="module")
def details(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder: Path = tmp_path_factory.mktemp("dump") / "iph1"
    folder.mkdir()
    write_dump(folder, "00008030-001A2B3C4D5E6F70", {"apps.plist": ISDI_APPS.read_bytes()}, {})
    report = from_result(run_scan(ScanRequest(sources=(SourceSpec("iphone-dump", str(folder)),), use_feeds=False)))
    out = {}
    for lang in ("en", "zh"):
        text = render_markdown(report, lang)
        out[lang] = "\n".join(re.findall(r"<details><summary>.*?</details>", text, re.S))
    return out


def test_chinese_details_use_chinese_labels_and_colons(details: dict[str, str]) -> None:
    zh = details["zh"]
    assert "  - 应用 ID（bundle id）：`" in zh and "  - 签名者：`" in zh and "  - 来源：`" in zh
    assert "- `iPhone 上安装了应用 " in zh
    assert not re.search(r"^  - [A-Za-z_ ]+: ", zh, re.M), zh[:2000]
    assert "installed app" not in zh and "bundle_id" not in zh


def test_english_details_keep_the_json_names(details: dict[str, str]) -> None:
    en = details["en"]
    assert "  - bundle_id: `" in en and "  - signer: `" in en and "  - source: `" in en


def test_every_fact_of_every_kind_of_observation_has_a_chinese_name() -> None:
    base = {"collector", "source", "first_seen", "last_seen", "count"}
    names = set()
    for module in ("android", "host", "ios", "ios_backup", "network"):
        for _, cls in inspect.getmembers(importlib.import_module(f"exposure.observations.{module}"), inspect.isclass):
            if issubclass(cls, Observation) and dataclasses.is_dataclass(cls):
                names |= {f.name for f in dataclasses.fields(cls)} - base
    assert len(names) > 100
    missing = sorted(name for name in names if f"fact.{name}" not in ui_texts())
    assert missing == []
