"""The first words a person reads after checking an Android phone (review r3 trainer #1, #9, #10).

A check over USB always turns USB debugging on, so a phone without stalkerware still gets one
"for your information" finding. That must not replace "none of the known tools was found,
and that is no proof", nor the next checks (accounts, location sharing), in any front end
or language. Phones are built from the spytrap-adb recordings in ../shared (skipped without).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.explain.lines import plain
from exposure.explain.summary import summarize
from exposure.model import SourceSpec
from exposure.report.document import from_result
from exposure.report.output import print_summary
from exposure.report.render import html_text, markdown_text
from exposure.scan import ScanRequest, run_scan
from tests.android.conftest import FakePhone
from tests.android.phones import SERIAL, SPYTRAP, build_phone, recorded_package_dump, set_devices

PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"

# What every result of a clean phone says, per language: none found, no proof, the other
# sign, the next checks (accounts, location sharing) and how to undo the check itself.
CLEAN_SAYS = {
    "en": ("We did not find any of the known tools we looked for", "This does not prove the device is safe",
           "We also noticed 1 thing worth a look (1 for your information)", "Account sign-ins", "Location sharing",
           "Revoke USB debugging authorizations", "~/.android/adbkey"),
    "zh": ("我们没有发现所查找的任何已知工具", "这并不能证明设备是安全的",
           "我们还注意到 1 项值得看一看的情况：1 项供参考", "账号登录情况", "位置共享",
           "撤消 USB 调试授权", "~/.android/adbkey"),
}


@pytest.fixture
def clean_phone(fake_adb: FakePhone) -> FakePhone:
    """A phone with only the contacts app: no stalkerware, USB debugging on (as for every check)."""
    build_phone(fake_adb.root, dump=recorded_package_dump(("contacts",)),
                accessibility=(SPYTRAP / "accessibility" / "plain.txt").read_text(encoding="utf-8"),
                device_policy="Current Device Policy Manager state:\n")
    set_devices(fake_adb.root, [PHONE_LINE])
    return fake_adb


def _terminal(report_lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str, str]:
    md, html = tmp_path / f"r-{report_lang}.md", tmp_path / f"r-{report_lang}.html"
    assert main(["--lang", report_lang, "scan", "--android", "--no-feeds", "--md", str(md), "--html", str(html)]) == 0
    return capsys.readouterr().out, md.read_text("utf-8"), html.read_text("utf-8")


@pytest.mark.usefixtures("clean_phone")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_without_stalkerware_says_none_found_and_no_proof_everywhere(
        lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from exposure.tui.findings import view_result

    terminal, md, html = _terminal(lang, tmp_path, capsys)
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), use_feeds=False))
    assert [f.rule for f in result.findings] == ["android.developer-options"]  # the one harmless finding
    view = view_result(result, lang)
    app = view.summary.plain + "\n" + view.next_checks.plain
    for where, text in (("terminal", terminal), ("markdown", md.replace("\\", "")), ("html", html), ("app", app)):
        for said in CLEAN_SAYS[lang]:
            assert said in text, (where, said)
        # Said in that order: no proof before the other signs.
        assert text.index(CLEAN_SAYS[lang][1]) < text.index(CLEAN_SAYS[lang][2]), where
        assert "worth your attention" not in text and "值得你注意" not in text, where


@pytest.mark.usefixtures("spy_phone")
def test_the_stalkerware_phone_says_when_the_app_was_installed_and_prints_the_safety_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    js = tmp_path / "a.json"
    assert main(["scan", "--android", "--no-feeds", "--json", str(js)]) == 0
    terminal = capsys.readouterr().out
    # "read the safety note first": the terminal prints it.
    assert "read the safety note first" in terminal
    assert "Before you remove anything: Removing this, or even looking at it on the device, may alert" in terminal
    assert "That is 1 known tool, seen on 1 device." in terminal
    assert "Revoke USB debugging authorizations" in terminal  # next checks, with findings too
    report = json.loads(js.read_text("utf-8"))
    spy = next(f for f in report["findings"] if f["rule"] == "indicator")
    assert spy["title"] == "SpyLive360 found: com.wifi0"  # as the terminal, reports and app say it
    assert "SpyLive360 found: com.wifi0" in terminal
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), use_feeds=False))
    document = from_result(result)
    for lang, said in (("en", "The app com.wifi0 is installed on the phone, first installed on 2021-12-15 17:51:52, "
                              "local time by the phone's own clock (Pixel 3a)."),
                       ("zh", "手机上安装了应用 com.wifi0，按手机自己时钟的当地时间，首次安装于 2021-12-15 17:51:52")):
        seen = [plain(line) for line in summarize(document, lang).explanations[0].seen]
        assert seen[0].startswith(said), seen[0]
    out = io.StringIO()
    print_summary(document, "zh", out)
    assert "在删除任何东西之前：" in out.getvalue() and "先阅读安全提示" in out.getvalue()


@pytest.mark.usefixtures("spy_phone")
@pytest.mark.parametrize(("lang", "labels"), [
    ("en", ("What we saw", "What it may mean", "How sure we are", "What you can do safely")),
    ("zh", ("我们看到了什么", "这可能意味着什么", "我们有多确定", "你可以安全地做些什么")),
])
def test_the_app_and_the_reports_use_the_same_headings(lang: str, labels: tuple[str, ...]) -> None:
    from exposure.tui.texts import tr

    document = from_result(run_scan(ScanRequest(sources=(SourceSpec("android"),), use_feeds=False)))
    md, html = markdown_text(document, lang), html_text(document, lang)
    app = [tr(f"results.{key}", lang) for key in ("seen", "meaning", "confidence", "advice")]
    assert app == list(labels)
    for label in labels:
        assert label in md and label in html
