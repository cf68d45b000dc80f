"""The shapes of WireGuard and OpenVPN messages (``exposure/collect/net/vpn.py``): each form is
told, its halves are not a tunnel, and no cut or damaged message stops a scan."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from exposure.collect.base import CollectContext
from exposure.collect.net import vpn
from exposure.collect.net.results import MIN_STEPS, FlowSeen
from exposure.collect.pcap import PcapCollector

NOW = 1_700_300_000.0
CLIENT_SID, SERVER_SID = bytes(range(1, 9)), bytes(range(11, 19))
REPLAY = struct.pack("!II", 1, int(NOW) - 3600)


def client_plain() -> bytes:
    return b"\x38" + CLIENT_SID + b"\x00" + bytes(4)


def server_plain() -> bytes:
    return b"\x40" + SERVER_SID + b"\x01" + bytes(4) + CLIENT_SID + bytes(4)


def client_tls_auth(hmac: int) -> bytes:
    return b"\x38" + CLIENT_SID + bytes(range(hmac)) + REPLAY + b"\x00" + bytes(4)


def server_tls_auth(hmac: int) -> bytes:
    return b"\x40" + SERVER_SID + bytes(range(hmac)) + REPLAY + b"\x01" + bytes(4) + CLIENT_SID + bytes(4)


def client_tls_crypt() -> bytes:
    return b"\x38" + CLIENT_SID + REPLAY + bytes(32) + bytes(range(5))


def client_v3() -> bytes:
    return b"\x50" + CLIENT_SID + REPLAY + bytes(32) + bytes(range(5)) + bytes(range(200))


def server_tls_crypt(tlv: bool = False) -> bytes:
    return b"\x40" + SERVER_SID + REPLAY + bytes(32) + bytes(range(17 + (6 if tlv else 0)))


def told(messages: list[tuple[int, bytes]], tcp: bool = False) -> str | None:
    flow = FlowSeen(NOW)
    for direction, message in messages:
        if tcp:
            vpn.tcp_payload(flow, direction, struct.pack("!H", len(message)) + message, NOW, (50000, 443))
        else:
            vpn.udp_message(flow, direction, message, NOW, (50000, 443))
    return flow.vpn.kind() if flow.vpn is not None else None


@pytest.mark.parametrize(("client", "server"), [
    (client_plain(), server_plain()),
    (client_plain(), b"\x40" + SERVER_SID + b"\x00" + bytes(4)),  # a server that acknowledges later
    *[(client_tls_auth(h), server_tls_auth(h)) for h in vpn.HMAC_SIZES],
    (client_tls_crypt(), server_tls_crypt()),
    (client_v3(), server_tls_crypt(tlv=True)),
])
@pytest.mark.parametrize("tcp", [False, True])
def test_each_form_of_openvpns_resets_is_a_tunnel_only_with_both(client: bytes, server: bytes, tcp: bool) -> None:
    assert told([(0, client), (1, server)], tcp) == "openvpn"
    assert told([(1, client), (0, server)], tcp) == "openvpn"  # whichever end the flow's client is
    assert told([(0, client)], tcp) is None
    assert told([(1, server)], tcp) is None
    assert told([(0, client), (0, server)], tcp) is None  # both one way: not a session


def test_a_reset_one_byte_longer_or_shorter_or_from_another_time_is_not_one() -> None:
    for client in (client_plain(), client_tls_auth(20), client_tls_crypt()):
        assert told([(0, client + b"\x00"), (1, server_plain())]) is None
        assert told([(0, client[:-1]), (1, server_plain())]) is None
    late = client_tls_auth(20).replace(REPLAY, struct.pack("!II", 1, int(NOW) + 90 * 86400))
    assert told([(0, late), (1, server_tls_auth(20))]) is None
    many = client_tls_auth(20).replace(REPLAY, struct.pack("!II", 1000, int(NOW)))
    assert told([(0, many), (1, server_tls_auth(20))]) is None


def wg_data(receiver: bytes, counter: int, size: int = 64) -> bytes:
    return b"\x04\x00\x00\x00" + receiver + struct.pack("<Q", counter) + bytes(size - 16)


def test_a_wireguard_handshake_is_an_initiation_answered_by_its_index() -> None:
    initiation = b"\x01\x00\x00\x00" + b"ABCD" + bytes(140)
    response = b"\x02\x00\x00\x00" + b"WXYZ" + b"ABCD" + bytes(80)
    assert told([(0, initiation), (1, response)]) == "wireguard"
    assert told([(0, initiation), (1, response.replace(b"ABCD", b"ABCE"))]) is None  # answers another
    assert told([(0, initiation), (0, response)]) is None
    assert told([(0, initiation + b"\x00"), (1, response)]) is None


def test_wireguard_data_counts_up_both_ways() -> None:
    steps = MIN_STEPS + 1
    both = [(d, wg_data(b"ab%d_" % d, 100 + i)) for i in range(steps) for d in (0, 1)]
    assert told(both) == "wireguard"
    assert told([m for m in both if m[0] == 0]) is None  # one way only
    assert told([(d, wg_data(b"ab%d_" % d, 100 - i)) for i in range(steps) for d in (0, 1)]) is None
    assert told([(d, wg_data(b"ab%d_" % d, 100 + i, 70)) for i in range(steps) for d in (0, 1)]) is None  # padding
    assert told([(d, wg_data(b"ab%d_" % d, (1 << 50) + i)) for i in range(steps) for d in (0, 1)]) is None
    assert told([(d, wg_data(bytes([i, d, 0, 0]), 100 + i)) for i in range(steps) for d in (0, 1)]) is None


def test_no_cut_or_damaged_message_raises() -> None:
    rng = random.Random(7)
    messages = [client_plain(), server_plain(), client_tls_auth(32), server_tls_auth(32), client_tls_crypt(),
                client_v3(), server_tls_crypt(), b"\x01\x00\x00\x00" + bytes(144), b"\x02\x00\x00\x00" + bytes(88),
                wg_data(b"abcd", 1)]
    for message in messages:
        for cut in range(1, len(message) + 1):
            flow = FlowSeen(NOW)
            vpn.udp_message(flow, 0, message[:cut], NOW, (1, 2))
            for length in (0, 1, cut - 1, cut, cut + 1, 0xFFFF):
                vpn.tcp_payload(flow, 1, struct.pack("!H", length) + message[:cut], NOW, (1, 2))
        for _ in range(200):
            damaged = bytearray(message)
            damaged[rng.randrange(1, len(damaged))] = rng.randrange(256)
            vpn.udp_message(FlowSeen(NOW), 0, bytes(damaged), NOW, (1, 2))


def test_a_tcp_segment_with_a_zero_length_before_a_reset_opcode_is_read_on(tmp_path: Path) -> None:
    """``00 00 38``: a length of 0, then a reset's opcode, stopped the scan (IndexError) on three
    real captures (nDPI's 1kxun.pcap, wa_voice.pcap)."""
    phone, server = "192.168.7.20", "198.51.100.9"
    packets = [Ether() / IP(src=phone, dst=server) / TCP(sport=50000, dport=443, flags="S", seq=1),
               Ether() / IP(src=server, dst=phone) / TCP(sport=443, dport=50000, flags="SA", seq=100, ack=2),
               Ether() / IP(src=phone, dst=server) / TCP(sport=50000, dport=443, flags="A", seq=2, ack=101)]
    for i, payload in enumerate((b"\x00\x00\x38", b"\x00\x00\x40\x00", b"\x00\x01\x50", b"\x01\x00\x38" + bytes(5))):
        packets.append(Ether() / IP(src=phone, dst=server) / TCP(sport=50000, dport=443, flags="PA", seq=2 + 10 * i,
                                                                ack=101) / Raw(payload))
    capture = tmp_path / "zero-length.pcap"
    wrpcap(str(capture), packets)
    collector = PcapCollector(str(capture))
    list(collector.collect(CollectContext()))
    assert collector.info.counts["packets"] == 7
    assert not [k for k in collector.info.counts if "tunnel" in k]
