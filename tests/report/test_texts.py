"""Every bundled user-facing text exists in every language, with the same placeholders,
and none of them gives a verdict ("compromised", "clean", "the device is safe")."""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Iterator

import pytest

from exposure.commands.words import command_texts
from exposure.detect import DETECTORS
from exposure.explain import i18n
from exposure.explain.categories import category_texts
from exposure.explain.help_services import help_services
from exposure.explain.notes import check_texts, error_texts, warning_texts
from exposure.explain.reasons import reason_texts
from exposure.explain.rule_texts import FIELDS, parse_rule_file, rule_files, rule_texts
from exposure.explain.texts import t, ui_texts
from exposure.indicators.profiles import load_bundled_profiles
from exposure.model import Category, LocalText
from exposure.tui.texts import texts as app_texts
from tests.cli.said_in_code import said_in_code
from tests.paths import REPO

LANGUAGES = sorted(i18n.languages())


def all_bundled_texts() -> Iterator[tuple[str, LocalText]]:
    """(where, text) for every user-facing text the package ships."""
    for table, found in (("texts.yaml", ui_texts()), ("checks.yaml", check_texts()),
                         ("warnings.yaml", warning_texts()), ("errors.yaml", error_texts()),
                         ("reasons.yaml", reason_texts())):
        for key, text in found.items():
            yield f"{table}:{key}", text
    for key, text in app_texts().items():
        yield f"tui/strings.yaml:{key}", text
    # the command line's English is in the code, its other languages in commands.yaml (the feed
    # code's notes, whose English is built in the code, are checked by tests/cli/test_command_words.py)
    said = said_in_code()
    for key, text in command_texts().items():
        if key in said:
            yield f"commands.yaml:{key}", LocalText((("en", said[key][0]), *text.values))
    for cat, texts in category_texts().items():
        for field in ("name", "what_it_is", "what_it_can_do", "what_to_do"):
            yield f"categories.yaml:{cat}.{field}", getattr(texts, field)
    for service in help_services():
        for field in ("name", "helps_with", "for_whom", "languages"):
            yield f"help_services.yaml:{service.id}.{field}", getattr(service, field)
    for rule in rule_texts().values():
        for field in FIELDS:
            yield f"rules/{rule.file}:{rule.rule}.{field}", getattr(rule, field)
    for profile in load_bundled_profiles():
        yield f"profile {profile.id}: title", profile.title
        yield f"profile {profile.id}: description", profile.description
        for threat in profile.threats:
            for field in ("name", "what_it_is", "what_it_can_do", "what_to_do"):
                yield f"profile {profile.id}: {threat.id}.{field}", getattr(threat, field)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_languages_are_english_and_chinese_at_least() -> None:
    assert {"en", "zh"} <= set(LANGUAGES)


def test_every_bundled_text_has_every_language() -> None:
    missing = [f"{where} [{lang}]" for where, text in all_bundled_texts() for lang in LANGUAGES
               if lang not in text.languages]
    assert not missing, "texts without a translation:\n" + "\n".join(missing)


def test_translations_use_the_same_placeholders() -> None:
    wrong = []
    for where, text in all_bundled_texts():
        values = dict(text.values)
        expected = placeholders(values.get("en", ""))
        for lang in LANGUAGES:
            if lang in values and placeholders(values[lang]) != expected:
                wrong.append(f"{where} [{lang}]: {sorted(placeholders(values[lang]))} != {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


def test_the_scan_reaches_enough_texts_to_matter() -> None:
    # Guards the two tests above against passing on an empty set of texts.
    texts = list(all_bundled_texts())
    assert len(texts) > 150
    assert len(help_services()) >= 3
    assert set(category_texts()) == {c.value for c in Category}
    tables = {where.split(":", 1)[0] for where, _ in texts}
    for table, at_least in (("checks.yaml", 50), ("warnings.yaml", 30), ("tui/strings.yaml", 100),
                            ("commands.yaml", 100), ("texts.yaml", 50)):
        assert table in tables and sum(w.startswith(f"{table}:") for w, _ in texts) >= at_least, table


def test_every_text_file_in_the_package_is_checked() -> None:
    """A new table of texts (a YAML file beside the others) is not forgotten by the tests above."""
    covered = {"languages.yaml"}  # the list of languages itself
    covered |= {where.split(":", 1)[0] for where, _ in all_bundled_texts()}
    files = {str(p.relative_to(REPO / "exposure" / "explain")) for p in (REPO / "exposure" / "explain").rglob("*.yaml")}
    files |= {f"tui/{p.name}" for p in (REPO / "exposure" / "tui").glob("*.yaml")}
    assert files - covered == set()


def detector_rules() -> list[tuple[str, str]]:
    out = []
    for target in DETECTORS:
        module = importlib.import_module(target.partition(":")[0])
        out += [(module.__name__, rule) for rule in getattr(module, "RULES", ())]
    return out


def test_every_detector_rule_has_title_meaning_and_advice_in_every_language() -> None:
    rules = detector_rules()
    texts = rule_texts()
    problems = []
    for module, rule in rules:
        found = texts.get(rule)
        if found is None:
            problems.append(f"{module}: rule {rule} has no texts in exposure/explain/rules/*.yaml")
            continue
        for field in FIELDS:
            for lang in LANGUAGES:
                if lang not in getattr(found, field).languages:
                    problems.append(f"{found.file}: {rule}.{field} has no {lang!r} text")
    assert not problems, "\n".join(problems)


def test_no_rule_is_defined_twice() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for file_name, content in rule_files():
        for rule in parse_rule_file(file_name, content):
            if rule.rule in seen:
                clashes.append(f"{rule.rule} in {seen[rule.rule]} and {file_name}")
            seen[rule.rule] = file_name
    assert not clashes


def test_indicator_rules_are_explained_from_texts_yaml() -> None:
    for role in ("app", "c2", "website", "distribution", "flagged", "other"):
        assert "{name}" in t(f"title.indicator.{role}", "en")
        assert t(f"role.{role}", "zh") != t(f"role.{role}", "en")


# --- no verdicts ----------------------------------------------------------------------------

EN_BANNED = re.compile(r"\b(compromised|clean|hacked|infected)\b", re.IGNORECASE)
EN_SAFE_CLAIM = re.compile(r"\b(device|phone|computer|you) (is|are) (now )?(safe|secure)\b", re.IGNORECASE)
ZH_BANNED = re.compile(r"已被入侵|已被攻破|被黑了|已中毒|干净")
# "懂电脑安全的人" (someone who knows computer security) is fine; "设备是安全的" is a claim.
ZH_SAFE_CLAIM = re.compile(r"(设备|手机|电脑)(现在)?(是|很|已经|都)安全")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", text) if s]


def verdicts(where: str, text: LocalText) -> list[str]:
    if where.endswith(".name"):
        return []  # a tool's own name (e.g. "Clean Net Guardian") is not our verdict
    found = []
    values = dict(text.values)
    for sentence in sentences(values.get("en", "")):
        negated = re.search(r"\b(not|never|no)\b", sentence, re.IGNORECASE)
        if EN_BANNED.search(sentence) or (EN_SAFE_CLAIM.search(sentence) and not negated):
            found.append(f"{where} [en]: {sentence}")
    for sentence in sentences(values.get("zh", "")):
        negated = re.search(r"不能|并不|不是|没有|无法", sentence)
        if ZH_BANNED.search(sentence) or (ZH_SAFE_CLAIM.search(sentence) and not negated):
            found.append(f"{where} [zh]: {sentence}")
    return found


def test_no_bundled_text_gives_a_verdict() -> None:
    found = [line for where, text in all_bundled_texts() for line in verdicts(where, text)]
    assert not found, "texts that read as a verdict:\n" + "\n".join(found)


@pytest.mark.parametrize("text", [
    LocalText.of(en="Your phone is compromised."),
    LocalText.of(en="All clean!"),
    LocalText.of(en="Good news: your device is safe."),
    LocalText.of(zh="你的手机已被入侵。"),
    LocalText.of(zh="设备是干净的。"),
    LocalText.of(zh="你的设备是安全的。"),
])
def test_the_verdict_check_catches_verdicts(text: LocalText) -> None:
    assert verdicts("sample", text)


def test_the_verdict_check_allows_the_not_proof_sentence() -> None:
    assert not verdicts("summary.not_proof", ui_texts()["summary.not_proof"])
    assert "safe" in t("summary.not_proof", "en")


def test_a_new_language_is_data_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Adding Uyghur is adding "ug" to languages.yaml and to the texts: until a text has
    # it, the English text is used, and nothing in the code needs to know the code.
    monkeypatch.setattr(i18n, "languages", lambda: {"en": "English", "zh": "中文", "ug": "ئۇيغۇرچە"})
    assert i18n.resolve_language("ug") == "ug"
    assert t("section.help", "ug") == t("section.help", "en")
    # A right-to-left language says so in its texts: the HTML report follows.
    from exposure.explain import texts
    from exposure.model import LocalText
    from exposure.report.document import from_result
    from exposure.report.html import render_html
    from tests.report.helpers import result_without_findings

    direction = LocalText.of(en="ltr", zh="ltr", ug="rtl")
    monkeypatch.setitem(texts.ui_texts(), "meta.direction", direction)
    page = render_html(from_result(result_without_findings()), "ug")
    assert '<html lang="ug" dir="rtl">' in page
    assert "This does not prove the device is safe." in page  # English until translated
    text = i18n.local_text({"en": "Help", "zh": "帮助", "ug": "ياردەم"})
    assert text.get("ug") == "ياردەم"


def test_help_services_can_be_reached() -> None:
    for service in help_services():
        assert service.web or service.email or service.phone, service.id
        if service.web:
            assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/[\w./-]*)?", service.web), service.web
        if service.email:
            assert re.fullmatch(r"[\w.+-]+@[a-z0-9.-]+\.[a-z]{2,}", service.email), service.email
    ids = [s.id for s in help_services()]
    assert len(ids) == len(set(ids))
    assert {"stopstalkerware", "accessnow"} <= set(ids)
