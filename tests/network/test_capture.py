"""The capture collector on captures built here with scapy: split ClientHellos, QUIC Initials
(RFC 9001 / RFC 9369 test vectors), fragments, gzip, pcapng, nanosecond pcap, flows, certificates."""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP, fragment
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Packet, Raw
from scapy.utils import PcapWriter, wrpcap, wrpcapng

from exposure.collect.base import CollectContext, CollectorError
from exposure.collect.net.quic import V1, V2, client_initial_keys
from exposure.collect.pcap import PcapCollector
from exposure.model import Observation
from exposure.observations.network import DnsQuery, Flow, ServerName, TlsCertificate
from tests.paths import NAME_CAPTURES
from tests.progress_notes import assert_progress_names_what_it_reads
from tests.said import keep_english

NAMES = NAME_CAPTURES

# ---- builders ------------------------------------------------------------------------------


def client_hello(server_name: str, padding: int = 0) -> bytes:
    """A TLS 1.2-style ClientHello record with an SNI extension (and optional padding extension)."""
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    exts = struct.pack("!HH", 0, len(sni)) + sni
    if padding:
        exts += struct.pack("!HH", 21, padding) + bytes(padding)
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def tcp_segments(payload: bytes, sizes: list[int], seq: int = 1000, src: str = "10.0.0.2",
                 dst: str = "93.184.216.34", dport: int = 443) -> list[Packet]:
    """SYN, SYN/ACK, then ``payload`` cut into segments of ``sizes`` bytes."""
    packets: list[Packet] = [
        Ether() / IP(src=src, dst=dst) / TCP(sport=40000, dport=dport, flags="S", seq=seq - 1),
        Ether() / IP(src=dst, dst=src) / TCP(sport=dport, dport=40000, flags="SA", seq=5000, ack=seq),
    ]
    pos = 0
    for size in sizes:
        chunk = payload[pos:pos + size]
        packets.append(Ether() / IP(src=src, dst=dst) / TCP(sport=40000, dport=dport, flags="PA", seq=seq + pos)
                       / Raw(chunk))
        pos += size
    assert pos >= len(payload)
    return packets


def protect_initial(dcid: bytes, version: int, payload: bytes, pn: int = 2) -> bytes:
    """A client Initial packet protected as RFC 9001 §5 says (independent of the code under test,
    except for key derivation, whose output is checked against the RFC's vectors below)."""
    keys = client_initial_keys(dcid, version)
    assert keys is not None
    first = 0xC3 if version == V1 else 0xD3  # long header, Initial (v2: type 1), 4-byte packet number
    length = 4 + len(payload) + 16
    header = bytes([first]) + version.to_bytes(4, "big") + bytes([len(dcid)]) + dcid + b"\x00" + b"\x00" \
        + bytes([0x40 | (length >> 8), length & 0xFF]) + pn.to_bytes(4, "big")
    nonce = (int.from_bytes(keys.iv, "big") ^ pn).to_bytes(12, "big")
    sealed = AESGCM(keys.key).encrypt(nonce, payload, header)
    sample = sealed[0:16]
    enc = Cipher(algorithms.AES(keys.hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    protected = bytearray(header)
    protected[0] ^= mask[0] & 0x0F
    for i in range(4):
        protected[len(header) - 4 + i] ^= mask[1 + i]
    return bytes(protected) + sealed


# RFC 9001 Appendix A.2: the client Initial's CRYPTO frame (a ClientHello for example.com), padded.
RFC9001_DCID = bytes.fromhex("8394c8f03e515708")
RFC9001_CRYPTO = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff") + bytes(917)


def write(path: Path, packets: list[Packet]) -> Path:
    wrpcap(str(path), packets)
    return path


def collect(path: Path) -> tuple[PcapCollector, list[Observation], list[str]]:
    collector = PcapCollector(str(path))
    warnings: list[str] = []
    observations = list(collector.collect(CollectContext(warn=keep_english(warnings))))
    return collector, observations, warnings


def server_names(observations: list[Observation], protocol: str) -> set[str]:
    return {o.name for o in observations if isinstance(o, ServerName) and o.protocol == protocol}


# ---- TLS ---------------------------------------------------------------------------------------


def test_client_hello_split_over_three_segments_gives_the_server_name(tmp_path: Path) -> None:
    hello = client_hello("c2.Example.net", padding=1500)
    packets = tcp_segments(hello, [100, 900, len(hello) - 1000])
    _, observations, _ = collect(write(tmp_path / "split.pcap", packets))
    assert server_names(observations, "tls") == {"c2.example.net"}


def test_client_hello_segments_out_of_order_and_retransmitted(tmp_path: Path) -> None:
    hello = client_hello("reordered.example.org", padding=2000)
    packets = tcp_segments(hello, [600, 600, 600, len(hello) - 1800])
    handshake, data = packets[:2], packets[2:]
    shuffled = [*handshake, data[0], data[2], data[1], data[1], data[3]]
    _, observations, _ = collect(write(tmp_path / "ooo.pcap", shuffled))
    assert server_names(observations, "tls") == {"reordered.example.org"}


def test_client_hello_in_one_byte_segments(tmp_path: Path) -> None:
    hello = client_hello("tiny-segments.example", padding=300)
    packets = tcp_segments(hello, [1] * len(hello))
    _, observations, _ = collect(write(tmp_path / "tiny.pcap", packets))
    assert server_names(observations, "tls") == {"tiny-segments.example"}


def test_client_hello_on_an_unusual_port_is_read(tmp_path: Path) -> None:
    packets = tcp_segments(client_hello("odd-port.example.com"), [10_000], dport=5228)
    _, observations, _ = collect(write(tmp_path / "port.pcap", packets))
    (obs,) = [o for o in observations if isinstance(o, ServerName)]
    assert (obs.name, obs.port, obs.client, obs.server) == ("odd-port.example.com", 5228, "10.0.0.2", "93.184.216.34")


def test_server_certificate_is_read_from_a_tls12_server_flight(tmp_path: Path) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "selfsigned.example")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(dt.datetime(2024, 1, 1)).not_valid_after(dt.datetime(2034, 1, 1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("alt.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    server_hello = b"\x02" + (38).to_bytes(3, "big") + b"\x03\x03" + bytes(32) + b"\x00" + b"\x13\x01" + b"\x00"
    chain = len(der).to_bytes(3, "big") + der
    certificate = b"\x0b" + (len(chain) + 3).to_bytes(3, "big") + (len(chain)).to_bytes(3, "big") + chain
    flight = b"\x16\x03\x03" + struct.pack("!H", len(server_hello)) + server_hello
    cut = len(flight)  # the ServerHello alone in the first segment, then the certificate in pieces
    flight += b"\x16\x03\x03" + struct.pack("!H", len(certificate)) + certificate
    hello = client_hello("selfsigned.example")
    packets = tcp_segments(hello, [len(hello)])
    for start, end in [(0, cut), *((i, i + 200) for i in range(cut, len(flight), 200))]:
        packets.append(Ether() / IP(src="93.184.216.34", dst="10.0.0.2")
                       / TCP(sport=443, dport=40000, flags="PA", seq=5001 + start) / Raw(flight[start:end]))
    _, observations, _ = collect(write(tmp_path / "cert.pcap", packets))
    (seen,) = [o for o in observations if isinstance(o, TlsCertificate)]
    assert seen.sha256 == hashlib.sha256(der).hexdigest()
    assert seen.sha1 == hashlib.sha1(der).hexdigest()
    assert seen.self_signed and seen.subject_name == "CN=selfsigned.example" == seen.issuer
    assert set(seen.names) == {"selfsigned.example", "alt.example"}
    assert (seen.server, seen.port, seen.server_name) == ("93.184.216.34", 443, "selfsigned.example")


# ---- QUIC --------------------------------------------------------------------------------------


def test_initial_keys_match_rfc9001_and_rfc9369_vectors() -> None:
    v1 = client_initial_keys(RFC9001_DCID, V1)
    v2 = client_initial_keys(RFC9001_DCID, V2)
    assert v1 is not None and v2 is not None
    assert (v1.key.hex(), v1.iv.hex(), v1.hp.hex()) == (
        "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2")
    assert (v2.key.hex(), v2.iv.hex(), v2.hp.hex()) == (
        "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9")


def test_rfc9001_client_initial_decrypts_to_its_server_name(tmp_path: Path) -> None:
    packet = protect_initial(RFC9001_DCID, V1, RFC9001_CRYPTO)
    # the protected packet is the one printed in RFC 9001 A.2 (start and authentication tag)
    assert len(packet) == 1200
    assert packet[:32].hex() == "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    assert packet[-16:].hex() == "e221af44860018ab0856972e194cd934"
    udp = Ether() / IP(src="10.0.0.2", dst="192.0.2.7") / UDP(sport=50000, dport=443) / Raw(packet)
    _, observations, _ = collect(write(tmp_path / "quic.pcap", [udp]))
    assert server_names(observations, "quic") == {"example.com"}


def _crypto_frame(offset: int, data: bytes) -> bytes:
    return b"\x06" + (0x4000 | offset).to_bytes(2, "big") + (0x4000 | len(data)).to_bytes(2, "big") + data


def test_quic_v2_client_hello_over_two_initials_out_of_order(tmp_path: Path) -> None:
    hello = client_hello("split.quic.example", padding=1800)[5:]  # CRYPTO carries bare handshake messages
    half = len(hello) // 2
    dcid = bytes.fromhex("0123456789abcdef")
    first = protect_initial(dcid, V2, _crypto_frame(0, hello[:half]) + bytes(100), pn=0)
    second = protect_initial(dcid, V2, _crypto_frame(half, hello[half:]) + bytes(100), pn=1)
    packets: list[Packet] = [Ether() / IP(src="10.0.0.2", dst="192.0.2.7") / UDP(sport=50001, dport=443) / Raw(p)
                             for p in (second, first)]
    _, observations, _ = collect(write(tmp_path / "quic2.pcap", packets))
    assert server_names(observations, "quic") == {"split.quic.example"}


# ---- DNS, HTTP, IP -------------------------------------------------------------------------------


def test_dns_answers_name_the_flows_that_follow(tmp_path: Path) -> None:
    query = Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=33333, dport=53) / DNS(
        id=1, rd=1, qd=DNSQR(qname="Tracker.Example.com"))
    answer = Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=33333) / DNS(
        id=1, qr=1, qd=DNSQR(qname="tracker.example.com"),
        an=DNSRR(rrname="tracker.example.com", type="A", rdata="198.51.100.9"))
    unanswered = Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=33334, dport=53) / DNS(
        id=2, qd=DNSQR(qname="never-connected.example"))
    flow = tcp_segments(b"GET / HTTP/1.1\r\nHost: tracker.example.com:8080\r\n\r\n", [100],
                        dst="198.51.100.9", dport=8080)
    for i, p in enumerate([query, answer, unanswered, *flow]):
        p.time = 1_700_000_000 + i
    collector, observations, _ = collect(write(tmp_path / "dns.pcap", [query, answer, unanswered, *flow]))
    dns = {o.name: o for o in observations if isinstance(o, DnsQuery)}
    assert set(dns) == {"tracker.example.com", "never-connected.example"}
    assert dns["tracker.example.com"].answers == ("198.51.100.9",)
    assert dns["tracker.example.com"].count == 2 and dns["tracker.example.com"].client == "10.0.0.2"
    assert server_names(observations, "http") == {"tracker.example.com"}
    (tcp,) = [o for o in observations if isinstance(o, Flow) and o.protocol == "tcp"]
    assert (tcp.client, tcp.server, tcp.server_port) == ("10.0.0.2", "198.51.100.9", 8080)
    assert tcp.server_names == ("tracker.example.com",)
    assert tcp.starts == (1_700_000_003.0,) and tcp.packets == 3 and tcp.bytes_out > tcp.bytes_in > 0
    info = collector.info
    assert info.counts["packets"] == 6
    assert info.first_time is not None and info.first_time.timestamp() == 1_700_000_000
    assert info.last_time is not None and info.last_time.timestamp() == 1_700_000_005


def test_names_in_dns_answers_are_observed_but_not_listed_as_queries(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from exposure.cli import main

    answer = Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=33333) / DNS(
        id=1, qr=1, qd=DNSQR(qname="innocent.example"),
        an=[DNSRR(rrname="innocent.example", type="CNAME", rdata="c2.hidden.example"),
            DNSRR(rrname="c2.hidden.example", type="A", rdata="203.0.113.5")])
    path = write(tmp_path / "cname.pcap", [answer])
    _, observations, _ = collect(path)
    dns = {o.name: o for o in observations if isinstance(o, DnsQuery)}
    assert set(dns) == {"innocent.example", "c2.hidden.example"}
    assert dns["c2.hidden.example"].answers == ("203.0.113.5",)
    # `exposure names` lists question names only, as tshark's dns.qry.name does
    assert main(["names", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["dns"] == ["innocent.example"]


def test_fragmented_dns_over_vlan_and_ipv6(tmp_path: Path) -> None:
    big = DNS(id=3, qd=[DNSQR(qname=f"label{i}.frag.example") for i in range(60)])
    frags = fragment(IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=1234, dport=53) / big,  # type: ignore[no-untyped-call]
                     fragsize=400)
    assert len(frags) > 2
    packets = [Ether() / Dot1Q(vlan=10) / Dot1Q(vlan=20) / f for f in reversed(frags)]
    packets.append(Ether() / IPv6(src="fd00::2", dst="fd00::1") / UDP(sport=1235, dport=53)
                   / DNS(qd=DNSQR(qname="v6.example")))
    _, observations, _ = collect(write(tmp_path / "frag.pcap", packets))
    names = {o.name for o in observations if isinstance(o, DnsQuery)}
    assert names == {f"label{i}.frag.example" for i in range(60)} | {"v6.example"}


# ---- file formats ------------------------------------------------------------------------------


def test_pcapng_gzip_and_nanosecond_pcap_read_the_same(tmp_path: Path) -> None:
    packets = tcp_segments(client_hello("formats.example"), [50, 5000])
    for i, p in enumerate(packets):
        p.time = 1_600_000_000.5 + i
    plain = write(tmp_path / "a.pcap", packets)
    ng = tmp_path / "a.pcapng"
    wrpcapng(str(ng), packets)
    gz = tmp_path / "a.pcap.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    nano = tmp_path / "nano.pcap"
    with PcapWriter(str(nano), nano=True) as writer:
        for p in packets:
            writer.write(p)
    for path in (plain, ng, gz, nano):
        collector, observations, warnings = collect(path)
        assert server_names(observations, "tls") == {"formats.example"}, path
        assert collector.info.counts["packets"] == len(packets)
        assert collector.info.first_time is not None
        assert abs(collector.info.first_time.timestamp() - 1_600_000_000.5) < 1e-3, path
        assert collector.info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert warnings == []


def test_the_reports_sha256_of_a_file_read_in_many_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is hashed in chunks of HASH_CHUNK bytes: a file of several chunks and a piece."""
    from exposure.collect import pcap

    monkeypatch.setattr(pcap, "HASH_CHUNK", 100)
    path = write(tmp_path / "chunks.pcap", tcp_segments(client_hello("chunks.example"), [50, 5000]))
    assert path.stat().st_size > 3 * 100 and path.stat().st_size % 100
    collector, _observations, _warnings = collect(path)
    assert collector.info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_scapy_reader_back_end_gives_the_same_names(tmp_path: Path) -> None:
    capture = NAMES / "tls__tls-client-hello-frag-01__dump_mtu300" / "capture.pcap"
    native = server_names(collect(capture)[1], "tls")
    scapy_collector = PcapCollector(str(capture), backend="scapy")
    via_scapy = server_names(list(scapy_collector.collect(CollectContext())), "tls")
    assert native == via_scapy == set(json.loads((capture.parent / "expected.json").read_text())["tls_sni"])


def test_not_a_capture_is_one_clear_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("this is not a capture\n")
    with pytest.raises(CollectorError, match=r"^not a capture file \(pcap or pcapng\)$"):
        collect(text)
    with pytest.raises(CollectorError, match="cannot be read"):
        collect(tmp_path / "missing.pcap")


def test_truncated_file_keeps_what_was_read_and_warns(tmp_path: Path) -> None:
    packets = tcp_segments(client_hello("cut.example"), [4000])
    whole = write(tmp_path / "whole.pcap", packets).read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[:-20])
    collector, _observations, warnings = collect(cut)
    assert collector.info.counts["packets"] == 2
    assert collector.info.undecoded == {"file: truncated last packet": 1}
    assert any("damaged" in w for w in warnings)


def _many_packets(path: Path, count: int) -> Path:
    """A capture of ``count`` copies of one DNS query, written directly (scapy is too slow for this)."""
    frame = bytes(Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=5000, dport=53)
                  / DNS(qd=DNSQR(qname="many.example")))
    record = struct.pack("<IIII", 1_700_000_000, 0, len(frame), len(frame)) + frame
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    path.write_bytes(header + record * count)
    return path


def test_progress_is_reported_and_cancel_stops_reading(tmp_path: Path) -> None:
    from exposure.collect.base import Progress

    capture = _many_packets(tmp_path / "many.pcap", 120_000)
    seen: list[Progress] = []
    collector = PcapCollector(str(capture))
    observations = list(collector.collect(CollectContext(progress=seen.append)))
    assert [dict(p.counts)["packets"] for p in seen] == [50_000, 100_000]
    assert all(p.fraction is not None and 0 < p.fraction <= 1 for p in seen)
    assert assert_progress_names_what_it_reads(seen) == ["reading.capture", "reading.capture"]
    (dns,) = [o for o in observations if isinstance(o, DnsQuery)]
    assert dns.count == 120_000

    ctx = CollectContext()
    ctx.cancel.set()
    stopped = PcapCollector(str(capture))
    list(stopped.collect(ctx))
    assert stopped.info.counts["packets"] == 50_000
    assert stopped.info.not_checked[0].key == "pcap.stopped"
    assert stopped.info.not_checked[0].text.startswith("the rest of the capture")


def _big_endian(little: bytes) -> bytes:
    """The same pcap written in big-endian byte order (as some routers and old Solaris tools do)."""
    out = bytearray(struct.pack(">IHHiIII", *struct.unpack_from("<IHHiIII", little, 0)))
    pos = 24
    while pos < len(little):
        sec, usec, caplen, wire = struct.unpack_from("<IIII", little, pos)
        out += struct.pack(">IIII", sec, usec, caplen, wire) + little[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
    return bytes(out)


def test_link_layers_and_byte_orders(tmp_path: Path) -> None:
    from scapy.layers.inet6 import IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, fragment6
    from scapy.layers.l2 import CookedLinux, CookedLinuxV2

    def query(name: str) -> Packet:
        return IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=4444, dport=53) / DNS(qd=DNSQR(qname=name))

    cases: dict[str, tuple[int, list[Packet | bytes]]] = {
        "sll.pcap": (113, [CookedLinux(proto=0x0800) / query("sll.example")]),
        "sll2.pcap": (276, [CookedLinuxV2(proto=0x0800) / query("sll2.example")]),
        "raw.pcap": (101, [query("raw.example")]),
        "null.pcap": (0, [struct.pack("<I", 2) + bytes(query("loopback.example"))]),
    }
    for name, (link, packets) in cases.items():
        path = tmp_path / name
        frames = [bytes(p) for p in packets]
        path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link) + b"".join(
            struct.pack("<IIII", 1_700_000_000, 0, len(f), len(f)) + f for f in frames))
        _, observations, warnings = collect(path)
        assert [o.name for o in observations if isinstance(o, DnsQuery)] == [name.replace(".pcap", ".example")
                                                                               .replace("null", "loopback")], name
        assert warnings == []

    # IPv6 with a hop-by-hop header, fragmented, in a big-endian pcap
    v6 = (IPv6(src="fd00::2", dst="fd00::1") / IPv6ExtHdrHopByHop() / IPv6ExtHdrFragment()
          / UDP(sport=4445, dport=53) / DNS(qd=[DNSQR(qname=f"n{i}.v6frag.example") for i in range(40)]))
    frags = fragment6(v6, 400)  # type: ignore[no-untyped-call]  # scapy leaves it unannotated
    assert len(frags) > 2
    little = write(tmp_path / "v6.pcap", [Ether() / f for f in frags]).read_bytes()
    big = tmp_path / "v6-be.pcap"
    big.write_bytes(_big_endian(little))
    _, observations, _ = collect(big)
    assert {o.name for o in observations if isinstance(o, DnsQuery)} == {f"n{i}.v6frag.example" for i in range(40)}


def test_certificate_of_a_real_tls12_capture_matches_tshark() -> None:
    """SHA-1 from tshark: ``-Y tls.handshake.certificate -e tls.handshake.certificate`` | sha1sum."""
    capture = NAMES / "tls__tls-client-hello-frag-01__dump_mtu300" / "capture.pcap"
    _, observations, _ = collect(capture)
    (cert,) = [o for o in observations if isinstance(o, TlsCertificate)]
    assert cert.sha1 == "272e561b5600b78d8407c762410294f39aa0c35e"
    assert cert.subject_name == "CN=www.google.com" and "GTS CA 1C3" in cert.issuer and not cert.self_signed
    assert cert.server_name == "www.google.com" and cert.port == 443
