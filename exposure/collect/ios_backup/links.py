"""Links in untrusted text (messages, page addresses), and the host each one names.

Written for hostile input: text is capped, scanning is linear (no regular expression
that can backtrack on a long line), and the host is found the way browsers find it
(``user@`` and ``:port`` dropped, ``\\`` read as ``/``, brackets around IPv6 removed),
so ``https://bank.example@evil.test/`` names ``evil.test``. Bare addresses such as
``evil.test/login`` count too: phishing messages often carry no ``https://``. The host
is matched against domain indicators by the index (on label boundaries), never here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MAX_TEXT = 64 * 1024  # of one page address or calendar event
# Of one message: its sender chooses what it holds, so a link hidden after thousands of decoy links
# or a long text must still be read; past these, the cut is counted and the report says so.
MAX_MESSAGE_TEXT = 4 * 1024 * 1024
MAX_LINKS = 2_000  # different links of one message
# Runs of characters that can be part of a link; anything else (spaces, CJK text, quotes,
# brackets) ends one. A character class with one quantifier scans in linear time.
_RUN = re.compile("[^\\s\"'<>(){}|^`\x00-\x1f\x7f\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,15}://")
_WEB_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
_TRAILING = ".,;:!?)]}>'\"*"
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def links(text: str, limit: int = MAX_LINKS, text_limit: int = MAX_TEXT) -> list[tuple[str, str]]:
    """(link as written, host) for each different link in the first ``text_limit`` characters of
    ``text``, at most ``limit``, in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for match in _RUN.finditer(text[:text_limit]):
        token = match.group().strip(_TRAILING).lstrip("([{<'\"")
        found = _link(token)
        if found is None or found[0] in seen:
            continue
        seen.add(found[0])
        out.append(found)
        if len(out) >= limit:
            break
    return out


def _link(token: str) -> tuple[str, str] | None:
    if len(token) < 4:
        return None
    scheme = _SCHEME.match(token)
    if scheme:
        if scheme.group()[:-3].lower() not in _WEB_SCHEMES:
            return None
        host = host_of(token)
        return (token, host) if host else None
    if "@" in token.split("/", 1)[0]:
        return None  # an e-mail address, not a link
    host = host_of("http://" + token)
    if not host or not _bare_domain(host):
        return None
    return token, host


def _bare_domain(host: str) -> bool:
    """Whether a word without ``https://`` looks like a web address (``evil.test``)."""
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    last = labels[-1]
    if not (2 <= len(last) <= 24 and last.isalpha()) and not last.startswith("xn--"):
        return False
    return all(set(label) <= _LABEL_CHARS or not label.isascii() for label in labels)


def message_links(text: str) -> tuple[list[tuple[str, str]], bool]:
    """The links of a message (see ``links``), and whether some of it was not read: text past
    ``MAX_MESSAGE_TEXT``, or links past ``MAX_LINKS``."""
    found = links(text, MAX_LINKS, MAX_MESSAGE_TEXT)
    return found, len(text) > MAX_MESSAGE_TEXT or len(found) >= MAX_LINKS


def host_of(url: str) -> str:
    """The host of a URL, lower-case, without port, user or trailing dot; "" when none."""
    text = url[:MAX_TEXT].strip()
    scheme = _SCHEME.match(text)
    if scheme is None:
        return ""
    rest = text[scheme.end():].replace("\\", "/")
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    rest = rest.rsplit("@", 1)[-1]
    if rest.startswith("["):
        host = rest[1:].split("]", 1)[0]
    else:
        host = rest.split(":", 1)[0]
    host = unquote(host).strip().rstrip(".").lower()
    if not host or any(c.isspace() or c in "<>\"'`{}|^" for c in host) or len(host) > 253:
        return ""
    return host
