"""This computer's programs and files are untrusted: a program that swapped its own file for
a named pipe, a process list or a file read that never answers, special files where the
collector expects files: none of them may hang `scan --host` (issue 17.2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.host import HostCollector, hostsfile, processes, proxy, rootcerts
from exposure.collect.host.base import CommandFailed, run_command
from exposure.collect.host.limits import MAX_READ_TIMEOUTS
from exposure.collect.host.processes import ProcessTable
from exposure.collect.host.software.desktop import read_folder
from exposure.collect.host.software.macos import read_launchd
from tests.host.helpers import host_run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="named pipes and /proc: Linux")


@pytest.fixture
def fifo_program(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A real running program whose executable file was replaced by a named pipe."""
    program = tmp_path / "prog"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", program)
    program.chmod(0o755)
    proc = subprocess.Popen([str(program), "120"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(proc.pid).exe() != str(program) and time.monotonic() < deadline:
            time.sleep(0.02)  # until the program runs from its file
        program.unlink()
        os.mkfifo(program)
        assert psutil.Process(proc.pid).exe() == str(program)  # psutil names the pipe as its file
        yield proc, program
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.timeout(60)
def test_a_program_whose_file_is_now_a_named_pipe_does_not_hang_the_scan(
        fifo_program: tuple[subprocess.Popen[bytes], Path]) -> None:
    proc, program = fifo_program
    said: list[str | CheckNote] = []
    run, _ = host_run()
    run.warn = said.append
    started = time.monotonic()
    found = [p for p in processes.collect_processes(run, ProcessTable()) if p.pid == proc.pid]
    assert time.monotonic() - started < 30
    assert [(p.exe, p.exe_sha256) for p in found] == [(str(program), "")]
    special = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.host.program-file-special"]
    assert [dict(w.params) for w in special] == [{"path": str(program), "kind": "a named pipe (FIFO)"}]


@pytest.mark.timeout(120)
def test_the_whole_host_scan_finishes_with_a_named_pipe_program(
        fifo_program: tuple[subprocess.Popen[bytes], Path]) -> None:
    _, program = fifo_program
    said: list[str | CheckNote] = []
    collector = HostCollector()
    observations = list(collector.collect(CollectContext(warn=said.append)))
    assert any(getattr(o, "exe", "") == str(program) for o in observations)
    assert "warn.host.program-file-special" in {w.key for w in said if isinstance(w, CheckNote)}


def test_a_program_file_that_never_answers_is_given_up_after_its_time(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file system that never returns a read (a hostile FUSE mount) costs one timeout per
    file, and after MAX_READ_TIMEOUTS of them no more program files are read."""
    files = []
    for n in range(5):
        (tmp_path / f"p{n}").write_bytes(b"x")
        files.append(str(tmp_path / f"p{n}"))
    never = threading.Event()
    monkeypatch.setattr(processes, "FILE_READ_TIMEOUT", 0.2)
    monkeypatch.setattr(processes._Hasher, "_sha256", lambda self, path: never.wait(30) and "")
    monkeypatch.setattr(psutil, "process_iter", lambda attrs=None, ad_value=None: iter(
        [_Proc(n + 1, f"p{n}", path) for n, path in enumerate(files)]))
    said: list[str | CheckNote] = []
    run, _ = host_run()
    run.warn = said.append
    started = time.monotonic()
    found = list(processes.collect_processes(run, ProcessTable()))
    never.set()
    assert time.monotonic() - started < 5
    assert len(found) == 5 and not any(p.exe_sha256 for p in found)
    timeouts = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.host.read-timeout"]
    assert len(timeouts) == MAX_READ_TIMEOUTS == 3
    skipped = next(n for n in run.info.not_checked if n.key == "host.program-hashes-skipped")
    assert dict(skipped.params)["count"] == "5"


def test_a_process_list_that_stops_answering_is_cut_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    never = threading.Event()

    def stuck(attrs: Any = None, ad_value: Any = None) -> Iterator[Any]:
        yield _Proc(1, "init", None)
        yield _Proc(2, "shell", None)
        never.wait(30)  # reading the third program's details never returns

    monkeypatch.setattr(processes, "PROCESS_READ_TIMEOUT", 0.3)
    monkeypatch.setattr(psutil, "process_iter", stuck)
    said: list[str | CheckNote] = []
    run, _ = host_run()
    run.warn = said.append
    started = time.monotonic()
    found = list(processes.collect_processes(run, ProcessTable()))
    never.set()
    assert time.monotonic() - started < 5
    assert [p.name for p in found] == ["init", "shell"]
    stopped = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.host.processes-stopped"]
    assert len(stopped) == 1 and dict(stopped[0].params)["count"] == "2"
    assert "host.processes-unfinished" in [n.key for n in run.info.not_checked]


class _Proc:
    def __init__(self, pid: int, name: str, exe: str | None) -> None:
        self.pid = pid
        self.info = {"pid": pid, "name": name, "exe": exe, "cmdline": [name], "username": "alice"}


@pytest.mark.timeout(30)
def test_special_files_among_the_systems_files_are_never_opened(tmp_path: Path) -> None:
    """A named pipe as the hosts file, a certificate, a .desktop entry or a plist: skipped."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    os.mkfifo(root / "etc" / "hosts")
    anchors = root / "usr/local/share/ca-certificates"
    anchors.mkdir(parents=True)
    os.mkfifo(anchors / "evil.crt")
    (root / "etc/ca-certificates.conf").write_text("local/evil.crt\n")
    (root / "usr/share/ca-certificates/local").mkdir(parents=True)
    os.mkfifo(root / "usr/share/ca-certificates/local/evil.crt")
    said: list[str | CheckNote] = []
    run, _ = host_run(root=root)
    run.warn = said.append
    assert list(hostsfile.collect_hosts(run)) == []
    assert list(rootcerts.collect_root_certificates(run)) == []
    keys = [w.key for w in said if isinstance(w, CheckNote)]
    assert "warn.host.hosts-file-unreadable" in keys and "warn.host.file-unreadable" in keys
    apps = tmp_path / "applications"
    apps.mkdir()
    os.mkfifo(apps / "stalker.desktop")
    (apps / "ok.desktop").write_text("[Desktop Entry]\nType=Application\nName=OK\nExec=/opt/ok/ok\n")
    assert [p.name for p in read_folder(apps, autostart=False)] == ["ok"]
    os.mkfifo(tmp_path / "job.plist")
    assert read_launchd(tmp_path / "job.plist") is None


@pytest.mark.timeout(30)
def test_a_named_pipe_among_the_shell_settings_is_never_opened(tmp_path: Path) -> None:
    """/etc/environment and /etc/profile.d/*.sh are read for proxy variables: a named pipe
    there is a warning, and the other scripts are still read."""
    profile_d = tmp_path / "etc" / "profile.d"
    profile_d.mkdir(parents=True)
    os.mkfifo(tmp_path / "etc" / "environment")
    os.mkfifo(profile_d / "a-pipe.sh")
    (profile_d / "proxy.sh").write_text("export https_proxy=http://10.9.8.7:3128\n")
    said: list[str | CheckNote] = []
    run, _ = host_run(root=tmp_path)
    run.warn = said.append
    settings = list(proxy.collect_proxy(run, env={}))
    assert [s.value for s in settings if s.location.endswith("proxy.sh")] == ["http://10.9.8.7:3128"]
    unreadable = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.host.file-unreadable"]
    assert len(unreadable) == 2


@pytest.mark.timeout(30)
def test_a_command_that_prints_without_end_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.collect.host import base

    monkeypatch.setattr(base, "MAX_COMMAND_OUTPUT", 1000)
    with pytest.raises(CommandFailed, match="printed more than 1000 bytes"):
        run_command(["yes"])
    with pytest.raises(CommandFailed, match="did not answer within 1 s"):
        run_command(["sleep", "30"], timeout=1)
    assert run_command(["echo", "fine"]) == "fine\n"


def test_a_connection_list_that_never_answers_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.collect.host import connections

    never = threading.Event()
    monkeypatch.setattr(connections, "CONNECTIONS_TIMEOUT", 0.3)
    monkeypatch.setattr(psutil, "net_connections", lambda kind="inet": never.wait(30) and [])
    said: list[str | CheckNote] = []
    run, _ = host_run()
    run.warn = said.append
    started = time.monotonic()
    assert list(connections.collect_connections(run, ProcessTable())) == []
    never.set()
    assert time.monotonic() - started < 5
    assert [w.key for w in said if isinstance(w, CheckNote)] == ["warn.host.connections-stopped"]
    assert [n.key for n in run.info.not_checked] == ["host.connections-unread"]
