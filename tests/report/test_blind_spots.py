"""The "what this check cannot see" lines fit the sources checked: a report on an iPhone
or its backup never says iPhones are not part of the check (review item 6)."""

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

