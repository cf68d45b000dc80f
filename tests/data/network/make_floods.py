"""Write captures that flood exposure's tables before one contact with a stalkerware server (ours,
written byte by byte; same licence as exposure). They are megabytes, so tests write them in a
temporary folder instead of keeping them here:

- :func:`dns_flood`: ``decoys`` lookups of distinct names (``r0000000.cdn-example.net``, ...)
  from one device, then one lookup of ``tail``;
- :func:`flow_flood`: ``decoys`` UDP conversations (one server, then others, distinct ports),
  then three TCP SYNs to ``server`` port 443.

The security review r3 (untrusted input, item 2) showed that 50,001 of either hid the contact.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

ETHERNET = bytes.fromhex("02000000000202000000000108" + "00")
CLIENT = bytes([192, 168, 1, 50])
RESOLVER = bytes([8, 8, 8, 8])
START = 1_700_000_000
HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def _ip(proto: int, src: bytes, dst: bytes, payload: bytes, ident: int) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0, 64, proto, 0, src,
                       dst) + payload


def _record(k: int, frame: bytes) -> bytes:
    return struct.pack("<IIII", START + k // 1000, k % 1000 * 1000, len(frame), len(frame)) + frame


def dns_lookup(name: str, k: int) -> bytes:
    qname = b"".join(bytes([len(label)]) + label for label in name.encode().split(b".")) + b"\0"
    dns = struct.pack("!HHHHHH", k & 0xFFFF, 0x0100, 1, 0, 0, 0) + qname + b"\x00\x01\x00\x01"
    udp = struct.pack("!HHHH", 40000 + k % 1000, 53, 8 + len(dns), 0) + dns
    return ETHERNET + _ip(17, CLIENT, RESOLVER, udp, k)


def dns_flood(path: Path, decoys: int, tail: str) -> None:
    def frames() -> Iterator[bytes]:
        for k in range(decoys):
            yield _record(k, dns_lookup(f"r{k:07d}.cdn-example.net", k))
        yield _record(decoys + 1000, dns_lookup(tail, decoys))

    path.write_bytes(HEADER + b"".join(frames()))


def flow_flood(path: Path, decoys: int, server: bytes) -> None:
    def frames() -> Iterator[bytes]:
        for k in range(decoys):
            dst = bytes([93, 184, 216, 34]) if k < 60_000 else bytes([93, 184, (k >> 8) & 255, k & 255])
            port = 1024 + k % 60_000 if k < 60_000 else 9999
            udp = struct.pack("!HHHH", 40000, port, 16, 0) + b"x" * 8
            yield _record(k, ETHERNET + _ip(17, CLIENT, dst, udp, k))
        for j in range(3):
            syn = struct.pack("!HHIIBBHHH", 45000, 443, 1000, 0, 0x50, 0x02, 65535, 0, 0)
            yield _record(decoys + 1000 * (j + 1), ETHERNET + _ip(6, CLIENT, server, syn, decoys + j))

    path.write_bytes(HEADER + b"".join(frames()))
