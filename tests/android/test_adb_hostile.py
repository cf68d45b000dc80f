"""A phone over adb is untrusted: one that never answers, one that prints without end, one
whose serial carries control characters (issue 17.7, 17.9). Each costs a bounded time and
memory and ends in a plain warning or one line, never a traceback, and never in a report
that reads 0 apps as "nothing found". The phones here are small and made up (no ../shared)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android import adb as adb_module
from exposure.collect.android import commands as cmd
from exposure.collect.base import CheckNote, CollectContext
from exposure.errors import UserError
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.android.conftest import FakePhone
from tests.android.phones import key, set_devices

SERIAL = "HOSTILE01"
GETPROP = "[ro.product.model]: [Pixel 3a]\n[ro.build.version.release]: [11]\n"
PACKAGES = ("package:/data/app/com.wifi0-1/base.apk=com.wifi0 installer=com.android.packageinstaller uid:10155\n"
            "package:/system/app/Contacts/Contacts.apk=com.android.contacts installer=null uid:10010\n")


def small_phone(root: Path, serial: str = SERIAL) -> Path:
    """A phone that answers getprop and the package lists; every other command fails."""
    folder = root / serial
    folder.mkdir(parents=True)
    (folder / f"{key(list(cmd.GETPROP.args))}.txt").write_text(GETPROP)
    (folder / f"{key(list(cmd.PACKAGES.args))}.txt").write_text(PACKAGES)
    (folder / f"{key(list(cmd.SYSTEM_PACKAGES.args))}.txt").write_text("package:com.android.contacts\n")
    set_devices(root, [f"{serial}  device usb:1-1 model:Pixel_3a"])
    return folder


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every adb command times out after at most 1 s (the real ones take 30-180 s)."""

    def command(self: cmd.AdbRunner, command: cmd.Command, max_output: int | None = None) -> str:
        return self.run(command.args, min(command.timeout, 1.0), max_output=min(max_output or command.max_output,
                                                                                 command.max_output))

    monkeypatch.setattr(cmd.AdbRunner, "command", command)
    monkeypatch.setattr(adb_module, "PROBE_TIMEOUT", 0.5)


def _notes(said: list[str | CheckNote], key_: str) -> list[CheckNote]:
    return [w for w in said if isinstance(w, CheckNote) and w.key == key_]


@pytest.mark.timeout(60)
def test_a_phone_that_never_answers_is_unreadable_not_clean(fake_adb: FakePhone, short_timeouts: None) -> None:
    folder = small_phone(fake_adb.root)
    (folder / "hang").write_text("")
    started = time.monotonic()
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    assert time.monotonic() - started < 15
    # No app was read: the source is unreadable, said in one line, never "nothing found".
    assert len(result.unreadable) == 1
    assert result.unreadable[0].startswith("the phone stopped answering (no answer to device properties")
    keys = [w.key for w in result.warnings]
    assert "warn.android.stopped-answering" in keys
    info = result.sources[0]
    assert "android.stopped-answering" in [n.key for n in info.not_checked]
    assert "android.packages" in [n.key for n in info.not_checked]
    assert info.checked == []
    # getprop, the probe, then nothing more: a stopped phone is not asked twelve more times.
    assert [c[-1] for c in fake_adb.calls() if c[:1] == ["-s"]] == ["getprop", "getprop"]


@pytest.mark.timeout(60)
def test_a_phone_that_stops_after_the_app_list_is_read_in_part(fake_adb: FakePhone, short_timeouts: None) -> None:
    folder = small_phone(fake_adb.root)
    # Two commands in a row never end (the short probe in between is answered): stop there.
    (folder / f"{key(list(cmd.DISABLED_PACKAGES.args))}.hang").write_text("")
    (folder / f"{key(list(cmd.DUMPSYS_PACKAGE.args))}.hang").write_text("")
    collector = adb_module.AdbCollector()
    said: list[str | CheckNote] = []
    observations = list(collector.collect(CollectContext(warn=said.append)))
    assert {getattr(o, "package", "") for o in observations} >= {"com.wifi0", "com.android.contacts"}
    (stopped,) = _notes(said, "warn.android.stopped-answering")
    assert dict(stopped.params) == {"what": cmd.DUMPSYS_PACKAGE.what}
    not_checked = [n.key for n in collector.info.not_checked]
    assert "android.stopped-answering" in not_checked and "android.package-details" in not_checked
    assert "android.packages" in [n.key for n in collector.info.checked]
    # Neither app files nor more commands were asked for after the phone stopped.
    assert not any(c[2:4] == ["shell", "sha256sum"] or c[2:3] == ["exec-out"] for c in fake_adb.calls())
    assert not any(c[-1] == "accessibility" for c in fake_adb.calls())


@pytest.mark.timeout(60)
def test_a_slow_command_on_a_phone_that_still_answers_does_not_stop_the_check(
        fake_adb: FakePhone, short_timeouts: None) -> None:
    folder = small_phone(fake_adb.root)
    (folder / f"{key(list(cmd.DUMPSYS_PACKAGE.args))}.hang").write_text("")
    collector = adb_module.AdbCollector()
    said: list[str | CheckNote] = []
    list(collector.collect(CollectContext(warn=said.append)))
    assert not _notes(said, "warn.android.stopped-answering")
    (failed,) = [w for w in _notes(said, "warn.android.command-failed")
                 if dict(w.params)["what"] == cmd.DUMPSYS_PACKAGE.what]
    assert dict(failed.params)["problem"] == "no answer within 1 s"
    assert any(c[-1] == "accessibility" for c in fake_adb.calls())  # later commands were still asked


@pytest.mark.timeout(60)
def test_a_phone_that_prints_without_end_is_cut_at_the_cap(fake_adb: FakePhone) -> None:
    """64 MiB where the cap is 16 MiB: refused with a warning, in bounded memory."""
    import tracemalloc

    folder = small_phone(fake_adb.root)
    (folder / f"{key(list(cmd.SYSTEM_PACKAGES.args))}.flood").write_text(str(cmd.SYSTEM_PACKAGES.max_output * 4))
    (folder / f"{key(list(cmd.SYSTEM_PACKAGES.args))}.txt").unlink()
    collector = adb_module.AdbCollector()
    said: list[str | CheckNote] = []
    tracemalloc.start()
    try:
        observations = list(collector.collect(CollectContext(warn=said.append)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * cmd.SYSTEM_PACKAGES.max_output
    problems = {dict(w.params)["what"]: dict(w.params)["problem"] for w in _notes(said, "warn.android.command-failed")}
    assert problems[cmd.SYSTEM_PACKAGES.what] == "the phone printed more than 16 MiB; not read"
    assert "android.system-packages" in [n.key for n in collector.info.not_checked]
    assert {getattr(o, "package", "") for o in observations} >= {"com.wifi0"}  # the rest was still read


def test_a_runner_refuses_more_than_the_cap_of_a_command(fake_adb: FakePhone) -> None:
    folder = small_phone(fake_adb.root)
    (folder / f"{key(list(cmd.SYSTEM_PACKAGES.args))}.flood").write_text(str(3_000_000))
    (folder / f"{key(list(cmd.SYSTEM_PACKAGES.args))}.txt").unlink()
    runner = cmd.AdbRunner(str(Path(fake_adb.root).parent / "no-such-adb"), SERIAL)
    with pytest.raises(cmd.CommandFailed, match="adb could not be started"):
        runner.run(cmd.SYSTEM_PACKAGES.args)
    import shutil

    runner = cmd.AdbRunner(shutil.which("adb") or "adb", SERIAL)
    with pytest.raises(cmd.OutputTooLarge, match="more than 1 MiB"):
        runner.run(cmd.SYSTEM_PACKAGES.args, max_output=1024 * 1024)
    assert len(runner.run(cmd.SYSTEM_PACKAGES.args, max_output=4_000_000)) == 3_000_000


@pytest.mark.parametrize("serial", ["evil\x1b]0;pwned\x07", "x" * 200, "$(reboot)", "中\u202e"])
def test_a_serial_with_unexpected_characters_is_one_line(fake_adb: FakePhone, serial: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    small_phone(fake_adb.root)
    set_devices(fake_adb.root, [f"{serial}  device usb:1-1"])
    with pytest.raises(UserError) as caught:
        list(adb_module.AdbCollector().collect(CollectContext()))
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message and "\x07" not in message
    assert message.startswith("adb lists a phone whose serial '")
    assert main(["scan", "--android"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "has characters exposure does not pass on to adb" in err
    # Given on the command line, the same refusal, before adb is asked anything with it.
    with pytest.raises(UserError, match="has characters exposure does not pass on to adb"):
        list(adb_module.AdbCollector(serial=serial).collect(CollectContext()))
    with pytest.raises(UserError, match="has characters exposure does not pass on to adb"):
        list(adb_module.AdbCollector(serial="a b").collect(CollectContext()))
    assert not any("-s" in c for c in fake_adb.calls())


def test_a_stopped_phone_scan_from_the_command_line_says_so_in_one_line(
        fake_adb: FakePhone, short_timeouts: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (small_phone(fake_adb.root) / "hang").write_text("")
    assert main(["scan", "--android", "--json", str(tmp_path / "r.json")]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("exposure: the phone stopped answering (no answer to device properties")
    assert out.err.count("\n") == 1 and not (tmp_path / "r.json").exists()
