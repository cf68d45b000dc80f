"""Package listings started ahead (``collect/host/prefetch.py``): the program runs in a
helper thread while programs and connections are read, and the software check gets exactly
what it printed, or the same failure, when it asks."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Sequence

import pytest

from exposure.collect.base import CollectContext
from exposure.collect.host import HostCollector, base, proxy
from exposure.collect.host.base import CommandFailed
from exposure.collect.host.prefetch import PrefetchingRunner
from exposure.observations.host import HostSetting, InstalledSoftware
from tests.host.helpers import recorded


def test_a_started_command_is_answered_from_what_it_printed() -> None:
    calls: list[tuple[str, ...]] = []
    release = threading.Event()

    def run(argv: Sequence[str]) -> str:
        calls.append(tuple(argv))
        if argv[0] == "slow":
            release.wait(10)
        if argv[0] == "fails":
            raise CommandFailed("fails could not run")
        return " ".join(argv)

    runner = PrefetchingRunner(run)
    runner.start([("slow", "1"), ("fails",)])
    assert runner(("other",)) == "other"  # not started: run when asked
    release.set()
    assert runner(("slow", "1")) == "slow 1"
    with pytest.raises(CommandFailed, match="fails could not run"):
        runner(("fails",))
    assert runner(("slow", "1")) == "slow 1"  # asked again: run again
    assert sorted(calls) == sorted([("slow", "1"), ("fails",), ("other",), ("slow", "1")])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dpkg is read on Linux only")
def test_the_package_listing_runs_ahead_in_a_helper_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    ran_in: dict[str, str] = {}
    listing = recorded("dpkg-planted.txt")

    def run_command(argv: Sequence[str], timeout: float = 20.0, env: dict[str, str] | None = None) -> str:
        ran_in[argv[0]] = threading.current_thread().name
        if argv[0] == "dpkg-query":
            return listing
        raise CommandFailed(f"{argv[0]} is not installed")

    monkeypatch.setattr(base, "run_command", run_command)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name if name == "dpkg-query" else None)
    said: list[object] = []
    collector = HostCollector(hash_executables=False)
    seen = list(collector.collect(CollectContext(progress=lambda p: None, warn=said.append,
                                                 cancel=threading.Event(), stop=threading.Event())))
    assert ran_in["dpkg-query"] == "exposure-prefetch"
    packages = [o.name for o in seen if isinstance(o, InstalledSoftware) and o.manager == "dpkg"]
    assert "anydesk" in packages and len(packages) == collector.info.counts["software:dpkg"] > 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="GNOME's settings are read on Linux only")
def test_gnome_proxy_mode_runs_ahead_with_a_private_dconf_folder_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """gsettings is started in a helper thread with dconf's folder in its own environment (the
    process's environment is never changed while other programs start), answers the proxy
    check exactly as when run in turn, and the folder is gone once the check has ended."""
    ran: dict[tuple[str, ...], tuple[str, dict[str, str] | None, str | None]] = {}
    answers: dict[tuple[str, ...], str] = {proxy.GNOME_MODE: "'manual'\n",
               ("gsettings", "get", "org.gnome.system.proxy.http", "host"): "'192.0.2.7'\n",
               ("gsettings", "get", "org.gnome.system.proxy.http", "port"): "8080\n"}
    before = os.environ.get("XDG_RUNTIME_DIR")

    def run_command(argv: Sequence[str], timeout: float = 20.0, env: dict[str, str] | None = None) -> str:
        ran[tuple(argv)] = (threading.current_thread().name, env, os.environ.get("XDG_RUNTIME_DIR"))
        if argv[0] == "gsettings":
            assert env is not None and os.path.isdir(env["XDG_RUNTIME_DIR"])
            return answers.get(tuple(argv), "''\n")
        raise CommandFailed(f"{argv[0]} is not installed")

    monkeypatch.setattr(base, "run_command", run_command)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/gsettings" if name == "gsettings" else None)
    collector = HostCollector(hash_executables=False)
    seen = list(collector.collect(CollectContext(progress=lambda p: None, warn=lambda said: None,
                                                 cancel=threading.Event(), stop=threading.Event())))
    thread, env, environ = ran[proxy.GNOME_MODE]
    assert thread == "exposure-prefetch" and environ == before
    assert env is not None and not os.path.exists(env["XDG_RUNTIME_DIR"])  # removed afterwards
    # the values asked after the mode run in turn, with the same folder
    assert ran[("gsettings", "get", "org.gnome.system.proxy.http", "host")][1] == env
    assert {(s.key, s.value) for s in seen if isinstance(s, HostSetting)} >= {("http proxy", "192.0.2.7:8080")}
    assert "host.proxy-gnome" in [c.key for c in collector.info.checked]
