"""One way to say "Partly checked" (explain/summary.py ``partly_reasons``): a phone whose app
list could not be read, a capture whose tunnel or names could not be read, an iPhone whose
parts were missing are said alike, in the summary, in "What was not checked" and source by
source, in English and Chinese; and no Chinese line nests brackets in brackets."""

from __future__ import annotations

import pytest

from exposure.collect.android.phone import APPS_UNREAD
from exposure.document import ReportDocument, SourceRecord
from exposure.explain.lines import plain
from exposure.explain.per_source import source_sections
from exposure.explain.summary import summarize
from exposure.model import CheckNote
from exposure.report.html import render_html
from exposure.report.markdown import render_markdown

PHONE = SourceRecord(kind="android", name="R58M12ABCDE", details=(("model", "Pixel 3a"),), partly=APPS_UNREAD)
CAPTURE = SourceRecord(kind="pcap", name="tunnel.pcap", counts=(("packets", 82),), not_checked=(
    CheckNote.of("pcap.partly.tunnel.wireguard", "what went through WireGuard tunnels (a VPN): it is encrypted, so the "
                 "names inside could not be read (packets: 82; conversations: 1)", packets=82, flows=1),))
IPHONE = SourceRecord(kind="iphone-dump", name="/tmp/iph1", not_checked=(
    CheckNote("iphone.processes", (), "running processes"),
    CheckNote("iphone.not-usb.browsing", (), "browsing history (not readable over USB)")))
WHOLE = SourceRecord(kind="pcap", name="whole.pcap", counts=(("packets", 6),))
NO_IP = SourceRecord(kind="pcap", name="arp.pcap", unread=CheckNote.of(
    "error.source.no-ip", "it holds no internet traffic (IP packets) that could be checked, only packets of other "
    "kinds, e.g. Wi-Fi whose data was encrypted, Bluetooth, or messages of the local network (packets: 180)",
    count=180))
REPORT = ReportDocument(tool_version="0", started=None, finished=None, demo=False, cancelled=False, profiles=(),
                        profile_titles=(), sources=(PHONE, CAPTURE, IPHONE, WHOLE, NO_IP), feeds=(), findings=(),
                        threats=(), warnings=())
SAID = {
    "en": ["Partly checked: the Android phone Pixel 3a: its list of installed apps could not be read, so its apps "
           "were not checked; the other parts read from it (listed in the report) were checked.",
           "Partly checked: the network capture tunnel.pcap: what went through WireGuard tunnels (a VPN): it is "
           "encrypted, so the names inside could not be read (packets: 82; conversations: 1).",
           "Partly checked: a saved copy of an iPhone (iph1): these parts could not be read, so they were not "
           "checked: running processes."],
    "zh": ["部分检查：安卓手机 Pixel 3a。没能读取已安装应用的列表，所以其中的应用没有检查；"
           "从中读到的其他部分已检查，见报告中的列表。",
           "部分检查：网络抓包文件 tunnel.pcap。经过 WireGuard 隧道（VPN）的内容："
           "它是加密的，所以无法读取其中的域名（数据包：82；会话：1）。",
           "部分检查：保存下来的 iPhone 数据（iph1）。以下部分无法读取，因此没有检查：正在运行的进程。"],
}


def nested(text: str) -> list[str]:
    """The lines of ``text`` with a full-width bracket inside another."""
    out = []
    for line in text.splitlines():
        depth = deepest = 0
        for char in line:
            depth += {"（": 1, "）": -1}.get(char, 0)
            deepest = max(deepest, depth)
        if deepest > 1:
            out.append(line)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_source_read_in_part_is_said_the_same_way_first(lang: str) -> None:
    summary = summarize(REPORT, lang)
    paragraphs = [plain(line) for line in summary.paragraphs]
    assert paragraphs[1:4] == SAID[lang]  # after the capture that was not checked at all
    assert paragraphs[0].startswith("Not checked" if lang == "en" else "未检查")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_was_not_checked_lists_the_same_lines_and_not_the_parts_again(lang: str) -> None:
    blind = [plain(line) for line in summarize(REPORT, lang).not_checked]
    assert blind[1:4] == SAID[lang]
    assert ("running processes" if lang == "en" else "正在运行的进程") not in blind  # not a bare line of its own too
    assert any("browsing history" in line or "浏览记录" in line for line in blind)  # never over USB: a blind spot


def test_source_by_source_each_says_partly_checked_with_its_reasons() -> None:
    sections = source_sections(REPORT, summarize(REPORT, "en"), "en")
    status = [plain(section.status) for section in sections]
    for said, reason in zip(status[:3], SAID["en"], strict=True):
        assert said.startswith("Partly checked: " + reason.split(": ", 2)[2])
        assert said.endswith("Nothing was found in what could be read from it. That does not prove that the device "
                             "it comes from is safe.")
    assert status[3] == "Nothing was found in it. That does not prove that the device it comes from is safe."


def test_no_chinese_line_nests_brackets() -> None:
    assert nested(render_markdown(REPORT, "zh")) == []
    assert nested(render_html(REPORT, "zh")) == []
