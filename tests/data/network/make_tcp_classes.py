"""Write the captures of the TCP and name-value classes found on real captures (issue 18).

    .venv/bin/python tests/data/network/make_tcp_classes.py [nul rdp unfinished]

Ours, generated with scapy (same licence as exposure); each reproduces, with made-up names,
one way a real capture of nDPI's or Wireshark's test suites read differently in
``exposure names`` and tshark. ``expected/<name>.json`` beside them is what
``../shared/tools/tshark-names`` (TShark 4.0.17) printed for each when they were made.

- ``nul-in-names.pcap``: server names with a NUL byte in them (HTTP Host, TLS and QUIC server
  names), as in nDPI's ``fuzz-2006-09-29-28586.pcap``;
- ``rdp-tls.pcap``: RDP's X.224 negotiation on port 3389, then the TLS ClientHello, as in
  nDPI's ``rdp.pcap``;
- ``http-unfinished.pcap``: a request whose Host line arrived whole and in order but whose
  header block or announced body never completes (bytes never captured, a capture that ends),
  as in Wireshark's ``tcp-badsegments.pcap`` and nDPI's fuzz capture.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

from exposure.collect.net.quic import V1, client_initial_keys

HERE = Path(__file__).resolve().parent
CLIENT, SERVER = "192.0.2.30", "198.51.100.40"
CLIENT_SEQ, SERVER_SEQ = 20_000, 70_000


def frame(src: str, dst: str, sport: int, dport: int, flags: str, seq: int, ack: int, data: bytes = b"") -> Packet:
    packet = Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") / IP(src=src, dst=dst) / TCP(
        sport=sport, dport=dport, flags=flags, seq=seq, ack=ack)
    return packet / Raw(data) if data else packet


def connection(sport: int, dport: int, client_data: list[tuple[int, bytes]], replies: list[bytes] | None = None,
               close: bool = True) -> list[Packet]:
    """A handshake, then the client's segments at their offsets in the stream (in the order
    given), each followed by the server's next reply if any, then FINs unless ``close`` is
    false (a capture that stops mid-stream)."""
    c, s = CLIENT_SEQ, SERVER_SEQ
    out = [frame(CLIENT, SERVER, sport, dport, "S", c - 1, 0),
           frame(SERVER, CLIENT, dport, sport, "SA", s - 1, c),
           frame(CLIENT, SERVER, sport, dport, "A", c, s)]
    pending = list(replies or [])
    end = c + max(off + len(data) for off, data in client_data)
    for off, data in client_data:
        out.append(frame(CLIENT, SERVER, sport, dport, "PA", c + off, s, data))
        if pending:
            reply = pending.pop(0)
            out.append(frame(SERVER, CLIENT, dport, sport, "PA", s, c + off + len(data), reply))
            s += len(reply)
    if close:
        out.append(frame(CLIENT, SERVER, sport, dport, "FA", end, s))
        out.append(frame(SERVER, CLIENT, dport, sport, "FA", s, end + 1))
    return out


def client_hello(server_name: bytes) -> bytes:
    """A TLS ClientHello record naming ``server_name`` (bytes: it may hold a NUL)."""
    return b"\x16\x03\x01" + struct.pack("!H", len(_hello(server_name))) + _hello(server_name)


def _hello(server_name: bytes) -> bytes:
    sni = struct.pack("!HBH", len(server_name) + 3, 0, len(server_name)) + server_name
    exts = struct.pack("!HH", 0, len(sni)) + sni
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" \
        + struct.pack("!H", len(exts)) + exts
    return b"\x01" + len(body).to_bytes(3, "big") + body


def quic_initial(server_name: bytes, dcid: bytes) -> bytes:
    """A QUIC version 1 client Initial (RFC 9001 §5 protection) carrying a ClientHello."""
    hello = _hello(server_name)
    crypto = b"\x06\x00" + (0x4000 | len(hello)).to_bytes(2, "big") + hello
    payload = crypto + bytes(1100 - len(crypto))  # PADDING frames up to a 1,200-byte datagram
    keys = client_initial_keys(dcid, V1)
    assert keys is not None
    pn = 0
    length = 4 + len(payload) + 16
    header = bytes([0xC3]) + V1.to_bytes(4, "big") + bytes([len(dcid)]) + dcid + b"\x00\x00" \
        + bytes([0x40 | (length >> 8), length & 0xFF]) + pn.to_bytes(4, "big")
    nonce = (int.from_bytes(keys.iv, "big") ^ pn).to_bytes(12, "big")
    sealed = AESGCM(keys.key).encrypt(nonce, payload, header)
    encryptor = Cipher(algorithms.AES(keys.hp), modes.ECB()).encryptor()
    mask = encryptor.update(sealed[:16]) + encryptor.finalize()
    protected = bytearray(header)
    protected[0] ^= mask[0] & 0x0F
    for i in range(4):
        protected[len(header) - 4 + i] ^= mask[1 + i]
    return bytes(protected) + sealed


def write(name: str, packets: list[Packet]) -> None:
    for i, packet in enumerate(packets):
        packet.time = 1_700_100_000 + i
    wrpcap(str(HERE / name), packets)


def nul_in_names() -> None:
    """Names cut by a NUL byte: Wireshark's string fields (http.host, the TLS and QUIC server
    name) end at the NUL; a name that starts with one is empty."""
    packets = connection(43000, 80, [(0, b"GET / HTTP/1.1\r\nHost: nul-host.example\x00.junk\r\n\r\n")])
    packets += connection(43001, 80, [(0, b"GET / HTTP/1.1\r\nHost:\x00lead-nul.example\r\n\r\n")])
    packets += connection(43002, 80, [(0, b"POST /ctl HTTP/1.1\r\nHost:%s\x002.0.2.40\r\nContent-Length: 0\r\n\r\n")])
    packets += connection(43003, 443, [(0, client_hello(b"nul-sni.example\x00.junk"))])
    packets += connection(43004, 443, [(0, client_hello(b"\x00lead-sni.example"))])
    initial = quic_initial(b"nul-quic.example\x00.junk", bytes.fromhex("5a5a5a5a01020304"))
    packets.append(Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") / IP(src=CLIENT, dst=SERVER)
                   / UDP(sport=43005, dport=443) / Raw(initial))
    write("nul-in-names.pcap", packets)


def rdp_tls() -> None:
    """RDP (port 3389): the X.224 Connection Request and Confirm that negotiate TLS, then the
    client's ClientHello, once naming a host and once an IP literal (as Windows' client does
    when given an address)."""
    def x224(pdu_type: int, neg_type: int, protocols: int) -> bytes:
        neg = struct.pack("<BBHI", neg_type, 0, 8, protocols)
        cotp = bytes([6 + len(neg), pdu_type]) + b"\x00\x00\x00\x00\x00" + neg
        return b"\x03\x00" + struct.pack("!H", 4 + len(cotp)) + cotp

    request = x224(0xE0, 1, 0x0B)  # Connection Request: TLS, CredSSP, CredSSP with early user auth
    packets: list[Packet] = []
    for sport, name, selected in ((44000, b"rdp-host.example", 1), (44001, SERVER.encode(), 8)):
        confirm = x224(0xD0, 2, selected)  # Connection Confirm: TLS (1) or CredSSP with early auth (8)
        hello = client_hello(name)
        packets += connection(sport, 3389, [(0, request), (len(request), hello)], [confirm])
    write("rdp-tls.pcap", packets)


def http_unfinished() -> None:
    """Requests whose Host line arrived whole and in order, but whose message never completes:
    bytes after it never captured (the header block's end lies beyond a hole), or a body
    shorter than its Content-Length when the capture ends."""
    head = [b"GET /h HTTP/1.1\r\n", b"Host: hole.example\r\n", b"X-First: 1\r\n", b"X-Second: 2\r\n"]
    offsets = [0]
    for piece in head:
        offsets.append(offsets[-1] + len(piece))
    after_hole = offsets[-1] + 32  # 32 bytes never captured (the server acknowledges them)
    segments = [(offsets[0], head[0]), (offsets[1], head[1]), (offsets[3], head[3]), (offsets[2], head[2]),
                (after_hole, b"X-Last: 3\r\n\r\n")]
    packets = connection(45000, 80, segments)
    body = b"x" * 200
    packets += connection(45001, 80, [(0, b"POST /upload HTTP/1.1\r\nHost: body-cut.example\r\n"
                                          b"Content-Length: 5000\r\n\r\n" + body)], close=False)
    write("http-unfinished.pcap", packets)


MAKERS = {"nul": nul_in_names, "rdp": rdp_tls, "unfinished": http_unfinished}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
