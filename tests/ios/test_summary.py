"""The summary of an iPhone check (review item 7): parts that could not be read are said
first, apart from what USB can never show; the phone is named by its model (never its
UDID) or as a saved copy of an iPhone; its apps are counted, as on Android."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from exposure.collect.ios import answers as A
from exposure.collect.ios.dump import write_dump
from exposure.explain.lines import plain
from exposure.explain.summary import summarize
from exposure.report.document import from_result
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.fake_iphone import UDID, FakeMux
from tests.ios.phones import planted_phone
from tests.paths import REPO

Plug = Callable[..., FakeMux]
ISDI_APPS = REPO / "tests" / "data" / "ios" / "isdi_ios_apps.plist"  # 96 apps


def paragraphs(spec: SourceSpec, lang: str) -> list[str]:
    report = from_result(run_scan(ScanRequest(sources=(spec,), use_feeds=False)))
    return [plain(line) for line in summarize(report, lang).paragraphs]


@pytest.fixture
def apps_only(tmp_path: Path) -> Path:
    folder = tmp_path / "iph1"
    folder.mkdir()
    write_dump(folder, UDID, {A.APPS.file: ISDI_APPS.read_bytes()}, {})
    return folder


def test_a_saved_iphone_with_only_its_apps_says_first_what_was_not_read(apps_only: Path) -> None:
    said = paragraphs(SourceSpec("iphone-dump", str(apps_only)), "en")
    first = said[0]
    assert first.startswith("Partly checked: a saved copy of an iPhone (iph1): these parts could not be read")
    for part in ("provisioning profiles", "configuration profiles", "supervision", "running processes",
                 "device facts"):
        assert part in first
    assert "installed apps" not in first  # it was read
    assert "browsing history" not in first and "Find My" not in first  # never over USB: a blind spot, not a part
    assert "We checked a saved copy of an iPhone (iph1) (96 apps)." in said
    assert not any(UDID in line for line in said)


def test_the_same_in_chinese(apps_only: Path) -> None:
    said = paragraphs(SourceSpec("iphone-dump", str(apps_only)), "zh")
    assert said[0].startswith("部分检查：保存下来的 iPhone 数据（iph1）。以下部分无法读取") and "描述文件" in said[0]
    assert "我们检查了保存下来的 iPhone 数据（iph1）（96 个应用）。" in said


def test_a_phone_read_whole_is_named_by_its_model_with_its_apps_counted(plug: Plug) -> None:
    plug(planted_phone())
    said = paragraphs(SourceSpec("iphone", ""), "en")
    assert not any(line.startswith("Partly checked") for line in said)
    checked = next(line for line in said if line.startswith("We checked"))
    assert checked.startswith("We checked the iPhone 13 Pro (iPhone14,2) (99 apps, 1 provisioning profile"), checked
    assert "3 processes" in checked
    assert not any(UDID in line for line in said)
