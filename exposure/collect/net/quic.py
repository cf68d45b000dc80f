"""QUIC Initial packets: remove protection (RFC 9001 §5, RFC 9369 for v2), read CRYPTO frames.

Initial packets are protected with keys anyone can derive from the client's Destination
Connection ID, so the ClientHello (and its server name) can be read offline. A
ClientHello may span several Initial packets (large post-quantum key shares) and CRYPTO
frames may arrive out of order, so the CRYPTO data of each connection is reassembled by
offset until the whole ClientHello is there.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from exposure.collect.net.tls import CLIENT_HELLO, client_hello_names

V1 = 0x00000001
V2 = 0x6B3343CF
_SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
_SALT_V2 = bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")
_SALT_D29 = bytes.fromhex("afbfec289993d24c9e9786f19c6111e04390a899")
_SALT_D23 = bytes.fromhex("c3eef712c72ebb5a11a7d2432bb46365bef9f502")
MAX_CRYPTO = 1 << 16
MAX_CONNECTIONS = 1024  # Initials being put together at once: at most ~64 MB of CRYPTO data
MAX_PIECES = 256


def version_salt(version: int) -> bytes | None:
    if version == V1:
        return _SALT_V1
    if version == V2:
        return _SALT_V2
    if version >> 8 == 0xFF0000:
        draft = version & 0xFF
        if 29 <= draft <= 32:
            return _SALT_D29
        if 23 <= draft <= 28:
            return _SALT_D23
        if 33 <= draft <= 34:
            return _SALT_V1
    return None


def hkdf_expand_label(secret: bytes, label: str, length: int) -> bytes:
    full = b"tls13 " + label.encode()
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


@dataclass(frozen=True, slots=True)
class InitialKeys:
    key: bytes
    iv: bytes
    hp: bytes


def client_initial_keys(dcid: bytes, version: int) -> InitialKeys | None:
    salt = version_salt(version)
    if salt is None:
        return None
    initial = hmac.new(salt, dcid, hashlib.sha256).digest()
    client = hkdf_expand_label(initial, "client in", 32)
    prefix = "quicv2 " if version == V2 else "quic "
    return InitialKeys(hkdf_expand_label(client, prefix + "key", 16),
                       hkdf_expand_label(client, prefix + "iv", 12),
                       hkdf_expand_label(client, prefix + "hp", 16))


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    size = 1 << (first >> 6)
    if pos + size > len(data):
        raise IndexError("varint past end")
    value = first & 0x3F
    for i in range(1, size):
        value = (value << 8) | data[pos + i]
    return value, pos + size


@dataclass(slots=True)
class InitialPacket:
    version: int
    dcid: bytes
    header: bytes  # from the first byte up to the packet number (still protected)
    pn_offset: int
    rest: bytes  # packet number + payload (protected), exactly ``length`` bytes


def is_long_header(datagram: bytes) -> bool:
    return len(datagram) >= 7 and datagram[0] & 0xC0 == 0xC0 and version_salt(
        int.from_bytes(datagram[1:5], "big")) is not None


def split_initials(datagram: bytes) -> list[InitialPacket]:
    """The Initial packets coalesced in one UDP datagram (others are skipped)."""
    out: list[InitialPacket] = []
    pos = 0
    n = len(datagram)
    try:
        while pos + 7 <= n and datagram[pos] & 0x80:
            first = datagram[pos]
            version = int.from_bytes(datagram[pos + 1:pos + 5], "big")
            if version_salt(version) is None:
                break
            p = pos + 5
            dlen = datagram[p]
            dcid = datagram[p + 1:p + 1 + dlen]
            p += 1 + dlen
            slen = datagram[p]
            p += 1 + slen
            ptype = (first >> 4) & 3
            initial = ptype == (1 if version == V2 else 0)
            retry = ptype == (0 if version == V2 else 3)
            if retry:
                break
            if initial:
                token_len, p = _varint(datagram, p)
                p += token_len
            length, p = _varint(datagram, p)
            if p + length > n or dlen > 20:
                break
            if initial:
                out.append(InitialPacket(version, dcid, datagram[pos:p], p - pos, datagram[p:p + length]))
            pos = p + length
    except IndexError:
        pass
    return out


def decrypt_initial(packet: InitialPacket, keys: InitialKeys) -> bytes | None:
    """The plaintext payload, or None if these keys do not open the packet."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    rest = packet.rest
    if len(rest) < 20:
        return None
    sample = rest[4:20]
    encryptor = Cipher(algorithms.AES(keys.hp), modes.ECB()).encryptor()  # noqa: S305 - RFC 9001 header protection
    mask = encryptor.update(sample) + encryptor.finalize()
    first = packet.header[0] ^ (mask[0] & 0x0F)
    pn_len = (first & 3) + 1
    pn_bytes = bytes(b ^ m for b, m in zip(rest[:pn_len], mask[1:1 + pn_len], strict=True))
    header = bytes([first]) + packet.header[1:] + pn_bytes
    pn = int.from_bytes(pn_bytes, "big")
    nonce = (int.from_bytes(keys.iv, "big") ^ pn).to_bytes(12, "big")
    try:
        return AESGCM(keys.key).decrypt(nonce, rest[pn_len:], header)
    except (InvalidTag, ValueError):
        return None


def crypto_frames(payload: bytes) -> list[tuple[int, bytes]]:
    """(offset, data) of the CRYPTO frames in a decrypted Initial payload."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    n = len(payload)
    try:
        while pos < n:
            ftype = payload[pos]
            if ftype == 0x00:  # PADDING
                pos += 1
            elif ftype == 0x01:  # PING
                pos += 1
            elif ftype in (0x02, 0x03):  # ACK
                pos += 1
                _, pos = _varint(payload, pos)
                _, pos = _varint(payload, pos)
                ranges, pos = _varint(payload, pos)
                _, pos = _varint(payload, pos)
                for _ in range(ranges):
                    _, pos = _varint(payload, pos)
                    _, pos = _varint(payload, pos)
                if ftype == 0x03:
                    for _ in range(3):
                        _, pos = _varint(payload, pos)
            elif ftype == 0x06:  # CRYPTO
                offset, pos = _varint(payload, pos + 1)
                length, pos = _varint(payload, pos)
                out.append((offset, payload[pos:pos + length]))
                pos += length
            else:
                break
    except IndexError:
        pass
    return out


@dataclass(slots=True)
class _Connection:
    keys: InitialKeys
    pieces: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    done: bool = False


class QuicSniffer:
    """Follows client Initials per UDP 4-tuple and returns ClientHello server names."""

    def __init__(self) -> None:
        self._keys: dict[tuple[bytes, int], InitialKeys | None] = {}
        self._conns: dict[tuple[object, ...], _Connection] = {}
        self.overflow = 0

    def pending(self) -> bool:
        """Whether a ClientHello is still being put together."""
        return any(not conn.done for conn in self._conns.values())

    def pending_for(self, flow: tuple[object, ...]) -> bool:
        conn = self._conns.get(flow)
        return conn is not None and not conn.done

    def _keys_for(self, dcid: bytes, version: int) -> InitialKeys | None:
        cached = self._keys.get((dcid, version), False)
        if cached is False:
            if len(self._keys) > MAX_CONNECTIONS:
                self._keys.clear()
            cached = client_initial_keys(dcid, version)
            self._keys[(dcid, version)] = cached
        return cached  # type: ignore[return-value]

    def datagram(self, flow: tuple[object, ...], datagram: bytes) -> list[str] | None:
        """Server names completed by this datagram ([] if none yet); None if nothing QUIC was decrypted."""
        names: list[str] = []
        decrypted = False
        for packet in split_initials(datagram):
            conn = self._conns.get(flow)
            payload = None
            keys = self._keys_for(packet.dcid, packet.version)
            if keys is not None:
                payload = decrypt_initial(packet, keys)
            if payload is not None and keys is not None:
                if conn is None or conn.keys != keys:
                    if len(self._conns) >= MAX_CONNECTIONS:
                        self._conns.clear()
                        self.overflow += 1
                    conn = _Connection(keys)
                    self._conns[flow] = conn
            elif conn is not None:
                payload = decrypt_initial(packet, conn.keys)
            if payload is None or conn is None:
                continue
            decrypted = True
            if conn.done:
                continue
            for offset, data in crypto_frames(payload):
                if (offset < MAX_CRYPTO and conn.size < MAX_CRYPTO and offset not in conn.pieces
                        and len(conn.pieces) < MAX_PIECES):
                    conn.pieces[offset] = data
                    conn.size += len(data)
            hello = _contiguous(conn.pieces)
            if len(hello) >= 4 and hello[0] == CLIENT_HELLO:
                mlen = int.from_bytes(hello[1:4], "big")
                if len(hello) >= 4 + mlen:
                    conn.done = True
                    conn.pieces.clear()
                    names.extend(client_hello_names(hello[4:4 + mlen]) or [])
            elif len(hello) >= 1:
                conn.done = True
                conn.pieces.clear()
        return names if decrypted else None


def _contiguous(pieces: dict[int, bytes]) -> bytes:
    out = bytearray()
    for offset in sorted(pieces):
        data = pieces[offset]
        if offset > len(out):
            break
        if offset + len(data) > len(out):
            out += data[len(out) - offset:]
    return bytes(out)
