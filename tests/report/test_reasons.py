"""Our own reasons inside warnings, in Chinese (exposure/explain/reasons.yaml).

A warning is translated by its key, but its params may be English words our code wrote
("truncated packet", "flows (table full)", "no answer within 30 s", "the list of installed
apps"). These tests find every such reason in the code (tests/report/code_reasons.py) and
check that each has Chinese, so that a reason added later without one fails here; check that
what phones and this computer are asked is translated too; that a Chinese report and the
command line's Chinese text of real damaged captures hold no English reason while the
English ones are as before; and that text read from a file or a device is never taken for
one of our reasons nor shown as anything but a value.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android import commands
from exposure.collect.host.software import all_readers
from exposure.collect.ios import answers
from exposure.explain import i18n
from exposure.explain.lines import Piece, plain
from exposure.explain.notes import error_line, warning_line
from exposure.explain.reasons import REASON_PARAMS, placeholders, reason_texts, translated_reason
from exposure.model import ScanWarning, SourceSpec
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.json_report import from_json, to_json
from exposure.report.markdown import render_markdown
from exposure.report.output import print_summary
from exposure.scan import ScanRequest, ScanResult, run_scan
from exposure.untrusted import file_kind
from tests.android.phones import SERIAL, build_phone, set_devices, use_fake_adb
from tests.paths import DATA, corpus_case
from tests.report.code_reasons import missing_chinese, net_reasons, problem_reasons, unknown_sinks

OURS = DATA / "report"  # made by tests/data/report/make_damaged.py
DAMAGED = OURS / "damaged-reasons.pcapng"
DAMAGED_FIRST = OURS / "damaged-first.pcap"
BOMBS = (DATA / "network" / "bomb-interfaces.pcapng.gz", DATA / "network" / "bomb-long-names.pcap.gz")
# tcpdump's test captures that give, between them, every reason that corpus gives (a bad IP
# header, a damaged DNS message, a damaged packet, IP fragments dropped, DNS names too long,
# link types exposure does not read): only in ../shared.
PHONE_LINE = f"{SERIAL}         device usb:1-1 product:sargo model:Pixel_3a device:sargo transport_id:1"
TCPDUMP = ("beep-oobr.pcap", "dns-zlip-1.pcap", "dns-badlabel.pcap", "pktap-heap-overflow.pcap",
           "vrrp-vrrp_print-oobr-2.pcap", "802_15_4-data.pcap", "bad-ipv4-version-pgm-heapoverflow.pcap")

# --- the reasons in the code -------------------------------------------------------------

def test_the_finder_finds_the_reasons_of_the_capture_reader_and_the_collectors() -> None:
    net, unfollowed = net_reasons()
    assert unfollowed == []
    templates = {item.template for item in net}
    for expected in ("truncated packet", "damaged packet", "internal parser error", "flows (table full)",
                     "truncated last packet", "damaged packet record (impossible length)",
                     "QUIC Initials of unknown versions, not tried", "unsupported link type {}",
                     "{} (too many distinct names)", "{} beyond {} million characters", "DNS names",
                     "IP fragments (incomplete datagrams dropped)", "packets on interfaces beyond the first {}",
                     "damaged Decryption Secrets Block", "key log line that is not a TLS key",
                     "TLS 1.3 connection without the client's traffic secret in the capture"):
        assert expected in templates, expected
    assert len(templates) >= 40
    problems, unfollowed = problem_reasons()
    assert unfollowed == []
    templates = {item.template for item in problems}
    for expected in ("no answer within {} s", "{} could not run: {}", "a named pipe (FIFO)",
                     "{}, not a regular file; not opened", "nested more than {} levels deep",
                     "the answer stopped before it was complete", "fingerprints (sha256) of app files"):
        assert expected in templates, expected


def test_every_function_that_counts_a_reason_is_known_to_the_finder(tmp_path: Path) -> None:
    assert unknown_sinks() == []
    module = tmp_path / "newreader.py"
    module.write_text("class R:\n    def _damaged(self, reason):\n        self.seen[reason] = 1\n", "utf-8")
    assert unknown_sinks([module]) == [f"{module}:2: _damaged"]


def test_every_reason_in_the_code_has_chinese() -> None:
    found = [*net_reasons()[0], *problem_reasons()[0]]
    assert missing_chinese(found) == []


def test_a_reason_added_without_chinese_breaks_the_test(tmp_path: Path) -> None:
    """What a colleague's new reason looks like to the test above: found, and reported."""
    module = tmp_path / "newparser.py"
    module.write_text(
        "LIMIT = 9\nNEW = 'gizmos cut short'\n\n"
        "class Parser:\n"
        "    def feed(self, data, reason):\n"
        "        self._bad('damaged gizmo header')\n"
        "        self._over(f'gizmos beyond the first {LIMIT}')\n"
        "        self._drop(NEW)\n"
        "        self._bad(reason)  # passed on: not a new reason\n"
        "        why = 'gizmo of an odd size' if data else 'empty gizmo'\n"
        "        self._bad(why)\n"
        "        self._bad('truncated packet')  # one we have\n"
        "        self._bad(worded(data))  # a function the finder cannot read\n"
        "        decoder.given_up = 'gizmo key missing'  # a reason kept, counted later\n"
        "        self._bad(decoder.given_up)  # counted: found where it was assigned\n"
        "        self._bad(decoder.why)  # an attribute the finder cannot follow\n", "utf-8")
    found, unfollowed = net_reasons([module])
    assert sorted(line.split(": ", 1)[1] for line in missing_chinese(found)) == [
        "'damaged gizmo header' has no Chinese in exposure/explain/reasons.yaml",
        "'empty gizmo' has no Chinese in exposure/explain/reasons.yaml",
        "'gizmo key missing' has no Chinese in exposure/explain/reasons.yaml",
        "'gizmo of an odd size' has no Chinese in exposure/explain/reasons.yaml",
        "'gizmos beyond the first {}' has no Chinese in exposure/explain/reasons.yaml",
        "'gizmos cut short' has no Chinese in exposure/explain/reasons.yaml",
    ]
    assert [u.code for u in unfollowed] == ["worded(data)", "decoder.why"]  # the test asks for a look
    errors = tmp_path / "errors.py"
    errors.write_text("def run(argv, ctx):\n    raise CommandFailed(f'{argv[0]} hung up on us')\n\n"
                      "def note(ctx):\n    ctx.warn(CheckNote.of('warn.x', '...', what='the gizmo drawer'))\n", "utf-8")
    assert missing_chinese(problem_reasons([errors])[0]) == [
        f"{errors}:2: '{{}} hung up on us' has no Chinese in exposure/explain/reasons.yaml",
        f"{errors}:5: 'the gizmo drawer' has no Chinese in exposure/explain/reasons.yaml"]


def test_every_entry_has_english_and_chinese_with_the_same_placeholders() -> None:
    texts = reason_texts()
    assert len(texts) > 60
    for key, text in texts.items():
        values = dict(text.values)
        assert key.startswith("reason."), key
        assert set(values) == set(i18n.languages()), key
        assert values["en"] != values["zh"], key
        assert sorted(placeholders(values["en"])) == sorted(placeholders(values["zh"])), key
    english = [dict(t.values)["en"] for t in texts.values()]
    assert len(english) == len(set(english))  # one Chinese for each English


def test_what_phones_and_this_computer_are_asked_is_translated() -> None:
    """The ``what`` of a warning (an adb command, an iPhone answer, a kind of installed
    software) and the ``kind`` of a file that is not one come from these registries."""
    asked = [c.what for c in commands.READ_ONLY_COMMANDS] + [a.what for a in answers.ANSWERS]
    asked += [reader.label for reader in all_readers()]
    asked += [file_kind(mode) for mode in (stat.S_IFDIR, stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK)]
    assert len(asked) > 30
    for what in asked:
        line = translated_reason(what, "zh")
        assert line is not None and what not in plain(line), what


# --- how a reason is shown ---------------------------------------------------------------

def test_a_reason_is_shown_in_chinese_and_the_english_line_is_as_before() -> None:
    said = ScanWarning("x.pcap", "...", 3, "warn.pcap.undecoded", (("count", "3"), ("reason", "truncated packet")))
    assert plain(warning_line(said, "zh")) == "无法解码的数据包：3 个；原因：数据包不完整"
    assert warning_line(said, "en") == (Piece("packets that could not be decoded ("),
                                        Piece("truncated packet", "value"), Piece("): 3"))
    nested = ScanWarning("x.pcap", "...", 1, "warn.pcap.not-followed",
                         (("count", "2"), ("reason", "tls server names (too many distinct names)")))
    assert plain(warning_line(nested, "zh")) == "未能完整跟踪的 TLS 服务器名称（不同的名称太多）：2 个"
    capped = ScanWarning("x.pcap", "...", 1, "warn.pcap.capped",
                         (("count", "1"), ("reason", "DNS names beyond 16 million characters")))
    assert "DNS 域名（总长度超过 16 百万个字符的部分）" in plain(warning_line(capped, "zh"))
    phone = ScanWarning("phone", "...", 1, "warn.android.command-failed",
                        (("what", "the list of installed apps"), ("problem", "no answer within 30 s")))
    assert plain(warning_line(phone, "zh")) == "无法读取已安装应用的列表：30 秒内没有回应"


def test_not_checked_before_the_first_whole_packet_is_said_in_chinese() -> None:
    result = scan(DAMAGED_FIRST)
    (source,) = result.sources
    assert source.unread is not None and source.unread.key == "error.source.damaged-first"
    assert dict(source.unread.params) == {"reason": "damaged packet record (impossible length)"}
    said = io.StringIO()
    print_summary(from_result(result), "zh", said)
    assert "它在第一个完整的数据包之前就已损坏：数据包记录已损坏，其长度不可能是真的" in said.getvalue()
    assert "impossible length" not in said.getvalue()


def test_parts_read_from_a_file_or_a_device_stay_values_as_they_are() -> None:
    # A program's name and the system's message inside one of our reasons: values, never markup.
    line = translated_reason("[b]dpkg[/b] could not run: <i>Permission denied</i>", "zh")
    assert line == (Piece("[b]dpkg[/b]", "value"), Piece(" 无法运行："), Piece("<i>Permission denied</i>", "value"))
    # A number is plain words; a part that is one of our reasons is translated in turn.
    assert translated_reason("unsupported link type 147", "zh") == (Piece("不支持的链路类型 147"),)
    # Text that is not ours, or far too long to be, is left to be shown as the value it is.
    assert translated_reason("Permission denied", "zh") is None
    assert translated_reason("truncated packet" + " " * 500, "zh") is None
    assert translated_reason("truncated packet", "en") is None
    # A file's name is never taken for a reason, even when it reads like one.
    assert "file" not in REASON_PARAMS
    said = ScanWarning("d", "...", 1, "warn.androidqf.unreadable",
                       (("file", "truncated packet"), ("problem", "a device")))
    assert warning_line(said, "zh") == (Piece("无法读取 "), Piece("truncated packet", "value"),
                                        Piece("（设备文件）；已跳过"))


def test_an_error_that_carries_a_reason_is_said_in_chinese() -> None:
    from exposure.errors import UserError

    error = UserError("adb could not list phones (adb exited with code 1); ...", key="error.android.adb-broken",
                      reason="adb exited with code 1")
    assert plain(error_line(error, "zh")).startswith("adb 无法列出手机（adb 出错退出（代码 1））")


# --- real damaged captures, end to end ---------------------------------------------------

def scan(*paths: Path) -> ScanResult:
    return run_scan(ScanRequest(sources=tuple(SourceSpec("pcap", str(p)) for p in paths),
                                profiles=("stalkerware",), use_feeds=False))


def our_reasons(result: ScanResult) -> list[str]:
    """The English reasons of a scan's warnings (what the report keeps as data)."""
    return sorted({value for w in result.warnings for name, value in w.params if name in REASON_PARAMS})


def assert_no_english_reason(result: ScanResult) -> None:
    reasons = our_reasons(result)
    assert reasons
    for reason in reasons:  # every reason a real capture gave has Chinese
        assert translated_reason(reason, "zh") is not None, reason
    report = from_json(to_json(from_result(result)))  # as a saved report is read back
    assert our_reasons(result) == sorted({v for w in report.warnings for n, v in w.params if n in REASON_PARAMS})
    terminal = io.StringIO()
    print_summary(report, "zh", terminal)
    for chinese in (render_markdown(report, "zh"), render_html(report, "zh"), terminal.getvalue()):
        left = [reason for reason in reasons if reason in chinese]
        assert left == [], left
        for reason in reasons:
            line = translated_reason(reason, "zh")
            assert line is not None and plain(line) in chinese, reason
    english = render_markdown(report, "en")
    for reason in reasons:  # as before: the English reason, as a value
        assert f"`{reason}`" in english, reason


def test_a_chinese_report_of_our_damaged_captures_has_no_english_reason() -> None:
    result = scan(DAMAGED, DAMAGED_FIRST, *BOMBS)
    assert set(our_reasons(result)) >= {
        "bad IP header", "bad TCP header", "bad UDP header", "damaged DNS message", "not IP (loopback family)",
        "truncated packet", "unsupported link type 147", "truncated last block",
        "damaged packet record (impossible length)", "interface descriptions beyond the first 1024",
        "DNS names longer than 255 bytes (not kept)", "server names longer than 253 characters (not kept)"}
    assert_no_english_reason(result)


def test_a_chinese_report_of_captures_with_keys_has_no_english_reason() -> None:
    """The keys a capture carries and could not be used, and records they did not decrypt
    (tests/network/test_tls_keys.py's captures)."""
    result = scan(DATA / "network" / "tls-keys-damaged.pcapng", DATA / "network" / "tls-keys-wrong.pcapng")
    assert set(our_reasons(result)) == {
        "damaged Decryption Secrets Block", "key log line that is not a TLS key",
        "WireGuard key log line that is not a key",
        "TLS record that does not decrypt with the keys in the capture"}
    assert {w.key for w in result.warnings} == {"warn.pcap.keys", "warn.pcap.undecoded"}
    assert_no_english_reason(result)


def test_a_chinese_report_of_wireguard_captures_with_keys_has_no_english_reason() -> None:
    """WireGuard keys that could not be used, handshakes and packets they did not decrypt, and a
    tunnel without keys (tests/network/test_wireguard_keys.py's captures)."""
    result = scan(*(DATA / "network" / f"wireguard-keys-{name}.pcapng" for name in ("damaged", "wrong", "garbled")))
    assert set(our_reasons(result)) == {
        "damaged Decryption Secrets Block", "WireGuard key log line that is not a key",
        "WireGuard preshared key without an ephemeral key before it",
        "keys of another kind than TLS or WireGuard, not used",
        "WireGuard handshake that does not decrypt with the keys in the capture",
        "WireGuard packet that does not decrypt with the keys in the capture",
        "WireGuard handshakes without their keys in the capture (tunnel not decrypted)"}
    # no session was decrypted and nothing but the tunnel was seen: partly checked (its server compared)
    assert {w.key for w in result.warnings} == {"warn.pcap.keys", "warn.pcap.undecoded", "warn.pcap.not-followed"}
    assert_no_english_reason(result)


@pytest.mark.parametrize("path", [corpus_case(f"fixtures/pcaps/tcpdump/{name}") for name in TCPDUMP], ids=TCPDUMP)
def test_a_chinese_report_of_tcpdumps_damaged_captures_has_no_english_reason(path: Path) -> None:
    assert_no_english_reason(scan(path))


def test_the_command_lines_chinese_text_has_no_english_reason(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "--pcap", str(DAMAGED), "--pcap", str(DAMAGED_FIRST), "--lang", "zh", "--no-feeds"])
    said = capsys.readouterr()
    text = said.out + said.err
    assert "无法解码的数据包：1 个；原因：IP 头部有错误" in text
    assert "抓包文件已损坏：最后一个数据块不完整；" in text
    for english in ("bad IP header", "truncated last block", "impossible length", "loopback family"):
        assert english not in text, english
    main(["scan", "--pcap", str(DAMAGED), "--lang", "en", "--no-feeds"])
    said = capsys.readouterr()
    assert "packets that could not be decoded (bad IP header): 1" in said.out + said.err



def test_a_chinese_report_of_a_phone_says_what_could_not_be_read_in_chinese(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake-adb phone (the recorded Pixel 3a) with one command failing: what was asked is
    said in Chinese; the phone's own message stays as the phone said it."""
    root = tmp_path / "phones"
    root.mkdir()
    use_fake_adb(monkeypatch, root, tmp_path / "adb.log")
    build_phone(root, failing=("shell_dumpsys_device_policy",))
    set_devices(root, [PHONE_LINE])
    phone = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    (failed,) = [w for w in phone.warnings if w.key == "warn.android.command-failed"]
    assert dict(failed.params) == {"what": "device administrators and device management", "problem": "error: closed"}
    assert plain(warning_line(failed, "zh")) == "无法读取设备管理员和设备管理：error: closed"
    chinese = render_markdown(from_result(phone), "zh")
    assert "设备管理员和设备管理" in chinese and "device administrators and device management" not in chinese
    assert "`error: closed`" in chinese  # the phone's words, as a value


def test_the_app_shows_the_reason_in_chinese_as_plain_text() -> None:
    from exposure.tui.findings import line_text

    said = ScanWarning("x.pcap", "...", 1, "warn.pcap.damaged", (("reason", "truncated last block"),))
    assert line_text(warning_line(said, "zh")).plain == "抓包文件已损坏：最后一个数据块不完整；之后的数据包没有被读取"
    crafted = ScanWarning("x", "...", 1, "warn.host.software-unlisted",
                          (("what", "Snap packages"), ("problem", "[red]snap[/red] is not installed")))
    shown = line_text(warning_line(crafted, "zh"))
    assert shown.plain == "无法列出 Snap 软件包：没有安装 [red]snap[/red]"  # the brackets shown, not taken as markup
