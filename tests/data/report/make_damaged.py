"""Make the two small damaged captures of tests/report/test_reasons.py (run from the repository:
``python tests/data/report/make_damaged.py``; they are committed, so tests never make them).

``damaged-reasons.pcapng``: one whole DNS query, then frames damaged in the ways a crafted or
cut-off capture is (an IPv4 header too short, a TCP header too short, a UDP length below its
header, a DNS message that is not one, a frame cut short, a loopback frame that is not IP, a
frame of a link type exposure does not read), and a last block cut off by the end of the file.
``damaged-first.pcap``: a pcap whose first packet record claims an impossible length, so the
file is damaged before its first whole packet. Built with struct alone, byte by byte.
"""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
ETHERNET, NULL_LOOPBACK, USER0 = 1, 0, 147
CLIENT, RESOLVER = bytes([192, 168, 77, 23]), bytes([192, 168, 77, 1])


def _checksum(header: bytes) -> int:
    total: int = sum(struct.unpack(f"!{len(header) // 2}H", header))
    total = (total >> 16) + (total & 0xFFFF)
    return int(~(total + (total >> 16)) & 0xFFFF)


def ipv4(payload: bytes, proto: int, ihl_words: int = 5) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl_words, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                         CLIENT, RESOLVER)
    header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
    return header + payload


def ether(packet: bytes) -> bytes:
    return b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\xde\x00\x01" + b"\x08\x00" + packet


def udp(sport: int, dport: int, payload: bytes, length: int | None = None) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload) if length is None else length, 0) + payload


def dns_query(name: str) -> bytes:
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\x00"
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + labels + struct.pack("!HH", 1, 1)


def block(kind: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def packet_block(interface: int, seconds: int, frame: bytes) -> bytes:
    micros = seconds * 1_000_000
    return block(6, struct.pack("<IIIII", interface, micros >> 32, micros & 0xFFFFFFFF, len(frame), len(frame)) + frame)


def damaged_reasons() -> bytes:
    section = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    interfaces = b"".join(block(1, struct.pack("<HHI", link, 0, 65535)) for link in (ETHERNET, NULL_LOOPBACK, USER0))
    tcp_short_header = struct.pack("!HHIIBBHHH", 40000, 443, 1, 0, 0x30, 0x02, 65535, 0, 0)
    frames = [
        (0, ether(ipv4(udp(53000, 53, dns_query("example.org")), 17))),  # whole: the capture is read
        (0, ether(ipv4(b"\x00" * 8, 17, ihl_words=3))),  # IPv4 header length 12 bytes: bad IP header
        (0, ether(ipv4(tcp_short_header, 6))),  # TCP header length 12 bytes: bad TCP header
        (0, ether(ipv4(udp(53001, 9999, b"abcd", length=4), 17))),  # UDP length 4: bad UDP header
        (0, ether(ipv4(udp(53002, 53, b"\xff" * 7), 17))),  # not a DNS message: damaged DNS message
        (0, ether(ipv4(udp(53003, 53, dns_query("example.net")), 17))[:30]),  # cut short: truncated packet
        (1, struct.pack("<I", 99) + b"\x00" * 16),  # loopback family 99: not IP
        (2, b"\x00" * 24),  # link type 147 (a private one): unsupported
    ]
    blocks = b"".join(packet_block(interface, 1_700_000_000 + i, frame) for i, (interface, frame) in enumerate(frames))
    last = packet_block(0, 1_700_000_100, ether(ipv4(udp(53004, 53, dns_query("example.com")), 17)))
    return section + interfaces + blocks + last[:40]  # the last block cut off by the end of the file


def damaged_first() -> bytes:
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, ETHERNET)
    return header + struct.pack("<IIII", 1_700_000_000, 0, 0x7FFFFFF0, 0x7FFFFFF0) + b"\x00" * 32


def main() -> None:
    (HERE / "damaged-reasons.pcapng").write_bytes(damaged_reasons())
    (HERE / "damaged-first.pcap").write_bytes(damaged_first())


if __name__ == "__main__":
    main()
