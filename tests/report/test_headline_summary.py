"""The summary's count of known tools, the help list and the blind spots, as a workshop
trainer reads them (review r3 trainer #5, #9, #10), in English and Chinese.

Apps that police systems flag (the travel profile) and dual-use apps are no spying tools: they
are counted on a line of their own, never as "known tools", and how sure we are is said
about the app. Built from the repository's own test data and demo phone.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.explain.help_services import help_services
from exposure.explain.lines import plain
from exposure.explain.summary import summarize
from exposure.model import Category, IndicatorRole, Severity
from exposure.report.document import from_result
from exposure.report.output import print_summary
from exposure.report.render import html_text, markdown_text
from exposure.scan import ScanResult
from tests.paths import REPO
from tests.report.helpers import result_with_findings

DEMO_PHONE = REPO / "exposure" / "demo" / "data" / "demo-phone"
MESSENGERS = {"com.wifi0": "com.whatsapp", "com.fiberhome.wifiserver": "org.telegram.messenger"}


def _with_flagged_app(keep_tool: bool) -> ScanResult:
    """The report helpers' SpyLive360 findings, with one more (or only one) finding about an
    app that police systems flag."""
    result = result_with_findings()
    app = result.findings[1]
    flagged = replace(app, rule="indicator.flagged-app", category=Category.FLAGGED_APP, severity=Severity.LOW,
                      indicators=(replace(app.indicators[0], role=IndicatorRole.FLAGGED),))
    result.findings = [*result.findings, flagged] if keep_tool else [flagged]
    return result


def _paragraphs(result: ScanResult, lang: str) -> list[str]:
    return [plain(p) for p in summarize(from_result(result), lang).paragraphs]


def test_a_flagged_app_is_counted_apart_from_the_known_tools() -> None:
    text = _paragraphs(_with_flagged_app(keep_tool=True), "en")
    assert text[:3] == ["We found 4 things worth your attention (2 very serious and 2 probably minor).",
                        "That is 1 known tool, seen on 1 device.",
                        "1 of them is an ordinary app that police systems in some places flag; the app itself is "
                        "not spying on you."]
    zh = _paragraphs(_with_flagged_app(keep_tool=True), "zh")
    assert "也就是说，在 1 台设备上发现了 1 种已知工具。" in zh
    assert "其中 1 项是某些地方的警方系统会标记的普通应用；这个应用本身不是在监视你。" in zh


def test_only_a_flagged_app_is_no_known_tool_and_its_certainty_is_about_the_app() -> None:
    result = _with_flagged_app(keep_tool=False)
    for lang, none, tool in (("en", "We did not find any of the known tools", "tool"),
                             ("zh", "没有发现所查找的任何已知工具", "工具")):
        summary = summarize(from_result(result), lang)
        text = [plain(p) for p in summary.paragraphs]
        assert none in text[0]
        assert not any(p.startswith(("That is", "也就是说")) for p in text)
        assert tool not in summary.explanations[0].confidence_words


def test_messengers_from_the_travel_profile_are_not_known_tools(tmp_path: Path) -> None:
    """The demo phone with WhatsApp and Telegram from the Play Store, checked for the travel profile."""
    phone = tmp_path / "phone"
    shutil.copytree(DEMO_PHONE, phone)
    packages = json.loads((phone / "packages.json").read_text("utf-8"))
    for app in packages:
        if app["name"] in MESSENGERS:
            new = MESSENGERS[app["name"]]
            for file in app.get("files", []):
                file["path"] = file["path"].replace(app["name"], new)
            app["name"], app["installer"] = new, "com.android.vending"
    (phone / "packages.json").write_text(json.dumps(packages), "utf-8")
    for lang, two, counted in (("en", "2 of them are ordinary apps that police systems in some places flag",
                                "That is "),
                               ("zh", "其中 2 项是某些地方的警方系统会标记的普通应用", "也就是说")):
        out = tmp_path / f"wa-{lang}.md"
        assert main(["--lang", lang, "scan", "--androidqf", str(phone), "--profile", "flagged-apps-xinjiang",
                     "--no-feeds", "--md", str(out)]) == 0
        md = out.read_text("utf-8").replace("\\", "")
        assert two in md and counted not in md
        assert md.count("what we saw is exactly this app as the list names it" if lang == "en"
                        else "看到的正是名单上列出的这个应用") == 2
        assert "listed exactly for this tool" not in md and "与该工具的记录完全一致" not in md


@pytest.mark.parametrize(("lang", "for_label", "danger"), [
    ("en", "For: ", "If you are in danger now, call your local emergency number."),
    ("zh", "适合：", "如果你现在就有危险，请拨打当地的紧急求助电话。"),
])
def test_the_help_list_labels_who_it_is_for_and_says_what_to_do_in_danger(lang: str, for_label: str,
                                                                           danger: str) -> None:
    document = from_result(result_with_findings())
    md, html = markdown_text(document, lang).replace("\\", ""), html_text(document, lang)
    terminal = io.StringIO()
    print_summary(document, lang, terminal)
    for service in help_services():
        whom = service.for_whom.get(lang)
        assert f"{for_label}{whom}" in md and f"{for_label}{whom}" in html
    for service in help_services():  # the terminal's list, with the language's own colon
        assert f"{service.name.get(lang)}{for_label[-2:] if lang == 'en' else '：'}http" in terminal.getvalue()
    for text in (md, html, terminal.getvalue()):
        assert danger in text
        help_at = text.index("Where to get help" if lang == "en" else "到哪里寻求帮助")
        assert text.index(danger) > help_at  # where help is listed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_demo_phones_blind_spots_are_sentences_that_keep_its_accessibility_finding(lang: str,
                                                                                       tmp_path: Path) -> None:
    out = tmp_path / "demo.md"
    assert main(["--lang", lang, "scan", "--androidqf", str(DEMO_PHONE), "--no-feeds", "--md", str(out)]) == 0
    md = out.read_text("utf-8")
    heading = "## What this check cannot see" if lang == "en" else "## 这次检查看不到的内容"
    blind = md.split(heading)[1].split("\n## ")[0]
    dumpsys = [line for line in blind.splitlines() if "dumpsys" in line]
    assert len(dumpsys) == 1
    said = dumpsys[0][2:]
    assert said[0].isupper() if lang == "en" else not re.match(r"[a-z]", said)
    assert said.endswith("." if lang == "en" else "。")
    # The finding shows the accessibility service: the blind spot must not say it was not read.
    assert "accessibility service" in md if lang == "en" else "无障碍服务" in md
    assert ("Accessibility services were read only where the settings files list them" in said.replace("\\", "")
            if lang == "en" else "无障碍服务只有在设置文件中列出时才会被读取" in said)
