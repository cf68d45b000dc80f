"""Package listings started ahead (``collect/host/prefetch.py``): the program runs in a
helper thread while programs and connections are read, and the software check gets exactly
what it printed, or the same failure, when it asks."""

from __future__ import annotations

import shutil
import sys
import threading
from collections.abc import Sequence

import pytest

from exposure.collect.base import CollectContext
from exposure.collect.host import HostCollector, base
from exposure.collect.host.base import CommandFailed
from exposure.collect.host.prefetch import PrefetchingRunner
from exposure.observations.host import InstalledSoftware
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

    def run_command(argv: Sequence[str], timeout: float = 20.0) -> str:
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
