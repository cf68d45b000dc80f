"""The host check through the real pipeline (run_scan with SourceSpec("host")) and the
bundled remote-access profile, on recorded package lists and on this machine itself."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from exposure.collect.host import base
from exposure.indicators.catalog import build_catalog
from exposure.model import Category, Severity, SourceSpec
from exposure.observations.host import HostProcess, InstalledSoftware
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.host.helpers import fake_commands, recorded
from tests.progress_notes import assert_progress_names_what_it_reads


class _FakeProcess:
    def __init__(self, pid: int, name: str, exe: str | None, cmdline: list[str] | None, user: str | None) -> None:
        self.pid = pid
        self.info = {"pid": pid, "name": name, "exe": exe, "cmdline": cmdline, "username": user}


def _fake_processes(*extra: _FakeProcess) -> Any:
    def process_iter(attrs: Any = None, ad_value: Any = None) -> Iterator[_FakeProcess]:
        yield _FakeProcess(1, "systemd", "/usr/lib/systemd/systemd", ["/sbin/init"], "root")
        yield _FakeProcess(2, "kthreadd", "", [], "root")
        yield _FakeProcess(77, "sshd", None, None, None)  # another user's: access denied
        yield from extra

    return process_iter


def _scan(monkeypatch: pytest.MonkeyPatch, dpkg_file: str, *extra: _FakeProcess) -> ScanResult:
    monkeypatch.setattr(base, "run_command", fake_commands({"dpkg-query": recorded(dpkg_file)}))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name if name == "dpkg-query" else None)
    monkeypatch.setattr(psutil, "process_iter", _fake_processes(*extra))  # the module processes.py uses
    request = ScanRequest(sources=(SourceSpec("host", options=(("hash", "no"),)),), profiles=("remote-access",),
                          use_feeds=False)
    return run_scan(request, catalog=build_catalog(["remote-access"], use_feeds=False))


def test_planted_monitoring_package_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _scan(monkeypatch, "dpkg-planted.txt")
    dual = [f for f in result.findings if f.category is Category.DUAL_USE]
    # Installed, not running: a dual-use tool on its own is low (docs/severity.md).
    assert [(f.threat, f.severity, f.rule) for f in dual] == [("anydesk", Severity.LOW, "indicator.dual-use")]
    evidence = dual[0].evidence
    assert [type(e).__name__ for e in evidence] == ["InstalledSoftware"]
    assert isinstance(evidence[0], InstalledSoftware) and evidence[0].name == "anydesk"
    # teamviewer (config-files only) and x11vnc-data (a near-miss name) are not findings
    assert not any(f.threat in ("teamviewer", "vnc-server") for f in result.findings)


def test_package_and_running_program_make_one_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    running = _FakeProcess(4242, "AnyDesk.exe", "/opt/anydesk/AnyDesk.exe", ["AnyDesk.exe", "--service"], "alice")
    result = _scan(monkeypatch, "dpkg-planted.txt", running)
    dual = [f for f in result.findings if f.threat == "anydesk"]
    assert len(dual) == 1
    kinds = sorted(type(e).__name__ for e in dual[0].evidence)
    assert kinds == ["HostProcess", "InstalledSoftware"]
    assert dual[0].subject == "this computer"
    # Running now: someone may be connected, so more than installed alone (docs/severity.md).
    assert dual[0].severity is Severity.MEDIUM and dual[0].param("running") == "yes"
    assert {i.type.value for i in dual[0].indicators} == {"desktop-app", "desktop-process"}
    process = next(e for e in dual[0].evidence if isinstance(e, HostProcess))
    assert process.pid == 4242 and process.user == "alice"


def test_clean_package_list_has_no_dual_use_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _scan(monkeypatch, "dpkg-this-machine.txt")
    assert [f for f in result.findings if f.rule.startswith("indicator")] == []
    info = result.sources[0]
    assert info.counts["processes"] == 3
    denied = "running programs whose program file or command line could not be read: 1"
    assert any(w.message.startswith(denied) for w in result.warnings)


def _check_report(report: dict[str, Any], admin: bool) -> None:
    (source,) = report["sources"]
    assert source["kind"] == "host"
    assert source["details"]["administrator"] == ("yes" if admin else "no")
    checked = "\n".join(note["text"] for note in source["checked"])
    for part in ("running programs", "network connections", "installed software", "root certificates",
                 "proxy", "hosts file"):
        assert part in checked
    keys = {note["key"] for note in source["checked"]}
    assert {"host.processes", "host.connections", "host.proxy-variables"} <= keys
    assert any(key.startswith("host.software.") for key in keys)
    severities = {f["severity"] for f in report["findings"]}
    assert not severities & {"critical", "high"}, report["findings"]


def test_this_machine_scan_has_no_alarming_finding(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "exposure", "scan", "--host", "--quiet", "--json", str(out)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    _check_report(json.loads(out.read_text()), admin=os.geteuid() == 0)


def _unprivileged_user() -> str | None:
    for name in ("exposuretest", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


_NOT_ROOT = not hasattr(os, "geteuid") or os.geteuid() != 0


@pytest.mark.skipif(_NOT_ROOT, reason="needs root to run the scan as another user")
def test_this_machine_scan_as_a_normal_user() -> None:
    user = _unprivileged_user()
    runuser = shutil.which("runuser")
    if user is None or runuser is None:
        pytest.skip("no unprivileged user or no runuser on this machine")
    reachable = subprocess.run([runuser, "-u", user, "--", "test", "-x", sys.executable], check=False)
    if reachable.returncode != 0:
        pytest.skip(f"{user} cannot run {sys.executable} (its folder is not readable by other users)")
    folder = Path(tempfile.mkdtemp(prefix="exposure-user-"))
    try:
        folder.chmod(0o777)
        out = folder / "out.json"
        env = dict(os.environ, EXPOSURE_DATA_DIR=str(folder / "data"), HOME=str(folder))
        done = subprocess.run([runuser, "-u", user, "--", sys.executable, "-m", "exposure", "scan", "--host",
                               "--quiet", "--json", str(out)], capture_output=True, text=True, timeout=120,
                              env=env, cwd=folder, check=False)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        report = json.loads(out.read_text())
        _check_report(report, admin=False)
        warnings = " ".join(w["message"] for w in report["warnings"])
        assert "without administrator rights" in warnings
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_cancel_stops_between_checks_and_says_so() -> None:
    from exposure.collect.base import CollectContext, Progress
    from exposure.collect.host import HostCollector

    stages: list[Progress] = []
    ctx = CollectContext(progress=stages.append)
    collector = HostCollector(hash_executables=False)
    kinds = set()
    for obs in collector.collect(ctx):
        kinds.add(obs.kind)
        ctx.cancel.set()
    assert kinds == {"host-process"}  # the running-programs check finishes; nothing after it runs
    assert [n.key for n in collector.info.not_checked][-1] == "host.cancelled"
    assert [p.stage for p in stages] == ["running programs"]
    assert assert_progress_names_what_it_reads(stages) == ["reading.host-processes"]
    assert not any(c.key.startswith("host.software") for c in collector.info.checked)


def test_every_check_says_what_it_reads() -> None:
    from exposure.collect.base import CollectContext, Progress
    from exposure.collect.host import HostCollector

    stages: list[Progress] = []
    collector = HostCollector(hash_executables=False)
    for _ in collector.collect(CollectContext(progress=stages.append)):
        pass
    assert assert_progress_names_what_it_reads(stages) == [
        "reading.host-processes", "reading.host-connections", "reading.host-software",
        "reading.host-root-certificates", "reading.host-proxy", "reading.host-hosts-file"]
    assert stages[-1].fraction == 1.0
