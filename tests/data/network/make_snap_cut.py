"""Write the captures of packets cut short by a small snapshot length (ours, generated with scapy;
same licence as exposure).

    .venv/bin/python tests/data/network/make_snap_cut.py

``snap-cut.pcap`` and ``snap-cut.pcapng`` are what ``tcpdump -s 96`` records of the same traffic:
each round has a short DNS query (kept whole), a long DNS query, an HTTP request and a TLS
ClientHello (cut after 96 bytes, their names lost), and a small frame whose original length
counts a frame check sequence the capture left out (not cut). ``snap-uncut.pcap`` is the same
traffic kept whole.
"""

from __future__ import annotations

import struct
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName
from scapy.layers.tls.handshake import TLSClientHello
from scapy.layers.tls.record import TLS
from scapy.packet import Raw

HERE = Path(__file__).resolve().parent
SNAP = 96
ROUNDS = 20
FCS = 4
CLIENT, SERVER = "192.0.2.10", "198.51.100.7"
MAC_SRC, MAC_DST = "02:00:00:00:00:01", "02:00:00:00:00:02"


def frames(i: int) -> list[tuple[bytes, int]]:
    """One round: (frame, original length) pairs."""
    eth = Ether(src=MAC_SRC, dst=MAC_DST) / IP(src=CLIENT, dst=SERVER)
    short = eth / UDP(sport=40000 + i, dport=53) / DNS(id=i, qd=DNSQR(qname="short.example"))
    long_name = "a-long-name-that-does-not-fit-in-ninety-six-bytes.cut.example"
    lookup = eth / UDP(sport=41000 + i, dport=53) / DNS(id=i, qd=DNSQR(qname=long_name))
    http = eth / TCP(sport=42000 + i, dport=80, flags="PA", seq=1) / Raw(
        b"GET /a/path/long/enough/to/push/the/host/past/the/cut HTTP/1.1\r\nHost: http-cut.example\r\n\r\n")
    sni = TLS_Ext_ServerName(servernames=[ServerName(servername=b"sni-cut.example")])  # type: ignore[no-untyped-call]
    hello = TLSClientHello(gmt_unix_time=0, random_bytes=bytes(28), ciphers=[0x1301],  # type: ignore[no-untyped-call]
                           ext=[sni])
    tls = eth / TCP(sport=43000 + i, dport=443, flags="PA", seq=1) / TLS(msg=[hello])  # type: ignore[no-untyped-call]
    small = eth / UDP(sport=44000 + i, dport=9) / Raw(b"x" * 20)
    out = [(bytes(p), len(bytes(p))) for p in (short, lookup, http, tls)]
    out.append((bytes(small), len(bytes(small)) + FCS))  # the driver counted the FCS it left out
    return out


def records(cut: bool) -> list[tuple[float, bytes, int]]:
    out = []
    for i in range(ROUNDS):
        for j, (frame, wire) in enumerate(frames(i)):
            out.append((1_700_000_000.0 + i + j / 10, frame[:SNAP] if cut else frame, wire))
    return out


def write_pcap(path: Path, cut: bool) -> None:
    body = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAP if cut else 65535, 1)]
    for ts, data, wire in records(cut):
        body.append(struct.pack("<IIII", int(ts), round(ts % 1 * 1e6), len(data), wire) + data)
    path.write_bytes(b"".join(body))


def block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def write_pcapng(path: Path) -> None:
    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)), block(1, struct.pack("<HHI", 1, 0, SNAP))]
    for ts, data, wire in records(True):
        micros = round(ts * 1e6)
        out.append(block(6, struct.pack("<IIIII", 0, micros >> 32, micros & 0xFFFFFFFF, len(data), wire) + data))
    path.write_bytes(b"".join(out))


def main() -> None:
    write_pcap(HERE / "snap-cut.pcap", True)
    write_pcapng(HERE / "snap-cut.pcapng")
    write_pcap(HERE / "snap-uncut.pcap", False)


if __name__ == "__main__":
    main()
