"""The indicator index: domain label-boundary rules, addresses, ranges, hashes, processes."""

from __future__ import annotations

import pytest

from exposure.indicators.index import IndicatorIndex
from exposure.indicators.normalize import InvalidValue, normalize
from exposure.model import Indicator, IndicatorType


def _ind(kind: IndicatorType, value: str, threat: str = "t") -> Indicator:
    return Indicator(type=kind, value=normalize(kind, value), threat=threat, profile="p", source="test")


@pytest.fixture
def index() -> IndicatorIndex:
    return IndicatorIndex([
        _ind(IndicatorType.DOMAIN, "c2.example.net"),
        _ind(IndicatorType.DOMAIN, "evil-c2.firebaseio.com", "fb"),
        _ind(IndicatorType.DOMAIN, "spy-app.appspot.com", "gae"),
        _ind(IndicatorType.DOMAIN, "xn--bcher-kva.example", "idn"),
        _ind(IndicatorType.IPV4, "203.0.113.7"),
        _ind(IndicatorType.IPV6, "2001:DB8::1"),
        _ind(IndicatorType.CIDR, "198.51.100.0/24", "net"),
        _ind(IndicatorType.CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"),
        _ind(IndicatorType.PACKAGE, "com.wifi0"),
        _ind(IndicatorType.PROCESS, "com.example.longprocessname"),
    ])


@pytest.mark.parametrize("name", ["c2.example.net", "x.c2.example.net", "a.b.c2.example.net", "C2.Example.NET.",
                                  "c2.example.net.", "c2.example.net..", ".c2.example.net", "X.C2.EXAMPLE.NET"])
def test_domain_matches_itself_and_subdomains(index: IndicatorIndex, name: str) -> None:
    assert [i.value for i in index.lookup_domain(name)] == ["c2.example.net"]


@pytest.mark.parametrize("name", ["example.net", "notc2.example.net", "c2.example.network", "net", "",
                                  "c2-example.net", "firebaseio.com", "other.firebaseio.com", "appspot.com",
                                  "x.appspot.com"])
def test_domain_never_matches_parents_or_lookalikes(index: IndicatorIndex, name: str) -> None:
    assert index.lookup_domain(name) == ()


@pytest.mark.parametrize("name", [" c2.example.net", "c2.example.net ", "c2.example.net\n", "x c2.example.net",
                                  "c2.example.net\x00"])
def test_whitespace_and_other_characters_are_part_of_the_name(index: IndicatorIndex, name: str) -> None:
    # As in DNS: a label holding a space is another name. Readers strip what their
    # format allows (HTTP header whitespace, file lines) before asking.
    assert index.lookup_domain(name) == ()


def test_short_indicators_match_after_any_character_before_their_dot() -> None:
    # "t.me" is shorter than the window the index first looks at, so every character
    # that can stand before its dot has to be known to it.
    index = IndicatorIndex([_ind(IndicatorType.DOMAIN, "t.me"), _ind(IndicatorType.DOMAIN, "c2.example.net")])
    for name in ["t.me", ".t.me", "x.t.me", "-.t.me", "_.t.me", "~.t.me", "ab.t.me", "T.ME.", "é.t.me", "\x7f.t.me"]:
        assert [i.value for i in index.lookup_domain(name)] == ["t.me"], name
    for name in ["xt.me", "t.mex", "me", "t.me.x", "att.me"]:
        assert index.lookup_domain(name) == (), name


def test_c2_under_shared_parent_matches_only_itself(index: IndicatorIndex) -> None:
    assert [i.threat for i in index.lookup_domain("evil-c2.firebaseio.com")] == ["fb"]
    assert [i.threat for i in index.lookup_domain("a.spy-app.appspot.com")] == ["gae"]


def test_idn_compared_in_punycode(index: IndicatorIndex) -> None:
    assert [i.threat for i in index.lookup_domain("bücher.example")] == ["idn"]
    assert [i.threat for i in index.lookup_domain("www.BÜCHER.example.")] == ["idn"]


def test_addresses_and_ranges(index: IndicatorIndex) -> None:
    assert len(index.lookup_ip("203.0.113.7")) == 1
    assert index.lookup_ip("203.0.113.8") == ()
    assert len(index.lookup_ip("2001:db8:0::1")) == 1
    assert [i.threat for i in index.lookup_ip("198.51.100.200")] == ["net"]
    assert index.lookup_ip("198.51.101.1") == ()
    assert index.lookup_ip("not an address") == ()


def test_certificate_hash_any_case_with_or_without_colons(index: IndicatorIndex) -> None:
    plain = "abcdef0123456789abcdef0123456789abcdef01"
    assert len(index.lookup(IndicatorType.CERT_SHA1, plain)) == 1
    assert len(index.lookup(IndicatorType.CERT_SHA1, plain.upper())) == 1
    colons = ":".join(plain[i:i + 2] for i in range(0, 40, 2))
    assert len(index.lookup(IndicatorType.CERT_SHA1, colons)) == 1
    assert index.lookup(IndicatorType.CERT_SHA1, "00" * 20) == ()


def test_package_case_insensitive(index: IndicatorIndex) -> None:
    assert len(index.lookup(IndicatorType.PACKAGE, "com.WIFI0")) == 1
    assert index.lookup(IndicatorType.PACKAGE, "com.wifi") == ()


def test_process_names_truncated_by_kernel(index: IndicatorIndex) -> None:
    assert len(index.lookup_process("com.example.longprocessname")) == 1
    assert len(index.lookup_process("com.example.lon")) == 1  # 15 characters
    assert index.lookup_process("com.example.lo") == ()


@pytest.mark.parametrize(("kind", "value"), [
    (IndicatorType.DOMAIN, "https://github.com/x/y"),
    (IndicatorType.DOMAIN, "no_dot"),
    (IndicatorType.DOMAIN, "bad..name.com"),
    (IndicatorType.DOMAIN, "1.2.3.4"),
    (IndicatorType.IPV4, "300.1.1.1"),
    (IndicatorType.IPV4, "2001:db8::1"),
    (IndicatorType.CERT_SHA1, "abc"),
    (IndicatorType.CERT_SHA256, "zz" * 32),
    (IndicatorType.PACKAGE, "not a package"),
])
def test_malformed_values_rejected(kind: IndicatorType, value: str) -> None:
    with pytest.raises(InvalidValue):
        normalize(kind, value)


def test_the_domain_tables_made_at_the_first_lookup_answer_as_if_made_at_once() -> None:
    """The suffix and window tables are made when a name is first looked up (a host scan
    looks none up): every answer is the one of an index that made them when domains were added,
    for the bundled catalog's every domain, its subdomains, near misses and unusual names, and
    domains added after a lookup are found."""
    from exposure.indicators.catalog import build_catalog

    catalog = build_catalog()
    domains = list(catalog.index.values(IndicatorType.DOMAIN))
    assert len(domains) > 1000
    names = [n for d in domains[::7] for n in (d, "a.b." + d, "x" + d, d + ".", d.upper(), d[1:], " " + d)]
    names += ["localhost", "example.com", "", ".", "a" * 300 + "." + domains[0], "ünïcode.example"]
    everything = [ind for found in catalog.index._exact[IndicatorType.DOMAIN].values() for ind in found]
    lazy, eager = IndicatorIndex(everything), IndicatorIndex(everything)
    eager.index_domains()
    assert not lazy._domains_indexed and eager._domains_indexed
    assert [lazy.lookup_domain(n) for n in names] == [eager.lookup_domain(n) for n in names]
    assert lazy._domains_indexed
    late = _ind(IndicatorType.DOMAIN, "late-addition.example", "late")
    lazy.add([late])
    assert lazy.lookup_domain("x.late-addition.example") == (late,)
