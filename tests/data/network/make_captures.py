"""Write the small captures in this folder (ours, generated with scapy; same licence as exposure).

    .venv/bin/python tests/data/network/make_captures.py

Each capture reproduces one way names hid from ``exposure names`` while tshark found them
(issue 18) or one hostile shape (issue 17). ``expected/<name>.json`` beside them is what
``../shared/tools/tshark-names`` (TShark 4.0.17) printed for each when they were made.
"""

from __future__ import annotations

import base64
import struct
import sys
from collections.abc import Callable
from pathlib import Path

from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.llmnr import LLMNRQuery
from scapy.layers.netbios import NBNSHeader, NBNSQueryRequest
from scapy.layers.ppp import PPP, PPPoE
from scapy.packet import Packet, Raw
from scapy.utils import PcapWriter, wrpcap

HERE = Path(__file__).resolve().parent
CLIENT, SERVER = "192.0.2.10", "198.51.100.20"
MAC = {"src": "02:00:00:00:00:01", "dst": "02:00:00:00:00:02"}


def eth() -> Ether:
    return Ether(src=MAC["src"], dst=MAC["dst"])


def tcp_conversation(request: list[bytes], *, sport: int = 40000, dport: int = 80, order: list[int] | None = None,
                     response: bytes = b"", client: str = CLIENT, server: str = SERVER,
                     link: Callable[[], Packet] = eth,
                     flags: list[str] | None = None, urg: list[int] | None = None) -> list[Packet]:
    """A TCP handshake, the client's segments (in ``order``), an optional response, FINs."""
    cseq, sseq = 1000, 5000
    out: list[Packet] = [
        link() / IP(src=client, dst=server) / TCP(sport=sport, dport=dport, flags="S", seq=cseq - 1),
        link() / IP(src=server, dst=client) / TCP(sport=dport, dport=sport, flags="SA", seq=sseq - 1, ack=cseq),
        link() / IP(src=client, dst=server) / TCP(sport=sport, dport=dport, flags="A", seq=cseq, ack=sseq),
    ]
    seqs = []
    pos = cseq
    for piece in request:
        seqs.append(pos)
        pos += len(piece)
    for i in order or range(len(request)):
        f = (flags[i] if flags else "PA")
        tcp = TCP(sport=sport, dport=dport, flags=f, seq=seqs[i], ack=sseq)
        if urg and urg[i]:
            tcp.flags = f + "U"
            tcp.urgptr = urg[i]
        out.append(link() / IP(src=client, dst=server) / tcp / Raw(request[i]))
    if response:
        out.append(link() / IP(src=server, dst=client) / TCP(sport=dport, dport=sport, flags="PA", seq=sseq, ack=pos)
                   / Raw(response))
        sseq += len(response)
    out.append(link() / IP(src=client, dst=server) / TCP(sport=sport, dport=dport, flags="FA", seq=pos, ack=sseq))
    out.append(link() / IP(src=server, dst=client) / TCP(sport=dport, dport=sport, flags="FA", seq=sseq, ack=pos + 1))
    return out


def dns_query(name: str, ident: int = 0x1234) -> bytes:
    return bytes(DNS(id=ident, rd=1, qd=DNSQR(qname=name, qtype="A")))


def write(name: str, packets: list[Packet], linktype: int | None = None) -> None:
    for i, p in enumerate(packets):
        p.time = 1_700_000_000 + i
    path = HERE / name
    if linktype is None:
        wrpcap(str(path), packets)
    else:
        with PcapWriter(str(path), linktype=linktype, sync=True) as w:
            for p in packets:
                w.write(p)


# -- PPPoE --------------------------------------------------------------------------

def pppoe() -> None:
    def link() -> Packet:
        return eth() / PPPoE(sessionid=0x11) / PPP(proto=0x0021)

    def vlan_link() -> Packet:
        return eth() / Dot1Q(vlan=7) / PPPoE(sessionid=0x12) / PPP(proto=0x0021)

    def compressed_link() -> Packet:  # PPP protocol field compression: one byte 0x21
        return eth() / PPPoE(sessionid=0x13) / Raw(b"\x21")

    http = tcp_conversation([b"GET / HTTP/1.1\r\nHost: pppoe-http.example\r\n\r\n"], link=link)
    dns = [link() / IP(src=CLIENT, dst="192.0.2.53") / UDP(sport=5555, dport=53) / Raw(dns_query("pppoe-dns.example"))]
    vlan = tcp_conversation([b"GET / HTTP/1.1\r\nHost: pppoe-vlan.example\r\n\r\n"], link=vlan_link, sport=40010)
    compressed = tcp_conversation([b"GET / HTTP/1.1\r\nHost: pppoe-pfc.example\r\n\r\n"], link=compressed_link,
                                  sport=40011)
    write("pppoe-session.pcap", dns + http + vlan + compressed)
    # link type 51 (PPP over Ethernet without the Ethernet header, as BSD writes it)
    bare = [bytes(p)[14:] for p in tcp_conversation([b"GET / HTTP/1.1\r\nHost: pppoe-dlt51.example\r\n\r\n"],
                                                     link=link, sport=40012)]
    with PcapWriter(str(HERE / "pppoe-linktype51.pcap"), linktype=51, sync=True) as w:
        for frame in bare:
            w.write(Raw(frame))


# -- DNS over HTTP (cleartext) -----------------------------------------------------

def doh_http1() -> None:
    post_body = dns_query("doh-post.example", 0)
    post = (b"POST /dns-query HTTP/1.1\r\nHost: doh.example\r\nContent-Type: application/dns-message\r\n"
            b"Accept: application/dns-message\r\nContent-Length: " + str(len(post_body)).encode() + b"\r\n\r\n"
            + post_body)
    answer = bytes(DNS(id=0, qr=1, rd=1, ra=1, qd=DNSQR(qname="doh-post.example"),
                       an=DNSRR(rrname="doh-post.example", type="A", rdata="203.0.113.7")))
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/dns-message\r\nContent-Length: "
                + str(len(answer)).encode() + b"\r\n\r\n" + answer)
    get_param = base64.urlsafe_b64encode(dns_query("doh-get.example", 0)).rstrip(b"=")
    get = (b"GET /dns-query?dns=" + get_param
           + b" HTTP/1.1\r\nHost: doh.example\r\nAccept: application/dns-message\r\n\r\n")
    write("doh-http1.pcap", tcp_conversation([post], response=response)
          + tcp_conversation([get], sport=40001))


def _h2_frame(ftype: int, flags: int, stream: int, payload: bytes) -> bytes:
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack("!I", stream) + payload


def _hpack_literal(name: bytes, value: bytes) -> bytes:
    # literal header field without indexing, new name, no Huffman coding (RFC 7541 6.2.2)
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def doh_http2() -> None:
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _h2_frame(4, 0, 0, b"")
    body = dns_query("doh-h2-post.example", 0)
    headers = b"".join(_hpack_literal(n, v) for n, v in (
        (b":method", b"POST"), (b":scheme", b"http"), (b":authority", b"doh-h2.example"), (b":path", b"/dns-query"),
        (b"content-type", b"application/dns-message"), (b"content-length", str(len(body)).encode())))
    stream1 = _h2_frame(1, 4, 1, headers) + _h2_frame(0, 1, 1, body)
    get_param = base64.urlsafe_b64encode(dns_query("doh-h2-get.example", 0)).rstrip(b"=")
    headers3 = b"".join(_hpack_literal(n, v) for n, v in (
        (b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"doh-h2.example"),
        (b":path", b"/dns-query?dns=" + get_param), (b"accept", b"application/dns-message")))
    stream3 = _h2_frame(1, 5, 3, headers3)
    write("doh-http2-cleartext.pcap", tcp_conversation([preface + stream1 + stream3]))


# -- NetBIOS and LLMNR --------------------------------------------------------------

def nbns_llmnr() -> None:
    nb = eth() / IP(src=CLIENT, dst="192.0.2.255") / UDP(sport=137, dport=137) / NBNSHeader() / \
        NBNSQueryRequest(QUESTION_NAME="FILESERVER", QUESTION_TYPE="NB")
    nb_high = eth() / IP(src=CLIENT, dst="192.0.2.1") / UDP(sport=51000, dport=137) / NBNSHeader() / \
        NBNSQueryRequest(QUESTION_NAME="PRINTER", QUESTION_TYPE="NB")
    ll4 = eth() / IP(src=CLIENT, dst="224.0.0.252") / UDP(sport=52000, dport=5355) / \
        LLMNRQuery(id=7, qd=DNSQR(qname="wpad"))
    ll6 = eth() / IPv6(src="fe80::1", dst="ff02::1:3") / UDP(sport=52001, dport=5355) / \
        LLMNRQuery(id=8, qd=DNSQR(qname="nas-box"))
    plain = eth() / IP(src=CLIENT, dst="192.0.2.53") / UDP(sport=5555, dport=53) / Raw(dns_query("plain-dns.example"))
    write("nbns-llmnr.pcap", [nb, nb_high, ll4, ll6, plain])


# -- DNS cut short -------------------------------------------------------------------

def dns_cut_short() -> None:
    answer = DNS(id=9, qr=1, rd=1, ra=1, qd=DNSQR(qname="cut-short.example"),
                 an=DNSRR(rrname="cut-short.example", type="A", rdata="203.0.113.9")
                 / DNSRR(rrname="cut-short.example", type="A", rdata="203.0.113.10"))
    whole = bytes(answer)
    short = whole[:-12]  # the second answer ends early
    p1 = eth() / IP(src="192.0.2.53", dst=CLIENT) / UDP(sport=53, dport=5556) / Raw(short)
    # a snapshot length shorter than the packet: the capture holds only part of the answer
    answer2 = DNS(id=10, qr=1, rd=1, ra=1, qd=DNSQR(qname="snapped.example"),
                  an=DNSRR(rrname="snapped.example", type="A", rdata="203.0.113.11"))
    p2 = eth() / IP(src="192.0.2.53", dst=CLIENT) / UDP(sport=53, dport=5557) / Raw(bytes(answer2))
    raw2 = bytes(p2)[:-8]
    # over TCP: the length prefix promises more than the stream carries
    tcp_msg = bytes(DNS(id=11, qr=1, qd=DNSQR(qname="tcp-cut.example"),
                        an=DNSRR(rrname="tcp-cut.example", type="A", rdata="203.0.113.12")))
    tcp = tcp_conversation([struct.pack("!H", len(tcp_msg) + 20) + tcp_msg[:-6]], dport=53, sport=40053)
    # a question whose type and class are cut off
    p3 = eth() / IP(src=CLIENT, dst="192.0.2.53") / UDP(sport=5558, dport=53) / Raw(dns_query("no-type.example")[:-4])
    packets = [p1, Ether(raw2), p3, *tcp]
    write("dns-cut-short.pcap", packets)


# -- HTTP requests split oddly -------------------------------------------------------

def http_split() -> None:
    convs = []
    # request line alone, then the headers
    convs += tcp_conversation([b"GET /a HTTP/1.1\r\n", b"Host: split-line.example\r\n\r\n"], sport=41000)
    # the first segment too short to say which method
    convs += tcp_conversation([b"G", b"ET /b HTTP/1.1\r\nHost: split-method.example\r\n\r\n"], sport=41001)
    convs += tcp_conversation([b"GE", b"T /c HT", b"TP/1.1\r\nHo", b"st: tiny-segments.example\r\n\r\n"], sport=41002)
    # the Host segment before the User-Agent segment (out of order)
    convs += tcp_conversation([b"GET /d HTTP/1.1\r\n", b"User-Agent: x\r\n", b"Host: out-of-order.example\r\n\r\n"],
                              sport=41003, order=[0, 2, 1])
    # the first segment arrives last
    convs += tcp_conversation([b"GET /e HTTP/1.1\r\n", b"Host: first-last.example\r\n\r\n"], sport=41004,
                              order=[1, 0])
    # urgent data in the middle of the request
    convs += tcp_conversation([b"GET /f HTTP/1.1\r\n", b"XHost: urgent.example\r\n\r\n"], sport=41005, urg=[0, 1])
    # a retransmission that overlaps
    overlap = tcp_conversation([b"GET /g HTTP/1.1\r\nHost: overlap.example\r\n\r\n"], sport=41006)
    first = overlap[3].copy()
    first[Raw].load = b"GET /g HTTP/1.1\r\nHo"
    convs += [*overlap[:3], first, *overlap[3:]]
    write("http-split.pcap", convs)


# -- capture bombs (issue 17) -------------------------------------------------------

def bomb() -> None:
    """Small when compressed, huge when read without limits: 16,000 DNS queries each for a
    distinct name of 16 labels of 63 unprintable bytes (about 4,000 characters once escaped),
    8,000 HTTP requests whose Host is 1,000 characters, and a pcapng with 100,000 interface
    descriptions."""
    import gzip

    def pcap_record(frame: bytes, i: int) -> bytes:
        return struct.pack("<IIII", 1_700_000_000 + i // 1000, i % 1000, len(frame), len(frame)) + frame

    ether_ip = bytes.fromhex("020000000002020000000001" "0800")
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i in range(16_000):
        label = b"\x3f" + bytes([1]) * 63
        qname = b"\x3f" + bytes([1]) * 59 + i.to_bytes(4, "big") + label * 15 + b"\x00"
        dns = i.to_bytes(2, "big") + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + qname + b"\x00\x01\x00\x01"
        udp = struct.pack("!HHHH", 40000, 53, 8 + len(dns), 0) + dns
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([192, 0, 2, 10]),
                         bytes([192, 0, 2, 53])) + udp
        out.append(pcap_record(ether_ip + ip, i))
    for i in range(8_000):
        host = (f"h{i:05d}." + "a" * 990).encode()
        http = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
        tcp = struct.pack("!HHIIBBHHH", 40001 + i % 20000, 80, 1, 0, 0x50, 0x18, 8192, 0, 0) + http
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, bytes([192, 0, 2, 10]),
                         bytes([198, 51, 100, 80])) + tcp
        out.append(pcap_record(ether_ip + ip, 16_000 + i))
    (HERE / "bomb-long-names.pcap.gz").write_bytes(gzip.compress(b"".join(out), 9, mtime=0))

    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
    frame = ether_ip + bytes(20)
    epb_body = struct.pack("<IIIII", 99_999, 0, 0, len(frame), len(frame)) + frame
    epb_body += b"\x00" * (-len(epb_body) % 4)
    epb = struct.pack("<II", 6, 12 + len(epb_body)) + epb_body + struct.pack("<I", 12 + len(epb_body))
    (HERE / "bomb-interfaces.pcapng.gz").write_bytes(gzip.compress(shb + idb * 100_000 + epb, 9, mtime=0))


MAKERS = {"pppoe": pppoe, "doh1": doh_http1, "doh2": doh_http2, "nbns": nbns_llmnr, "dnscut": dns_cut_short,
          "http": http_split, "bomb": bomb}

if __name__ == "__main__":
    for key in sys.argv[1:] or MAKERS:
        MAKERS[key]()
