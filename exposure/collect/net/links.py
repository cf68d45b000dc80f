"""Link layers: from a captured frame of some link type to the IP packet inside.

Link types are the numbers of tcpdump.org's LINKTYPE_ list, named here; ``LINK_HANDLERS``
maps each one read to the method of :class:`LinkLayers` that reads it (Ethernet has a
fast path in ``Extractor.packet``). :class:`LinkLayers` is a mixin of the extractor: it
calls ``_ip`` and ``_bad`` there.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

LINKTYPE_NULL = 0  # BSD loopback, host byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_ARCNET_BSD = 7
LINKTYPE_PPP = 9
LINKTYPE_RAW_OLD = (12, 14)  # raw IP on OpenBSD / some BSDs
LINKTYPE_PPP_HDLC = 50
LINKTYPE_PPP_ETHER = 51  # PPPoE without an Ethernet header (BSD)
LINKTYPE_RAW = 101
LINKTYPE_C_HDLC = 104
LINKTYPE_IEEE802_11 = 105
LINKTYPE_LOOP = 108  # OpenBSD loopback, network byte order
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IEEE802_11_PRISM = 119  # 802.11 in monitor mode behind a Prism (or AVS) header
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_ARCNET_LINUX = 129
LINKTYPE_PKTAP_DARWIN = 149  # Apple PKTAP as macOS writes it
LINKTYPE_IEEE802_11_AVS = 163  # 802.11 in monitor mode behind an AVS header
LINKTYPE_PPI = 192  # Per-Packet Information: a header, then a frame of another link type
LINKTYPE_PPP_PPPD = 166  # PPP with a direction byte
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_NFLOG = 239
LINKTYPE_PKTAP = 258
LINKTYPE_LINUX_SLL2 = 276

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_PPPOE_SESSION = 0x8864
ETHERTYPE_MPLS = (0x8847, 0x8848)
VLAN_ETHERTYPES = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
PPP_IPV4 = (0x0021, 0x0800)  # PPP's own number, and the Ethernet type some encapsulations use
PPP_IPV6 = (0x0057, 0x86DD)
ARCNET_IP = (240, 212)  # RFC 1051 and RFC 1201 protocol identifiers for IPv4
ARCNET_IPV6 = 196
_NULL_V6 = frozenset({24, 28, 30})  # AF_INET6 on the BSDs and macOS
PRISM_MSGCODES = (0x41, 0x44)  # a Prism header's first field (either byte order)
PRISM_HEADER = 144
AVS_MAGIC = 0x80211000  # an AVS header's first field: the top 24 bits (versions 1 and 2 follow)
PPI_HEADER = 8  # version, flags, the length of the header with its fields, the inner link type
MAX_PPI_NESTING = 4  # PPI inside PPI (Wireshark reads it) is followed this deep


class LinkLayers:
    """Readers of each link type; ``_ip``/``_bad`` come from the extractor."""

    def _ip(self, data: bytes, off: int, end: int, ts: float, depth: int, quoted: bool) -> None:
        raise NotImplementedError

    def _bad(self, reason: str) -> None:
        raise NotImplementedError

    def packet(self, link: int, ts: float, data: bytes) -> None:
        raise NotImplementedError

    # -- one method per link type (see LINK_HANDLERS) -----------------------------------

    def _link_ethernet(self, data: bytes, ts: float) -> None:
        self._ether(data, 0, ts, 0)

    def _link_raw(self, data: bytes, ts: float) -> None:
        self._ip(data, 0, len(data), ts, 0, False)

    def _link_ipv6(self, data: bytes, ts: float) -> None:
        if data[:1] and data[0] >> 4 != 6:
            self._bad("bad IP header")  # an IPv6-only link (Wireshark's IPv4 dissector takes both)
        else:
            self._ip(data, 0, len(data), ts, 0, False)

    def _link_pktap(self, data: bytes, ts: float) -> None:
        """Apple PKTAP: a header, then the frame in its own link type."""
        if len(data) < 8:
            self._bad("truncated packet")
            return
        hlen, inner = struct.unpack_from("<II", data, 0)
        if hlen < 8 or hlen > len(data) or inner in (LINKTYPE_PKTAP, LINKTYPE_PKTAP_DARWIN):
            self._bad("damaged packet")
            return
        handler = LINK_HANDLERS.get(inner)
        if handler is None:
            self._bad(f"unsupported link type {inner}")
        else:
            handler(self, data[hlen:], ts)

    def _link_ppi(self, data: bytes, ts: float) -> None:
        """PPI (802.11 captures of Windows tools and Kismet): a header whose length counts its
        fields, then the frame in the link type it names. A length below the header's own 8 bytes
        is read as 8, as Wireshark reads it."""
        off = 0
        for _ in range(MAX_PPI_NESTING):
            if len(data) < off + PPI_HEADER:
                self._bad("truncated packet")
                return
            hlen, inner = struct.unpack_from("<HI", data, off + 2)
            off += max(hlen, PPI_HEADER)
            if off > len(data):
                self._bad("damaged packet")
                return
            if inner != LINKTYPE_PPI:
                handler = LINK_HANDLERS.get(inner)
                if handler is None:
                    self._bad(f"unsupported link type {inner}")
                else:
                    handler(self, data[off:], ts)
                return
        self._bad("damaged packet")

    def _link_sll(self, data: bytes, ts: float) -> None:
        if len(data) < 16:
            self._bad("truncated packet")
        else:
            self._ethertype((data[14] << 8) | data[15], data, 16, ts, 0)

    def _link_sll2(self, data: bytes, ts: float) -> None:
        if len(data) < 20:
            self._bad("truncated packet")
        else:
            self._ethertype((data[0] << 8) | data[1], data, 20, ts, 0)

    def _link_null(self, data: bytes, ts: float) -> None:
        if len(data) < 4:
            self._bad("truncated packet")
            return
        family = struct.unpack_from("<I" if data[0] else "!I", data, 0)[0]
        self._loopback(family, data, ts)

    def _link_loop(self, data: bytes, ts: float) -> None:
        if len(data) < 4:
            self._bad("truncated packet")
            return
        self._loopback(struct.unpack_from("!I", data, 0)[0], data, ts)

    def _loopback(self, family: int, data: bytes, ts: float) -> None:
        if family == 2 or family in _NULL_V6:
            self._ip(data, 4, len(data), ts, 0, False)
        else:
            self._bad("not IP (loopback family)")

    def _link_ppp(self, data: bytes, ts: float) -> None:
        """PPP, PPP in HDLC framing, Cisco HDLC: an optional address/control pair, then the protocol."""
        off = 2 if data[:1] in (b"\xff", b"\x0f", b"\x8f") else 0
        self._ppp(data, off, ts, 0)

    def _link_ppp_pppd(self, data: bytes, ts: float) -> None:
        self._ppp(data, 1 + (2 if data[1:2] == b"\xff" else 0), ts, 0)

    def _ppp(self, data: bytes, off: int, ts: float, depth: int) -> None:
        if len(data) < off + 1:
            self._bad("truncated packet")
            return
        if data[off] & 1:  # protocol field compression (RFC 1661): one byte
            proto, off = data[off], off + 1
        elif len(data) >= off + 2:
            proto, off = (data[off] << 8) | data[off + 1], off + 2
        else:
            self._bad("truncated packet")
            return
        if proto in PPP_IPV4 or proto in PPP_IPV6:
            self._ip(data, off, len(data), ts, depth, False)

    def _link_ppp_ether(self, data: bytes, ts: float) -> None:
        self._pppoe(data, 0, ts, 0)

    def _pppoe(self, data: bytes, off: int, ts: float, depth: int) -> None:
        """A PPPoE session header (RFC 2516), then PPP."""
        if len(data) < off + 8:
            self._bad("truncated packet")
            return
        if data[off + 1] == 0:  # session data (discovery packets carry no IP)
            end = min(len(data), off + 6 + ((data[off + 4] << 8) | data[off + 5]))
            self._ppp(data[:end], off + 6, ts, depth)

    def _link_nflog(self, data: bytes, ts: float) -> None:
        """Linux NFLOG (Android and iptables logging): the IP packet is one TLV."""
        pos = 4
        n = len(data)
        while pos + 4 <= n:
            # TLV lengths and types are in the capturing host's byte order (almost always little-endian)
            tlen, ttype = struct.unpack_from("<HH", data, pos)
            if tlen < 4 or pos + tlen > n:
                tlen, ttype = struct.unpack_from("!HH", data, pos)
                if tlen < 4 or pos + tlen > n:
                    self._bad("truncated packet")
                    return
            if ttype == 9:  # NFULA_PAYLOAD
                self._ip(data, pos + 4, pos + tlen, ts, 0, False)
                return
            pos += (tlen + 3) & ~3

    def _link_radiotap(self, data: bytes, ts: float) -> None:
        if len(data) < 4:
            self._bad("truncated packet")
        else:
            self._wifi(data, data[2] | (data[3] << 8), ts)

    def _link_wifi(self, data: bytes, ts: float) -> None:
        self._wifi(data, 0, ts)

    def _link_prism(self, data: bytes, ts: float) -> None:
        """A Prism monitor-mode header (always 144 bytes: Wireshark reads no length from it), or
        an AVS header, which this link type also carries (as Wireshark reads it)."""
        if len(data) >= 4 and int.from_bytes(data[:4], "big") & 0xFFFFFF00 == AVS_MAGIC:
            self._link_avs(data, ts)
        elif len(data) < PRISM_HEADER:
            self._bad("truncated packet")
        elif int.from_bytes(data[:4], "little") in PRISM_MSGCODES or int.from_bytes(data[:4], "big") in PRISM_MSGCODES:
            self._wifi(data, PRISM_HEADER, ts)
        else:
            self._bad("damaged packet")

    def _link_avs(self, data: bytes, ts: float) -> None:
        """An AVS header: its length is its second field."""
        size = int.from_bytes(data[4:8], "big") if len(data) >= 8 else 0
        if len(data) < 8:
            self._bad("truncated packet")
        elif size < 8 or size > len(data):
            self._bad("damaged packet")
        else:
            self._wifi(data, size, ts)

    def _wifi(self, data: bytes, off: int, ts: float) -> None:
        """802.11 data frames in clear (an open network or a capture on the access point)."""
        if len(data) < off + 2:
            self._bad("truncated packet")
            return
        fc0, fc1 = data[off], data[off + 1]
        if (fc0 >> 2) & 3 != 2 or fc1 & 0x40:  # not a data frame (control frames are short), or encrypted
            return
        if len(data) < off + 24:
            self._bad("truncated packet")
            return
        hlen = 30 if fc1 & 3 == 3 else 24
        if fc0 & 0x80:  # QoS data
            hlen += 2
            if fc1 & 0x80:  # HT control with the order bit
                hlen += 4
        pos = off + hlen
        if data[pos:pos + 6] == b"\xaa\xaa\x03\x00\x00\x00" and len(data) >= pos + 8:
            self._ethertype((data[pos + 6] << 8) | data[pos + 7], data, pos + 8, ts, 0)

    def _link_arcnet_linux(self, data: bytes, ts: float) -> None:
        self._arcnet(data, 4, ts)  # source, destination, a 2-byte offset

    def _link_arcnet_bsd(self, data: bytes, ts: float) -> None:
        self._arcnet(data, 2, ts)  # source, destination

    def _arcnet(self, data: bytes, off: int, ts: float) -> None:
        if len(data) < off + 1:
            self._bad("truncated packet")
            return
        proto = data[off]
        if proto == ARCNET_IP[0]:  # RFC 1051: the IP packet follows
            self._ip(data, off + 1, len(data), ts, 0, False)
        elif proto == ARCNET_IP[1] or proto == ARCNET_IPV6:  # RFC 1201: split flag and sequence first
            pos = off + 1
            if data[pos:pos + 1] == b"\xff":  # an exception packet: 4 more bytes
                pos += 4
            if len(data) >= pos + 3 and data[pos] == 0:  # not a fragment of a larger packet
                self._ip(data, pos + 3, len(data), ts, 0, False)

    # -- Ethernet types -------------------------------------------------------------------

    def _ether(self, data: bytes, off: int, ts: float, depth: int) -> None:
        if len(data) < off + 14:
            self._bad("truncated packet")
            return
        etype = (data[off + 12] << 8) | data[off + 13]
        self._ethertype(etype, data, off + 14, ts, depth)

    def _ethertype(self, etype: int, data: bytes, off: int, ts: float, depth: int) -> None:
        while etype in VLAN_ETHERTYPES:
            if len(data) < off + 4:
                self._bad("truncated packet")
                return
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        if etype == ETHERTYPE_IPV4 or etype == ETHERTYPE_IPV6:
            self._ip(data, off, len(data), ts, depth, False)
        elif etype == ETHERTYPE_PPPOE_SESSION:
            self._pppoe(data, off, ts, depth)
        elif etype in ETHERTYPE_MPLS:  # skip the label stack
            while off + 4 <= len(data):
                bottom = data[off + 2] & 1
                off += 4
                if bottom:
                    if off < len(data) and data[off] >> 4 in (4, 6):
                        self._ip(data, off, len(data), ts, depth, False)
                    elif off + 4 < len(data) and data[off:off + 4] == b"\x00\x00\x00\x00":
                        self._ether(data, off + 4, ts, depth + 1)  # pseudowire control word
                    return
            self._bad("truncated packet")


LinkHandler = Callable[[LinkLayers, bytes, float], None]

LINK_HANDLERS: dict[int, LinkHandler] = {
    LINKTYPE_NULL: LinkLayers._link_null,
    LINKTYPE_ETHERNET: LinkLayers._link_ethernet,
    LINKTYPE_ARCNET_BSD: LinkLayers._link_arcnet_bsd,
    LINKTYPE_PPP: LinkLayers._link_ppp,
    LINKTYPE_RAW_OLD[0]: LinkLayers._link_raw,
    LINKTYPE_RAW_OLD[1]: LinkLayers._link_raw,
    LINKTYPE_PPP_HDLC: LinkLayers._link_ppp,
    LINKTYPE_PPP_ETHER: LinkLayers._link_ppp_ether,
    LINKTYPE_RAW: LinkLayers._link_raw,
    LINKTYPE_C_HDLC: LinkLayers._link_ppp,
    LINKTYPE_IEEE802_11: LinkLayers._link_wifi,
    LINKTYPE_LOOP: LinkLayers._link_loop,
    LINKTYPE_LINUX_SLL: LinkLayers._link_sll,
    LINKTYPE_IEEE802_11_PRISM: LinkLayers._link_prism,
    LINKTYPE_IEEE802_11_RADIOTAP: LinkLayers._link_radiotap,
    LINKTYPE_ARCNET_LINUX: LinkLayers._link_arcnet_linux,
    LINKTYPE_PKTAP_DARWIN: LinkLayers._link_pktap,
    LINKTYPE_IEEE802_11_AVS: LinkLayers._link_avs,
    LINKTYPE_PPI: LinkLayers._link_ppi,
    LINKTYPE_PPP_PPPD: LinkLayers._link_ppp_pppd,
    LINKTYPE_IPV4: LinkLayers._link_raw,
    LINKTYPE_IPV6: LinkLayers._link_ipv6,
    LINKTYPE_NFLOG: LinkLayers._link_nflog,
    LINKTYPE_PKTAP: LinkLayers._link_pktap,
    LINKTYPE_LINUX_SLL2: LinkLayers._link_sll2,
}
