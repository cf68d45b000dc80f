"""Property-style check: IndicatorIndex.lookup_domain agrees with a slow, obvious reference.

The index turns most names away by their last few characters, walks a table of
indicator suffixes for the rest and remembers answers; the reference lower-cases /
punycodes the name and drops trailing dots and tries every label-boundary suffix. Both are run on many
generated names over the Echap hosts list (real data in tests/data) plus nested, IDN and
very short indicators (which shrink the window and make it list every character that
can stand before them).
"""

from __future__ import annotations

import random

import pytest

from exposure.indicators.index import IndicatorIndex
from exposure.indicators.normalize import InvalidValue, domain_for_lookup, normalize
from exposure.model import Indicator, IndicatorType
from tests.paths import DATA_FEEDS

_EXTRA = ["c2.example.net", "x.c2.example.net", "deep.x.c2.example.net", "example.org", "a.b.c.d.example.org",
          "bücher.example", "spy-app.appspot.com", "other.appspot.com", "c2.example.net"]
_SHORT = ["t.me", "x.co", "ab.cn", "q.xn--p1ai"]
_ODD_CHARACTERS = [" ", "\t", "-", "_", "*", "Q", "0", ".", "\x00", "~", "é", "。"]
# How people write the IDN indicators above: only the punycode form is in the index.
_UNICODE_FORMS = ["bücher.example", "q.рф", "Q.РФ", "q。рф", "bücher。example"]


def _indicators(extra: list[str] = _EXTRA) -> list[Indicator]:
    hosts = (DATA_FEEDS / "stalkerware-indicators" / "generated" / "hosts").read_text(encoding="utf-8").split()
    out = []
    for number, value in enumerate([*hosts, *extra]):
        try:
            normal = normalize(IndicatorType.DOMAIN, value)
        except InvalidValue:
            continue
        out.append(Indicator(type=IndicatorType.DOMAIN, value=normal, threat=f"t{number}", profile="p", source="test"))
    return out


def _table(indicators: list[Indicator]) -> dict[str, list[Indicator]]:
    table: dict[str, list[Indicator]] = {}
    for ind in indicators:
        table.setdefault(ind.value, []).append(ind)
    return table


def _reference(table: dict[str, list[Indicator]], name: str) -> tuple[Indicator, ...]:
    labels = domain_for_lookup(name).split(".")
    out: list[Indicator] = []
    for start in range(len(labels)):
        out.extend(table.get(".".join(labels[start:]), []))
    return tuple(out)


def _names(domains: list[str], rng: random.Random, count: int) -> list[str]:
    pieces = ["x", "cdn", "c2", "example", "net", "org", "com", "appspot", "bücher", "ü", "", "a-b", "123",
              *rng.sample(sorted({label for d in domains for label in d.split(".")}), 40)]
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.25:
            name = rng.choice(domains)
        elif roll < 0.5:
            name = ".".join(rng.choices(pieces, k=rng.randint(1, 4))) + "." + rng.choice(domains)
        elif roll < 0.6:  # lookalikes: glued to an indicator without a dot, or a parent
            target = rng.choice(domains)
            name = rng.choice(["not", "x-", "0"]) + target if rng.random() < 0.5 else target.split(".", 1)[1]
        elif roll < 0.9:
            name = ".".join(rng.choices(pieces, k=rng.randint(1, 6)))
        elif roll < 0.95:  # very long: many labels, or one huge label, in front of an indicator
            name = ".".join(["a"] * rng.randint(100, 400)) + "." + rng.choice(domains)
            if rng.random() < 0.5:
                name = "z" * rng.randint(300, 100_000) + "." + rng.choice(domains)
        elif roll < 0.955:
            name = rng.choice(["", "x.", "é.", "ü", "a。"]) + rng.choice(_UNICODE_FORMS)
        elif roll < 0.97:  # short names: odd characters right before (or instead of) a label boundary
            name = "".join(rng.choices(_ODD_CHARACTERS, k=rng.randint(0, 2))) + rng.choice(["", "."]) + \
                rng.choice(domains)
        else:
            name = "".join(rng.choices("abc.-üÄ", k=rng.randint(0, 30)))
        if rng.random() < 0.2:
            name = name.upper() if rng.random() < 0.5 else name.title()
        if rng.random() < 0.15:
            name += rng.choice([".", ".", "..", ". "])
        if rng.random() < 0.05:
            name = rng.choice([" ", "\t", "\n "]) + name + rng.choice(["", " ", "\r\n"])
        out.append(name)
    return out


@pytest.mark.parametrize("extra", [_EXTRA, [*_EXTRA, *_SHORT]], ids=["echap-shortest-5", "with-4-character-names"])
def test_lookup_matches_reference_on_generated_names(extra: list[str]) -> None:
    indicators = _indicators(extra)
    index = IndicatorIndex(indicators[: len(indicators) // 2])
    index.add(indicators[len(indicators) // 2 :])  # suffix table must follow incremental adds
    domains = sorted({i.value for i in indicators})
    names = _names(domains, random.Random(20261126), 10_000)
    table = _table(indicators)
    hits = 0
    for name in names + names:  # the second pass answers from the memo
        expected = _reference(table, name)
        assert index.lookup_domain(name) == expected, name[:300]
        hits += bool(expected)
    # The generator must exercise both outcomes, or the comparison proves little.
    assert 0.2 * len(names) < hits / 2 < 0.8 * len(names)


def test_nested_indicators_all_reported_most_specific_first() -> None:
    indicators = _indicators()
    index = IndicatorIndex(indicators)
    found = [i.value for i in index.lookup_domain("WWW.Deep.X.C2.Example.NET.")]
    assert found == ["deep.x.c2.example.net", "x.c2.example.net", "c2.example.net", "c2.example.net"]
    assert [i.value for i in index.lookup_domain("www.bücher.example")] == ["xn--bcher-kva.example"]
    assert index.lookup_domain("appspot.com") == ()
    assert index.lookup_domain("example.net") == ()
