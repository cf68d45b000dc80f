"""The command line in Chinese (review r3, trainer #4): every command's --help, argparse's
own words, the feeds, capture, profiles and report messages and their errors are Chinese
with ``--lang zh`` and with a Chinese system locale, apart from code values (command
names, options, paths, file formats); every text the code says has its translation."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest

from exposure.commands import words
from exposure.commands.scan import OPT_IN_PROFILES
from exposure.explain.texts import t
from exposure.indicators.profiles import load_bundled_profiles
from tests.cli.helpers import run_cli
from tests.cli.said_in_code import said_in_code

HAN = re.compile("[\u4e00-\u9fff]")
# What is not prose: quoted or back-quoted text, options, paths and file names, upper-case
# placeholders and acronyms, %-blanks, numbers with units.
CODE = re.compile(r"'[^'\n]*'|`[^`\n]*`|(?<![\w-])--?[A-Za-z][\w-]*|\S*[/\\]\S*|\S+\.[A-Za-z]\w*|"
                  r"\b[A-Z][A-Z0-9_]+\b|%\(\w+\)[sr]|\b\w*\d\w*\b")
# Lower-case words that are names, not English: the commands and their actions, languages,
# formats and programs (adb, androidqf, gzip...).
NAMES = frozenset("""exposure scan names capture hotspot profiles feeds report demo import update list remove
export show validate en zh pcap pcapng cap gz gzip adb androidqf tshark names hosts bundle json yaml csv
stalkerware echap mvt indicators iphone critical high medium low info dns tls quic http""".split())
WORD = re.compile(r"(?<![\w-])[a-z][a-z]+(?![\w-])")  # not a hyphenated id (flagged-apps-xinjiang)


def english_words(text: str) -> list[str]:
    """The lower-case English words in ``text`` outside code values and names."""
    prose = CODE.sub(" ", text)
    return [word for word in WORD.findall(prose) if word not in NAMES]


def assert_chinese(text: str, what: str) -> None:
    assert HAN.search(text), f"{what}: no Chinese at all:\n{text}"
    found = english_words(text)
    assert not found, f"{what}: English words {found}:\n{text}"


HELPS = [(), ("scan",), ("names",), ("capture",), ("hotspot",), ("profiles",), ("profiles", "list"),
         ("profiles", "show"), ("profiles", "validate"), ("feeds",), ("feeds", "import"), ("feeds", "update"),
         ("feeds", "list"), ("feeds", "remove"), ("feeds", "export"), ("report",), ("demo",)]


@pytest.mark.parametrize("command", HELPS, ids=lambda c: " ".join(c) or "exposure")
def test_every_help_is_chinese_with_lang_zh(command: tuple[str, ...]) -> None:
    done = run_cli("--lang", "zh", *command, "--help", env={"COLUMNS": "100"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("用法：exposure"), done.stdout
    assert "选项：" in done.stdout
    assert_chinese(done.stdout, " ".join(command) + " --help")


def test_the_system_locale_chooses_chinese_help_and_english_stays_english() -> None:
    done = run_cli("scan", "--help", env={"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LANGUAGE": ""})
    assert_chinese(done.stdout, "LANG=zh_CN.UTF-8 scan --help")
    english = run_cli("scan", "--help")
    assert english.stdout.startswith("usage: exposure scan") and "show this help message" in english.stdout
    assert not HAN.search(english.stdout)
    assert "用法" not in run_cli("--lang", "zh", "scan", "--lang", "en", "--help").stdout  # the last --lang wins


def test_argparse_errors_are_chinese() -> None:
    done = run_cli("--lang", "zh", "scan", "--fail-on", "nosuch")
    assert done.returncode == 2
    assert "exposure scan：错误：参数 --fail-on：无效的选择" in done.stderr, done.stderr
    assert_chinese(done.stderr, "scan --fail-on nosuch")
    done = run_cli("--lang", "zh", "scan", "--bogus")
    assert "无法识别的参数：--bogus" in done.stderr and not english_words(done.stderr), done.stderr


def test_feeds_messages_are_chinese(tmp_path: Path) -> None:
    env = {"EXPOSURE_DATA_DIR": str(tmp_path / "data"), "EXPOSURE_FEED_BASE_URL": "http://127.0.0.1:9"}
    said = []
    for args in (("feeds", "list"), ("feeds", "update"), ("feeds", "export", str(tmp_path / "stick0")),
                 ("feeds", "remove", "nosuch-feed")):
        done = run_cli("--lang", "zh", *args, env=env)
        said.append(done.stdout + done.stderr)
        assert_chinese(done.stdout + done.stderr, " ".join(args))
    assert "--from DIR" in said[1] and "Errno" not in said[1], said[1]
    feed = tmp_path / "list.txt"
    feed.write_text("stalker.example\n", encoding="utf-8")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\x00" * 8)
    for args in (("feeds", "import", str(feed)), ("feeds", "list"), ("feeds", "export", str(tmp_path / "stick")),
                 ("feeds", "import", str(binary))):
        done = run_cli("--lang", "zh", *args, env=env)
        assert_chinese(done.stdout + done.stderr, " ".join(args))
    done = run_cli("feeds", "update", env={**env, "LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert_chinese(done.stderr, "LANG=zh_CN.UTF-8 feeds update")


def test_errors_of_report_profiles_scan_and_names_are_chinese(tmp_path: Path) -> None:
    not_ours = tmp_path / "notes.txt"
    not_ours.write_text("name:x\n", encoding="utf-8")
    for args in (("report", str(not_ours), "--md", "-"), ("profiles", "show", "nosuch-profile"),
                 ("scan", "--profile", "nosuch-profile", "--host"), ("names", str(not_ours))):
        done = run_cli("--lang", "zh", *args, env={"EXPOSURE_DATA_DIR": str(tmp_path / "data")})
        assert done.returncode == 2, (args, done.stderr)
        assert_chinese(done.stderr, " ".join(args))


def test_capture_progress_and_tips_are_chinese(tmp_path: Path) -> None:
    from exposure.collect.live import LiveProgress
    from exposure.commands.capture import _Progress

    words.use("zh")
    try:
        out = io.StringIO()
        printer = _Progress(out, "eth0", tmp_path / "c.pcap", 3.0, quiet=False)
        printer.started()
        printer.live(LiveProgress(elapsed=1.0, packets=2, bytes=120, names=1, new_names=(("dns", "example.org"),)))
        printer.done("duration", 2, 120)
    finally:
        words.use("en")
    text = out.getvalue()
    assert "提示：" in text and "录制完成：2 个数据包" in text and "字节。抓包文件保存在" in text, text
    assert_chinese(text.replace("example.org", ""), "capture")


def test_profiles_show_says_checking_plan_and_the_reports_severity_word() -> None:
    done = run_cli("--lang", "zh", "profiles", "show", "stalkerware")
    assert "档案" not in done.stdout
    assert "检查方案 stalkerware" in done.stdout
    assert f"严重程度：{t('severity.critical', 'zh')}" in done.stdout and "危急" not in done.stdout


def test_every_text_the_code_says_has_its_translation_and_every_translation_is_said() -> None:
    said = said_in_code()
    table = words.command_texts()
    assert len(said) > 150
    problems = [f"{key}: said with different English: {english}" for key, english in said.items()
                if len(english) > 1 and not key.startswith(("argparse.expected-n", "feeds.count."))
                and len({_blanks(e) for e in english}) > 1]
    for key, english in said.items():
        text = table.get(key)
        if text is None or not text.get("zh", ""):
            problems.append(f"{key}: no zh text in commands.yaml")
        elif _blanks(text.get("zh", "")) != _blanks(english[0]):
            problems.append(f"{key}: zh blanks {_blanks(text.get('zh', ''))} != {_blanks(english[0])}")
    problems += [f"{key}: in commands.yaml but never said" for key in table
                 if key not in said and key not in _NOTE_KEYS]
    assert not problems, "\n".join(problems)


# The feed code's notes (exposure/indicators/feeds/update.py): said with their params by words.note.
_NOTE_KEYS = frozenset({"feeds.not-fetched", "feeds.index-unreadable", "feeds.index-entry-unusable",
                        "feeds.index-entry-no-https", "feeds.not-imported", "feeds.manifest-line",
                        "feeds.file-skipped", "feeds.sha256-mismatch", "feeds.updated-one", "feeds.exported-one"})


def _blanks(text: str) -> frozenset[str]:
    named = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return frozenset(named | set(re.findall(r"%\(\w+\)[sr]|%[sr]", text)))


def test_the_note_keys_are_the_feed_codes() -> None:
    source = (Path(words.__file__).parents[1] / "indicators" / "feeds" / "update.py").read_text("utf-8")
    assert set(re.findall(r'CheckNote\.of\("(feeds\.[a-z0-9-]+)"', source)) == _NOTE_KEYS
    assert _NOTE_KEYS <= set(words.command_texts())


def test_scan_help_says_which_profiles_are_not_used_by_default() -> None:
    assert set(OPT_IN_PROFILES) == {p.id for p in load_bundled_profiles() if p.opt_in}
    done = run_cli("scan", "--help", env={"COLUMNS": "200"})
    assert "default: every profile except flagged-apps-xinjiang (used only when asked for)" in done.stdout
    assert "default: all)" not in done.stdout and "default: all\n" not in done.stdout


def test_feed_counts_are_singular_for_one() -> None:
    from exposure.indicators.feeds.parsed import describe_counts

    said = describe_counts((("ipv4/distribution", 1), ("config-profile/app", 1), ("domain/c2", 2)))
    assert said == "2 C2 domains, 1 download address, 1 iOS configuration profile id"
    assert words.describe_counts((("ipv4/distribution", 1),)) == "1 download address"


def test_offline_update_says_what_happened_and_what_to_do(tmp_path: Path) -> None:
    env = {"EXPOSURE_DATA_DIR": str(tmp_path / "data"), "EXPOSURE_FEED_BASE_URL": "http://127.0.0.1:9"}
    done = run_cli("feeds", "update", env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "offline" in lines[0] and "exposure feeds update --from DIR" in lines[0]
    assert "Errno" not in lines[0] and "Connection refused" not in lines[0]
    assert "lists it comes with" in lines[0] and "feeds you have" not in lines[0]
