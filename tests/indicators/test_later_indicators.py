"""The bundled feeds' network values (domains, addresses, URLs) made into indicator objects only
when a network value is first looked up (``precompiled.LazyIndicators``,
``IndicatorIndex.add_later``): a check of this computer looks up none, so it makes none. Every
lookup of every kind gives what the catalog that made them all at once gives, and a capture that
names a feed's domain and address is still found."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from exposure.indicators import bundled, catalog, precompiled
from exposure.indicators.catalog import Catalog, build_catalog
from exposure.indicators.index import ADDRESS_TYPES, NETWORK_TYPES, IndicatorIndex
from exposure.indicators.lazy_indicators import LazyIndicators
from exposure.indicators.normalize import normalize
from exposure.model import Indicator, IndicatorType, SourceSpec
from tests.indicators.reading import forget


def _lazy_feeds() -> list[precompiled.LazyFeed]:
    feeds = bundled.load_for_catalog(lambda _: None)
    assert all(isinstance(f, precompiled.LazyFeed) for f in feeds)
    return feeds  # type: ignore[return-value]


def _made(feeds: list[precompiled.LazyFeed]) -> list[bool]:
    return [f.indicators._made is not None for f in feeds if len(f.indicators)]


def _eager(monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """The catalog as the precedence rule makes it, every indicator an object at once."""
    with monkeypatch.context() as patched:
        patched.setattr(catalog, "_premerged", lambda everything, loaded: None)
        return build_catalog(use_feeds=False)


def _probes(kind: IndicatorType, values: list[str]) -> list[str]:
    """Every value, and near misses of some."""
    out = list(values)
    for value in values[::5]:
        if kind is IndicatorType.DOMAIN:
            out += ["a.b." + value, "x" + value, value + ".", value.upper(), value[1:]]
        elif kind in (IndicatorType.PROCESS, IndicatorType.DESKTOP_PROCESS):
            out += [value[:15], value + "x"]
        else:
            out += [value[:-1], value.upper(), " " + value]
    return [*out, "", "example.org", "10.0.0.1", "::1", "https://example.org/"]


def test_a_host_scan_makes_no_network_indicator_until_one_is_looked_up(fresh: None) -> None:
    built = build_catalog(use_feeds=False)
    feeds = _lazy_feeds()
    index = built.index
    parts = [held for _, held in index._later if isinstance(held, LazyIndicators)]
    assert len(parts) == len(index._later)
    # the profiles' addresses, the feeds' addresses, then the profiles' and the feeds' names
    addresses = [part for part in parts if part.kinds() <= ADDRESS_TYPES]
    names = [part for part in parts if not part.kinds() <= ADDRESS_TYPES]
    assert parts == [*addresses, *names] and len(addresses) >= 2 and len(names) >= 2
    assert set().union(*(part.kinds() for part in names)) == {IndicatorType.DOMAIN, IndicatorType.URL}
    profiled = sum(len(p.indicators) for p in built.profiles)
    network = sum(len(part) for part in parts) - sum(len(f.indicators) for f in feeds)
    assert 0 < network < profiled  # the default profiles' own (a few they share counted once)
    assert len(_made(feeds)) >= 3 and not any(_made(feeds))
    # what a check of this computer asks
    assert index.lookup(IndicatorType.DESKTOP_PROCESS, "sshd") == ()
    for kind in (IndicatorType.PACKAGE, IndicatorType.CERT_SHA1, IndicatorType.FILE_SHA256, IndicatorType.FILE_PATH):
        index.lookup(kind, "nothing-known")
    assert len(index._later) == len(parts) and not any(part.is_made() for part in parts)
    # a connection's address makes the addresses alone
    assert index.lookup_ip("192.0.2.1") == ()
    assert all(part.is_made() for part in addresses) and not any(part.is_made() for part in names)
    assert len(index._later) == len(names)
    assert index.lookup_domain("example.org") == ()
    assert all(part.is_made() for part in names) and not index._later
    assert not any(_made(feeds))  # the feeds' own sequences were never needed whole
    # nor the profiles': their network values were made one by one, as looked up
    assert not any(isinstance(p.indicators, LazyIndicators) and p.indicators.is_made() for p in built.profiles)


def test_every_lookup_of_every_kind_is_the_eager_catalogs(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    eager = _eager(monkeypatch)
    lazy = build_catalog(use_feeds=False)
    assert lazy.index._later and not eager.index._later
    kinds = sorted(IndicatorType, key=lambda k: k in NETWORK_TYPES)  # the network kinds last
    assert {k for k in kinds if list(eager.index.values(k))} >= {
        IndicatorType.DOMAIN, IndicatorType.IPV4, IndicatorType.URL, IndicatorType.PACKAGE,
        IndicatorType.DESKTOP_PROCESS, IndicatorType.CERT_SHA1, IndicatorType.FILE_SHA256}
    for kind in kinds:
        probes = _probes(kind, list(eager.index.values(kind)))
        assert [lazy.index.lookup(kind, v) for v in probes] == [eager.index.lookup(kind, v) for v in probes], kind
        assert bool(lazy.index._later) is (kind not in NETWORK_TYPES), kind  # kept aside until a network kind
    assert not lazy.index._later
    assert lazy.index.counts() == eager.index.counts() and len(lazy.index) == len(eager.index)
    for kind in kinds:
        assert list(lazy.index.values(kind)) == list(eager.index.values(kind)), kind


def test_counts_and_values_include_what_is_kept_aside(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    eager = _eager(monkeypatch)
    for ask in (lambda i: i.counts(), len, lambda i: list(i.values(IndicatorType.IPV4))):
        forget()
        lazy = build_catalog(use_feeds=False)
        assert lazy.index._later
        ask(lazy.index)
        assert not lazy.index._later
        assert lazy.index.counts() == eager.index.counts()


def test_a_kept_catalog_holds_every_indicator(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    eager = _eager(monkeypatch)
    lazy = build_catalog(use_feeds=False)
    again = pickle.loads(pickle.dumps(lazy))
    assert not again.index._later
    assert again.index._exact == eager.index._exact and again.index._networks == eager.index._networks
    feeds = _lazy_feeds()
    for feed in feeds:
        back = pickle.loads(pickle.dumps(feed.indicators))
        assert back == feed.indicators and len(back) == len(feed.indicators)
        assert [back.kind(n) for n in range(len(back))] == [i.type for i in feed.indicators]


def _ind(kind: IndicatorType, value: str, threat: str = "t") -> Indicator:
    return Indicator(type=kind, value=normalize(kind, value), threat=threat, profile="p", source="test")


def test_the_index_adds_them_in_order_and_forgets_remembered_answers() -> None:
    first, later = _ind(IndicatorType.DOMAIN, "spy.example", "one"), _ind(IndicatorType.DOMAIN, "spy.example", "two")
    net = _ind(IndicatorType.CIDR, "203.0.113.0/24", "net")
    index = IndicatorIndex([first])
    assert index.lookup_domain("a.spy.example") == (first,)  # remembered
    index.add_later([later, net], {IndicatorType.DOMAIN, IndicatorType.CIDR})
    assert index.lookup_domain("a.spy.example") == (first, later)
    assert index.lookup_ip("203.0.113.9") == (net,)
    # an ``add`` after them comes after them
    index = IndicatorIndex([first])
    index.add_later([later], {IndicatorType.DOMAIN})
    third = _ind(IndicatorType.DOMAIN, "spy.example", "three")
    index.add([third])
    assert index.lookup_domain("spy.example") == (first, later, third)


def test_only_network_values_can_wait_and_only_as_the_kinds_they_were_given_with() -> None:
    index = IndicatorIndex()
    with pytest.raises(ValueError, match="network"):
        index.add_later([_ind(IndicatorType.PACKAGE, "com.spy.app")], {IndicatorType.PACKAGE})
    index.add_later([_ind(IndicatorType.DOMAIN, "spy.example")], {IndicatorType.IPV4})
    with pytest.raises(ValueError, match="kinds"):
        index.lookup_ip("192.0.2.1")


def test_each_kind_keeps_its_order_when_its_kinds_wait_in_several_parts() -> None:
    one, two = _ind(IndicatorType.DOMAIN, "spy.example", "one"), _ind(IndicatorType.DOMAIN, "spy.example", "two")
    address = _ind(IndicatorType.IPV4, "192.0.2.1", "addr")
    index = IndicatorIndex()
    index.add_later([one], {IndicatorType.DOMAIN})
    index.add_later([two, address], {IndicatorType.DOMAIN, IndicatorType.IPV4})
    assert index.lookup_ip("192.0.2.1") == (address,)  # the part before it is added first
    assert not index._later
    assert index.lookup_domain("spy.example") == (one, two)


def _feed_only(kind: IndicatorType, lazy: Catalog, later: list[Indicator]) -> Indicator:
    """A value of ``kind`` only a bundled feed lists (no profile)."""
    profiled = {(i.type, i.value) for p in lazy.profiles for i in p.indicators}
    return next(i for i in later if i.type is kind and (i.type, i.value) not in profiled
                and not i.source.startswith("profile:"))


def test_a_capture_naming_a_feeds_domain_and_address_is_found(fresh: None, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    from exposure.scan import ScanRequest, run_scan

    lazy = build_catalog(use_feeds=False)
    later = [i for _, held in lazy.index._later for i in held]
    domain, address = _feed_only(IndicatorType.DOMAIN, lazy, later), _feed_only(IndicatorType.IPV4, lazy, later)
    ether = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    frames = [ether / IP(src="192.168.77.23", dst="192.168.77.1") / UDP(sport=40000, dport=53)
              / DNS(id=7, qd=DNSQR(qname=domain.value)),
              ether / IP(src="192.168.77.23", dst=address.value) / TCP(sport=40001, dport=443, flags="S")]
    for n, frame in enumerate(frames):
        frame.time = 1_767_225_600 + n
    path = tmp_path / "feed-values.pcap"
    wrpcap(str(path), frames)

    def found(built: Catalog) -> list[tuple[str, str, str]]:
        result = run_scan(ScanRequest((SourceSpec("pcap", str(path)),), use_feeds=False), catalog=built)
        return sorted((f.rule, f.subject, f.severity.value) for f in result.findings
                      if f.rule.startswith("indicator"))

    fast = found(lazy)
    assert not lazy.index._later
    assert fast == found(_eager(monkeypatch))
    subjects = " ".join(subject for _, subject, _ in fast)
    assert domain.value in subjects and address.value in subjects


def test_threads_looking_up_at_once_all_see_every_indicator(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    eager = _eager(monkeypatch)
    names = list(eager.index.values(IndicatorType.DOMAIN))[::3]
    expected = [eager.index.lookup_domain("a." + n) for n in names]
    for _ in range(3):
        forget()
        index = build_catalog(use_feeds=False).index
        assert index._later
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _, index=index: [index.lookup_domain("a." + n) for n in names], range(4)))
        assert all(answer == expected for answer in answers)
