"""Benchmark: loading every feed in ../shared/feeds plus the bundled profiles into the
index (cold and warm), and domain lookups per second on one core.

Lookup rates are in CPU time of this one process (``time.process_time``), so that
other work on the machine does not count against them; load times are wall-clock.

Run by hand:  .venv/bin/python benchmarks/bench_index.py [--mvt /path/to/mvt/venv/bin/python]
                                                          [--against GIT-REVISION]

With --mvt, the same STIX2 files are loaded into MVT's ``Indicators`` in that
interpreter and its ``check_domain`` is timed on the same names (MVT is run as an
external program only; none of its code is used here). With --against, the
``IndicatorIndex`` of that revision is built from the same domain indicators and timed
on the same names in this process, alternating with the current one.

The machine's speed moves a lot from minute to minute on a shared host, so a
calibration line (plain ``dict.get`` calls per second) is printed next to the rates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exposure.indicators.index import IndicatorIndex
    from exposure.model import IndicatorType

REPO = Path(__file__).resolve().parent.parent
FEEDS = REPO.parent / "shared" / "feeds"
LOOKUPS = 2_000_000
ROUNDS = 5
CLOUD_PARENTS = ["appspot.com", "firebaseio.com", "amazonaws.com", "cloudfront.net", "herokuapp.com",
                 "azurewebsites.net"]

COLD = """
import time
t = time.perf_counter()
from exposure.indicators.catalog import build_catalog
c = build_catalog()
print(time.perf_counter() - t, len(c.index))
"""

MVT = r"""
import json, logging, sys, time
from mvt.common.indicators import Indicators
files, names = json.load(sys.stdin)
t = time.perf_counter()
ind = Indicators(log=logging.getLogger("bench"))
for f in files:
    ind.parse_stix2(f)
load = time.perf_counter() - t
n = len(names)
t = time.process_time()
hits = sum(1 for name in names if ind.check_domain(name))
look = time.process_time() - t
print(json.dumps({"load": load, "per_second": n / look, "hits": hits, "count": n}))
"""


def feed_files() -> list[Path]:
    echap = FEEDS / "stalkerware-indicators"
    return [echap / "ioc.yaml", echap / "generated" / "hosts", *sorted(FEEDS.rglob("*.stix2"))]


def names_mix(domains: list[str], count: int, seed: int = 7) -> list[str]:
    """Mostly misses (popular services, random CDN-style names), some hits and subdomain hits."""
    rng = random.Random(seed)
    common = [
        "www.google.com", "i.ytimg.com", "graph.facebook.com", "api.whatsapp.net", "mmg.whatsapp.net",
        "play.googleapis.com", "connectivitycheck.gstatic.com", "firebaseinstallations.googleapis.com",
        "app-measurement.com", "www.wikipedia.org", "e1234.dscb.akamaiedge.net", "firebaseio.com",
        "settings.crashlytics.com", "api.twitter.com", "time.android.com", "mtalk.google.com",
        "clients4.google.com", "ocsp.digicert.com", "weixin.qq.com", "dns.weixin.qq.com.cn",
    ]
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.10:
            out.append(rng.choice(domains))
        elif roll < 0.20:
            out.append(f"{rng.choice(['cdn', 'api', 'x1', 'www'])}.{rng.choice(domains)}")
        elif roll < 0.60:
            out.append(rng.choice(common))
        else:
            label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(4, 12)))
            out.append(f"{label}.{rng.choice(['cloudfront.net', 'appspot.com', 'example.com', 'amazonaws.com'])}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mvt", help="a Python interpreter with mvt installed, to compare")
    parser.add_argument("--against", help="a git revision whose IndicatorIndex to time side by side")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="exposure-bench-"))
    os.environ["EXPOSURE_DATA_DIR"] = str(data)
    from exposure.indicators.catalog import build_catalog
    from exposure.indicators.feeds.store import FeedStore

    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"calibration: {calibration():.1f} M dict.get/s")
    files = feed_files()
    store = FeedStore.default()
    t = time.perf_counter()
    for path in files:
        store.import_file(path, name=f"{path.parent.name}-{path.stem}".lower().replace("_", "-").replace(".", "-"))
    parse_all = time.perf_counter() - t
    print(f"feeds: {len(files)} files; parsing and storing them all (once, at import): {parse_all:.3f} s")

    cold = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True, env=os.environ)
        seconds, size = out.stdout.split()
        cold.append(float(seconds))
    print(f"cold start (new process, imports included), median of 5: {statistics.median(cold):.3f} s;"
          f" indicators: {size}")

    warm = []
    for _ in range(10):
        t = time.perf_counter()
        catalog = build_catalog()
        warm.append(time.perf_counter() - t)
    print(f"warm start (build_catalog in a running process), median of 10: {statistics.median(warm):.3f} s")
    index = catalog.index
    print(f"profiles: {[p.id for p in catalog.profiles]}; feeds: {len(catalog.feeds)}; "
          f"indicators: {len(index)}; domains: {sum(1 for _ in index.values(index_type()))}")

    domains = sorted(index.values(index_type()))
    lookup = index.lookup_domain
    # (a) the names_mix: 1,000,000 names, 10 % indicators, 10 % subdomains of indicators, 40 % drawn
    # from 20 common names (so these repeat), 40 % random labels under 4 shared parents (nearly all new)
    fresh = names_mix(domains, 1_000_000, seed=1)
    fresh_rate = rate_of(index, fresh)
    fresh_hits = sum(1 for n in fresh if lookup(n)) / len(fresh)
    print(f"domain lookups, mix (10% indicators, 10% their subdomains, 40% 20 common names, 40% random "
          f"labels under 4 parents): {fresh_rate:,.0f} per second on one core "
          f"(best of {ROUNDS} x {len(fresh):,}, {len(set(fresh)):,} distinct; {fresh_hits:.1%} hit)")
    # (c) random names never seen before, all misses (random label + random label + a TLD)
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    unseen = [f"{''.join(rng.choices(alphabet, k=rng.randint(4, 12)))}.{''.join(rng.choices(alphabet, k=6))}."
              f"{rng.choice(['com', 'net', 'org', 'cn'])}" for _ in range(1_000_000)]
    unseen_rate = rate_of(index, unseen)
    unseen_hits = sum(1 for n in unseen if lookup(n)) / len(unseen)
    print(f"domain lookups, random names never seen before: {unseen_rate:,.0f} per second on one core "
          f"(best of {ROUNDS} x {len(unseen):,}, {len(set(unseen)):,} distinct; {unseen_hits:.1%} hit)")
    # (b) a capture-like stream: 2,000,000 queries over 5,000 names, Zipf-like frequencies
    names = names_mix(domains, 5_000, seed=2)
    weights = [1 / (rank + 1) for rank in range(len(names))]
    stream = random.Random(3).choices(names, weights, k=LOOKUPS)
    rate = rate_of(index, stream)
    hits = sum(1 for n in stream if lookup(n)) / len(stream)
    print(f"domain lookups, capture-like stream: {rate:,.0f} per second on one core "
          f"(best of {ROUNDS} x {len(stream):,} over {len(set(stream)):,} names; {hits:.1%} hit)")
    # (d) the costliest realistic case: random labels under cloud parents that also hold
    # indicators (appspot.com, firebaseio.com, ...), every one new: each passes the first
    # probe, is walked and is remembered
    rng = random.Random(5)
    cloud = [f"{''.join(rng.choices(alphabet, k=rng.randint(4, 12)))}.{rng.choice(CLOUD_PARENTS)}"
             for _ in range(1_000_000)]
    cloud_rate = rate_of(index, cloud)
    print(f"domain lookups, new names under {len(CLOUD_PARENTS)} cloud parents holding indicators: "
          f"{cloud_rate:,.0f} per second on one core (best of {ROUNDS} x {len(cloud):,}, "
          f"{len(set(cloud)):,} distinct; {sum(1 for n in cloud if lookup(n)) / len(cloud):.1%} hit)")
    print(f"calibration after the lookups: {calibration():.1f} M dict.get/s")
    names = fresh

    if args.against:
        compare_revisions(args.against, index, {"mix": fresh, "never seen": unseen, "stream": stream,
                                                "cloud parents": cloud})

    if args.mvt:
        stix = [str(p) for p in files if p.suffix == ".stix2"]
        sample = names[:20_000]
        out = subprocess.run([args.mvt, "-c", MVT], input=json.dumps([stix, sample]), capture_output=True,
                             text=True, check=True)
        mvt = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"MVT (same {len(stix)} STIX2 files, {mvt['count']:,} names): load {mvt['load']:.3f} s, "
              f"{mvt['per_second']:,.0f} check_domain per second ({mvt['hits'] / mvt['count']:.1%} hit)")
        print(f"ratios: warm load {mvt['load'] / statistics.median(warm):.1f}x faster (ours includes the "
              f"Echap YAML, hosts list and profiles too); lookups {fresh_rate / mvt['per_second']:,.0f}x faster "
              f"on the mix, {rate / mvt['per_second']:,.0f}x on the stream")


def rate_of(index: Any, names: list[str]) -> float:  # index: this revision's IndicatorIndex or an older one
    """Lookups per CPU second, best of ROUNDS, each run starting with nothing remembered."""
    lookup = index.lookup_domain
    best = float("inf")
    for _ in range(ROUNDS):
        index.add(())  # forgets remembered answers
        t = time.process_time()
        for n in names:
            lookup(n)
        best = min(best, time.process_time() - t)
    return len(names) / best


def calibration() -> float:
    """Millions of plain dict.get calls per CPU second: how fast the machine is right now."""
    table = {str(i): i for i in range(1000)}
    keys = [str(i) for i in range(2000)] * 250
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for key in keys:
            table.get(key)
        best = min(best, time.process_time() - t)
    return len(keys) / best / 1e6


def compare_revisions(revision: str, index: IndicatorIndex, name_sets: dict[str, list[str]]) -> None:
    """The IndicatorIndex of ``revision`` and the current one, alternating on the same names."""
    import importlib.util

    source = subprocess.run(["git", "-C", str(REPO), "show", f"{revision}:exposure/indicators/index.py"],
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="exposure-bench-old-")) / "old_index.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_index", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_index"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    domains = [ind for found in index._domains.values() for ind in found]  # the private table: a benchmark
    old = module.IndicatorIndex(domains)
    for label, names in name_sets.items():
        rates: dict[str, list[float]] = {"before": [], "now": []}
        for _ in range(3):
            rates["before"].append(rate_of(old, names))
            rates["now"].append(rate_of(index, names))
        before, now = max(rates["before"]), max(rates["now"])
        print(f"side by side, {label}: {revision} {before:,.0f}/s, now {now:,.0f}/s ({now / before:.1f}x)")


def index_type() -> IndicatorType:
    from exposure.model import IndicatorType

    return IndicatorType.DOMAIN


if __name__ == "__main__":
    main()
