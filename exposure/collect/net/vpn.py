"""VPN tunnels told by the shape of their messages, on any port: WireGuard and OpenVPN.

A tunnel on its usual port is told by the port alone (``results.TUNNEL_FLOWS``); this module
finds the others (WireGuard on a provider's own UDP port, OpenVPN over UDP on another port or
over TCP 443), so that a capture whose traffic went through one says so rather than passing it
as checked. Only the messages that open a tunnel, or a run of its data messages that only the
protocol would give, count; each message is checked against its exact layout, and a tunnel
needs both of its sides (a handshake answered), so ordinary traffic (QUIC, DNS, STUN, RTP,
games) is not taken for one.

**WireGuard** (the whitepaper, www.wireguard.com/papers/wireguard.pdf, section 5.4, and
www.wireguard.com/protocol): every message begins with its type in one byte (1 handshake
initiation, 2 handshake response, 3 cookie reply, 4 transport data) and three reserved zero
bytes. An initiation is 148 bytes and carries its sender's index; a response is 92 bytes and
carries its own sender index, then the initiation's as its receiver index. A transport data
message is a 16-byte header (type, reserved, the receiver's index, a 64-bit little-endian
counter) then the encrypted packet, padded to a multiple of 16 bytes, and its 16-byte tag: at
least 32 bytes, a multiple of 16. A tunnel is an initiation answered by a response naming it,
in the other direction; or, when the capture began after the handshake, transport messages
in both directions that each keep their receiver index and count up (``results.MIN_STEPS``
steps each way). What a flow showed is kept in its ``FlowSeen.vpn`` (``results.VpnEvidence``).

**OpenVPN** (OpenVPN's ``doc/doxygen/doc_protocol_overview.h``, the man page's
``--tls-auth`` and ``--tls-crypt``, and ``src/openvpn/ssl_pkt.h`` for the constants): a packet
(over TCP, after a 2-byte length) begins with the opcode in its high 5 bits and the key id in
its low 3; a session opens with ``P_CONTROL_HARD_RESET_CLIENT_V2`` (7) or ``_V3`` (10, with
``--tls-crypt-v2``) from the client, answered by ``P_CONTROL_HARD_RESET_SERVER_V2`` (8), key
id 0. After the opcode come the 8-byte session id, then: with ``--tls-auth``, an HMAC and the
replay packet id (a 4-byte count from 1, then a 4-byte time); with ``--tls-crypt``, the replay
packet id and a 32-byte tag, the rest encrypted; then (when readable) the acknowledgement
array (its length in one byte; with any, their 4-byte ids and the peer's session id) and the
message's own packet id (0, or ``EARLY_NEG_START`` 0x0f000000 from a client that supports
early negotiation). A reset carries nothing else (a server's may carry one early-negotiation
TLV, 6 bytes), so its length is exact for each form. A tunnel is a client's reset in one
direction and a server's in the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exposure.collect.net.results import CLIENT, SERVER, USUAL_BITS, FlowSeen, VpnEvidence

if TYPE_CHECKING:
    from exposure.collect.net.flows import FlowTable


# --- WireGuard (whitepaper section 5.4) ---
WG_INITIATION, WG_RESPONSE, WG_TRANSPORT = 1, 2, 4
WG_INITIATION_SIZE = 148
WG_RESPONSE_SIZE = 92
WG_TRANSPORT_MIN = 32  # the header (16) and the tag (16) of a keepalive
WG_PADDING = 16
WG_RESERVED = b"\x00\x00\x00"
# A transport counter beyond 2^40 is never reached (a tunnel rekeys long before: REKEY_AFTER_MESSAGES
# is 2^60, but at a million packets a second 2^40 takes 12 days): its top three bytes are zero.
WG_COUNTER_HIGH = slice(13, 16)

# --- OpenVPN (doc_protocol_overview.h, ssl_pkt.h) ---
P_CONTROL_HARD_RESET_CLIENT_V2, P_CONTROL_HARD_RESET_SERVER_V2, P_CONTROL_HARD_RESET_CLIENT_V3 = 7, 8, 10
KEY_ID_BITS = 3
CLIENT_RESETS = (P_CONTROL_HARD_RESET_CLIENT_V2 << KEY_ID_BITS, P_CONTROL_HARD_RESET_CLIENT_V3 << KEY_ID_BITS)
SERVER_RESET = P_CONTROL_HARD_RESET_SERVER_V2 << KEY_ID_BITS
OPENVPN_RESETS = frozenset((*CLIENT_RESETS, SERVER_RESET))
SESSION_ID = 8
MESSAGE_IDS = (b"\x00\x00\x00\x00", b"\x0f\x00\x00\x00")  # a reset's message packet id: 0, or EARLY_NEG_START
EARLY_NEG_TLV = 6  # type, length, flags: what a server's reset may carry
HMAC_SIZES = (16, 20, 28, 32, 48, 64)  # --tls-auth's digests: MD5, SHA1, SHA224, SHA256, SHA384, SHA512
TLS_CRYPT_TAG = 32
MAX_REPLAY_ID = 64  # a reset sent again takes the next replay id: a session's first packets are low
# The replay packet id's time is the sender's clock when the session began: near the capture's
# (clocks that are off by a month still pass; random bytes almost never do).
CLOCK_SLACK = 30 * 24 * 3600.0

# first payload bytes worth a closer look (everything else is passed over at once)
UDP_FIRST = frozenset((WG_INITIATION, WG_RESPONSE, WG_TRANSPORT, *OPENVPN_RESETS))
TCP_LENGTH_HIGH = 2  # an OpenVPN reset over TCP is under 512 bytes: its length's first byte is 0 or 1

MAX_INDICES = 16  # WireGuard initiations remembered per flow


def udp_counted(table: FlowTable, payload: bytes, ts: float, ports: tuple[int, int]) -> None:
    """A UDP payload (first byte in ``UDP_FIRST``) between ``ports`` just counted in ``table`` (``FlowTable.add``)."""
    conn = table.last_conn
    if conn is not None and conn.flow is not None:
        udp_message(conn.flow, 0 if conn.sender_client == table.last_forward else 1, payload, ts, ports)


def tcp_counted(table: FlowTable, payload: bytes, ts: float, ports: tuple[int, int]) -> None:
    """A TCP payload (first byte below ``TCP_LENGTH_HIGH``) just counted in ``table``."""
    conn = table.last_conn
    if conn is not None and conn.flow is not None:
        tcp_payload(conn.flow, 0 if conn.sender_client == table.last_forward else 1, payload, ts, ports)


def _evidence(flow: FlowSeen, ports: tuple[int, int]) -> VpnEvidence:
    seen = flow.vpn
    if seen is None:
        seen = flow.vpn = VpnEvidence()
    seen.usual |= USUAL_BITS.get(ports[0], 0) | USUAL_BITS.get(ports[1], 0)
    return seen


def udp_message(flow: FlowSeen, direction: int, payload: bytes, ts: float, ports: tuple[int, int]) -> None:
    """A UDP payload whose first byte is in ``UDP_FIRST``, sent one way (``direction``) of ``flow``."""
    first = payload[0]
    if first <= WG_TRANSPORT:
        if payload[1:4] == WG_RESERVED:
            _wireguard(flow, direction, first, payload, ports)
    else:
        _openvpn(flow, direction, payload, ts, ports)


def tcp_payload(flow: FlowSeen, direction: int, payload: bytes, ts: float, ports: tuple[int, int]) -> None:
    """A TCP payload whose first byte is below ``TCP_LENGTH_HIGH``: OpenVPN's first packet after its length."""
    if len(payload) > 3 and payload[2] in OPENVPN_RESETS:
        end = 2 + ((payload[0] << 8) | payload[1])
        if 2 < end <= len(payload):  # (a length of 0 holds no packet)
            _openvpn(flow, direction, payload[2:end], ts, ports)


def _wireguard(flow: FlowSeen, direction: int, kind: int, payload: bytes, ports: tuple[int, int]) -> None:
    size = len(payload)
    if kind == WG_INITIATION and size == WG_INITIATION_SIZE:
        seen = _evidence(flow, ports)
        if len(seen.initiated) < MAX_INDICES:
            seen.initiated.add((direction, payload[4:8]))
    elif kind == WG_RESPONSE and size == WG_RESPONSE_SIZE:
        seen = _evidence(flow, ports)
        if len(seen.answered) < MAX_INDICES:
            seen.answered.add((direction, payload[8:12]))  # the initiator's index, answered
    elif (kind == WG_TRANSPORT and size >= WG_TRANSPORT_MIN and not size % WG_PADDING
          and not any(payload[WG_COUNTER_HIGH])):
        seen = _evidence(flow, ports)
        receiver = payload[4:8]
        counter = int.from_bytes(payload[8:16], "little")
        last = seen.last[direction]
        if last is not None and last[0] == receiver and counter > last[1]:
            seen.steps[direction] += 1
        seen.last[direction] = (receiver, counter)


def _openvpn(flow: FlowSeen, direction: int, packet: bytes, ts: float, ports: tuple[int, int]) -> None:
    opcode = packet[0]
    if opcode == SERVER_RESET:
        if _server_reset(packet, ts):
            _evidence(flow, ports).resets[direction] |= SERVER
    elif opcode in CLIENT_RESETS and _client_reset(packet, ts):
        _evidence(flow, ports).resets[direction] |= CLIENT


def _replay_id(packet: bytes, at: int, ts: float) -> bool:
    """A replay packet id at ``at``: a low count from 1, then a time near the capture's."""
    count = int.from_bytes(packet[at:at + 4])
    return 0 < count <= MAX_REPLAY_ID and abs(int.from_bytes(packet[at + 4:at + 8]) - ts) <= CLOCK_SLACK


def _client_reset(packet: bytes, ts: float) -> bool:
    """A client's hard reset: no acknowledgement, its message id, nothing after (V3 carries its key)."""
    size = len(packet)
    start = 1 + SESSION_ID
    if packet[0] == CLIENT_RESETS[0]:
        if size == start + 5 and not packet[start] and packet[start + 1:] in MESSAGE_IDS:
            return True  # no --tls-auth: acknowledgements (none), message packet id
        for hmac in HMAC_SIZES:
            at = start + hmac
            if size == at + 13 and not packet[at + 8] and packet[at + 9:] in MESSAGE_IDS and _replay_id(packet, at, ts):
                return True
        # --tls-crypt: replay id, tag, then 5 encrypted bytes (acknowledgements, message id)
        return size == start + 8 + TLS_CRYPT_TAG + 5 and _replay_id(packet, start, ts)
    # V3 (--tls-crypt-v2): as --tls-crypt, then the client's wrapped key
    return size > start + 8 + TLS_CRYPT_TAG + 5 + TLS_CRYPT_TAG and _replay_id(packet, start, ts)


def _server_reset(packet: bytes, ts: float) -> bool:
    """A server's hard reset: the client's reset acknowledged (or not), its message id, an optional TLV."""
    start = 1 + SESSION_ID
    if _acked_reset(packet, start):
        return True
    for hmac in HMAC_SIZES:
        at = start + hmac
        if len(packet) > at + 8 and _replay_id(packet, at, ts) and _acked_reset(packet, at + 8):
            return True
    body = len(packet) - start - 8 - TLS_CRYPT_TAG  # --tls-crypt: acknowledgement of one, message id (+ TLV)
    return body in (17, 17 + EARLY_NEG_TLV) and _replay_id(packet, start, ts)


def _acked_reset(packet: bytes, at: int) -> bool:
    """From ``at``: no acknowledgement or the client's reset's, then the message id, then at most a TLV."""
    acks = packet[at:at + 1]
    if acks == b"\x00":
        rest = at + 1
    elif acks == b"\x01" and packet[at + 1:at + 5] in MESSAGE_IDS:
        rest = at + 5 + SESSION_ID
    else:
        return False
    return len(packet) - rest in (4, 4 + EARLY_NEG_TLV) and packet[rest:rest + 4] in MESSAGE_IDS
