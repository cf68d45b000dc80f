""""What was checked / not checked" in every language.

Collectors write typed notes (a key, params, their English words); the texts for each key
live in exposure/explain/checks.yaml. These tests run the real collectors on real
fixtures (a capture, an androidqf folder, the fake-adb phone and its saved dump, this
computer) and check that every key they emit has a text in every language whose
placeholders are exactly the note's params; that every key written anywhere in the
collectors' code has texts too; and that a Chinese report of a scan without findings
shows the Chinese lines, also when re-rendered from the saved JSON.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android import adb as adb_module
from exposure.collect.base import CheckNote
from exposure.collect.host.software import all_readers
from exposure.explain import i18n
from exposure.explain.lines import plain
from exposure.explain.notes import check_line, check_texts
from exposure.model import SourceInfo, SourceSpec
from exposure.report.document import from_result
from exposure.report.json_report import dumps, from_json
from exposure.report.render import html_text, markdown_text
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.android.phones import SERIAL, build_phone, need_recordings, set_devices, use_fake_adb
from tests.paths import FIXTURES, NAME_CAPTURES, REPO

LANGUAGES = sorted(i18n.languages())
CAPTURE = NAME_CAPTURES / "bug-814__input" / "capture.pcap"
ANDROIDQF = FIXTURES / "android" / "mvt" / "androidqf"
PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"
KEY = re.compile(r"""["']((?:pcap|android|androidqf|host|hotspot|iphone|ios-backup|reading)\."""
                 r"""[a-z0-9][a-z0-9.\-]*[a-z0-9])["']""")


def scan(*sources: SourceSpec) -> ScanResult:
    return run_scan(ScanRequest(sources=sources, profiles=("stalkerware",), use_feeds=False))


def notes(result: ScanResult) -> list[CheckNote]:
    return [n for s in result.sources for n in (*s.checked, *s.not_checked)]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def assert_known(emitted: list[CheckNote]) -> None:
    problems = []
    for note in emitted:
        text = check_texts().get(note.key)
        if text is None:
            problems.append(f"{note.key}: not in checks.yaml ({note.text!r})")
            continue
        for lang in LANGUAGES:
            if lang not in text.languages:
                problems.append(f"{note.key}: no {lang} text")
            elif placeholders(dict(text.values)[lang]) != {k for k, _ in note.params}:
                problems.append(f"{note.key} [{lang}]: placeholders differ from params {note.params}")
        if not note.text:
            problems.append(f"{note.key}: no English words for the JSON")
    assert not problems, "\n".join(problems)


@pytest.fixture
def emitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[CheckNote]:
    """Every note the real collectors write on real inputs."""
    need_recordings()
    out: list[CheckNote] = []
    out += notes(scan(SourceSpec("pcap", str(CAPTURE)), SourceSpec("androidqf", str(ANDROIDQF))))
    root = tmp_path / "phones"
    root.mkdir()
    use_fake_adb(monkeypatch, root, tmp_path / "adb.log")
    build_phone(root)
    set_devices(root, [PHONE_LINE])
    folder = tmp_path / "saved"
    out += notes(scan(SourceSpec("android", "", (("save", str(folder)),))))
    out += notes(scan(SourceSpec("android-dump", str(folder))))
    # A phone where one command fails and the app files are too large to read.
    build_phone(root, failing=("shell_dumpsys_device_policy",))
    monkeypatch.setattr(adb_module, "MAX_APK_BYTES", 100)
    out += notes(scan(SourceSpec("android")))
    out += notes(scan(SourceSpec("host")))
    return out


def test_every_note_a_collector_emits_has_texts_in_every_language(emitted: list[CheckNote]) -> None:
    keys = {n.key for n in emitted}
    # The runs above reach every kind of source, and both lists.
    for expected in ("pcap.dns", "pcap.tls13-certificates", "androidqf.packages", "android.packages",
                     "android.device-admins", "android.apk-certificates.skipped", "host.processes",
                     "host.connections"):
        assert expected in keys, sorted(keys)
    assert_known(emitted)


def test_every_key_in_the_collectors_code_has_texts() -> None:
    """Keys that need another system (macOS, Windows) or a failure to appear are found in
    the code; the installed-software keys are built from each reader's manager."""
    keys = set()
    # (the app's live watching reports its own progress, in tui/screens/checking.py; the
    # pipeline reports the progress of several captures checked at once, in scan.py; the network
    # detectors say what they could not judge)
    for path in [*(REPO / "exposure" / "collect").rglob("*.py"), REPO / "exposure" / "tui" / "screens" / "checking.py",
                 REPO / "exposure" / "scan.py", REPO / "exposure" / "detect" / "network" / "__init__.py"]:
        keys |= set(KEY.findall(path.read_text("utf-8")))
    for reader in all_readers():
        keys |= {f"host.software.{reader.manager}", f"host.software-unread.{reader.manager}"}
    from exposure.collect.ios_backup.collector import ARTEFACTS

    for artefact in ARTEFACTS:  # each backup artefact: read, not in the backup, unreadable
        keys |= {artefact.note(suffix).key for suffix in ("", ".absent", ".unreadable")}
    assert len(keys) > 60
    missing = sorted(k for k in keys if k not in check_texts())
    assert not missing, f"keys without texts in checks.yaml: {missing}"
    unused = sorted(k for k in check_texts() if k not in keys)
    assert not unused, f"texts no collector writes: {unused}"


def test_a_note_is_shown_in_the_language_then_english_then_the_key() -> None:
    note = CheckNote.of("host.processes", "running programs: 12 (...)", count=12)
    assert plain(check_line(note, "zh")) == "正在运行的程序：12 个（名称、程序文件、命令行、用户）"
    assert plain(check_line(note, "en")) == "running programs: 12 (names, program files, command lines, users)"
    assert plain(check_line(note, "fr")) == plain(check_line(note, "en"))
    newer = CheckNote("host.from-a-newer-version", (), "something new")
    assert plain(check_line(newer, "zh")) == "something new"
    assert [p.kind for p in check_line(CheckNote("host.unknown"), "zh")] == ["value"]
    # A param read from the source is a value piece, never our words (renderers escape it).
    path = check_line(CheckNote.of("host.hosts-file-unread", "", path="<b>x</b>"), "zh")
    assert next(p for p in path if p.text == "<b>x</b>").kind == "value"


CHINESE = ("DNS 查询和应答（UDP 和 TCP）", "TLS 服务器名称（SNI）", "加密流量的内容（TLS 1.3 会隐藏服务器证书）")
ENGLISH = ("DNS lookups and answers (UDP and TCP)",
           "contents of encrypted traffic (TLS 1.3 hides the server certificate)")


def test_a_chinese_report_without_findings_says_what_was_and_was_not_checked(tmp_path: Path) -> None:
    result = scan(SourceSpec("pcap", str(CAPTURE)))
    assert not result.findings
    data = json.loads(dumps(from_result(result)))
    (source,) = data["sources"]
    assert {"key": "pcap.dns", "params": {}, "text": ENGLISH[0]} in source["checked"]
    report = from_json(data)
    for page in (markdown_text(report, "zh"), html_text(report, "zh")):
        for line in CHINESE:
            assert line in page
        for line in ENGLISH:
            assert line not in page
    english = markdown_text(report, "en")
    assert all(line in english for line in ENGLISH)

    # A saved report re-renders in Chinese from the file alone.
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(data), "utf-8")
    out = tmp_path / "scan.md"
    assert main(["report", str(saved), "--md", str(out), "--lang", "zh"]) == 0
    page = out.read_text("utf-8")
    section = page.split("## 检查了哪些内容", 1)[1].split("## 这次检查看不到的内容", 1)[0]
    assert "  - DNS 查询和应答（UDP 和 TCP）" in section
    assert "- 加密流量的内容（TLS 1.3 会隐藏服务器证书）" in page.split("## 这次检查看不到的内容", 1)[1]


def test_this_computer_is_said_in_the_report_language() -> None:
    from datetime import UTC, datetime

    from exposure.model import Category, Confidence, Finding, ScanWarning, Severity
    from exposure.observations.host import HostProcess

    info = SourceInfo("host", "this computer", checked=[CheckNote.of("host.processes", "running programs: 3",
                                                                     count=3)])
    finding = Finding(rule="indicator", severity=Severity.MEDIUM, category=Category.DUAL_USE, title="agent",
                      confidence=Confidence.MEDIUM, evidence=(HostProcess("host", "this computer", name="agent"),),
                      subject="agent")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    result = ScanResult(request=ScanRequest(sources=(SourceSpec("host"),)), started=now, finished=now,
                        findings=[finding], warnings=[ScanWarning("this computer", "m")], sources=[info],
                        profiles=[], feeds=[])
    report = from_result(result)
    for page in (markdown_text(report, "zh"), html_text(report, "zh")):
        assert "this computer" not in page
        assert "这台电脑" in page and "正在运行的程序：3 个" in page
    assert "this computer" in markdown_text(report, "en")


def test_the_tui_overview_lists_what_was_and_was_not_checked_in_chinese() -> None:
    from exposure.tui.findings import view_result

    view = view_result(scan(SourceSpec("pcap", str(CAPTURE))), "zh")
    assert "    – DNS 查询和应答（UDP 和 TCP）" in view.checked.plain
    assert "• 加密流量的内容（TLS 1.3 会隐藏服务器证书）" in view.not_checked.plain
    assert not any(line in view.checked.plain + view.not_checked.plain for line in ENGLISH)


def test_a_new_language_for_the_check_lines_is_data_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.model import LocalText

    monkeypatch.setattr(i18n, "languages", lambda: {"en": "English", "zh": "中文", "ug": "ئۇيغۇرچە"})
    note = CheckNote.of("host.program-hashes", "fingerprints (SHA-256) of 7 program files", count=7)
    assert plain(check_line(note, "ug")) == "fingerprints (SHA-256) of program files: 7"  # English until translated
    texts = dict(check_texts()["host.program-hashes"].values)
    monkeypatch.setitem(check_texts(), "host.program-hashes", LocalText.of(**texts, ug="{count} پروگرامما ھۆججىتى"))
    assert plain(check_line(note, "ug")) == "7 پروگرامما ھۆججىتى"
