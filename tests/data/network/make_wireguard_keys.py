"""Write the captures of WireGuard tunnels that carry their own keys (pcapng Decryption Secrets Blocks).

    .venv/bin/python tests/data/network/make_wireguard_keys.py

Ours (same licence as exposure). Each tunnel is real: both peers run WireGuard's Noise
``IKpsk2`` handshake here (the initiator writes its initiation, the responder opens it and
answers, the initiator opens the answer; both must derive the same transport keys), written
from the WireGuard whitepaper (section 5.4) with X25519 and ChaCha20-Poly1305 from
``cryptography`` and BLAKE2s from ``hashlib`` — not with exposure's code. The key log is what
wireguard-tools' ``extract-handshakes`` prints for one peer, in a Decryption Secrets Block of
type ``WGKL`` (as ``editcap --inject-secrets wg,keys.txt`` writes it).

Tunnels:

- A (IPv4 outside, 192.0.2.10 -> 203.0.113.5:51820), the initiator's keys logged (its static
  private key, the responder's public key, its ephemeral key), two handshakes (a rekey): inside,
  a DNS query and answer for ``wg-dns.example``, a TLS ClientHello for ``wg-tls.example``, an HTTP
  request for ``wg-http.example``, a keepalive, and after the rekey an HTTP request for
  ``wg-rekey-http.example``;
- B (IPv6 outside), with a preshared key, the responder's keys logged (its static private key,
  the initiator's public key, its ephemeral key and the preshared key): inside, over IPv6, a
  DNS query for ``wg-psk-dns.example`` and a ClientHello for ``wg-psk-tls.example``;
- C, no keys logged: a DNS query for ``wg-nokeys.example`` stays hidden.

Files: ``wireguard-keys.pcapng`` (the keys in a block before the packets), ``-late`` (after
them), ``-none`` (no keys), ``-wrong`` (A's ephemeral keys and B's preshared key altered),
``-damaged`` (a block whose length runs past its end, a block of lines that are no keys and one
of an unknown kind, then the right keys) and ``-garbled`` (the right keys, and hostile
messages among the packets: a transport message with a byte changed, one whose plaintext would
name ``wg-forged.example`` with its tag changed, one for an unknown receiver, messages of odd
sizes). ``expected/<name>.json`` is what ``../shared/tools/tshark-names`` (TShark 4.0.17) printed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

HERE = Path(__file__).resolve().parent
CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
WG_PORT = 51820
MAC_A, MAC_B = b"\x02\x00\x00\x00\x00\x0a", b"\x02\x00\x00\x00\x00\x0b"
START = 1_780_000_000


# -- the Noise IKpsk2 handshake (whitepaper 5.4) ----------------------------------------------------


def blake2s(*parts: bytes) -> bytes:
    return hashlib.blake2s(b"".join(parts)).digest()


def kdf(key: bytes, data: bytes, n: int) -> list[bytes]:
    prk = hmac.new(key, data, hashlib.blake2s).digest()
    out, last = [], b""
    for i in range(1, n + 1):
        last = hmac.new(prk, last + bytes([i]), hashlib.blake2s).digest()
        out.append(last)
    return out


def seal(key: bytes, counter: int, plain: bytes, aad: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(bytes(4) + struct.pack("<Q", counter), plain, aad)


def unseal(key: bytes, counter: int, sealed: bytes, aad: bytes) -> bytes:
    return ChaCha20Poly1305(key).decrypt(bytes(4) + struct.pack("<Q", counter), sealed, aad)


def private(name: str) -> bytes:
    """A fixed private key (the captures come out the same every time)."""
    return hashlib.blake2s(b"exposure wireguard test key " + name.encode()).digest()


def public(key: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(key).public_key().public_bytes_raw()


def dh(key: bytes, other: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(key).exchange(X25519PublicKey.from_public_bytes(other))


def mac1(receiver_public: bytes, msg: bytes) -> bytes:
    return hashlib.blake2s(msg, digest_size=16, key=blake2s(LABEL_MAC1, receiver_public)).digest()


@dataclass
class Session:
    """Transport keys and counters of one handshake (each peer's sending key and the index its
    peer puts in the messages it sends)."""

    initiator_index: bytes
    responder_index: bytes
    to_responder: bytes
    to_initiator: bytes
    sent_i: int = 0
    sent_r: int = 0

    def from_initiator(self, plain: bytes) -> bytes:
        msg = transport(self.responder_index, self.sent_i, self.to_responder, plain)
        self.sent_i += 1
        return msg

    def from_responder(self, plain: bytes) -> bytes:
        msg = transport(self.initiator_index, self.sent_r, self.to_initiator, plain)
        self.sent_r += 1
        return msg


def transport(receiver: bytes, counter: int, key: bytes, plain: bytes) -> bytes:
    plain += bytes(-len(plain) % 16)  # padded to 16 bytes, as WireGuard does
    return b"\x04\0\0\0" + receiver + struct.pack("<Q", counter) + seal(key, counter, plain, b"")


def handshake(i_static: bytes, r_static: bytes, i_ephemeral: bytes, r_ephemeral: bytes, psk: bytes,
              i_index: bytes, r_index: bytes, when: int) -> tuple[bytes, bytes, Session]:
    """Both peers' sides: the initiation, the response and the session both derived."""
    chain0 = blake2s(CONSTRUCTION)
    r_public = public(r_static)
    # the initiator writes its initiation
    c = chain0
    h = blake2s(blake2s(chain0, IDENTIFIER), r_public)
    e_i = public(i_ephemeral)
    c = kdf(c, e_i, 1)[0]
    h = blake2s(h, e_i)
    c, k = kdf(c, dh(i_ephemeral, r_public), 2)
    sealed_static = seal(k, 0, public(i_static), h)
    h = blake2s(h, sealed_static)
    c, k = kdf(c, dh(i_static, r_public), 2)
    tai64n = struct.pack(">QI", (1 << 62) + when + 10, 0)
    sealed_time = seal(k, 0, tai64n, h)
    h = blake2s(h, sealed_time)
    body = b"\x01\0\0\0" + i_index + e_i + sealed_static + sealed_time
    initiation = body + mac1(r_public, body) + bytes(16)
    # the responder opens it with its own keys
    rc = kdf(chain0, initiation[8:40], 1)[0]
    rh = blake2s(blake2s(blake2s(chain0, IDENTIFIER), r_public), initiation[8:40])
    rc, k = kdf(rc, dh(r_static, initiation[8:40]), 2)
    i_public = unseal(k, 0, initiation[40:88], rh)
    rh = blake2s(rh, initiation[40:88])
    rc, k = kdf(rc, dh(r_static, i_public), 2)
    assert unseal(k, 0, initiation[88:116], rh) == tai64n
    rh = blake2s(rh, initiation[88:116])
    assert (rc, rh) == (c, h)
    # ... and answers
    e_r = public(r_ephemeral)
    rc = kdf(rc, e_r, 1)[0]
    rh = blake2s(rh, e_r)
    rc = kdf(rc, dh(r_ephemeral, e_i), 1)[0]
    rc = kdf(rc, dh(r_ephemeral, i_public), 1)[0]
    rc, tau, k = kdf(rc, psk, 3)
    rh = blake2s(rh, tau)
    sealed_empty = seal(k, 0, b"", rh)
    body = b"\x02\0\0\0" + r_index + i_index + e_r + sealed_empty
    response = body + mac1(public(i_static), body) + bytes(16)
    # the initiator opens the answer
    c = kdf(c, response[12:44], 1)[0]
    h = blake2s(h, response[12:44])
    c = kdf(c, dh(i_ephemeral, response[12:44]), 1)[0]
    c = kdf(c, dh(i_static, response[12:44]), 1)[0]
    c, tau, k = kdf(c, psk, 3)
    assert unseal(k, 0, response[44:60], blake2s(h, tau)) == b""
    send_i, recv_i = kdf(c, b"", 2)
    assert [send_i, recv_i] == kdf(rc, b"", 2)
    return initiation, response, Session(i_index, r_index, send_i, recv_i)


def key_log(lines: list[tuple[str, bytes]]) -> bytes:
    """What extract-handshakes prints: ``TYPE = base64``."""
    return b"".join(f"{kind} = {base64.b64encode(key).decode()}\n".encode() for kind, key in lines)


# -- packets inside and outside ---------------------------------------------------------------------


def checksum(data: bytes) -> int:
    data += b"\0" * (len(data) % 2)
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip(src: bytes, dst: bytes, proto: int, payload: bytes) -> bytes:
    if len(src) == 16:
        return struct.pack("!IHBB", 6 << 28, len(payload), proto, 64) + src + dst + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def pseudo(src: bytes, dst: bytes, proto: int, size: int) -> bytes:
    return src + dst + (struct.pack("!IxxxB", size, proto) if len(src) == 16 else struct.pack("!xBH", proto, size))


def udp(src: bytes, dst: bytes, sport: int, dport: int, data: bytes) -> bytes:
    head = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    sum_ = checksum(pseudo(src, dst, 17, 8 + len(data)) + head + data) or 0xFFFF
    return ip(src, dst, 17, head[:6] + struct.pack("!H", sum_) + data)


def tcp(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int, data: bytes = b"") -> bytes:
    head = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    sum_ = checksum(pseudo(src, dst, 6, len(head) + len(data)) + head + data)
    return ip(src, dst, 6, head[:16] + struct.pack("!H", sum_) + head[18:] + data)


def dns(name: str, qtype: int = 1, answer: bytes | None = None) -> bytes:
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", qtype, 1)
    if answer is None:
        return struct.pack("!HHHHHH", 0x2A2A, 0x0100, 1, 0, 0, 0) + question
    record = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(answer)) + answer
    return struct.pack("!HHHHHH", 0x2A2A, 0x8180, 1, 1, 0, 0) + question + record


def client_hello(server_name: str) -> bytes:
    name = server_name.encode()
    sni = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    versions = struct.pack("!HHBH", 43, 3, 2, 0x0304)
    extensions = sni + versions
    body = (b"\x03\x03" + hashlib.sha256(name).digest() + b"\x00" + struct.pack("!HH", 2, 0x1301) + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    handshake_msg = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake_msg)) + handshake_msg


def http(host: str) -> bytes:
    return f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n".encode()


def tcp_exchange(client: bytes, server: bytes, sport: int, dport: int, request: bytes) -> list[tuple[bool, bytes]]:
    """(from the client?, inner packet) of a connection that sends ``request``."""
    c, s = 1000, 90000
    return [(True, tcp(client, server, sport, dport, c, 0, 0x02)),
            (False, tcp(server, client, dport, sport, s, c + 1, 0x12)),
            (True, tcp(client, server, sport, dport, c + 1, s + 1, 0x10)),
            (True, tcp(client, server, sport, dport, c + 1, s + 1, 0x18, request)),
            (False, tcp(server, client, dport, sport, s + 1, c + 1 + len(request), 0x10))]


@dataclass
class Outer:
    """The two ends of a tunnel, outside it."""

    initiator: bytes
    responder: bytes
    port: int

    def frame(self, from_initiator: bool, payload: bytes) -> bytes:
        src, dst = (self.initiator, self.responder) if from_initiator else (self.responder, self.initiator)
        sport, dport = (self.port, WG_PORT) if from_initiator else (WG_PORT, self.port)
        ethertype = b"\x86\xdd" if len(src) == 16 else b"\x08\x00"
        macs = MAC_B + MAC_A if from_initiator else MAC_A + MAC_B
        return macs + ethertype + udp(src, dst, sport, dport, payload)


def v4(text: str) -> bytes:
    return bytes(int(x) for x in text.split("."))


def v6(last: int, prefix: bytes = b"\xfd\x00" + bytes(12)) -> bytes:
    return prefix + struct.pack("!H", last)


# -- the tunnels ------------------------------------------------------------------------------------

A_I, A_R, A_E1, A_E2, A_ER1, A_ER2 = (private(n) for n in ("a-i", "a-r", "a-e1", "a-e2", "a-er1", "a-er2"))
B_I, B_R, B_EI, B_ER = (private(n) for n in ("b-i", "b-r", "b-ei", "b-er"))
B_PSK = private("b-psk")
C_I, C_R, C_EI, C_ER = (private(n) for n in ("c-i", "c-r", "c-ei", "c-er"))


def tunnels() -> tuple[list[bytes], list[bytes], bytes]:
    """The frames, the hostile frames (``-garbled``) and the key log."""
    frames: list[bytes] = []
    hostile: list[bytes] = []
    a = Outer(v4("192.0.2.10"), v4("203.0.113.5"), 43210)
    init, resp, sa = handshake(A_I, A_R, A_E1, A_ER1, bytes(32), b"\x11\x11\x11\x11", b"\x22\x22\x22\x22", START)
    frames += [a.frame(True, init), a.frame(False, resp)]
    me, resolver, web = v4("10.8.0.2"), v4("10.8.0.1"), v4("198.51.100.80")
    frames.append(a.frame(True, sa.from_initiator(udp(me, resolver, 53000, 53, dns("wg-dns.example")))))
    frames.append(a.frame(False, sa.from_responder(udp(resolver, me, 53, 53000,
                                                       dns("wg-dns.example", 1, v4("198.51.100.80"))))))
    for from_client, packet in (tcp_exchange(me, web, 40001, 443, client_hello("wg-tls.example"))
                                + tcp_exchange(me, web, 40002, 80, http("wg-http.example"))):
        frames.append(a.frame(from_client, sa.from_initiator(packet) if from_client else sa.from_responder(packet)))
    frames.append(a.frame(True, sa.from_initiator(b"")))  # a keepalive
    # hostile: a copy of the DNS query with a byte of its ciphertext changed; a message whose
    # plaintext names wg-forged.example with its tag changed; an unknown receiver; odd sizes
    good = sa.from_initiator(udp(me, resolver, 53001, 53, dns("wg-dns.example")))
    hostile.append(a.frame(True, good[:20] + bytes([good[20] ^ 1]) + good[21:]))
    forged = sa.from_initiator(udp(me, resolver, 53002, 53, dns("wg-forged.example")))
    hostile.append(a.frame(True, forged[:-1] + bytes([forged[-1] ^ 0x80])))
    hostile.append(a.frame(True, b"\x04\0\0\0\x99\x99\x99\x99" + forged[8:]))
    hostile += [a.frame(True, init[:147]), a.frame(True, b"\x04\0\0\0" + forged[4:30]),
                a.frame(False, resp + b"\0"), a.frame(True, b"\x02\0\0\0" + bytes(88))]
    init2, resp2, sa2 = handshake(A_I, A_R, A_E2, A_ER2, bytes(32), b"\x33\x33\x33\x33", b"\x44\x44\x44\x44",
                                  START + 120)
    frames += [a.frame(True, init2), a.frame(False, resp2)]
    for from_client, packet in tcp_exchange(me, web, 40003, 80, http("wg-rekey-http.example")):
        frames.append(a.frame(from_client, sa2.from_initiator(packet) if from_client else sa2.from_responder(packet)))

    b = Outer(v6(0x10, b"\x20\x01\x0d\xb8" + bytes(10)), v6(0x20, b"\x20\x01\x0d\xb8" + bytes(10)), 44321)
    init, resp, sb = handshake(B_I, B_R, B_EI, B_ER, B_PSK, b"\x55\x55\x55\x55", b"\x66\x66\x66\x66", START + 5)
    frames += [b.frame(True, init), b.frame(False, resp)]
    me6, resolver6, web6 = v6(2), v6(1), v6(0x80, b"\x20\x01\x0d\xb8" + bytes(10))
    frames.append(b.frame(True, sb.from_initiator(udp(me6, resolver6, 53100, 53, dns("wg-psk-dns.example", 28)))))
    for from_client, packet in tcp_exchange(me6, web6, 40100, 443, client_hello("wg-psk-tls.example")):
        frames.append(b.frame(from_client, sb.from_initiator(packet) if from_client else sb.from_responder(packet)))

    c = Outer(v4("192.0.2.30"), v4("203.0.113.7"), 45000)
    init, resp, sc = handshake(C_I, C_R, C_EI, C_ER, bytes(32), b"\x77\x77\x77\x77", b"\x88\x88\x88\x88", START + 9)
    frames += [c.frame(True, init), c.frame(False, resp),
               c.frame(True, sc.from_initiator(udp(v4("10.9.0.2"), v4("10.9.0.1"), 53200, 53,
                                                   dns("wg-nokeys.example"))))]
    keys = key_log([("LOCAL_STATIC_PRIVATE_KEY", A_I), ("REMOTE_STATIC_PUBLIC_KEY", public(A_R)),
                    ("LOCAL_EPHEMERAL_PRIVATE_KEY", A_E1), ("LOCAL_EPHEMERAL_PRIVATE_KEY", A_E2),
                    ("LOCAL_STATIC_PRIVATE_KEY", B_R), ("REMOTE_STATIC_PUBLIC_KEY", public(B_I)),
                    ("LOCAL_EPHEMERAL_PRIVATE_KEY", B_ER), ("PRESHARED_KEY", B_PSK)])
    return frames, hostile, keys


def wrong_keys() -> bytes:
    """A's ephemeral keys and B's preshared key, each with a byte changed."""
    def bent(key: bytes) -> bytes:
        return key[:5] + bytes([key[5] ^ 0x40]) + key[6:]

    return key_log([("LOCAL_STATIC_PRIVATE_KEY", A_I), ("REMOTE_STATIC_PUBLIC_KEY", public(A_R)),
                    ("LOCAL_EPHEMERAL_PRIVATE_KEY", bent(A_E1)), ("LOCAL_EPHEMERAL_PRIVATE_KEY", bent(A_E2)),
                    ("LOCAL_STATIC_PRIVATE_KEY", B_R), ("REMOTE_STATIC_PUBLIC_KEY", public(B_I)),
                    ("LOCAL_EPHEMERAL_PRIVATE_KEY", B_ER), ("PRESHARED_KEY", bent(B_PSK))])


# -- pcapng -----------------------------------------------------------------------------------------

WIREGUARD_KEYS = 0x57474B4C


def block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def secrets_block(text: bytes, kind: int = WIREGUARD_KEYS, declared: int | None = None) -> bytes:
    return block(10, struct.pack("<II", kind, len(text) if declared is None else declared) + text)


def pcapng(frames: list[bytes], before: list[bytes], after: list[bytes] | None = None) -> bytes:
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    out += b"".join(before)
    for i, frame in enumerate(frames):
        ts = (START + i) * 1_000_000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return out + b"".join(after or [])


def captures() -> dict[str, bytes]:
    frames, hostile, keys = tunnels()
    garbled = frames[:8] + hostile + frames[8:]
    return {
        "wireguard-keys.pcapng": pcapng(frames, [secrets_block(keys)]),
        "wireguard-keys-late.pcapng": pcapng(frames, [], [secrets_block(keys)]),
        "wireguard-keys-none.pcapng": pcapng(frames, []),
        "wireguard-keys-wrong.pcapng": pcapng(frames, [secrets_block(wrong_keys())]),
        "wireguard-keys-damaged.pcapng": pcapng(frames, [
            secrets_block(b"LOCAL_STATIC_PRIVATE_KEY = AAAA", declared=4096),
            secrets_block(b"PRESHARED_KEY = " + base64.b64encode(bytes(32)) + b"\nnot a key\n"
                          b"LOCAL_STATIC_PRIVATE_KEY = AAAA\nSOME_OTHER_KEY = " + base64.b64encode(bytes(32)) + b"\n"),
            secrets_block(b"opaque", kind=0x12345678), secrets_block(keys)]),
        "wireguard-keys-garbled.pcapng": pcapng(garbled, [secrets_block(keys)]),
    }


def main() -> None:
    for name, data in captures().items():
        (HERE / name).write_bytes(data)
        print(name, len(data))


if __name__ == "__main__":
    main()
