"""Values from a device or a capture cannot hide or reorder what a report shows around them:
control and direction-changing characters are shown as visible escapes (``\\x1b``,
``\\u202e``: exposure.untrusted, the one sanitizer) in the HTML and Markdown reports, at each
end of every range that is made visible; ordinary letters of any script stay."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from exposure.document import ReportDocument
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.markdown import render_markdown
from tests.report.helpers import result_with_findings

# The first and last character of each range made visible, and one inside where it matters.
INVISIBLE = {
    "\x00": "NUL", "\x1b": "escape", "\x1f": "unit separator", "\x7f": "delete", "\x85": "next line (C1)",
    "\x9f": "last C1 control", "\u200b": "zero-width space", "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark", "\u202a": "left-to-right embedding", "\u202e": "right-to-left override",
    "\u2066": "left-to-right isolate", "\u2069": "pop directional isolate", "\ufeff": "zero-width no-break space",
}
# Letters a person's own apps and sites are named in: never escaped.
ORDINARY = "café-微信-ئۇيغۇرچە-Ελληνικά"


def _name(char: str) -> str:
    return f"pay{char}pal-{ORDINARY}.example.com"


@pytest.mark.parametrize("char", list(INVISIBLE), ids=list(INVISIBLE.values()))
@pytest.mark.parametrize("render", [render_html, render_markdown], ids=["html", "markdown"])
def test_invisible_characters_are_shown_not_obeyed(char: str, render: Callable[[ReportDocument, str], str]) -> None:
    report = from_result(result_with_findings((_name(char),)))
    for lang in ("en", "zh"):
        page = render(report, lang)
        assert char not in page, INVISIBLE[char]
        escaped = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        assert f"pay{escaped}pal-{ORDINARY}.example.com" in page
        assert ORDINARY in page


def test_characters_beside_the_ranges_are_kept() -> None:
    """Right outside each range: a space, '~', U+00A0, U+200A, U+2010, U+202F, U+2065 (unassigned),
    U+206A and U+FEFE are not escaped (over-escaping would garble real names)."""
    beside = " ~\u00a0\u200a\u2010\u202f\u2065\u206a\ufefe"
    page = render_html(from_result(result_with_findings((f"x{beside}y.example.com",))), "en")
    assert "\\u" not in page.split("<body", 1)[1] and "\\x" not in page.split("<body", 1)[1]
