"""Write the captures that carry their own TLS keys (pcapng Decryption Secrets Blocks).

    .venv/bin/python tests/data/network/make_tls_keys.py

Ours (same licence as exposure). Each TLS session is real: Python's ``ssl`` module (OpenSSL)
runs a client and a server over memory buffers, the bytes they exchange are put into TCP
segments, and the client's key log (``SSLContext.keylog_filename``, the NSS format) goes into a
Decryption Secrets Block, as ``editcap --inject-secrets tls,keys.txt`` or PCAPdroid write it.
TLS 1.3 cipher suites are chosen through ``OPENSSL_CONF`` (the ``ssl`` module has no setter for
them), so each TLS 1.3 session is made in a child process.

- ``tls-keys.pcapng``: TLS 1.2 with AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and AES-CBC
  (HMAC-SHA1 with encrypt-then-MAC, HMAC-SHA384 without), TLS 1.3 with the three AEAD ciphers,
  HTTP/1.1 inside (one fronted: the Host is not the server name; one with two requests on the
  connection), DNS over TLS on port 853, and one connection without keys;
  the keys in one block before the packets;
- ``tls-keys-late.pcapng``: the same packets, the keys in a block after them (a connection
  begun before its keys were written, as PCAPdroid's blocks come every second);
- ``tls-keys-none.pcapng``: the same packets without keys;
- ``tls-keys-wrong.pcapng``: the same packets with every secret altered;
- ``tls-keys-damaged.pcapng``: a block whose length field runs past its end, a block of
  garbage lines and WireGuard keys before the right keys;
- ``tls-keys-h2.pcapng``: HTTP/2 inside TLS 1.3 (``:authority``, which tshark-names does not
  report: tshark's ``http.host`` is HTTP/1.x only).

``expected/<name>.json`` is what ``../shared/tools/tshark-names`` (TShark 4.0.17) printed.
"""

from __future__ import annotations

import datetime
import json
import os
import ssl
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENT_MAC, SERVER_MAC = b"\x02\x00\x00\x00\x00\x05", b"\x02\x00\x00\x00\x00\x06"
CLIENT = bytes([192, 0, 2, 50])
SEGMENT = 1400
NO_ENCRYPT_THEN_MAC = 1 << 19  # OpenSSL's SSL_OP_NO_ENCRYPT_THEN_MAC (the ssl module has no name for it)
TLS13_SUITES = ("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256")


def certificate(folder: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tls-keys.example")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def session(spec: dict[str, object], folder: Path) -> dict[str, object]:
    """Run one TLS session in memory: the flights ((from client?, bytes) in order) and the key log."""
    cert, key = certificate(folder)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname = False
    client_ctx.verify_mode = ssl.CERT_NONE
    keylog = folder / "keys.txt"
    client_ctx.keylog_filename = str(keylog)
    if spec["version"] == "1.2":
        client_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        client_ctx.set_ciphers(str(spec["cipher"]))
        server_ctx.set_ciphers(str(spec["cipher"]))  # Python's server default leaves out the SHA-1 suites
        if spec.get("mac_then_encrypt"):
            client_ctx.options |= NO_ENCRYPT_THEN_MAC
    else:
        client_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if spec.get("alpn"):
        client_ctx.set_alpn_protocols([str(spec["alpn"])])
        server_ctx.set_alpn_protocols([str(spec["alpn"])])
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=str(spec["sni"]))
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    flights: list[tuple[bool, str]] = []

    def move() -> None:
        for out, into, from_client in ((c_out, s_in, True), (s_out, c_in, False)):
            data = out.read()
            if data:
                flights.append((from_client, data.hex()))
                into.write(data)

    done = [False, False]
    for _ in range(20):
        for i, side in enumerate((client, server)):
            if not done[i]:
                try:
                    side.do_handshake()
                    done[i] = True
                except ssl.SSLWantReadError:
                    pass
            move()
        if all(done):
            break
    for request in spec["requests"]:  # type: ignore[attr-defined]
        client.write(bytes.fromhex(request))
        move()
        try:
            server.read(65536)
        except ssl.SSLWantReadError:
            pass
        server.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        move()
    return {"flights": flights, "keylog": keylog.read_text()}


def run_session(spec: dict[str, object]) -> dict[str, object]:
    """A session in a child process (TLS 1.3 suites are set through OPENSSL_CONF at start-up)."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if spec["version"] == "1.3":
            conf = Path(tmp) / "openssl.cnf"
            conf.write_text("openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n"
                            f"[tls]\nCiphersuites = {spec['cipher']}\n")
            env["OPENSSL_CONF"] = str(conf)
        out = subprocess.run([sys.executable, __file__, "--session", json.dumps(spec)], env=env, check=True,
                             capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out)
    return result


# -- packets and pcapng ----------------------------------------------------------------------------


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_frame(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int, data: bytes) -> bytes:
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(data))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + data)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    macs = (SERVER_MAC + CLIENT_MAC) if src == CLIENT else (CLIENT_MAC + SERVER_MAC)
    return macs + b"\x08\x00" + ip + tcp + data


def connection(index: int, server: bytes, port: int, flights: list[tuple[bool, str]]) -> list[bytes]:
    sport = 40_000 + index
    cseq, sseq = 1_000 * index, 500_000 + 1_000 * index
    frames = [tcp_frame(CLIENT, server, sport, port, cseq, 0, 0x02, b""),
              tcp_frame(server, CLIENT, port, sport, sseq, cseq + 1, 0x12, b"")]
    cseq += 1
    sseq += 1
    frames.append(tcp_frame(CLIENT, server, sport, port, cseq, sseq, 0x10, b""))
    for from_client, hexdata in flights:
        data = bytes.fromhex(hexdata)
        for i in range(0, len(data), SEGMENT):
            piece = data[i:i + SEGMENT]
            if from_client:
                frames.append(tcp_frame(CLIENT, server, sport, port, cseq, sseq, 0x18, piece))
                cseq += len(piece)
            else:
                frames.append(tcp_frame(server, CLIENT, port, sport, sseq, cseq, 0x18, piece))
                sseq += len(piece)
    frames.append(tcp_frame(CLIENT, server, sport, port, cseq, sseq, 0x11, b""))
    frames.append(tcp_frame(server, CLIENT, port, sport, sseq, cseq + 1, 0x11, b""))
    return frames


def block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def secrets_block(text: bytes, kind: int = 0x544C534B, declared: int | None = None) -> bytes:
    return block(10, struct.pack("<II", kind, len(text) if declared is None else declared) + text)


def pcapng(frames: list[bytes], before: list[bytes], after: list[bytes] | None = None) -> bytes:
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    out += b"".join(before)
    start = 1_780_000_000 * 1_000_000
    for i, frame in enumerate(frames):
        ts = start + i * 1000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return out + b"".join(after or [])


def http(host: str, path: str = "/") -> str:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n".encode().hex()


def dns_query(name: str) -> str:
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    message = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + question
    return (struct.pack("!H", len(message)) + message).hex()


def h2_request(authority: str) -> str:
    from hpack import Encoder

    headers = Encoder().encode([(":method", "GET"), (":scheme", "https"), (":authority", authority),
                                (":path", "/")])
    settings = struct.pack("!I", 0)[1:] + bytes([4, 0]) + struct.pack("!I", 0)
    frame = struct.pack("!I", len(headers))[1:] + bytes([1, 0x05]) + struct.pack("!I", 1) + headers
    return (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + settings + frame).hex()


SESSIONS = [
    {"version": "1.2", "cipher": "ECDHE-ECDSA-AES128-GCM-SHA256", "sni": "tls12-aes128.example",
     "requests": [http("tls12-aes128.example")], "server": [198, 51, 100, 1], "port": 443},
    {"version": "1.2", "cipher": "ECDHE-ECDSA-AES256-GCM-SHA384", "sni": "front.example",
     "requests": [http("fronted-backend.example")], "server": [198, 51, 100, 2], "port": 443},
    {"version": "1.2", "cipher": "ECDHE-ECDSA-CHACHA20-POLY1305", "sni": "tls12-chacha.example",
     "requests": [http("tls12-chacha.example"), http("tls12-chacha-second.example", "/next")],
     "server": [198, 51, 100, 3], "port": 443},
    {"version": "1.2", "cipher": "ECDHE-ECDSA-AES128-SHA", "sni": "tls12-cbc-etm.example",
     "requests": [http("tls12-cbc-etm.example")], "server": [198, 51, 100, 10], "port": 443},
    {"version": "1.2", "cipher": "ECDHE-ECDSA-AES256-SHA384", "sni": "tls12-cbc-sha384.example",
     "mac_then_encrypt": True, "requests": [http("tls12-cbc-sha384.example")], "server": [198, 51, 100, 11],
     "port": 443},
    {"version": "1.3", "cipher": TLS13_SUITES[0], "sni": "tls13-aes256.example",
     "requests": [http("tls13-aes256.example")], "server": [198, 51, 100, 4], "port": 443},
    {"version": "1.3", "cipher": TLS13_SUITES[1], "sni": "tls13-aes128.example",
     "requests": [http("tls13-aes128.example")], "server": [198, 51, 100, 5], "port": 443},
    {"version": "1.3", "cipher": TLS13_SUITES[2], "sni": "tls13-chacha.example",
     "requests": [http("tls13-chacha.example")], "server": [198, 51, 100, 6], "port": 443},
    {"version": "1.3", "cipher": TLS13_SUITES[0], "sni": "dot.example",
     "requests": [dns_query("inside-dot.example")], "server": [198, 51, 100, 7], "port": 853},
    {"version": "1.3", "cipher": TLS13_SUITES[0], "sni": "no-keys.example", "keys": False,
     "requests": [http("no-keys-backend.example")], "server": [198, 51, 100, 8], "port": 443},
]
H2_SESSIONS = [
    {"version": "1.3", "cipher": TLS13_SUITES[0], "sni": "h2-front.example", "alpn": "h2",
     "requests": [h2_request("h2-inside.example")], "server": [198, 51, 100, 9], "port": 443},
]


def build(sessions: list[dict[str, object]]) -> tuple[list[bytes], bytes]:
    frames: list[bytes] = []
    keylog = b""
    for index, spec in enumerate(sessions):
        result = run_session(spec)
        server, port, flights = spec["server"], spec["port"], result["flights"]
        assert isinstance(server, list) and isinstance(port, int) and isinstance(flights, list)
        frames += connection(index, bytes(server), port, flights)
        if spec.get("keys", True):
            keylog += str(result["keylog"]).encode()
    return frames, keylog


def wrong(keylog: bytes) -> bytes:
    """Every secret with its last hex digit changed (the client randoms stay right)."""
    lines = []
    for line in keylog.splitlines():
        if line and not line.startswith(b"#"):
            line = line[:-1] + (b"0" if line[-1:] != b"0" else b"1")
        lines.append(line)
    return b"\n".join(lines) + b"\n"


def main() -> None:
    frames, keylog = build(SESSIONS)
    keys = secrets_block(keylog)
    files = {
        "tls-keys.pcapng": pcapng(frames, [keys]),
        "tls-keys-late.pcapng": pcapng(frames, [], [keys]),
        "tls-keys-none.pcapng": pcapng(frames, []),
        "tls-keys-wrong.pcapng": pcapng(frames, [secrets_block(wrong(keylog))]),
        "tls-keys-damaged.pcapng": pcapng(frames, [
            secrets_block(b"CLIENT_RANDOM 00", declared=4096),
            secrets_block(b"CLIENT_RANDOM zz 11\nnot a key log\nCLIENT_RANDOM " + b"ab" * 32 + b" 1234\n"),
            secrets_block(b"LOCAL_STATIC_PRIVATE_KEY=AAAA\n", kind=0x57474B4C), keys]),
    }
    h2_frames, h2_keylog = build(H2_SESSIONS)
    files["tls-keys-h2.pcapng"] = pcapng(h2_frames, [secrets_block(h2_keylog)])
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(name, len(data))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--session":
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(session(json.loads(sys.argv[2]), Path(folder))))
    else:
        main()
