"""The "what this check cannot see" lines fit the sources checked: a report on an iPhone
never says iPhones are not part of the check, and an iPhone read over USB or from its saved
copy says what such a read cannot see (review item 6)."""

from __future__ import annotations

import pytest

from exposure.document import SourceRecord
from exposure.explain.lines import plain
from exposure.explain.summary import blind_spots

IPHONE_KINDS = ["iphone", "iphone-dump", "ios-backup"]
ALL_KINDS = [*IPHONE_KINDS, "pcap", "android", "androidqf", "android-dump", "host"]
SAYS_IPHONES_ARE_LEFT_OUT = {"en": "iPhones", "zh": "苹果手机"}


def lines(kind: str, lang: str) -> list[str]:
    return [plain(line) for line in blind_spots([SourceRecord(kind, "source")], lang)]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_report_says_iphones_are_left_out(kind: str, lang: str) -> None:
    said = lines(kind, lang)
    assert said and not any(SAYS_IPHONES_ARE_LEFT_OUT[lang] in line for line in said), said
    first = said[0]
    assert ("cloud" in first) if lang == "en" else ("云端" in first)


@pytest.mark.parametrize(("kind", "lang", "words"), [("iphone", "en", "Find My"), ("iphone-dump", "en", "Find My"),
                                                     ("iphone", "zh", "家人共享"), ("iphone-dump", "zh", "家人共享")])
def test_an_iphone_read_over_usb_says_what_it_cannot_see(kind: str, lang: str, words: str) -> None:
    assert sum(words in line for line in lines(kind, lang)) == 1
