"""A capture scanned in byte ranges (``collect/net/ranges``, joined by ``collect/net/merge``) gives
exactly the one pass's aggregates, order included, or says why it cannot (then it is read in
one pass): cuts forced anywhere in a busy capture, in real captures, and through the collector.
"""

from __future__ import annotations

import random
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

from exposure.collect import pcap
from exposure.collect.base import CollectContext
from exposure.collect.net import merge, parallel
from exposure.collect.net.extract import Extractor
from exposure.collect.net.merge import Joined, join, scan_ranges
from exposure.collect.net.ranges import scan_range
from exposure.collect.net.reader import NotACapture, open_capture
from exposure.collect.net.results import tunnel_counts
from exposure.collect.pcap import PcapCollector
from tests.network.busy_scan import busy_scan_capture
from tests.network.test_fast_paths import NAMES, TCPDUMP
from tests.paths import REPO, needs_shared

DATA = REPO / "tests" / "data" / "network"


def state(ex: Extractor | Joined) -> dict[str, Any]:
    """Every aggregate the collector makes observations of, in the order it makes them."""
    return {
        "names": ex.names.as_json(), "packets": ex.packets, "ip": ex.ip_packets, "undecoded": ex.undecoded,
        "overflow": ex.overflow, "dropped": ex.dropped, "first": ex.first_time, "last": ex.last_time,
        "dns": [(k, v.count, v.first, v.last, list(v.answers)) for k, v in ex.dns_obs.items()],
        "servers": [(k, v.count, v.first, v.last) for k, v in ex.server_obs.items()],
        "certs": [(k, v.count, v.sni, v.first, v.last) for k, v in ex.cert_obs.items()],
        "flows": [(k, v.count, v.bytes_out, v.bytes_in, v.opened, list(v.starts), v.first, v.last)
                  for k, v in ex.flows.items()],
        "addresses": list(ex.address_names.items()),
        "macs": list(ex.client_macs.by_client.items()),  # in the order they were learnt
        "tunnels": tunnel_counts(ex.flows),  # VPN tunnels, some told by messages on both sides of a cut
    }


def one_pass(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    ex = Extractor()
    with open_capture(path, hashing=False) as reader:
        ex.run(reader)
        ex.finish()
        problems = dict(reader.problems)
    return state(ex), problems


def in_ranges(path: Path, cuts: list[int]) -> Joined | str:
    """The ranges read one after the other in this process (what the workers do)."""
    size = path.stat().st_size
    bounds = list(zip([0, *cuts], [*cuts, size], strict=True))
    results = [scan_range(str(path), start, stop, None, bool(i)) for i, (start, stop) in enumerate(bounds)]
    return join(results, [stop for _start, stop in bounds])


def record_offsets(path: Path) -> list[int]:
    data = path.read_bytes()
    pos, offsets = 24, []
    while pos + 16 <= len(data):
        offsets.append(pos)
        pos += 16 + struct.unpack_from("<IIII", data, pos)[2]
    return offsets


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return busy_scan_capture(tmp_path_factory.mktemp("ranges") / "busy.pcap")


@pytest.mark.parametrize("seed", [1, 2])
def test_cuts_anywhere_in_a_busy_capture_give_the_one_pass(busy: Path, seed: int) -> None:
    expected, problems = one_pass(busy)
    rng = random.Random(seed)
    offsets = record_offsets(busy)
    exact, why = 0, dict[str, int]()
    for _ in range(60):
        cuts = sorted(rng.sample(offsets[1:], rng.choice((1, 1, 2, 4))))
        joined = in_ranges(busy, cuts)
        if isinstance(joined, str):
            why[joined] = why.get(joined, 0) + 1
            continue
        assert state(joined) == expected, cuts
        assert joined.problems == problems
        exact += 1
    # most cuts are joined (the rest fall back to one pass, which is always right): the
    # capture is built so that every cut falls inside several conversations
    assert exact >= 45, why


@pytest.mark.parametrize("name", ["tunnel-wireguard-port.pcap", "tunnel-wireguard-midway.pcap",
                                  "tunnel-openvpn-port.pcap", "tunnel-openvpn-tcp443.pcap"])
def test_a_tunnel_told_by_its_messages_is_told_wherever_the_capture_is_cut(name: str) -> None:
    """A handshake's two halves, or a run of data messages, read by different ranges still make the tunnel."""
    path = DATA / name
    expected, _problems = one_pass(path)
    assert expected["tunnels"]
    offsets = record_offsets(path)
    joined_at = 0
    for cut in offsets[1:6]:
        joined = in_ranges(path, [cut])
        if isinstance(joined, Joined):
            assert state(joined) == expected, cut
            joined_at += 1
    assert joined_at >= 3


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's kind of traffic (thousands of short connections and DNS lookups)."""
    import subprocess
    import sys

    from tests.paths import SHARED

    make = SHARED / "bench" / "make_traffic.py"
    if not make.exists():
        pytest.skip("needs ../shared/bench/make_traffic.py")
    path = tmp_path_factory.mktemp("ranges") / "traffic.pcap"
    subprocess.run([sys.executable, str(make), "--packets", "60000", "--out", str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def test_a_generated_capture_in_ranges(traffic: Path) -> None:
    expected, _problems = one_pass(traffic)
    offsets = record_offsets(traffic)
    for cuts in ([offsets[len(offsets) // 2]], [offsets[len(offsets) // 3], offsets[2 * len(offsets) // 3]]):
        joined = in_ranges(traffic, cuts)
        assert isinstance(joined, Joined), joined
        assert state(joined) == expected


def test_worker_processes_give_the_one_pass(traffic: Path) -> None:
    expected, _problems = one_pass(traffic)
    for workers in (2, 3):
        joined = scan_ranges(str(traffic), workers, 0)
        assert isinstance(joined, Joined), joined
        assert state(joined) == expected


@needs_shared()
def test_real_captures_in_ranges() -> None:
    exact = 0
    for path in NAMES + TCPDUMP:
        try:
            expected, problems = one_pass(path)
        except NotACapture:
            continue
        with open_capture(path, hashing=False) as reader:
            if reader.compressed or reader.format != "pcap":
                continue
            found, _section = parallel.cuts(reader, str(path), path.stat().st_size, 2)
        if found is None or len(found) < 2:
            continue  # too small to cut
        joined = in_ranges(path, found[1:])
        if isinstance(joined, Joined):
            assert state(joined) == expected, path
            assert joined.problems == problems, path
            exact += 1
    assert exact >= 90


def test_reading_in_ranges_reports_progress_and_stops_when_asked(traffic: Path) -> None:
    """This process reads the first range itself: it reports everyone's progress between its
    frames, and passes a stop on to every range."""
    expected, _problems = one_pass(traffic)
    told: list[tuple[int, int]] = []

    def stopped() -> bool:
        return len(told) >= 1

    joined = scan_ranges(str(traffic), 2, 0, lambda packets, done: told.append((packets, done)), stopped)
    assert isinstance(joined, Joined), joined
    assert told and told[0][0] > 0 and told[0][1] > 0
    assert joined.stopped
    assert 0 < joined.packets < expected["packets"]


def test_why_a_capture_is_read_in_one_pass(tmp_path: Path, busy: Path) -> None:
    data = bytearray(busy.read_bytes())
    offsets = record_offsets(busy)
    middle = offsets[len(offsets) // 2]
    struct.pack_into("<I", data, offsets[len(offsets) // 4], 1_600_000_000)  # a packet's time goes back
    backwards = tmp_path / "backwards.pcap"
    backwards.write_bytes(bytes(data))
    assert in_ranges(backwards, [middle]) == "packet times go backwards"
    assert scan_ranges(str(busy), 2, 1 << 40) == "small, compressed or no record boundary found"


def test_the_collector_reads_a_big_capture_on_every_core(traffic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def observations(path: Path) -> tuple[list[Any], Any, list[Any]]:
        warnings: list[Any] = []
        ctx = CollectContext(progress=lambda p: None, warn=warnings.append, cancel=threading.Event())
        collector = PcapCollector(str(path))
        found = list(collector.collect(ctx))
        info = collector.info
        return found, (info.counts, info.undecoded, info.sha256, info.first_time, info.last_time,
                       info.details.get("devices")), warnings

    monkeypatch.setattr(pcap, "SPLIT_BYTES", 1 << 40)
    expected = observations(traffic)
    split: list[Joined | None] = []
    real = merge.scan_in_parallel

    def spy(*args: Any, **kwargs: Any) -> Joined | None:
        split.append(real(*args, **kwargs))
        return split[-1]

    monkeypatch.setattr(pcap, "SPLIT_BYTES", 0)
    monkeypatch.setattr(merge, "scan_in_parallel", spy)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    assert observations(traffic) == expected
    assert split and split[0] is not None  # really read in ranges


def _collect_in_child(path: str, out: Any) -> None:
    ctx = CollectContext(progress=lambda p: None, warn=lambda w: None, cancel=threading.Event())
    out.put(len(list(PcapCollector(path).collect(ctx))))


def test_a_capture_checked_in_a_pool_process_is_read_in_one_pass(busy: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Several captures at once already use every core (exposure/pool.py): a process of that pool
    reads its capture in one pass instead of starting processes of its own."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork (the patches below must reach the child)")

    def refuse(*args: Any, **kwargs: Any) -> Joined | None:
        raise AssertionError("byte ranges in a child process")

    monkeypatch.setattr(pcap, "SPLIT_BYTES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    monkeypatch.setattr(merge, "scan_in_parallel", refuse)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_collect_in_child, args=(str(busy), out))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert out.get(timeout=5) > 0
    with pytest.raises(AssertionError, match="byte ranges"):  # here, in the parent, it would split
        _collect_in_child(str(busy), context.Queue())


def test_garbage_made_before_the_reading_processes_fork_is_collected(traffic: Path) -> None:
    """The objects are frozen for the fork and unfrozen after it; garbage frozen with them
    stayed uncollected, and an app checking capture after capture grew a few MB each."""
    import gc
    import weakref

    class Node:
        other: Node | None = None

    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle: only the collector frees it
    gone = weakref.ref(first)
    del first, second
    joined = scan_ranges(str(traffic), 2, 0)
    assert isinstance(joined, Joined), joined
    assert gone() is None
    assert gc.get_freeze_count() == 0
