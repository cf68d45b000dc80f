"""The one sanitizer for untrusted text on its way to a screen.

App names, DNS names, file names, adb serials and feed texts can be crafted by whoever
wants to hide from exposure or frighten the person using it. Before any of them reaches
the terminal (the command line's messages, Rich/Textual in the app) or a report, it goes
through :func:`shown`: every character that a terminal or a text renderer would act on
instead of showing is replaced by a visible escape, so ``ESC ] 0 ; title BEL`` prints as
``\\x1b]0;title\\x07`` and changes nothing.

Replaced: C0 controls (tab and newline included: an untrusted value is one line), DEL,
C1 controls (U+0080-U+009F, which some terminals read as ESC sequences), bidirectional
marks, embeddings, overrides and isolates (they reorder what is printed around them),
zero-width characters, line and paragraph separators, the byte-order mark and the
interlinear annotation controls. This module imports nothing from exposure: every layer
may use it.
"""

from __future__ import annotations

import re

# Characters a terminal or renderer interprets, or that change how the text around them
# is shown. Kept as one class so that the check and the replacement cannot drift apart.
_INTERPRETED = (
    "\x00-\x1f\x7f-\x9f"  # C0 controls (ESC is \x1b), DEL, C1 controls (CSI is \x9b)
    "\u061c"  # Arabic letter mark
    "\u200b-\u200f"  # zero width space/non-joiner/joiner, LRM, RLM
    "\u2028-\u202e"  # line and paragraph separators, LRE, RLE, PDF, LRO, RLO
    "\u2060-\u2064\u2066-\u2069"  # word joiner, invisible operators; LRI, RLI, FSI, PDI
    "\ufeff"  # byte-order mark / zero width no-break space
    "\ufff9-\ufffb"  # interlinear annotation controls
)
_FIND = re.compile(f"[{_INTERPRETED}]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every interpreted character replaced by a visible escape (``\\x1b``,
    ``\\u202e``): safe to print on a terminal or hand to Rich/Textual as plain text."""
    return _FIND.sub(_escape, text) if _FIND.search(text) else text


def shortened(text: str, limit: int = 200) -> str:
    """:func:`shown`, cut to about ``limit`` characters with "..." (for one-line messages)."""
    if len(text) > limit:
        return shown(text[:limit]) + "..."
    return shown(text)


def is_clean(text: str) -> bool:
    """Whether ``text`` has nothing :func:`shown` would replace."""
    return _FIND.search(text) is None


def strip_interpreted(text: str) -> str:
    """``text`` without the interpreted characters (a last safety net where the width of
    the text is already fixed: each removed character takes no cell on a terminal)."""
    return _FIND.sub("", text)


def _json_escape(found: re.Match[str]) -> str:
    char = found.group()
    return char if char == "\n" else f"\\u{ord(char):04x}"


def json_shown(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with every interpreted character
    written as a JSON ``\\uXXXX`` escape: the same JSON once parsed, safe to print. (The
    only raw control character such text holds is the newline of its indentation; inside
    strings json.dumps has escaped the C0 controls already.)"""
    return _FIND.sub(_json_escape, text) if _FIND.search(text) else text
