"""What a network capture's counts say it could and could not show, judged once it is read: no
internet (IP) traffic at all, traffic only inside tunnels, no names, how long the recording
covers and whether that is short. The scan (``exposure.scan``) adds these notes to the
capture's source record: "not checked" when nothing could be judged, "partly checked" lines
otherwise."""

from __future__ import annotations

from exposure.collect.net.flows import FLOWS_NOT_COMPARED, MAX_COMPACT_FLOWS, MAX_FLOWS
from exposure.collect.net.fragments import FRAGMENTS_UNJOINED
from exposure.collect.net.results import TUNNEL_KINDS
from exposure.collect.net.tables import MAX_COMPACT, MAX_NAME_OBS, NAMES_NOT_COMPARED
from exposure.model import FILE_DAMAGE, CheckNote, SourceInfo

# A recording shorter than this is said to be short: tools that report every few minutes
# may have been silent (the field guidance asks for 10 to 15 minutes of normal use).
SHORT_RECORDING_SECONDS = 5 * 60
# The text keys (checks.yaml, errors.yaml) of each kind of tunnel told by its flows.
_TUNNEL_NOT_READ = {"wireguard": "pcap.partly.tunnel.wireguard", "ipsec": "pcap.partly.tunnel.ipsec",
                    "openvpn": "pcap.partly.tunnel.openvpn"}
# ... and of those told by the shape of their messages on another port than their usual one
_TUNNEL_ON_OTHER_PORT = {("wireguard", "udp"): "pcap.partly.tunnel.wireguard.udp-port",
                         ("openvpn", "udp"): "pcap.partly.tunnel.openvpn.udp-port",
                         ("openvpn", "tcp"): "pcap.partly.tunnel.openvpn.tcp-port"}
_TUNNEL_WORDS = {"wireguard": "WireGuard", "ipsec": "IPsec", "openvpn": "OpenVPN"}
_UNSUPPORTED_LINK = "unsupported link type "  # the reason the reader counts (collect/net)
# Link types (tcpdump.org/linktypes.html) that never carry internet traffic: a capture on them is
# told "no IP packets, only other kinds"; on any other link exposure does not read, IP may have
# been there unseen (Juniper's link types, 802.15.4 with 6LoWPAN), which is said as such.
NON_IP_LINKS = frozenset({
    187, 201, 251, 254, 255, 256,  # Bluetooth: HCI H4 (+ PHDR), LE, Linux monitor, BR/EDR baseband, LE + PHDR
    189, 220, 249,  # USB: Linux, Linux memory-mapped, USBPcap
    227,  # SocketCAN
    245,  # NFC LLCP
})
_NON_IP_LINK_NAMES = frozenset(str(link) for link in NON_IP_LINKS)
_NAME_COUNTS = ("dns_names", "tls_server_names", "quic_server_names", "http_hosts")


def no_traffic_to_check(info: SourceInfo) -> CheckNote | None:
    """Why a capture with packets gave nothing to check: no IP packet at all (Wi-Fi recorded
    with its data encrypted, Bluetooth, ARP...) or a link exposure does not read. Traffic only
    inside tunnels is still checked (the tunnels' servers are compared with the lists, and a
    known stalkerware server must be reported): ``traffic_read`` says the rest could not be."""
    counts = info.counts
    packets = counts.get("packets", 0)
    if packets and counts.get("ip_packets") == 0:
        unread = (reason.removeprefix(_UNSUPPORTED_LINK).split() for reason in info.undecoded
                  if reason.startswith(_UNSUPPORTED_LINK))
        links = sorted({words[0] for words in unread if words and words[0] not in _NON_IP_LINK_NAMES})
        if links:  # a kind of link exposure does not read (Juniper's, for one): its contents were never seen
            return CheckNote.of("error.source.link-unread", "exposure cannot read the kind of link it was recorded "
                                f"on (link type {', '.join(links)}), so nothing in it could be checked (packets: "
                                f"{packets})", link=", ".join(links), count=packets)
        damaged = sum(n for reason, n in info.undecoded.items()
                      if not reason.startswith((FILE_DAMAGE, _UNSUPPORTED_LINK)))
        pieces = info.undecoded.get(FRAGMENTS_UNJOINED, 0)
        if pieces and pieces == damaged:  # IP packets, but only pieces of them that never came together
            return CheckNote.of("error.source.only-fragments", "it holds only pieces of internet packets (IP "
                                "fragments) that could never be put back together into whole packets, so nothing in "
                                f"them could be checked (packets: {packets}; pieces: {pieces})",
                                count=packets, pieces=pieces)
        if damaged:  # IP packets, perhaps, that could not be decoded: the warnings say why
            return CheckNote.of("error.source.no-ip-decoded", "no packet could be read as internet traffic (IP "
                                f"packets) (packets: {packets}; not decoded: {damaged}; see the warnings)",
                                count=packets, undecoded=damaged)
        return CheckNote.of("error.source.no-ip", "it holds no internet traffic (IP packets) that could be checked, "
                            "only packets of other kinds, e.g. Wi-Fi whose data was encrypted, Bluetooth, or "
                            f"messages of the local network (packets: {packets})", count=packets)
    return None


def not_compared_counts(overflow: dict[str, int]) -> dict[str, int]:
    """The counts (``names_not_compared``, ``conversations_not_compared``) of what a capture held
    past every table of names or conversations (``overflow``: the reader's), or nothing."""
    counts = {"names_not_compared": overflow.get(NAMES_NOT_COMPARED, 0),
              "conversations_not_compared": overflow.get(FLOWS_NOT_COMPARED, 0)}
    return {key: count for key, count in counts.items() if count}


def too_many_to_compare(info: SourceInfo) -> CheckNote | None:
    """The capture held more different names or conversations than exposure follows: those past
    the first ones were not compared with the lists (a flood of decoys may hide a contact)."""
    names = info.counts.get("names_not_compared", 0)
    flows = info.counts.get("conversations_not_compared", 0)
    if not (names or flows):
        return None
    first = min(MAX_NAME_OBS + MAX_COMPACT, MAX_FLOWS + MAX_COMPACT_FLOWS)
    return CheckNote.of("error.source.pcap-too-many", "the capture held more different names and conversations "
                        f"than exposure can follow; those after the first {first} were not compared with the "
                        f"lists (names not compared: {names}; conversations not compared: {flows})",
                        first=first, names=names, flows=flows)


def _tunnel_notes(info: SourceInfo) -> list[CheckNote]:
    """Each kind of tunnel whose contents were not read; told on a port other than its usual one
    (by the shape of its messages), the busiest such port is said: a trainer then knows what to
    look for on the phone (a VPN app set to another port, or one that hides as web traffic)."""
    out = []
    counts = info.counts
    for kind in TUNNEL_KINDS:
        flows = counts.get(f"{kind}_tunnel_flows", 0)
        if kind == "wireguard" and counts.get("wireguard_decrypted_sessions"):
            continue  # its keys were in the capture: what went through it was read
        if not flows:
            continue
        packets = counts.get(f"{kind}_tunnel_packets", 0)
        said = (f"what went through {_TUNNEL_WORDS[kind]} tunnels (a VPN): it is encrypted, so the names inside "
                f"could not be read (packets: {packets}; conversations: {flows})")
        protocol = next((protocol for protocol in ("udp", "tcp") if f"{kind}_tunnel_{protocol}_port" in counts), None)
        if protocol is None or (kind, protocol) not in _TUNNEL_ON_OTHER_PORT:
            out.append(CheckNote.of(_TUNNEL_NOT_READ[kind], said, packets=packets, flows=flows))
        else:
            port = counts[f"{kind}_tunnel_{protocol}_port"]
            said = said.replace("(a VPN)", f"(a VPN, seen on {protocol.upper()} port {port}, which is not its usual "
                                           "port)")
            out.append(CheckNote.of(_TUNNEL_ON_OTHER_PORT[kind, protocol], said, packets=packets, flows=flows,
                                    port=port))
    return out


def traffic_read(info: SourceInfo) -> None:
    """What a capture let us check, in its lists: nothing when it gave nothing (its ``unread``
    says why); else, first among what was not checked, what was hidden (tunnels, no names at
    all); a short recording among the rest; and how long the recording covers among what was checked."""
    if info.unread is not None:
        info.checked.clear()  # nothing was looked at: never listed as checked
        return
    if info.partly is None:
        info.partly = too_many_to_compare(info)  # said first, and the scan's exit code is 2
    partly = _tunnel_notes(info)
    counts = info.counts
    if counts.get("ip_packets") and not any(counts.get(k) for k in _NAME_COUNTS):
        partly.append(CheckNote.of(
            "pcap.partly.no-names", "which servers were contacted, by name: no names were seen (no DNS lookups, TLS or "
            "QUIC server names, HTTP Host headers), so only the addresses contacted were compared with the lists "
            f"(IP packets: {counts['ip_packets']}; conversations: {counts.get('flows', 0)})",
            packets=counts["ip_packets"], flows=counts.get("flows", 0)))
    span = _span_seconds(info)
    if span is not None:
        info.add_checked(_span_note(span))
        recorded = max(span, _watched_seconds(info))  # a live recording lasted as long as it was watched
        if recorded < SHORT_RECORDING_SECONDS:
            # a limit of what was seen, not of what was read: listed with the blind spots, not said first
            info.not_checked.append(_short_note(recorded))
    info.not_checked[:0] = [note for note in partly if note not in info.not_checked]


def _short_note(seconds: int) -> CheckNote:
    """A recording too short to be sure that tools which report now and then were seen."""
    advice = ("so a tool that reports only every few minutes may have stayed silent in it (10 to 15 minutes of "
              "normal phone use is advised)")
    said = "a short recording: it covers only {}, " + advice
    minutes, secs = divmod(seconds, 60)
    if minutes:
        return CheckNote.of("pcap.short", said.format(f"{minutes} min {secs} s"), minutes=minutes, seconds=secs)
    if secs:
        return CheckNote.of("pcap.short-seconds", said.format(f"{secs} s"), seconds=secs)
    return CheckNote.of("pcap.short-instant", "a very short recording: its packets span less than a second, " + advice)


def _watched_seconds(info: SourceInfo) -> int:
    """How long a live recording (``exposure capture``, the hotspot) was watched, which its
    packets may not show (a phone quiet at the end); 0 for a capture file."""
    watched = info.details.get("watched", "")
    number = watched.removesuffix(" s")
    return int(number) if number.isdigit() else 0


def _span_seconds(info: SourceInfo) -> int | None:
    if info.first_time is None or info.last_time is None or not info.counts.get("packets"):
        return None
    return max(0, round((info.last_time - info.first_time).total_seconds()))


def _span_note(seconds: int) -> CheckNote:
    """How long a recording covers, from its first packet to its last."""
    hours, minutes, secs = seconds // 3600, seconds // 60 % 60, seconds % 60
    said = "the length of the recording, from its first packet to its last: "
    if hours:
        return CheckNote.of("pcap.span.hours", f"{said}{hours} h {minutes} min", hours=hours, minutes=minutes)
    if minutes:
        return CheckNote.of("pcap.span.minutes", f"{said}{minutes} min {secs} s", minutes=minutes, seconds=secs)
    return CheckNote.of("pcap.span.seconds", f"{said}{secs} s", seconds=secs)
