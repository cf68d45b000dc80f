"""Line breaking of the app's paragraphs (exposure/tui/wrap.py)."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text

from exposure.tui.wrap import MAX_PARAGRAPH, break_paragraph, break_text


def lines(text: str, width: int) -> list[str]:
    return [line.plain for line in break_text(Text(text), width)]


def test_chinese_never_starts_a_line_with_closing_punctuation() -> None:
    text = ("其中有些情况比较严重。请先不要删除任何东西：先阅读每一项下面的安全提示。"
            "这类应用可以把你的短信、通话记录、联系人发送出去")
    for width in range(10, 60):
        out = lines(text, width)
        assert "".join(out) == text  # nothing lost, nothing added
        assert all(cell_len(line) <= width for line in out)
        assert not any(line[0] in "。，、；：" for line in out), (width, out)


def test_a_name_is_never_cut_when_it_fits_on_a_line() -> None:
    text = "与 SpyLive360 的服务器有联系：s1.spylive360.com，边检应用：com.fiberhome.wifiserver。"
    for width in range(26, 50):
        joined = "\n".join(lines(text, width))
        assert "s1.spylive360.com" in joined and "com.fiberhome.wifiserver" in joined, (width, joined)


def test_a_bullet_stays_with_its_first_word_and_the_rest_hangs_under_it() -> None:
    assert lines("• com.fiberhome.wifiserver is installed on the phone", 30) == [
        "• com.fiberhome.wifiserver is", "  installed on the phone"]
    assert lines("    – 已安装的软件，Debian 软件包（dpkg）：1500 个", 24) == [
        "    – 已安装的软件，", "      Debian 软件包", "      （dpkg）：1500 个"]


def test_english_breaks_at_spaces_and_keeps_styles() -> None:
    text = Text("We checked ") + Text("capture.pcap", style="bold") + Text(" and this computer.")
    out = break_text(text, 16)
    assert [line.plain for line in out] == ["We checked", "capture.pcap and", "this computer."]
    assert out[1].spans and out[1].spans[0].style == "bold" and out[1].spans[0].end == len("capture.pcap")


def test_a_name_wider_than_the_line_is_the_only_thing_cut() -> None:
    out = lines("（com.wifi0/com.wifi0.services.DemoAccessibilityService）。这类服务", 20)
    assert all(cell_len(line) <= 20 for line in out)
    assert not any(line[0] in "）。" for line in out)


def test_a_very_long_value_is_shortened_and_its_length_said() -> None:
    # a crafted package id of a megabyte held the app (and its quick exit, F10) for two minutes
    out = lines("• The app com." + "a" * 1_000_000 + " is installed", 55)
    shown = "".join(line.strip() for line in out)
    assert shown.startswith("• The appcom.aaa") and shown.endswith("… (1,000,027 characters)")
    assert len(shown) < MAX_PARAGRAPH + 100 and all(cell_len(line) <= 55 for line in out)


def test_a_name_wider_than_many_lines_is_cut_in_linear_time() -> None:
    # measuring the rest of the name again after each cut, and slicing the paragraph once per
    # line, made this quadratic: 160,000 characters took 44 s, a megabyte two minutes
    name = "com." + "b" * 400_000
    started = time.perf_counter()
    out = [line.plain for line in break_paragraph(Text(name + " x"), 50)]
    assert time.perf_counter() - started < 20  # quadratic would take several minutes
    assert "".join(out[:-1]) + out[-1].removesuffix(" x").removesuffix("x") == name
    assert all(cell_len(line) <= 50 for line in out)
