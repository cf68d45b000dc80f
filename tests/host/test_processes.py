"""Running programs and connections with psutil replaced by recorded-shape fakes: access
refusals become counted warnings, fingerprints stay within their budget."""

from __future__ import annotations

import hashlib
import socket
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from exposure.collect.base import CheckNote
from exposure.collect.host import connections, processes
from exposure.collect.host.processes import ProcessTable
from tests.host.helpers import host_run

Addr = namedtuple("Addr", "ip port")
Conn = namedtuple("Conn", "fd family type laddr raddr status pid")


class _Proc:
    def __init__(self, pid: int, name: str, exe: str | None, conns: list[Conn] | Exception | None = None) -> None:
        self.pid = pid
        self.info = {"pid": pid, "name": name, "exe": exe, "cmdline": [exe or name] if exe is not None else None,
                     "username": "alice" if exe is not None else None}
        self._conns = conns

    def net_connections(self, kind: str = "inet") -> list[Conn]:
        if isinstance(self._conns, Exception):
            raise self._conns
        return list(self._conns or [])


def _patch(monkeypatch: pytest.MonkeyPatch, procs: list[_Proc]) -> None:
    def process_iter(attrs: Any = None, ad_value: Any = None) -> Iterator[_Proc]:
        return iter(procs)

    monkeypatch.setattr(psutil, "process_iter", process_iter)


def test_denied_programs_are_counted_not_fatal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    program = tmp_path / "agent"
    program.write_bytes(b"\x7fELF fake program")
    _patch(monkeypatch, [_Proc(10, "agent", str(program)), _Proc(11, "agent2", str(program)),
                         _Proc(12, "cron", None), _Proc(13, "", None)])
    run, warnings = host_run()
    table = ProcessTable()
    found = list(processes.collect_processes(run, table))
    assert [p.name for p in found] == ["agent", "agent2", "cron"]
    assert found[0].exe_sha256 == hashlib.sha256(program.read_bytes()).hexdigest() == found[1].exe_sha256
    assert found[2].exe == "" and found[2].exe_sha256 == ""
    assert table.names == {10: "agent", 11: "agent2", 12: "cron"}
    assert warnings == ["running programs whose program file or command line could not be read: 2 (they belong "
                        "to other users or to the system; run as administrator to see them)"]
    assert run.info.counts["processes"] == 4
    assert CheckNote("host.program-hashes", (("count", "1"),), "fingerprints (SHA-256) of program files: 1") \
        in run.info.checked


def test_fingerprint_budget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    small, big = tmp_path / "small", tmp_path / "big"
    small.write_bytes(b"x" * 10)
    big.write_bytes(b"x" * 100)
    monkeypatch.setattr(processes, "HASH_MAX_FILE", 50)
    _patch(monkeypatch, [_Proc(1, "small", str(small)), _Proc(2, "big", str(big)),
                         _Proc(3, "gone", str(tmp_path / "deleted"))])
    run, _ = host_run(is_admin=True)
    found = {p.name: p.exe_sha256 for p in processes.collect_processes(run, ProcessTable())}
    assert found["small"] and not found["big"] and not found["gone"]
    assert run.info.not_checked == [CheckNote(
        "host.program-hashes-skipped", (("count", "2"), ("budget", "512")),
        "program files not fingerprinted (too large, unreadable or over the 512 MiB budget): 2")]

    run, _ = host_run(is_admin=True, hash_executables=False)
    assert all(not p.exe_sha256 for p in processes.collect_processes(run, ProcessTable()))
    assert [n.key for n in run.info.not_checked] == ["host.program-hashes-off"]


TCP, UDP = socket.SOCK_STREAM, socket.SOCK_DGRAM
CONNS = [
    Conn(3, socket.AF_INET, TCP, Addr("10.0.0.2", 51000), Addr("198.51.100.7", 443), "ESTABLISHED", 10),
    Conn(4, socket.AF_INET, TCP, Addr("10.0.0.2", 51001), Addr("198.51.100.7", 443), "ESTABLISHED", 10),
    Conn(5, socket.AF_INET6, TCP, Addr("::ffff:10.0.0.2", 51002), Addr("::ffff:203.0.113.9", 80), "SYN_SENT", 11),
    Conn(6, socket.AF_INET, TCP, Addr("0.0.0.0", 22), (), "LISTEN", 1),
    Conn(7, socket.AF_INET, TCP, Addr("127.0.0.1", 5000), Addr("127.0.0.1", 6000), "ESTABLISHED", 10),
    Conn(-1, socket.AF_INET, UDP, Addr("10.0.0.2", 5353), Addr("192.0.2.1", 53), "NONE", None),
    Conn(8, socket.AF_INET, TCP, Addr("10.0.0.2", 22), Addr("192.0.2.50", 40001), "ESTABLISHED", 1),
]


def test_connections_are_aggregated_and_unattributed_counted() -> None:
    counts, unattributed = connections.aggregate(CONNS, {10: "agent", 11: "browser"})
    assert counts[("198.51.100.7", 443, 0, "tcp", "established", "agent", 10)] == 2  # two outgoing, one entry
    assert ("203.0.113.9", 80, 0, "tcp", "syn_sent", "browser", 11) in counts  # IPv4-mapped made plain
    assert ("192.0.2.1", 53, 0, "udp", "", "", None) in counts
    assert ("192.0.2.50", 40001, 22, "tcp", "established", "", 1) in counts  # came in to listening port 22
    assert not any(k[0].startswith("127.") for k in counts)
    assert unattributed == 1


def test_connections_fall_back_to_each_program(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(kind: str = "inet") -> list[Conn]:
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "net_connections", refuse)
    _patch(monkeypatch, [_Proc(10, "agent", "/a", CONNS[:2]), _Proc(20, "root-daemon", None, psutil.AccessDenied()),
                         _Proc(30, "quitting", "/q", psutil.NoSuchProcess(30))])
    run, warnings = host_run()
    found = list(connections.collect_connections(run, ProcessTable({10: "agent"})))
    assert [(c.remote_ip, c.process, c.count) for c in found] == [("198.51.100.7", "agent", 2)]
    assert warnings[0] == ("programs whose connections could not be listed: 1 (they belong to other users; run as"
                           " administrator to see them)")
    assert "host.connections-other-users" in [n.key for n in run.info.not_checked]
