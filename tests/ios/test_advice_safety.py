"""Every piece of iPhone advice that changes the phone (a reset, an update, a setting turned
on or off) warns that the change may be noticed, in every language: whoever set up a
watching app could see its location access or a setting go away (review item 5)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.paths import REPO

RULES = REPO / "exposure" / "explain" / "rules"
# Words that ask the person to change something on the phone itself.
CHANGES_THE_PHONE = re.compile(r"Reset Location|Software Update|turn it on|switch(?:ed)? (?:it )?off|untick|"
                               r"consider Lockdown Mode", re.IGNORECASE)
NOTICED = {"en": "noticed", "zh": "察觉"}


def iphone_advice() -> list[tuple[str, dict[str, str]]]:
    found = []
    for name in ("ios.yaml", "ios_backup.yaml"):
        table = yaml.safe_load((RULES / name).read_text("utf-8"))
        found += [(rule, texts["advice"]) for rule, texts in table.items()]
    errors = yaml.safe_load((REPO / "exposure" / "explain" / "errors.yaml").read_text("utf-8"))
    found += [(key, texts) for key, texts in errors.items() if key.startswith("error.iphone")]
    tui = yaml.safe_load((REPO / "exposure" / "tui" / "strings.yaml").read_text("utf-8"))
    found += [(key, texts) for key, texts in tui.items() if key.startswith("iphone.")]
    return found


def test_the_advice_is_found() -> None:
    rules = [rule for rule, _ in iphone_advice()]
    assert {"ios.paired", "ios.wifi-sync", "ios.outdated", "ios.backup.lockdown-off",
            "error.iphone.pairing-refused", "iphone.pairing"} <= set(rules)


@pytest.mark.parametrize(("rule", "advice"), [(r, a) for r, a in iphone_advice() if CHANGES_THE_PHONE.search(a["en"])],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_advice_that_changes_the_phone_says_it_may_be_noticed(rule: str, advice: dict[str, str]) -> None:
    for lang, word in NOTICED.items():
        assert word in advice[lang], (rule, lang)


def test_undoing_the_pairing_starts_on_this_computer_and_says_what_a_reset_cuts_off() -> None:
    advice = yaml.safe_load((RULES / "ios.yaml").read_text("utf-8"))["ios.paired"]["advice"]
    english = advice["en"]
    assert english.index("delete {record}") < english.index("Reset Location & Privacy")
    assert "location access" in english and "helper" in english
    assert advice["zh"].index("删除 {record}") < advice["zh"].index("还原位置与隐私")
    assert "定位权限" in advice["zh"]
