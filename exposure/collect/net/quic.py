"""QUIC Initial packets: remove protection (RFC 9001 §5, RFC 9369 for v2), read CRYPTO frames.

Initial packets are protected with keys anyone can derive from the client's Destination
Connection ID, so the ClientHello (and its server name) can be read offline. A
ClientHello may span several Initial packets (large post-quantum key shares) and CRYPTO
frames may arrive out of order, so the CRYPTO data of each connection is reassembled by
offset until the whole ClientHello is there.

The salt depends on the version; the versions read are those TShark 4.0 reads (v1, v2, the
IETF drafts, Facebook's mvfst, Google's T050/T051, and the reserved versions 0x?a?a?a?a with
the draft-29 salt). An Initial of any other version is tried with the salts of v1 and the
drafts, within a budget (:data:`MAX_TRIALS`): newer mvfst and vendor versions reuse them. The
AES-GCM tag authenticates each packet, so a wrong salt can never yield a name.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from exposure.collect.net.tls import CLIENT_HELLO, client_hello_names

V1 = 0x00000001
V2 = 0x6B3343CF
MVFST_DRAFT_22 = 0xFACEB001
MVFST_DRAFT_27 = 0xFACEB002
MVFST_EXPERIMENTAL = 0xFACEB00E
GOOGLE_T050 = 0x54303530
GOOGLE_T051 = 0x54303531
_SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")  # RFC 9001 §5.2
_SALT_V2 = bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")  # RFC 9369 §3.3.1
_SALT_D29 = bytes.fromhex("afbfec289993d24c9e9786f19c6111e04390a899")  # draft-ietf-quic-tls-29 to -32
_SALT_D23 = bytes.fromhex("c3eef712c72ebb5a11a7d2432bb46365bef9f502")  # draft-23 to -28
_SALT_D22 = bytes.fromhex("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a")  # draft-22 (tshark: all up to 22)
_SALT_T050 = bytes.fromhex("7ff579e5acd072915580304c43a2367c60488310")  # Google QUIC T050
_SALT_T051 = bytes.fromhex("7a4edef4e7ccee5fa4506c19124fc8ccda6e033d")  # Google QUIC T051
CRYPTO_FRAME = 0x06
GOOGLE_CRYPTO_FRAME = 0x08  # T050/T051 number their frames as Google QUIC does
MAX_CRYPTO = 1 << 16
MAX_CONNECTIONS = 1024  # Initials being put together at once: at most ~64 MB of CRYPTO data
MAX_PIECES = 256
# Initials of versions with no known salt tried with each of TRIAL_SALTS, per sniffer (one capture,
# or one byte range of it in a parallel read), and at most once per UDP flow (a flow whose trial
# failed is not tried again). A failed trial costs four key derivations and four AES-GCM opens,
# ~0.16 ms (a known version's Initial ~0.1 ms), so a capture made of nothing but such Initials
# costs at most ~40 ms more per reader; past the budget each costs a header parse (~3 us) and
# is counted in a warning, not tried.
MAX_TRIALS = 256
MAX_LEARNED = 16  # versions whose salt a trial found, read as known versions afterwards
MIN_INITIAL_DATAGRAM = 1200  # RFC 9000 §14.1: a client's datagram carrying an Initial is padded to this


@dataclass(frozen=True, slots=True)
class Protection:
    """How a QUIC version protects its Initials."""

    salt: bytes
    v2: bool = False  # RFC 9369: "quicv2 " labels, and the Initial is long-header type 1
    crypto_frame: int = CRYPTO_FRAME


_P_V1 = Protection(_SALT_V1)
_P_D29 = Protection(_SALT_D29)
_P_D23 = Protection(_SALT_D23)
_P_D22 = Protection(_SALT_D22)
_KNOWN = {
    V1: _P_V1,
    V2: Protection(_SALT_V2, v2=True),
    MVFST_DRAFT_22: _P_D22,
    MVFST_DRAFT_27: _P_D23,
    MVFST_EXPERIMENTAL: _P_D23,
    GOOGLE_T050: Protection(_SALT_T050, crypto_frame=GOOGLE_CRYPTO_FRAME),
    GOOGLE_T051: Protection(_SALT_T051, crypto_frame=GOOGLE_CRYPTO_FRAME),
}
TRIAL_SALTS = (_P_V1, _P_D29, _P_D23, _P_D22)


def protection(version: int) -> Protection | None:
    """The protection of a version TShark 4.0 reads, None for others."""
    known = _KNOWN.get(version)
    if known is not None:
        return known
    if version >> 8 == 0xFF0000:  # IETF drafts
        draft = version & 0xFF
        if draft == 0:
            return None
        if draft <= 22:
            return _P_D22
        if draft <= 28:
            return _P_D23
        if draft <= 32:
            return _P_D29
        if draft <= 34:
            return _P_V1
        return None
    if version & 0x0F0F0F0F == 0x0A0A0A0A:  # reserved to force version negotiation (RFC 9000 §15)
        return _P_D29
    return None


def worth_a_trial(version: int, datagram: bytes) -> bool:
    """Whether an Initial of a version with no known salt may be one a trial salt opens: a
    long-header type-0 packet, neither version negotiation (version 0) nor Google QUIC ("Q0..",
    whose handshake is not TLS), in a datagram padded as clients pad their Initials."""
    return (len(datagram) >= MIN_INITIAL_DATAGRAM and datagram[0] & 0x30 == 0 and version != 0
            and version >> 16 != 0x5130)


def hkdf_expand_label(secret: bytes, label: str, length: int) -> bytes:
    full = b"tls13 " + label.encode()
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


@dataclass(frozen=True, slots=True)
class InitialKeys:
    key: bytes
    iv: bytes
    hp: bytes
    crypto_frame: int = CRYPTO_FRAME


def initial_keys(dcid: bytes, how: Protection) -> InitialKeys:
    initial = hmac.new(how.salt, dcid, hashlib.sha256).digest()
    client = hkdf_expand_label(initial, "client in", 32)
    prefix = "quicv2 " if how.v2 else "quic "
    return InitialKeys(hkdf_expand_label(client, prefix + "key", 16),
                       hkdf_expand_label(client, prefix + "iv", 12),
                       hkdf_expand_label(client, prefix + "hp", 16), how.crypto_frame)


def client_initial_keys(dcid: bytes, version: int) -> InitialKeys | None:
    how = protection(version)
    return initial_keys(dcid, how) if how is not None else None


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
    protection: Protection | None  # None: a version with no known salt (a trial may open it)


def is_long_header(datagram: bytes) -> bool:
    """Whether a UDP payload may start with a client Initial worth reading."""
    if len(datagram) < 7 or datagram[0] & 0xC0 != 0xC0:
        return False
    version = int.from_bytes(datagram[1:5], "big")
    return protection(version) is not None or worth_a_trial(version, datagram)


def split_initials(datagram: bytes, learned: dict[int, Protection] | None = None) -> list[InitialPacket]:
    """The Initial packets coalesced in one UDP datagram (others are skipped). A version with no
    known salt is read as v1 lays out its packets, the first packet only if worth a trial."""
    out: list[InitialPacket] = []
    pos = 0
    n = len(datagram)
    try:
        while pos + 7 <= n and datagram[pos] & 0x80:
            first = datagram[pos]
            version = int.from_bytes(datagram[pos + 1:pos + 5], "big")
            how = protection(version)
            if how is None and learned:
                how = learned.get(version)
            if how is None and (pos or not worth_a_trial(version, datagram)):
                break
            v2 = how is not None and how.v2
            p = pos + 5
            dlen = datagram[p]
            dcid = datagram[p + 1:p + 1 + dlen]
            p += 1 + dlen
            slen = datagram[p]
            p += 1 + slen
            ptype = (first >> 4) & 3
            initial = ptype == (1 if v2 else 0)
            retry = ptype == (0 if v2 else 3)
            if retry:
                break
            if initial:
                token_len, p = _varint(datagram, p)
                p += token_len
            length, p = _varint(datagram, p)
            if p + length > n or dlen > 20:
                break
            if initial:
                out.append(InitialPacket(version, dcid, datagram[pos:p], p - pos, datagram[p:p + length], how))
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


def crypto_frames(payload: bytes, crypto_frame: int = CRYPTO_FRAME) -> list[tuple[int, bytes]]:
    """(offset, data) of the CRYPTO frames in a decrypted Initial payload. With Google's frame
    numbering (T050/T051) only PADDING, PING (0x07) and CRYPTO (0x08) are read."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    n = len(payload)
    google = crypto_frame == GOOGLE_CRYPTO_FRAME
    try:
        while pos < n:
            ftype = payload[pos]
            if ftype == 0x00 or ftype == (0x07 if google else 0x01):  # PADDING, PING
                pos += 1
            elif ftype == crypto_frame:
                offset, pos = _varint(payload, pos + 1)
                length, pos = _varint(payload, pos)
                out.append((offset, payload[pos:pos + length]))
                pos += length
            elif ftype in (0x02, 0x03) and not google:  # ACK
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
        self._keys: dict[tuple[bytes, Protection], InitialKeys] = {}
        self._conns: dict[tuple[object, ...], _Connection] = {}
        self._learned: dict[int, Protection] = {}  # versions with no known salt that a trial opened
        self._tried: set[tuple[object, ...]] = set()  # flows whose trial opened nothing
        self.trials = 0
        self.untried = 0  # Initials of unknown versions left untried: the budget was spent
        self.overflow = 0

    def given_up(self) -> dict[str, int]:
        """What could not be followed, by reason (for the extractor's overflow counts)."""
        reasons = (("QUIC connections", self.overflow), ("QUIC Initials of unknown versions, not tried", self.untried))
        return {reason: count for reason, count in reasons if count}

    def pending(self) -> bool:
        """Whether a ClientHello is still being put together."""
        return any(not conn.done for conn in self._conns.values())

    def pending_for(self, flow: tuple[object, ...]) -> bool:
        conn = self._conns.get(flow)
        return conn is not None and not conn.done

    def _keys_for(self, dcid: bytes, how: Protection) -> InitialKeys:
        keys = self._keys.get((dcid, how))
        if keys is None:
            if len(self._keys) > MAX_CONNECTIONS:
                self._keys.clear()
            keys = self._keys[(dcid, how)] = initial_keys(dcid, how)
        return keys

    def _trial(self, flow: tuple[object, ...], packet: InitialPacket) -> tuple[InitialKeys, bytes] | None:
        """Open an Initial of a version with no known salt with each trial salt, within the budget."""
        if flow in self._tried:
            return None
        if self.trials >= MAX_TRIALS:
            self.untried += 1
            return None
        self.trials += 1
        for how in TRIAL_SALTS:
            keys = initial_keys(packet.dcid, how)
            payload = decrypt_initial(packet, keys)
            if payload is not None:
                if len(self._learned) < MAX_LEARNED:
                    self._learned[packet.version] = how
                return keys, payload
        if len(self._tried) >= MAX_CONNECTIONS:
            self._tried.clear()
        self._tried.add(flow)
        return None

    def datagram(self, flow: tuple[object, ...], datagram: bytes) -> list[str] | None:
        """Server names completed by this datagram ([] if none yet); None if nothing QUIC was decrypted."""
        names: list[str] = []
        decrypted = False
        for packet in split_initials(datagram, self._learned):
            conn = self._conns.get(flow)
            payload = None
            keys = None
            if packet.protection is not None:
                keys = self._keys_for(packet.dcid, packet.protection)
                payload = decrypt_initial(packet, keys)
            if payload is None and conn is not None:  # a later Initial, to the server's chosen ID
                payload = decrypt_initial(packet, conn.keys)
                keys = conn.keys if payload is not None else None
            if payload is None and packet.protection is None:
                opened = self._trial(flow, packet)
                if opened is not None:
                    keys, payload = opened
            if payload is None or keys is None:
                continue
            if conn is None or conn.keys != keys:
                if len(self._conns) >= MAX_CONNECTIONS:
                    self._conns.clear()
                    self.overflow += 1
                conn = _Connection(keys)
                self._conns[flow] = conn
            decrypted = True
            if conn.done:
                continue
            for offset, data in crypto_frames(payload, keys.crypto_frame):
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
