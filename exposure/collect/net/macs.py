"""Which hardware (MAC) address each client address was seen with, so that a device seen under
IPv4 and IPv6 (or under several addresses) is known to be one device.

The table is filled only when a client address is new (the flow table calls it when it starts
a flow for a client it has not seen yet) and only from a frame whose link layer names the
hardware address: Ethernet and Wi-Fi as captured on a computer (with at most one VLAN tag).
The frame is checked to carry the client address itself in its IP header, so a tunnelled
packet (the outer frame belongs to the tunnel's ends) or a frame of another link teaches
nothing; the client is then tried again at its next new flow. Capped: a capture with more
client addresses than ``MAX_CLIENTS`` leaves the rest without a hardware address.
"""

from __future__ import annotations

MAX_CLIENTS = 4096
_IPV4 = b"\x08\x00"
_IPV6 = b"\x86\xdd"
_VLAN = b"\x81\x00"


class ClientMacs:
    """Client address (raw bytes) -> hardware address (6 raw bytes)."""

    __slots__ = ("by_client",)

    def __init__(self) -> None:
        self.by_client: dict[bytes, bytes] = {}

    def learn(self, client: bytes, frame: bytes) -> None:
        """Note the hardware address ``client`` has in ``frame`` (an Ethernet frame), if it
        is new, the frame carries ``client`` in its IP header, and the table has room."""
        table = self.by_client
        if client in table or len(table) >= MAX_CLIENTS or len(frame) < 34 or not any(client):
            return  # (0.0.0.0 and :: are a device asking for an address: DHCP, duplicate detection)
        off = 14
        etype = frame[12:14]
        if etype == _VLAN:
            etype, off = frame[16:18], 18
        if etype == _IPV4 and len(client) == 4:
            src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        elif etype == _IPV6 and len(client) == 16:
            src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        else:
            return
        mac = frame[6:12] if src == client else frame[0:6] if dst == client else b""
        if len(mac) == 6 and not mac[0] & 1 and mac != b"\x00" * 6:  # never a group address
            table[client] = mac


def mac_text(raw: bytes) -> str:
    """``02:00:5e:10:00:01``."""
    return ":".join(f"{b:02x}" for b in raw)
