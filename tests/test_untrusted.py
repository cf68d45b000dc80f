"""The one sanitizer for untrusted text (exposure/untrusted.py)."""

from __future__ import annotations

import pytest

from exposure.untrusted import is_clean, shortened, shown, strip_interpreted

OSC_TITLE = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J\x1b[H"


@pytest.mark.parametrize(("raw", "expected"), [
    (f"app{OSC_TITLE}", "app\\x1b]0;PWNED\\x07"),
    (CLEAR, "\\x1b[2J\\x1b[H"),
    ("a\x9b31mb", "a\\x9b31mb"),  # C1 CSI: one byte that some terminals read as ESC [
    ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
    ("x\u2066y\u2069", "x\\u2066y\\u2069"),  # isolates
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("line\nbreak\ttab\r", "line\\x0abreak\\x09tab\\x0d"),
    ("\x7f\x00", "\\x7f\\x00"),
])
def test_interpreted_characters_are_shown_as_escapes(raw: str, expected: str) -> None:
    assert shown(raw) == expected
    assert is_clean(shown(raw)) and not is_clean(raw)


def test_ordinary_text_is_untouched() -> None:
    for text in ("com.wifi0", "s1.spylive360.com", "微信 WeChat", "Ünïcödé – “quotes”", "[bold]x[/]", "مرحبا"):
        assert shown(text) == text and is_clean(text)


def test_shortened_cuts_before_escaping() -> None:
    assert shortened("\x1b" * 300, limit=3) == "\\x1b\\x1b\\x1b..."
    assert shortened("abc", limit=3) == "abc"


def test_strip_keeps_the_width() -> None:
    from rich.cells import cell_len

    raw = f"a{OSC_TITLE}b\u202ec"
    assert strip_interpreted(raw) == "a]0;PWNEDbc"
    assert cell_len(raw) == cell_len(strip_interpreted(raw))


def test_json_text_is_the_same_json_with_every_interpreted_character_escaped() -> None:
    import json

    from exposure.untrusted import json_shown

    value = {"names": ["evil\u202etxt", "a\x7fb\x85c", "zero\u200bwidth\ufeff", "x\u2066y", f"app{OSC_TITLE}"]}
    text = json_shown(json.dumps(value, indent=1, ensure_ascii=False))
    assert is_clean(text.replace("\n", ""))  # only the indentation's newlines are left
    assert "\\u202e" in text and "\\u007f" in text and "\\u0085" in text and "\\ufeff" in text
    assert json.loads(text) == value
