"""Write captures whose server name comes after more bytes than exposure once read (ours, generated
with scapy; same licence as exposure). Security review r3, item 4: 8 KiB of HTTP headers before
``Host``, or a ClientHello over 24 KiB (a padding extension before the server name), hid the name;
tshark reads both.

    .venv/bin/python tests/data/network/make_long_heads.py

- ``http-long-head.pcap``: a GET with 9 headers of 1 KB, then ``Host: s1.spylive360.com``;
- ``tls-long-hello.pcap``: a ClientHello with 30,000 bytes of padding, then the server name
  ``s1.spylive360.com``, in records of 16,000 bytes;
- ``tls-long-hello-tiny-records.pcap``: the same ClientHello in records of 200 bytes, more than
  exposure keeps (the cut is counted and said).
"""

from __future__ import annotations

import struct
from pathlib import Path

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

HERE = Path(__file__).resolve().parent
NAME = b"s1.spylive360.com"
CLIENT, SERVER = "192.0.2.10", "198.51.100.7"
MAC_CLIENT, MAC_SERVER = "02:00:00:00:00:01", "02:00:00:00:00:02"
SEGMENT = 1400


def conversation(request: bytes, port: int) -> list[Packet]:
    out = Ether(src=MAC_CLIENT, dst=MAC_SERVER) / IP(src=CLIENT, dst=SERVER)
    back = Ether(src=MAC_SERVER, dst=MAC_CLIENT) / IP(src=SERVER, dst=CLIENT)
    packets: list[Packet] = [out / TCP(sport=44444, dport=port, flags="S", seq=1000),
                             back / TCP(sport=port, dport=44444, flags="SA", seq=5000, ack=1001),
                             out / TCP(sport=44444, dport=port, flags="A", seq=1001, ack=5001)]
    for i in range(0, len(request), SEGMENT):
        packets.append(out / TCP(sport=44444, dport=port, flags="PA", seq=1001 + i, ack=5001)
                       / Raw(request[i:i + SEGMENT]))
    for i, packet in enumerate(packets):
        packet.time = 1_700_000_000 + i / 100
    return packets


def long_head(headers: int = 9) -> bytes:
    lines = b"".join(b"X-P%d: %s\r\n" % (i, b"a" * 1000) for i in range(headers))
    return b"GET /x HTTP/1.1\r\n" + lines + b"Host: " + NAME + b"\r\n\r\n"


def client_hello(padding: int) -> bytes:
    """A ClientHello (handshake header included): two cipher suites, padding, then the server name."""
    sni = struct.pack("!HBH", len(NAME) + 3, 0, len(NAME)) + NAME
    extensions = struct.pack("!HH", 21, padding) + bytes(padding) + struct.pack("!HH", 0, len(sni)) + sni
    body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 4) + b"\x13\x01\xc0\x2f" + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    return b"\x01" + len(body).to_bytes(3, "big") + body


def records(message: bytes, size: int) -> bytes:
    return b"".join(b"\x16\x03\x01" + struct.pack("!H", len(message[i:i + size])) + message[i:i + size]
                    for i in range(0, len(message), size))


def main() -> None:
    wrpcap(str(HERE / "http-long-head.pcap"), conversation(long_head(), 80))
    wrpcap(str(HERE / "tls-long-hello.pcap"), conversation(records(client_hello(30_000), 16_000), 443))
    wrpcap(str(HERE / "tls-long-hello-tiny-records.pcap"), conversation(records(client_hello(30_000), 200), 443))


if __name__ == "__main__":
    main()
