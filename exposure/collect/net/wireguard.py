"""WireGuard tunnels whose keys the capture carries: the handshake followed, the packets inside decrypted.

WireGuard (www.wireguard.com/protocol, and the whitepaper's section 5) runs the Noise
``IKpsk2`` handshake over UDP: an initiation (message type 1) and a response (2) give both
peers the keys of their transport data messages (4), whose plaintext is an IP packet. A cookie
reply (3) carries no traffic. With the keys a capture stores (``wg_keys``: the key log of
wireguard-tools' ``extract-handshakes``, as Wireshark reads it), the handshake is run again
here from what the capture shows, as Wireshark does:

- the responder's static public key is the known one whose ``mac1`` matches the initiation;
- the initiator's ephemeral private key, or the responder's static private key, opens the
  initiator's static public key; a static private key of either side opens its timestamp;
- either side's ephemeral private key, with a static private key of the same side, gives the
  response's two Diffie-Hellman results; the preshared keys logged with either ephemeral key,
  then none (all zeros), are tried on the response's empty payload;
- the chaining key then gives the two transport keys, found again by each message's receiver index.

Every decryption is checked by its ChaCha20-Poly1305 tag: a wrong key, a damaged or forged
message never gives a packet; failures are counted. Bounded for hostile captures: at most
``MAX_HANDSHAKES`` initiations are tried, ``MAX_SESSIONS`` handshakes are kept (the oldest
forgotten), ``MAX_DECRYPTED`` plaintext bytes are read, and no packet is tried after
``MAX_FAILED`` failed. Imported only for a capture that has WireGuard keys (it needs ``cryptography``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from exposure.collect.net.wg_keys import Ephemeral, WireGuardKeys

INITIATION, RESPONSE, COOKIE_REPLY, TRANSPORT = 1, 2, 3, 4
INITIATION_SIZE = 148  # type, reserved, sender, ephemeral, static (+ tag), timestamp (+ tag), mac1, mac2
RESPONSE_SIZE = 92  # type, reserved, sender, receiver, ephemeral, empty (a tag), mac1, mac2
TRANSPORT_MIN = 32  # type, reserved, receiver, counter, a tag
TAG = 16
KEY = 32
CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
NO_PRESHARED = bytes(KEY)
_T = TypeVar("_T")

MAX_HANDSHAKES = 65_536  # initiations tried per capture (each costs up to 5 X25519 and a mac1 per static key)
MAX_SESSIONS = 4_096  # handshakes kept, waiting for a response or with transport keys; the oldest go first
MAX_DECRYPTED = 1 << 30  # plaintext bytes per capture
MAX_FAILED = 4_096  # messages that failed to decrypt, after which no more are tried

# The reasons counted (shown in the scan's warnings).
BAD_HANDSHAKE = "WireGuard handshake that does not decrypt with the keys in the capture"
BAD_PACKET = "WireGuard packet that does not decrypt with the keys in the capture"
NO_KEYS = "WireGuard handshakes without their keys in the capture (tunnel not decrypted)"
HANDSHAKES_CAP = "WireGuard handshakes not tried (cap per capture reached)"
WG_SESSIONS_FULL = "WireGuard sessions forgotten (table full)"
DECRYPTED_CAP = "decrypted WireGuard data (cap per capture reached)"
WG_TOO_MANY_FAILED = "WireGuard packets not tried (too many did not decrypt)"


def _hash(*parts: bytes) -> bytes:
    return hashlib.blake2s(b"".join(parts)).digest()


def _kdf(key: bytes, data: bytes, count: int) -> list[bytes]:
    """HKDF with HMAC-BLAKE2s: ``count`` 32-byte outputs."""
    secret = hmac.new(key, data, hashlib.blake2s).digest()
    out: list[bytes] = []
    previous = b""
    for i in range(1, count + 1):
        previous = hmac.new(secret, previous + bytes([i]), hashlib.blake2s).digest()
        out.append(previous)
    return out


def _open(key: bytes, counter: int, sealed: bytes, aad: bytes) -> bytes | None:
    """ChaCha20-Poly1305 with WireGuard's nonce (32 zero bits, then the counter little-endian)."""
    try:
        return ChaCha20Poly1305(key).decrypt(bytes(4) + counter.to_bytes(8, "little"), sealed, aad)
    except InvalidTag:
        return None


def _dh(private: bytes, public: bytes) -> bytes | None:
    try:
        return X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:  # a point of small order (all-zero result): no session comes of it
        return None


def public_key(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


_CHAIN0 = _hash(CONSTRUCTION)
_HASH0 = _hash(_CHAIN0, IDENTIFIER)


@dataclass
class _Initiation:
    """A handshake initiation opened with the keys, waiting for its response."""

    chain: bytes
    hash: bytes
    ephemeral: bytes  # the initiator's ephemeral public key
    static: bytes  # the initiator's static public key
    ephemeral_keys: Ephemeral | None  # its private key and preshared keys, when logged


class WireGuardTunnels:
    """The WireGuard sessions of one capture: :meth:`datagram` for each UDP payload that may be one."""

    def __init__(self, keys: WireGuardKeys, bad: Callable[[str], None], over: Callable[[str], None]) -> None:
        self.keys = keys
        self.sessions = 0  # handshakes whose transport keys were found
        self.packets = 0  # transport messages decrypted
        self._bad = bad
        self._over = over
        self._version = -1
        self._derived: set[tuple[bool, bytes]] = set()  # (static?, private key) whose public key is known
        self._static: dict[bytes, bytes | None] = {}  # public -> private (None: only the public is known)
        self._mac1: dict[bytes, bytes] = {}  # public -> its mac1 key
        self._ephemeral: dict[bytes, Ephemeral] = {}  # public -> private and preshared keys
        self._pending: dict[bytes, _Initiation] = {}  # by the initiator's sender index
        self._transport: dict[bytes, ChaCha20Poly1305] = {}  # by receiver index
        self._tried = 0
        self._failed = 0
        self._left = MAX_DECRYPTED

    def datagram(self, payload: bytes) -> bytes | None:
        """None when ``payload`` is not a WireGuard message these keys follow (other parsers may try
        it); otherwise the IP packet it carried, decrypted (b"" for a handshake, a keepalive or a
        message that did not decrypt)."""
        if len(payload) < TRANSPORT_MIN or payload[1:4] != b"\0\0\0":
            return None
        kind = payload[0]
        if kind == TRANSPORT:
            return self._transport_data(payload)
        if kind == INITIATION and len(payload) == INITIATION_SIZE:
            self._initiation(payload)
            return b""
        if kind == RESPONSE and len(payload) == RESPONSE_SIZE and payload[8:12] in self._pending:
            self._response(payload)
            return b""
        return None

    def _refresh(self) -> None:
        """Public keys for the private keys logged since last time."""
        if self._version == self.keys.version:
            return
        self._version = self.keys.version
        for public in self.keys.static_public:
            self._static.setdefault(public, None)
        for private in self.keys.static_private:
            if (True, private) not in self._derived:
                self._derived.add((True, private))
                self._static[public_key(private)] = private
        for private, ephemeral in self.keys.ephemeral.items():
            if (False, private) not in self._derived:
                self._derived.add((False, private))
                self._ephemeral[public_key(private)] = ephemeral
        for public in self._static:
            if public not in self._mac1:
                self._mac1[public] = _hash(LABEL_MAC1, public)

    def _initiation(self, msg: bytes) -> None:
        if self._tried >= MAX_HANDSHAKES:
            self._over(HANDSHAKES_CAP)
            return
        self._tried += 1
        self._refresh()
        sender, ephemeral, sealed_static, sealed_time = msg[4:8], msg[8:40], msg[40:88], msg[88:116]
        mac1 = msg[116:132]
        responder = next((public for public, key in self._mac1.items()
                          if hashlib.blake2s(msg[:116], digest_size=16, key=key).digest() == mac1), None)
        if responder is None:
            self._over(NO_KEYS)
            return
        mine = self._ephemeral.get(ephemeral)
        responder_private = self._static[responder]
        if mine is not None:
            shared = _dh(mine.private, responder)
        elif responder_private is not None:
            shared = _dh(responder_private, ephemeral)
        else:
            self._over(NO_KEYS)
            return
        chain = _kdf(_CHAIN0, ephemeral, 1)[0]
        digest = _hash(_hash(_HASH0, responder), ephemeral)
        if shared is None:
            self._bad(BAD_HANDSHAKE)
            return
        chain, key = _kdf(chain, shared, 2)
        static = _open(key, 0, sealed_static, digest)
        if static is None or len(static) != KEY:
            self._bad(BAD_HANDSHAKE)
            return
        digest = _hash(digest, sealed_static)
        initiator_private = self._static.get(static)
        if responder_private is not None:
            shared = _dh(responder_private, static)
        elif initiator_private is not None:
            shared = _dh(initiator_private, responder)
        else:
            self._over(NO_KEYS)
            return
        if shared is None:
            self._bad(BAD_HANDSHAKE)
            return
        chain, key = _kdf(chain, shared, 2)
        if _open(key, 0, sealed_time, digest) is None:
            self._bad(BAD_HANDSHAKE)
            return
        self._pending.pop(sender, None)
        self._keep(self._pending, sender, _Initiation(chain, _hash(digest, sealed_time), ephemeral, static, mine))

    def _response(self, msg: bytes) -> None:
        sender, receiver, ephemeral, sealed_empty = msg[4:8], msg[8:12], msg[12:44], msg[44:60]
        started = self._pending.pop(receiver)
        self._refresh()
        theirs = self._ephemeral.get(ephemeral)
        mine = started.ephemeral_keys
        initiator_private = self._static.get(started.static)
        chain = _kdf(started.chain, ephemeral, 1)[0]
        digest = _hash(started.hash, ephemeral)
        if mine is not None:
            both = _dh(mine.private, ephemeral)
        elif theirs is not None:
            both = _dh(theirs.private, started.ephemeral)
        else:
            self._over(NO_KEYS)
            return
        if theirs is not None:
            mixed = _dh(theirs.private, started.static)
        elif initiator_private is not None:
            mixed = _dh(initiator_private, ephemeral)
        else:
            self._over(NO_KEYS)
            return
        if both is None or mixed is None:
            self._bad(BAD_HANDSHAKE)
            return
        chain = _kdf(_kdf(chain, both, 1)[0], mixed, 1)[0]
        preshared = [*(mine.preshared if mine else ()), *(theirs.preshared if theirs else ()), NO_PRESHARED]
        for psk in preshared:
            final, tau, key = _kdf(chain, psk, 3)
            if _open(key, 0, sealed_empty, _hash(digest, tau)) == b"":
                break
        else:
            self._bad(BAD_HANDSHAKE)
            return
        to_responder, to_initiator = _kdf(final, b"", 2)
        self.sessions += 1
        for index, key in ((sender, to_responder), (receiver, to_initiator)):
            self._transport.pop(index, None)
            self._keep(self._transport, index, ChaCha20Poly1305(key))

    def _transport_data(self, msg: bytes) -> bytes | None:
        cipher = self._transport.get(msg[4:8])
        if cipher is None:
            return None
        if self._failed >= MAX_FAILED:
            self._over(WG_TOO_MANY_FAILED)
            return b""
        if len(msg) - TRANSPORT_MIN > self._left:
            self._over(DECRYPTED_CAP)
            return b""
        try:
            plain = cipher.decrypt(bytes(4) + msg[8:16], msg[16:], b"")
        except InvalidTag:
            self._failed += 1
            self._bad(BAD_PACKET)
            return b""
        self._left -= len(plain)
        self.packets += 1
        return plain

    def _keep(self, table: dict[bytes, _T], index: bytes, value: _T) -> None:
        if len(table) >= MAX_SESSIONS:
            del table[next(iter(table))]
            self._over(WG_SESSIONS_FULL)
        table[index] = value
