"""Write the QUIC captures in this folder (ours, generated with scapy + cryptography; same licence as exposure).

    .venv/bin/python tests/data/network/make_quic_versions.py

Each capture holds client Initial packets carrying a TLS ClientHello, protected as the QUIC
version in their header says (packet protection and header protection, RFC 9001 §5 and the
drafts before it), so that a reader must know each version's salt to find the server name.
``expected/<name>.json`` beside them is what ``../shared/tools/tshark-names`` (TShark 4.0.17)
printed for each when they were made.

The key schedule is written out here again, apart from exposure's, with the salts as published:
RFC 9001 §5.2 (v1), RFC 9369 §3.3.1 (v2), draft-ietf-quic-tls-22/-23/-29 §5.2, and Google's
T050/T051 salts as Wireshark's QUIC dissector lists them. Facebook's mvfst versions use the salt
of the draft they follow (0xfaceb001: draft-22; 0xfaceb002 and 0xfaceb00e: draft-27), and
Wireshark reads the reserved versions 0x?a?a?a?a with the draft-29 salt.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
CLIENT, SERVER = "192.0.2.10", "198.51.100.20"
SRC_MAC, DST_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"

SALT_V1 = "38762cf7f55934b34d179ae6a4c80cadccbb7f0a"
SALT_V2 = "0dede3def700a6db819381be6e269dcbf9bd2ed9"
SALT_DRAFT_22 = "7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a"
SALT_DRAFT_23 = "c3eef712c72ebb5a11a7d2432bb46365bef9f502"
SALT_DRAFT_29 = "afbfec289993d24c9e9786f19c6111e04390a899"
SALT_T050 = "7ff579e5acd072915580304c43a2367c60488310"
SALT_T051 = "7a4edef4e7ccee5fa4506c19124fc8ccda6e033d"

GOOGLE_T05X = (0x54303530, 0x54303531)

# (version, salt, server name): one connection each, in the capture quic-versions.pcap
VERSIONS = [
    (0x00000001, SALT_V1, "v1.quic.example"),
    (0x6B3343CF, SALT_V2, "v2.quic.example"),
    (0xFF000016, SALT_DRAFT_22, "draft22.quic.example"),
    (0xFF000017, SALT_DRAFT_23, "draft23.quic.example"),
    (0xFF00001B, SALT_DRAFT_23, "draft27.quic.example"),
    (0xFF00001D, SALT_DRAFT_29, "draft29.quic.example"),
    (0xFF000020, SALT_DRAFT_29, "draft32.quic.example"),
    (0xFF000022, SALT_V1, "draft34.quic.example"),
    (0xFACEB001, SALT_DRAFT_22, "mvfst22.quic.example"),
    (0xFACEB002, SALT_DRAFT_23, "mvfst27.quic.example"),
    (0xFACEB00E, SALT_DRAFT_23, "mvfst-exp.quic.example"),
    (0x54303530, SALT_T050, "t050.quic.example"),
    (0x54303531, SALT_T051, "t051.quic.example"),
    # reserved versions (0x?a?a?a?a, RFC 9000 §15) read with the draft-29 salt, as tshark 4.0 does
    (0x0A0A0A0A, SALT_DRAFT_29, "grease-0a.quic.example"),
    (0x1A2A3A4A, SALT_DRAFT_29, "grease-1a.quic.example"),
]

# versions tshark 4.0 has no salt for, protected with a salt of a known version; and a known
# version protected with a salt that is not its own (no reader may report a name from these)
UNKNOWN = [
    (0xFACEB011, SALT_V1, "mvfst-v1-salt.quic.example"),
    (0x5A6B7C8D, SALT_DRAFT_29, "unknown-d29-salt.quic.example"),
    (0x00000001, SALT_DRAFT_29, "wrong-salt.quic.example"),
    (0x1A2A3A4A, SALT_V1, "grease-v1-salt.quic.example"),
]


def hkdf_label(secret: bytes, label: str, length: int) -> bytes:
    """HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for outputs up to one hash long."""
    full = b"tls13 " + label.encode()
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


def client_keys(dcid: bytes, salt: str, v2: bool) -> tuple[bytes, bytes, bytes]:
    initial = hmac.new(bytes.fromhex(salt), dcid, hashlib.sha256).digest()
    client = hkdf_label(initial, "client in", 32)
    prefix = "quicv2 " if v2 else "quic "
    return hkdf_label(client, prefix + "key", 16), hkdf_label(client, prefix + "iv", 12), \
        hkdf_label(client, prefix + "hp", 16)


def client_hello(server_name: str, quic_params_ext: int) -> bytes:
    """A TLS 1.3 ClientHello handshake message (no record header, as CRYPTO frames carry it)."""
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    exts = struct.pack("!HH", 0, len(sni)) + sni
    exts += struct.pack("!HHB", 43, 3, 2) + b"\x03\x04"  # supported_versions: TLS 1.3
    exts += struct.pack("!HH", 10, 4) + b"\x00\x02\x00\x1d"  # supported_groups: x25519
    exts += struct.pack("!HH", 51, 38) + b"\x00\x24\x00\x1d\x00\x20" + bytes(range(32))  # key_share
    exts += struct.pack("!HH", 16, 5) + b"\x00\x03\x02h3"  # ALPN
    exts += struct.pack("!HH", quic_params_ext, 3) + b"\x04\x01\x00"  # transport parameters
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" \
        + struct.pack("!H", len(exts)) + exts
    return b"\x01" + len(body).to_bytes(3, "big") + body


def initial(version: int, salt: str, dcid: bytes, scid: bytes, server_name: str, pn: int = 0) -> bytes:
    """One client Initial, padded to 1200 bytes, with a 2-byte packet number."""
    v2 = salt == SALT_V2
    hello = client_hello(server_name, 0x39 if version in (1, 0x6B3343CF) else 0xFFA5)
    crypto = 0x08 if version in GOOGLE_T05X else 0x06  # Google's T050/T051 number CRYPTO frames 0x08
    frames = bytes([crypto, 0]) + (0x4000 | len(hello)).to_bytes(2, "big") + hello
    pn_len = 2
    header_len = 1 + 4 + 1 + len(dcid) + 1 + len(scid) + 1 + 2 + pn_len
    frames += bytes(1200 - header_len - 16 - len(frames))  # PADDING frames
    length = pn_len + len(frames) + 16
    first = 0xC0 | ((1 if v2 else 0) << 4) | (pn_len - 1)
    header = bytes([first]) + version.to_bytes(4, "big") + bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid \
        + b"\x00" + (0x4000 | length).to_bytes(2, "big") + pn.to_bytes(pn_len, "big")
    key, iv, hp = client_keys(dcid, salt, v2)
    nonce = (int.from_bytes(iv, "big") ^ pn).to_bytes(12, "big")
    sealed = AESGCM(key).encrypt(nonce, frames, header)
    sample = sealed[4 - pn_len:4 - pn_len + 16]  # RFC 9001 §5.4.2: 4 bytes after the packet number starts
    encryptor = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = encryptor.update(sample) + encryptor.finalize()
    out = bytearray(header + sealed)
    out[0] ^= mask[0] & 0x0F
    pn_at = len(header) - pn_len
    for i in range(pn_len):
        out[pn_at + i] ^= mask[1 + i]
    assert len(out) == 1200
    return bytes(out)


def datagram(payload: bytes, sport: int, at: float) -> Packet:
    packet = Ether(src=SRC_MAC, dst=DST_MAC) / IP(src=CLIENT, dst=SERVER) / UDP(sport=sport, dport=443) / Raw(payload)
    packet.time = at
    return packet


def connections(table: list[tuple[int, str, str]], first_port: int) -> list[Packet]:
    out = []
    for i, (version, salt, name) in enumerate(table):
        dcid = hashlib.sha256(name.encode()).digest()[:8]
        scid = bytes([i + 1]) * 4
        out.append(datagram(initial(version, salt, dcid, scid, name), first_port + i, 1_700_000_000 + i))
    return out


def versions() -> None:
    wrpcap(str(HERE / "quic-versions.pcap"), connections(VERSIONS, 50000))


def unknown_versions() -> None:
    wrpcap(str(HERE / "quic-unknown-versions.pcap"), connections(UNKNOWN, 51000))


MAKERS = {"versions": versions, "unknown": unknown_versions}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
