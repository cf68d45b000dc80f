"""``software.base.clean``: untrusted package text made one printable, bounded line. Its
fast path (a text that is all printable is not rebuilt) gives exactly what replacing each
character gives."""

from __future__ import annotations

import pytest

from exposure.collect.host.software.base import clean
from tests.host.helpers import recorded


def _char_by_char(text: object, limit: int = 300) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in str(text)).strip()[:limit]


@pytest.mark.parametrize("text", ["", "  ", "anydesk", " 1:2.3-4ubuntu1 ", "a\tb", "line\nbreak", "nul\x00",
                                  "zero\u200bwidth", "sep\u2028", "\x1b[31mred", "中文名称", "x" * 400, " \x07" * 200,
                                  42, None])
def test_clean_is_the_same_as_replacing_each_character(text: object) -> None:
    assert clean(text) == _char_by_char(text)
    assert clean(text, 5) == _char_by_char(text, 5)


def test_clean_on_a_recorded_package_listing() -> None:
    for line in recorded("dpkg-planted.txt").splitlines():
        for part in line.split("\t"):
            assert clean(part) == _char_by_char(part)
