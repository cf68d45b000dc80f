"""How a name read from the wire is written, whatever carried it: a DNS label, a TLS or QUIC
ClientHello server name, an HTTP Host or HTTP/2 ``:authority``.

Printable ASCII stays as it is; every other byte (the space, control characters, bytes from
0x80 on) is written ``\\xNN``. One name is then one text for every kind, so it is one key for
the heuristics and the indicator index (a DNS lookup and a TLS server name for the same name
never make two findings); a report never carries control characters, bidirectional overrides
or broken UTF-8; and no byte is lost (``benchmarks/compare_names.py`` writes the bytes back
tshark's way to compare).
"""

from __future__ import annotations

PRINTABLE = frozenset(range(0x21, 0x7F))
PRINTABLE_BYTES = bytes(PRINTABLE)
ESCAPE = "\\x"


def name_text(raw: bytes) -> str:
    """``raw`` written as a name: printable ASCII as it is, any other byte as ``\\xNN``."""
    if not raw.translate(None, PRINTABLE_BYTES):
        return raw.decode("ascii")
    return "".join(chr(b) if b in PRINTABLE else f"{ESCAPE}{b:02x}" for b in raw)


def wire_length(text: str) -> int:
    """How many bytes a name written by :func:`name_text` stands for (each ``\\xNN`` is one)."""
    return len(text) - 3 * text.count(ESCAPE)
