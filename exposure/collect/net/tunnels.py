"""Tunnels: GRE (with ERSPAN, transparent Ethernet, PPTP's PPP), IPsec's Authentication Header and
IP Payload Compression (``_ipsec``), and over UDP VXLAN, Teredo,
Geneve, GTP-U and L2TP (version 2: the PPP sessions of DSL lines and VPNs), and WireGuard when
the capture carries its keys (``wireguard``). Each unwraps the inner frame or packet and hands
it back to the link or IP layer one level deeper (the extractor stops at ``MAX_DEPTH``). A mixin
of the extractor.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from exposure.collect.net.links import LinkLayers

if TYPE_CHECKING:
    from exposure.collect.net.wg_keys import WireGuardKeys
    from exposure.collect.net.wireguard import WireGuardTunnels

MAX_DEPTH = 6  # tunnels and headers inside one another: deeper is counted as undecoded
IP_AH = 51  # IPsec Authentication Header (RFC 4302): signs the packet, does not encrypt it
IP_COMP = 108  # IP Payload Compression (RFC 3173)
MAX_INFLATED = 65535  # an IPComp payload is inflated to at most an IP datagram's largest size
UDP_VXLAN = 4789
UDP_TEREDO = 3544
UDP_GENEVE = 6081
UDP_GTP_U = 2152
UDP_L2TP = 1701
UDP_TUNNEL_PORTS = frozenset({UDP_VXLAN, UDP_TEREDO, UDP_GENEVE, UDP_GTP_U, UDP_L2TP})
GRE_TRANSPARENT_ETHERNET = 0x6558
GRE_ERSPAN_2 = 0x88BE
GRE_ERSPAN_3 = 0x22EB
GRE_PPP = 0x880B
# L2TPv2 header flags (RFC 2661 3.1): a control message, Length, Sequence and Offset fields present
L2TP_CONTROL, L2TP_LENGTH, L2TP_SEQUENCE, L2TP_OFFSET = 0x8000, 0x4000, 0x0800, 0x0200
L2TP_VERSION_2 = 2


class Tunnels(LinkLayers):
    wireguard: WireGuardTunnels | None = None  # made by the first WireGuard message of a capture with its keys

    def _bad_parsed(self, reason: str) -> None:
        raise NotImplementedError

    def _timed_out(self, reason: str) -> None:
        raise NotImplementedError

    def _l4(self, proto: int, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float,
            depth: int, quoted: bool, size: int) -> None:
        raise NotImplementedError

    def _ipsec(self, proto: int, src: bytes, dst: bytes, data: bytes, off: int, end: int, ts: float,
               depth: int, size: int) -> None:
        """An Authentication Header (sent in clear: what follows it is read as if it were not
        there) or an IPComp header, whose payload is inflated (raw DEFLATE, RFC 2394, whatever its
        CPI says, as Wireshark tries it; zlib's own header is taken too)."""
        if depth > MAX_DEPTH:
            self._bad("too many nested tunnels")
            return
        if proto == IP_AH:
            if end - off < 12:
                self._bad("truncated packet")
                return
            nh, pos = data[off], off + (data[off + 1] + 2) * 4
            if pos > end:
                self._bad("truncated packet")
                return
            self._l4(nh, src, dst, data, pos, end, ts, depth + 1, False, size)
            return
        if end - off < 4:
            self._bad("truncated packet")
            return
        inflated = b""
        for wbits in (-15, 47):  # raw DEFLATE, then with a zlib or gzip header
            try:
                inflated = zlib.decompressobj(wbits).decompress(data[off + 4:end], MAX_INFLATED)
                break
            except zlib.error:
                continue
        if not inflated:
            self._bad("damaged packet")
            return
        self._l4(data[off], src, dst, inflated, 0, len(inflated), ts, depth + 1, False, size)

    def _wireguard(self, keys: WireGuardKeys, payload: bytes, ts: float, depth: int) -> bool:
        """A UDP datagram of a capture with WireGuard keys: True when it was a WireGuard message of
        a tunnel they open (the IP packet of a transport message is read one level deeper)."""
        if not 0 < payload[0] <= 4:  # the caller gives a payload of at least one byte
            return False
        tunnels = self.wireguard
        if tunnels is None:
            from exposure.collect.net.wireguard import WireGuardTunnels  # cryptography: only with keys

            tunnels = self.wireguard = WireGuardTunnels(keys, self._bad_parsed, self._timed_out)
        inner = tunnels.datagram(payload)
        if inner is None:
            return False
        if inner:
            self._ip(inner, 0, len(inner), ts, depth + 1, False)
        return True

    def _udp_tunnel(self, sport: int, dport: int, payload: bytes, ts: float, depth: int) -> None:
        """A UDP datagram to or from one of ``UDP_TUNNEL_PORTS``."""
        if dport == UDP_VXLAN or sport == UDP_VXLAN:
            if len(payload) >= 8 + 14 and payload[0] & 0x08:
                self._ether(payload, 8, ts, depth + 1)
        elif dport == UDP_TEREDO or sport == UDP_TEREDO:
            self._teredo(payload, ts, depth)
        elif dport == UDP_L2TP or sport == UDP_L2TP:
            self._l2tp(payload, ts, depth)
        elif dport == UDP_GENEVE or sport == UDP_GENEVE:
            if len(payload) >= 8:
                hlen = 8 + (payload[0] & 0x3F) * 4
                ptype = (payload[2] << 8) | payload[3]
                if ptype == GRE_TRANSPARENT_ETHERNET:
                    self._ether(payload, hlen, ts, depth + 1)
                else:
                    self._ethertype(ptype, payload, hlen, ts, depth + 1)
        else:
            self._gtp(payload, ts, depth)

    def _gre(self, data: bytes, off: int, end: int, ts: float, depth: int) -> None:
        if end - off < 4:
            self._bad("truncated packet")
            return
        flags, ver = data[off], data[off + 1] & 7
        ptype = (data[off + 2] << 8) | data[off + 3]
        pos = off + 4
        if flags & 0xC0:
            pos += 4
        if flags & 0x20:
            pos += 4
        if flags & 0x10:
            pos += 4
        if ver == 1 and data[off + 1] & 0x80:
            pos += 4
        payload = data[pos:end]
        if ptype == GRE_TRANSPARENT_ETHERNET:
            self._ether(payload, 0, ts, depth + 1)
        elif ptype == GRE_ERSPAN_2:  # type I has no header
            self._ether(payload, 8 if flags & 0x10 else 0, ts, depth + 1)
        elif ptype == GRE_ERSPAN_3:
            if len(payload) >= 12:
                self._ether(payload, 12 + (8 if payload[11] & 1 else 0), ts, depth + 1)
        elif ptype == GRE_PPP:  # PPTP
            if payload[:2] == b"\xff\x03":
                payload = payload[2:]
            if len(payload) >= 2 and payload[0] == 0 and payload[1] in (0x21, 0x57):
                self._ip(payload, 2, len(payload), ts, depth + 1, False)
            elif len(payload) >= 1 and payload[0] in (0x21, 0x57):
                self._ip(payload, 1, len(payload), ts, depth + 1, False)
        else:
            self._ethertype(ptype, payload, 0, ts, depth + 1)

    def _l2tp(self, payload: bytes, ts: float, depth: int) -> None:
        """An L2TPv2 data message: a header of optional fields, then a PPP frame (as Wireshark reads
        UDP 1701). Control messages carry no user traffic; L2TPv3's sessions need their set-up."""
        if len(payload) < 6:
            return
        flags = (payload[0] << 8) | payload[1]
        if flags & L2TP_CONTROL or flags & 0x0F != L2TP_VERSION_2:
            return
        pos = 2
        end = len(payload)
        if flags & L2TP_LENGTH:
            size = (payload[2] << 8) | payload[3]
            if size < 6:
                self._bad("damaged packet")
                return
            end = min(size, end)  # a message cut by the snapshot length is read as far as it goes
            pos = 4
        pos += 4  # tunnel and session IDs
        if flags & L2TP_SEQUENCE:
            pos += 4
        if flags & L2TP_OFFSET:
            if pos + 2 > end:
                self._bad("truncated packet")
                return
            pos += 2 + ((payload[pos] << 8) | payload[pos + 1])
        if pos >= end:
            return
        if payload[pos:pos + 2] == b"\xff\x03":  # PPP address and control fields
            pos += 2
        self._ppp(payload[:end], pos, ts, depth + 1)

    def _teredo(self, payload: bytes, ts: float, depth: int) -> None:
        pos = 0
        while len(payload) >= pos + 2 and payload[pos] == 0:
            if payload[pos + 1] == 1:  # authentication indicator
                if len(payload) < pos + 4:
                    return
                pos += 4 + payload[pos + 2] + payload[pos + 3] + 8 + 1
            elif payload[pos + 1] == 0:  # origin indication
                pos += 8
            else:
                return
        if len(payload) >= pos + 40 and payload[pos] >> 4 == 6:
            self._ip(payload, pos, len(payload), ts, depth + 1, False)

    def _gtp(self, payload: bytes, ts: float, depth: int) -> None:
        if len(payload) < 8 or payload[0] >> 5 != 1 or payload[1] != 0xFF:
            return
        pos = 8
        if payload[0] & 0x07:
            pos = 12
            next_type = payload[11] if len(payload) >= 12 else 0
            while next_type and pos < len(payload):
                size = payload[pos] * 4
                if size == 0:
                    return
                next_type = payload[pos + size - 1] if pos + size <= len(payload) else 0
                pos += size
        if pos < len(payload) and payload[pos] >> 4 in (4, 6):
            self._ip(payload, pos, len(payload), ts, depth + 1, False)
