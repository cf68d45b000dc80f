"""WireGuard keys stored in a capture: the key log of a pcapng Decryption Secrets Block of type ``WGKL``.

The format is the one of wireguard-tools' ``contrib/extract-handshakes`` and of Wireshark's
WireGuard key log file: one ``<type> = <key>`` per line (leading spaces and spaces around the
``=`` do not matter), the key 32 bytes in base64 (44 characters), the type one of:

- ``LOCAL_STATIC_PRIVATE_KEY``: a peer's long-term private key (its public key follows from it);
- ``REMOTE_STATIC_PUBLIC_KEY``: the other peer's long-term public key;
- ``LOCAL_EPHEMERAL_PRIVATE_KEY``: the private key a peer chose for one handshake;
- ``PRESHARED_KEY``: a preshared key, tried with the ephemeral key on the line before it.

Only parsing is done here (no cryptography: ``wireguard`` derives the public keys when a capture
has WireGuard messages). The text comes from the capture, so it is untrusted: a line that is not
one of these is counted, and the keys kept are capped.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field

KEY_SIZE = 32
KEY_TEXT = 44  # base64 of 32 bytes, with its "=" padding
LOCAL_STATIC = "LOCAL_STATIC_PRIVATE_KEY"
REMOTE_STATIC = "REMOTE_STATIC_PUBLIC_KEY"
LOCAL_EPHEMERAL = "LOCAL_EPHEMERAL_PRIVATE_KEY"
PRESHARED = "PRESHARED_KEY"
# Static keys are few (a peer's own and its peers'); each handshake initiation is checked against
# every one (its mac1), so they are capped lower than the ephemeral keys (one per handshake).
MAX_STATIC_KEYS = 256
MAX_EPHEMERAL_KEYS = 16_384
MAX_PRESHARED_PER_KEY = 8

# The reasons counted (shown in the scan's warnings).
WG_BAD_LINE = "WireGuard key log line that is not a key"
TOO_MANY_STATIC = "WireGuard static keys beyond the first 256"  # MAX_STATIC_KEYS
TOO_MANY_EPHEMERAL = "WireGuard ephemeral keys beyond the first 16384"  # MAX_EPHEMERAL_KEYS
LONE_PRESHARED = "WireGuard preshared key without an ephemeral key before it"


@dataclass
class Ephemeral:
    """A handshake's ephemeral private key and the preshared keys logged after it."""

    private: bytes
    preshared: list[bytes] = field(default_factory=list)


class WireGuardKeys:
    """The WireGuard keys of one capture (in the order first read)."""

    def __init__(self) -> None:
        self.static_private: dict[bytes, None] = {}
        self.static_public: dict[bytes, None] = {}
        self.ephemeral: dict[bytes, Ephemeral] = {}  # by private key
        self.version = 0  # grows with every key added (``wireguard`` derives public keys again)
        self._last: Ephemeral | None = None

    def __len__(self) -> int:
        return len(self.static_private) + len(self.static_public) + len(self.ephemeral)

    def add_text(self, text: bytes, problem: Callable[[str], None]) -> int:
        """Read key log lines; the number of new keys kept (problems counted by ``problem``)."""
        added = 0
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            kind, equals, value = line.partition(b"=")
            key = _key(value.strip()) if equals else None
            name = kind.strip().decode("ascii", "replace")
            if key is None or name not in (LOCAL_STATIC, REMOTE_STATIC, LOCAL_EPHEMERAL, PRESHARED):
                problem(WG_BAD_LINE)
                continue
            added += self._add(name, key, problem)
        if added:
            self.version += 1
        return added

    def _add(self, name: str, key: bytes, problem: Callable[[str], None]) -> int:
        if name == PRESHARED:
            last, self._last = self._last, None  # a preshared key goes with the ephemeral key before it
            if last is None:
                problem(LONE_PRESHARED)
                return 0
            if key in last.preshared or len(last.preshared) >= MAX_PRESHARED_PER_KEY:
                return 0
            last.preshared.append(key)
            return 1
        if name == LOCAL_EPHEMERAL:
            known = self.ephemeral.get(key)
            if known is None and len(self.ephemeral) >= MAX_EPHEMERAL_KEYS:
                problem(TOO_MANY_EPHEMERAL)
                self._last = None
                return 0
            self._last = known or self.ephemeral.setdefault(key, Ephemeral(key))
            return 0 if known else 1
        table = self.static_private if name == LOCAL_STATIC else self.static_public
        if key in table:
            return 0
        if len(self.static_private) + len(self.static_public) >= MAX_STATIC_KEYS:
            problem(TOO_MANY_STATIC)
            return 0
        table[key] = None
        return 1


def _key(text: bytes) -> bytes | None:
    if len(text) != KEY_TEXT:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == KEY_SIZE else None
