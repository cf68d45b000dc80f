"""An iPhone is named by the model people know ("the iPhone 13 Pro (iPhone14,2)"), its
code kept beside it for a helpline; an unknown or crafted code is shown as it is, never
turned into a name; the phone's own name ("Anna's iPhone", chosen by its owner) is never
in a report, which may be shared with a helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from exposure.collect.ios import answers as A
from exposure.collect.ios.dump import write_dump
from exposure.collect.ios.models import IPAD_NAMES, IPHONE_NAMES, model_name
from exposure.collect.ios.usb import encode
from exposure.explain.lines import plain
from exposure.explain.summary import summarize
from exposure.report.document import from_result
from exposure.report.markdown import render_markdown
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.ios.fake_iphone import UDID, FakeMux, FakePhone
from tests.ios.phones import PLANTED_DEVELOPER, planted_phone
from tests.ios_backup.make_backup import Spec, write_backup
from tests.paths import FIXTURES, needs_shared

Plug = Callable[..., FakeMux]
MVT_BACKUP = FIXTURES / "ios" / "mvt-backup"  # an iPhone9,3 (iPhone 7) backup; test input only


def said(spec: SourceSpec, lang: str) -> tuple[list[str], str]:
    """The summary's paragraphs and the whole Markdown report of a scan of ``spec``."""
    report = from_result(run_scan(ScanRequest(sources=(spec,), use_feeds=False)))
    return [plain(line) for line in summarize(report, lang).paragraphs], render_markdown(report, lang)


def checked(paragraphs: list[str], start: str) -> str:
    return next(line for line in paragraphs if line.startswith(start))


@pytest.mark.parametrize(("code", "name"), [
    ("iPhone8,4", "iPhone SE (1st generation)"), ("iPhone8,1", "iPhone 6s"), ("iPhone9,3", "iPhone 7"),
    ("iPhone12,8", "iPhone SE (2nd generation)"), ("iPhone14,2", "iPhone 13 Pro"), ("iPhone14,5", "iPhone 13"),
    ("iPhone15,2", "iPhone 14 Pro"), ("iPhone16,2", "iPhone 15 Pro Max"), ("iPhone17,1", "iPhone 16 Pro"),
    ("iPhone17,5", "iPhone 16e"), ("iPhone18,4", "iPhone Air"),
])
def test_known_codes_have_the_name_apple_gives_them(code: str, name: str) -> None:
    assert model_name(code) == name


def test_an_ipad_met_through_the_same_path_is_named_too() -> None:
    assert model_name("iPad8,1") == "iPad Pro (11-inch)" and model_name("iPad11,1") == "iPad mini (5th generation)"


@pytest.mark.parametrize(("code", "name"), [
    ("iPad12,2", "iPad (9th generation)"), ("iPad13,18", "iPad (10th generation)"), ("iPad15,7", "iPad (A16)"),
    ("iPad14,1", "iPad mini (6th generation)"), ("iPad16,2", "iPad mini (A17 Pro)"),
    ("iPad13,16", "iPad Air (5th generation)"), ("iPad14,8", "iPad Air (11-inch, M2)"),
    ("iPad14,11", "iPad Air (13-inch, M2)"), ("iPad15,3", "iPad Air (11-inch, M3)"),
    ("iPad15,6", "iPad Air (13-inch, M3)"), ("iPad13,4", "iPad Pro (11-inch, 3rd generation)"),
    ("iPad13,11", "iPad Pro (12.9-inch, 5th generation)"), ("iPad14,4", "iPad Pro (11-inch, 4th generation)"),
    ("iPad14,5", "iPad Pro (12.9-inch, 6th generation)"), ("iPad16,3", "iPad Pro (11-inch, M4)"),
    ("iPad16,6", "iPad Pro (13-inch, M4)"),
])
def test_ipads_from_2021_on_have_their_names(code: str, name: str) -> None:
    """Each model's Wi-Fi and cellular codes (DeviceKit and MobileModels agree on them)."""
    assert model_name(code) == name


@pytest.mark.parametrize("code", ["iPhone99,9", "iPad99,1", "iPhone8", "", "iphone14,2", " iPhone14,2", "iPhone14,2 ",
                                  "[b]iPhone14,2[/b]", "<b>iPhone14,2</b>", "iPhone14,2\nSara"])
def test_an_unknown_or_crafted_code_has_no_name(code: str) -> None:
    assert model_name(code) == ""


def test_every_iphone_from_the_6s_to_the_16_family_is_listed() -> None:
    names = set(IPHONE_NAMES.values())
    for generation in ("6s", "7", "8", "11", "12", "13", "14", "15", "16"):
        assert f"iPhone {generation}" in names or f"iPhone {generation} Pro" in names, generation
    assert all(code.startswith("iPhone") and name.startswith("iPhone") for code, name in IPHONE_NAMES.items())
    assert all(code.startswith("iPad") and name.startswith("iPad") for code, name in IPAD_NAMES.items())


def test_a_phone_over_usb_is_named_by_its_model_with_its_code_never_by_its_own_name(plug: Plug) -> None:
    plug(planted_phone())
    for lang, start, expected in (("en", "We checked", "We checked the iPhone 13 Pro (iPhone14,2) ("),
                                  ("zh", "我们检查了", "我们检查了 iPhone 13 Pro（iPhone14,2）（")):
        paragraphs, report = said(SourceSpec("iphone", ""), lang)
        assert checked(paragraphs, start).startswith(expected), paragraphs
        assert "Anna" not in report and UDID not in "\n".join(paragraphs)


def test_an_unknown_code_is_shown_as_it_is(plug: Plug) -> None:
    plug(FakePhone(apps=[PLANTED_DEVELOPER], values={"ProductType": "iPhone99,1"}))
    paragraphs, _ = said(SourceSpec("iphone", ""), "en")
    assert checked(paragraphs, "We checked").startswith("We checked the iPhone (iPhone99,1) ("), paragraphs


def test_an_ipad_is_called_an_ipad_in_the_summary_and_the_evidence(plug: Plug) -> None:
    plug(planted_phone(values={"ProductType": "iPad13,4"}))
    for lang, start, expected, on_it in (
            ("en", "We checked", "We checked the iPad Pro (11-inch, 3rd generation) (iPad13,4) (", "on the iPad"),
            ("zh", "我们检查了", "我们检查了 iPad Pro (11-inch, 3rd generation)（iPad13,4）（", "iPad 上")):
        paragraphs, report = said(SourceSpec("iphone", ""), lang)
        assert checked(paragraphs, start).startswith(expected), paragraphs
        assert on_it in report and "iPhone" not in report.replace("iPhone OS", "").split("## ")[1], report


def test_an_unknown_ipad_is_still_called_an_ipad(plug: Plug, tmp_path: Path) -> None:
    plug(FakePhone(apps=[PLANTED_DEVELOPER], values={"ProductType": "iPad99,1"}))
    for lang, expected in (("en", "We checked the iPad (iPad99,1) ("), ("zh", "我们检查了 iPad（iPad99,1）（")):
        paragraphs, _ = said(SourceSpec("iphone", ""), lang)
        assert checked(paragraphs, expected[:5]).startswith(expected), paragraphs
    backup = write_backup(tmp_path / "backup1", Spec(model="iPad99,2"))
    paragraphs, _ = said(SourceSpec("ios-backup", str(backup)), "en")
    assert checked(paragraphs, "We checked").startswith(f"We checked the iPad backup {backup} ("), paragraphs
    folder = tmp_path / "ipad1"
    folder.mkdir()
    write_dump(folder, UDID, {A.APPS.file: encode(A.APPS, [PLANTED_DEVELOPER]),
                              A.VALUES.file: encode(A.VALUES, {"ProductType": "iPad99,3"})}, {})
    for lang, expected in (("en", "We checked a saved copy of an iPad (ipad1) ("),
                           ("zh", "我们检查了保存下来的 iPad 数据（ipad1）（")):
        paragraphs, _ = said(SourceSpec("iphone-dump", str(folder)), lang)
        assert checked(paragraphs, expected[:5]).startswith(expected), paragraphs


def test_a_crafted_code_is_never_named_nor_read_as_markup(plug: Plug) -> None:
    crafted = "[b]iPhone14,2[/b]<b>"
    plug(FakePhone(apps=[PLANTED_DEVELOPER], values={"ProductType": crafted}))
    paragraphs, report = said(SourceSpec("iphone", ""), "en")
    line = checked(paragraphs, "We checked")
    assert line.startswith(f"We checked the iPhone ({crafted}) ("), line  # kept as text, not a name
    assert "iPhone 13 Pro" not in report
    assert f"the iPhone (`{crafted}`)" in report  # a code span: Markdown shows the tag, never applies it


def test_a_saved_iphone_folder_names_the_model_beside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "iph1"
    folder.mkdir()
    write_dump(folder, UDID, {A.APPS.file: encode(A.APPS, [PLANTED_DEVELOPER]), A.VALUES.file: encode(A.VALUES, {
        "ProductVersion": "17.2", "ProductType": "iPhone15,4", "DeviceName": "Anna's iPhone"})}, {})
    for lang, start, expected in (
            ("en", "We checked", "We checked a saved copy of an iPhone 15 (iPhone15,4), iph1 ("),
            ("zh", "我们检查了", "我们检查了保存下来的 iPhone 15（iPhone15,4）数据（iph1）（")):
        paragraphs, report = said(SourceSpec("iphone-dump", str(folder)), lang)
        assert checked(paragraphs, start).startswith(expected), paragraphs
        assert "Anna" not in report


def test_a_backup_names_the_model_and_never_the_device_name(tmp_path: Path) -> None:
    backup = write_backup(tmp_path / "backup1", Spec(model="iPhone14,5"))
    for lang, start, expected in (("en", "We checked", f"We checked the iPhone 13 (iPhone14,5) backup {backup} ("),
                                  ("zh", "我们检查了", f"我们检查了 iPhone 13（iPhone14,5）的备份 {backup}（")):
        paragraphs, report = said(SourceSpec("ios-backup", str(backup)), lang)
        assert checked(paragraphs, start).startswith(expected), paragraphs
        assert "Test phone" not in report  # Info.plist's "Device Name"


@needs_shared(MVT_BACKUP)
def test_mvts_recorded_backup_is_named_an_iphone_7() -> None:
    paragraphs, _ = said(SourceSpec("ios-backup", str(MVT_BACKUP)), "en")
    assert checked(paragraphs, "We checked").startswith(f"We checked the iPhone 7 (iPhone9,3) backup {MVT_BACKUP} (")
