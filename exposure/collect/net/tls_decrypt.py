"""Decrypt the client's side of a TLS connection whose keys the capture carries (see ``keylog``).

Only what a client sends is decrypted, and only its first bytes (the caller caps them): its
requests name the servers it talks to (HTTP/1.x ``Host``, HTTP/2 ``:authority``, DNS over
TLS or HTTPS). The ciphers are the AEAD ones every current client offers first:

- TLS 1.2 (RFC 5246): the key block is ``PRF(master_secret, "key expansion", server_random +
  client_random)`` with the suite's hash (section 5, 6.3); AES-GCM records carry an 8-byte
  explicit nonce after a 4-byte implicit salt (RFC 5288, section 3), ChaCha20-Poly1305 records
  XOR the sequence number into a 12-byte IV (RFC 7905, section 2); the additional data is
  ``seq_num + type + version + length`` (RFC 5246, 6.2.3.3). The older CBC suites (AES with
  HMAC-SHA1/SHA-256/SHA-384) are read too: explicit IV, MAC then padding (6.2.3.2), or the MAC
  last when encrypt-then-MAC was agreed (RFC 7366). Records after the client's ChangeCipherSpec
  are encrypted, numbered from 0.
- TLS 1.3 (RFC 8446): key and IV come from the client's early (0-RTT), handshake, then
  application traffic secret by ``HKDF-Expand-Label`` (section 7.1, 7.3), and after a KeyUpdate
  from the next application secret (7.2); the nonce is the IV XOR the sequence number,
  the additional data the record header (5.2, 5.3); the plaintext ends with its real content
  type and zero padding (5.4). The cipher suite need not be known: the one whose tag verifies is it.
  0-RTT records without the early secret in the capture (a key log that leaves it out) are passed
  over when the ClientHello announced early data (4.2.10), so the requests after the handshake are
  still read; once a later record decrypts they are counted apart (``early_unread``: the person
  is told that early data could not be read, and why), else as records that failed.

The AEAD tag authenticates every record, so a wrong key, a damaged record or a record built to
mislead never yields plaintext: it is counted in ``failed`` and, after a few, the connection is
given up. ``cryptography`` is imported only when a capture has keys.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from exposure.collect.net.keylog import CLIENT_EARLY, CLIENT_HANDSHAKE, CLIENT_TRAFFIC, MASTER_SECRET

CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA = 20, 21, 22, 23
RECORD_HEADER = 5
TAG = 16
MAX_RECORD = (1 << 14) + 256  # a TLS 1.3 ciphertext (RFC 8446, 5.2); TLS 1.2 allows 2048 more
MAX_FAILURES = 4  # records that fail to decrypt before the connection is given up
# 0-RTT data the capture has no key for (no CLIENT_EARLY_TRAFFIC_SECRET): records before the first
# that decrypts, of a ClientHello that announced early data, do not give the connection up, up to
# this many bytes (servers accept 14-16 KiB of early data; RFC 8446, 4.2.10)
MAX_EARLY_DATA = 1 << 15
EARLY_DATA = 42  # the ClientHello extension that announces 0-RTT data (RFC 8446, 4.2.10)
TLS13 = 0x0304
# SHA-256("HelloRetryRequest"): the random of a ServerHello that is a HelloRetryRequest (RFC 8446, 4.1.3)
HELLO_RETRY = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

# Why a connection with keys was not (or no longer) decrypted: counted as undecoded, by reason.
BAD_RECORDS = "TLS record that does not decrypt with the keys in the capture"
NOT_TLS = "TLS connection with keys: data after the handshake is not TLS records"
NO_SERVER_HELLO = "TLS 1.2 connection with keys: no ServerHello in the capture"
WRONG_VERSION = "TLS 1.3 connection with only a TLS 1.2 key in the capture"
NOT_AEAD = "TLS connection with keys: cipher suite not decrypted (only AES and ChaCha20-Poly1305 are)"
NO_SECRET = "TLS 1.3 connection without the client's traffic secret in the capture"  # noqa: S105
# 0-RTT records passed over because the key log lacks the early secret (``ClientDecryptor.early_unread``)
EARLY_UNREAD = "TLS early data (0-RTT) without its key in the capture (CLIENT_EARLY_TRAFFIC_SECRET)"

Aead = Callable[[bytes, bytes, bytes], bytes]  # (nonce, ciphertext with tag, additional data) -> plaintext


@dataclass(frozen=True, slots=True)
class Suite:
    key_len: int
    iv_len: int  # the implicit part of the nonce from the key block (TLS 1.2)
    hash_name: str
    chacha: bool


AES128_GCM_SHA256 = Suite(16, 4, "sha256", False)
AES256_GCM_SHA384 = Suite(32, 4, "sha384", False)
CHACHA20_POLY1305 = Suite(32, 12, "sha256", True)
# TLS 1.2 AEAD suites (RFC 5288, 5289, 7905): ECDHE, DHE and RSA key exchange
TLS12_SUITES = {
    0x009C: AES128_GCM_SHA256, 0x009E: AES128_GCM_SHA256, 0xC02B: AES128_GCM_SHA256, 0xC02F: AES128_GCM_SHA256,
    0x009D: AES256_GCM_SHA384, 0x009F: AES256_GCM_SHA384, 0xC02C: AES256_GCM_SHA384, 0xC030: AES256_GCM_SHA384,
    0xCCA8: CHACHA20_POLY1305, 0xCCA9: CHACHA20_POLY1305, 0xCCAA: CHACHA20_POLY1305,
}
# TLS 1.2 CBC suites (RFC 5246 A.5, RFC 4492, RFC 5289): (key length, MAC hash, PRF hash)
TLS12_CBC_SUITES = {
    0x002F: (16, "sha1", "sha256"), 0x0033: (16, "sha1", "sha256"), 0xC009: (16, "sha1", "sha256"),
    0xC013: (16, "sha1", "sha256"), 0x0035: (32, "sha1", "sha256"), 0x0039: (32, "sha1", "sha256"),
    0xC00A: (32, "sha1", "sha256"), 0xC014: (32, "sha1", "sha256"), 0x003C: (16, "sha256", "sha256"),
    0x0067: (16, "sha256", "sha256"), 0xC023: (16, "sha256", "sha256"), 0xC027: (16, "sha256", "sha256"),
    0x003D: (32, "sha256", "sha256"), 0x006B: (32, "sha256", "sha256"), 0xC024: (32, "sha384", "sha384"),
    0xC028: (32, "sha384", "sha384"),
}
ENCRYPT_THEN_MAC = 22  # the ServerHello extension that puts the MAC after the ciphertext (RFC 7366)
# TLS 1.3 (RFC 8446, B.4): the IV is 12 bytes for all three
TLS13_SUITES = {0x1301: Suite(16, 12, "sha256", False), 0x1302: Suite(32, 12, "sha384", False),
                0x1303: Suite(32, 12, "sha256", True)}


@dataclass(slots=True)
class ServerHello:
    version: int  # the negotiated version (TLS 1.3 from supported_versions)
    random: bytes
    suite: int
    encrypt_then_mac: bool = False


def server_hello(body: bytes) -> ServerHello | None:
    """The negotiated version, server random and cipher suite of a ServerHello body; None if it is
    damaged or a HelloRetryRequest (the real ServerHello follows)."""
    if len(body) < 38:
        return None
    version = (body[0] << 8) | body[1]
    random = body[2:34]
    pos = 35 + body[34]
    if pos + 3 > len(body) or random == HELLO_RETRY:
        return None
    suite = (body[pos] << 8) | body[pos + 1]
    pos += 3
    etm = False
    if pos + 2 <= len(body):
        end = min(len(body), pos + 2 + ((body[pos] << 8) | body[pos + 1]))
        pos += 2
        while pos + 4 <= end:
            ext, size = (body[pos] << 8) | body[pos + 1], (body[pos + 2] << 8) | body[pos + 3]
            if ext == 43 and size == 2 and pos + 6 <= end:  # supported_versions: the selected one
                version = (body[pos + 4] << 8) | body[pos + 5]
            etm = etm or ext == ENCRYPT_THEN_MAC
            pos += 4 + size
    return ServerHello(version, random, suite, etm)


def offers_early_data(handshake: bytes) -> bool:
    """Whether a ClientHello (its handshake message, from the type byte) has the early_data
    extension: the client sends 0-RTT records after it. False when it is cut short before it."""
    size = len(handshake)
    if size < 39 or handshake[0] != 1:
        return False
    pos = 38 + 1 + handshake[38]  # type, length, version and random; then the session id
    if pos + 2 > size:
        return False
    pos += 2 + ((handshake[pos] << 8) | handshake[pos + 1])  # cipher suites
    if pos + 1 > size:
        return False
    pos += 1 + handshake[pos]  # compression methods
    if pos + 2 > size:
        return False
    end = min(size, pos + 2 + ((handshake[pos] << 8) | handshake[pos + 1]))
    pos += 2
    while pos + 4 <= end:
        if (handshake[pos] << 8) | handshake[pos + 1] == EARLY_DATA:
            return True
        pos += 4 + ((handshake[pos + 2] << 8) | handshake[pos + 3])
    return False


# -- key derivation -------------------------------------------------------------------------------


def prf(secret: bytes, label: bytes, seed: bytes, size: int, hash_name: str) -> bytes:
    """The TLS 1.2 PRF: P_hash(secret, label + seed) cut to ``size`` bytes (RFC 5246, section 5)."""
    seed = label + seed
    out = bytearray()
    a = seed
    while len(out) < size:
        a = hmac.digest(secret, a, hash_name)
        out += hmac.digest(secret, a + seed, hash_name)
    return bytes(out[:size])


def hkdf_expand_label(secret: bytes, label: bytes, context: bytes, size: int, hash_name: str) -> bytes:
    """HKDF-Expand-Label (RFC 8446, section 7.1) over HKDF-Expand (RFC 5869, 2.3)."""
    full = b"tls13 " + label
    info = size.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    out = bytearray()
    block = b""
    counter = 1
    while len(out) < size:
        block = hmac.digest(secret, block + info + bytes([counter]), hash_name)
        out += block
        counter += 1
    return bytes(out[:size])


def _aead(suite: Suite, key: bytes) -> Aead:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

    return (ChaCha20Poly1305(key) if suite.chacha else AESGCM(key)).decrypt


@dataclass(slots=True)
class _Keys:
    """One direction's record protection: the AEAD, its IV and the next sequence number."""

    aead: Aead
    iv: bytes
    suite: Suite
    seq: int = 0
    secret: bytes = b""  # TLS 1.3: the traffic secret they come from (a KeyUpdate derives the next)


def tls12_keys(master: bytes, client_random: bytes, hello: ServerHello) -> _Keys | None:
    suite = TLS12_SUITES.get(hello.suite)
    if suite is None:
        return None
    size = 2 * (suite.key_len + suite.iv_len)  # AEAD suites have no MAC keys
    block = prf(master, b"key expansion", hello.random + client_random, size, suite.hash_name)
    key = block[:suite.key_len]
    iv = block[2 * suite.key_len:2 * suite.key_len + suite.iv_len]
    return _Keys(_aead(suite, key), iv, suite)


@dataclass(slots=True)
class CbcKeys:
    """A TLS 1.2 CBC suite's client keys: each record is an explicit IV and AES-CBC ciphertext,
    authenticated by HMAC over the plaintext (RFC 5246, 6.2.3.2) or, with encrypt-then-MAC, over
    the IV and ciphertext (RFC 7366, 3)."""

    key: bytes
    mac_key: bytes
    mac: str
    encrypt_then_mac: bool
    seq: int = 0

    def open(self, record: bytes) -> bytes | None:
        body = record[RECORD_HEADER:]
        size = len(self.mac_key)  # the MAC key is as long as the MAC (RFC 5246, 6.2.3.1)
        if self.encrypt_then_mac:
            sealed, tag = body[:-size], body[-size:]
            if len(sealed) < 32 or len(sealed) % 16 or not hmac.compare_digest(tag, self._mac(record, sealed)):
                return None
            return _unpad(_cbc_decrypt(self.key, sealed))
        if len(body) < 32 or len(body) % 16:
            return None
        content = _unpad(_cbc_decrypt(self.key, body))
        if content is None or len(content) < size:
            return None
        plain, tag = content[:len(content) - size], content[len(content) - size:]
        return plain if hmac.compare_digest(tag, self._mac(record, plain)) else None

    def _mac(self, record: bytes, data: bytes) -> bytes:
        head = self.seq.to_bytes(8, "big") + record[:3] + len(data).to_bytes(2, "big")
        return hmac.digest(self.mac_key, head + data, self.mac)


def _cbc_decrypt(key: bytes, iv_and_ciphertext: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv_and_ciphertext[:16])).decryptor()
    return decryptor.update(iv_and_ciphertext[16:]) + decryptor.finalize()


def _unpad(padded: bytes) -> bytes | None:
    """The content before the CBC padding: ``n + 1`` bytes of value ``n`` (RFC 5246, 6.2.3.2)."""
    pad = padded[-1] if padded else 255
    if pad + 1 > len(padded) or padded[len(padded) - pad - 1:] != bytes([pad]) * (pad + 1):
        return None
    return padded[:len(padded) - pad - 1]


def tls12_cbc_keys(master: bytes, client_random: bytes, hello: ServerHello) -> CbcKeys | None:
    found = TLS12_CBC_SUITES.get(hello.suite)
    if found is None:
        return None
    key_len, mac, prf_hash = found
    mac_len = hashlib.new(mac).digest_size
    block = prf(master, b"key expansion", hello.random + client_random, 2 * (mac_len + key_len), prf_hash)
    return CbcKeys(block[2 * mac_len:2 * mac_len + key_len], block[:mac_len], mac, hello.encrypt_then_mac)


def tls13_keys(secret: bytes, suite: Suite) -> _Keys:
    key = hkdf_expand_label(secret, b"key", b"", suite.key_len, suite.hash_name)
    iv = hkdf_expand_label(secret, b"iv", b"", 12, suite.hash_name)
    return _Keys(_aead(suite, key), iv, suite, 0, secret)


def _nonce(iv: bytes, seq: int) -> bytes:
    return (int.from_bytes(iv, "big") ^ seq).to_bytes(12, "big")


# -- records ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ClientDecryptor:
    """The client's side of one connection, fed its bytes from the first (the ClientHello) on."""

    secrets: dict[str, bytes]
    client_random: bytes
    hello: ServerHello | None = None  # the server's answer, when seen (needed for TLS 1.2)
    failed: int = 0  # records whose tag did not verify
    early_unread: int = 0  # 0-RTT records not read: the key log lacks the early secret (not in ``failed``)
    given_up: str = ""  # why nothing more is decrypted ("" while it goes on)
    decrypted_seq: int = 0  # where the next plaintext goes in the stream of plaintext (keyed.py)
    _hello_read: bool = False
    _early_offered: bool = False  # TLS 1.3: the ClientHello announced 0-RTT data
    _early_failed: int = 0  # bytes of records that failed before any decrypted, taken for 0-RTT data
    _early_skipped: int = 0  # those records: counted in ``failed``, not towards giving up
    _early_pending: int = 0  # such records without the early secret, until a later one decrypts
    _encrypted: bool = False  # TLS 1.2: past the client's ChangeCipherSpec
    _keys: _Keys | None = None
    _cbc: CbcKeys | None = None
    _next_keys: list[bytes] = field(default_factory=list)  # TLS 1.3 traffic secrets not yet in use
    _first_plain: bytes = b""  # TLS 1.3: the first record, decrypted while its suite was found

    def feed(self, data: bytes, final: bool) -> tuple[list[bytes], int]:
        """The application data in the whole records of ``data`` (the bytes not yet consumed), and
        how many bytes were consumed. A record that cannot be read yet (TLS 1.2 before the
        ServerHello was seen) is left for the next call."""
        out: list[bytes] = []
        pos = 0
        n = len(data)
        while not self.given_up and n - pos >= RECORD_HEADER:
            ctype = data[pos]
            size = (data[pos + 3] << 8) | data[pos + 4]
            if data[pos + 1] != 3 or ctype not in (CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA) \
                    or size > MAX_RECORD + 2048:
                self.given_up = NOT_TLS
                break
            if n - pos - RECORD_HEADER < size:
                break
            record = data[pos:pos + RECORD_HEADER + size]
            if not self._record(record, out):
                if final:
                    self.given_up = NO_SERVER_HELLO
                break
            pos += RECORD_HEADER + size
        return out, pos

    def _record(self, record: bytes, out: list[bytes]) -> bool:
        """Read one whole record; False when it must wait for the ServerHello."""
        ctype = record[0]
        if ctype == HANDSHAKE and not self._hello_read:
            self._hello_read = True
            self._early_offered = offers_early_data(record[RECORD_HEADER:])
        if MASTER_SECRET in self.secrets:
            if ctype == CHANGE_CIPHER_SPEC:
                self._encrypted = True
                return True
            if not self._encrypted:
                return True  # ClientHello, ClientKeyExchange, ... in clear
            if self._keys is None and self._cbc is None:
                if self.hello is None:
                    return False
                if self.hello.version == TLS13:
                    self.given_up = WRONG_VERSION
                    return True
                self._keys = tls12_keys(self.secrets[MASTER_SECRET], self.client_random, self.hello)
                self._cbc = tls12_cbc_keys(self.secrets[MASTER_SECRET], self.client_random, self.hello)
                if self._keys is None and self._cbc is None:
                    self.given_up = NOT_AEAD
                    return True
            self._tls12(record, out)
        elif ctype == APPLICATION_DATA:
            self._tls13(record, out)
        return True

    def settle(self) -> None:
        """The connection is over: records taken for 0-RTT data that no later record confirmed (none
        decrypted) count as records that failed."""
        self.failed += self._early_pending
        self._early_pending = 0

    def _fail(self) -> None:
        self.failed += 1
        if self.failed - self._early_skipped >= MAX_FAILURES:
            self.given_up = BAD_RECORDS
            self.settle()

    def _fail_first(self, size: int) -> None:
        """A TLS 1.3 record that fails before any decrypted: when the ClientHello announced early
        data, 0-RTT data; the connection goes on to its Finished and application data (for up to
        MAX_EARLY_DATA bytes of such records). Without the early secret in the key log, it is set
        apart until a later record decrypts (then it was early data, ``early_unread``); with it,
        it is counted as failed (a wrong or damaged key)."""
        self._early_failed += size
        if self._early_offered and self._early_failed <= MAX_EARLY_DATA:
            if CLIENT_EARLY not in self.secrets:
                self._early_pending += 1
                return
            self._early_skipped += 1
        self._fail()

    def _tls12(self, record: bytes, out: list[bytes]) -> None:
        keys = self._keys
        if keys is None:
            assert self._cbc is not None
            plain = self._cbc.open(record)
            if plain is None:
                self._fail()
                return
            self._cbc.seq += 1
            if record[0] == APPLICATION_DATA:
                out.append(plain)
            return
        body = record[RECORD_HEADER:]
        if keys.suite.chacha:
            nonce, sealed = _nonce(keys.iv, keys.seq), body
        else:
            nonce, sealed = keys.iv + body[:8], body[8:]
        if len(sealed) < TAG:
            self._fail()
            return
        aad = keys.seq.to_bytes(8, "big") + record[:3] + (len(sealed) - TAG).to_bytes(2, "big")
        plain = _open(keys, nonce, sealed, aad)
        if plain is None:
            self._fail()
            return
        keys.seq += 1
        if record[0] == APPLICATION_DATA:
            out.append(plain)

    def _tls13(self, record: bytes, out: list[bytes]) -> None:
        if self._keys is None:
            self._next_keys = [s for s in (self.secrets.get(label) for label in (CLIENT_EARLY, CLIENT_HANDSHAKE,
                                                                                  CLIENT_TRAFFIC)) if s]
            if not self._next_keys:
                self.given_up = NO_SECRET
                return
            self._keys = self._first_keys(record)
            if self._keys is None:
                self._fail_first(len(record))
                return
            self.early_unread += self._early_pending  # the records before it were early data
            self._early_pending = 0
            plain: bytes | None = self._first_plain
        else:
            plain = self._open13(record)
        if plain is None:
            self._fail()
            return
        inner = plain.rstrip(b"\x00")
        if not inner:
            self._fail()  # no content type: not a TLS 1.3 record (RFC 8446, 5.4)
            return
        if inner[-1] == APPLICATION_DATA:
            out.append(inner[:-1])

    def _first_keys(self, record: bytes) -> _Keys | None:
        """The suite whose tag verifies on the first encrypted record, with the first secret that
        fits it (handshake, or application when the capture holds no handshake secret)."""
        suites = [TLS13_SUITES[self.hello.suite]] if self.hello and self.hello.suite in TLS13_SUITES \
            else list(TLS13_SUITES.values())
        for index, secret in enumerate(self._next_keys):
            for suite in suites:
                if len(secret) != hashlib.new(suite.hash_name).digest_size:
                    continue
                keys = tls13_keys(secret, suite)
                plain = _open(keys, _nonce(keys.iv, 0), record[RECORD_HEADER:], record[:RECORD_HEADER])
                if plain is not None:
                    del self._next_keys[:index + 1]
                    keys.seq = 1
                    self._first_plain = plain
                    return keys
        return None

    def _open13(self, record: bytes) -> bytes | None:
        """Decrypt with the keys in use; when that fails, with the next ones, numbered from 0 again:
        the next secret's (0-RTT data, then the client's Finished, then its application data), or
        once the application secret is in use, the one a KeyUpdate derives from it (RFC 8446, 7.2)."""
        keys = self._keys
        assert keys is not None
        plain = _open(keys, _nonce(keys.iv, keys.seq), record[RECORD_HEADER:], record[:RECORD_HEADER])
        if plain is not None:
            keys.seq += 1
            return plain
        suite = keys.suite
        secret = self._next_keys[0] if self._next_keys else hkdf_expand_label(
            keys.secret, b"traffic upd", b"", hashlib.new(suite.hash_name).digest_size, suite.hash_name)
        following = tls13_keys(secret, suite)
        plain = _open(following, _nonce(following.iv, 0), record[RECORD_HEADER:], record[:RECORD_HEADER])
        if plain is not None:
            if self._next_keys:
                del self._next_keys[0]
            following.seq = 1
            self._keys = following
        return plain


def _open(keys: _Keys, nonce: bytes, sealed: bytes, aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag

    if len(sealed) < TAG:
        return None
    try:
        return keys.aead(nonce, sealed, aad)
    except (InvalidTag, ValueError, OverflowError):
        return None
