"""One device seen under IPv4 and IPv6 is one device (issue 11): the capture reader notes the
hardware (MAC) address of each new client address where the link layer has one, the findings
are made per device, the summary counts devices, and the evidence names the hardware address."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Packet, Raw
from scapy.utils import wrpcap

from exposure.collect.base import CollectContext
from exposure.collect.net.extract import Extractor
from exposure.collect.net.macs import MAX_CLIENTS, ClientMacs
from exposure.collect.net.reader import open_capture
from exposure.collect.net.results import FlowSeen
from exposure.collect.pcap import PcapCollector, client_devices
from exposure.explain.finding import explain_finding
from exposure.explain.lines import plain
from exposure.explain.summary import summarize
from exposure.observations.network import DnsQuery, Flow, ServerName
from exposure.report.document import from_result
from exposure.scan import ScanRequest, SourceSpec, run_scan
from tests.network.test_capture import client_hello

KNOWN = "s1.spylive360.com"  # SpyLive360's server (profiles/stalkerware.yaml)
PHONE_MAC, ROUTER_MAC, LAPTOP_MAC = "02:11:22:33:44:55", "02:00:00:00:00:fe", "02:aa:bb:cc:dd:ee"
PHONE_V4, PHONE_V6, LAPTOP_V4 = "192.168.1.23", "2001:db8::23", "192.168.1.40"


def dns_lookup(mac: str, client: str, name: str, sport: int = 53000) -> list[Packet]:
    resolver = "2001:db8::1" if ":" in client else "192.168.1.1"
    ip = IPv6 if ":" in client else IP
    query = DNS(id=9, rd=1, qd=DNSQR(qname=name))
    return [Ether(src=mac, dst=ROUTER_MAC) / ip(src=client, dst=resolver) / UDP(sport=sport, dport=53) / query,
            Ether(src=ROUTER_MAC, dst=mac) / ip(src=resolver, dst=client) / UDP(sport=53, dport=sport)
            / DNS(id=9, qr=1, qd=DNSQR(qname=name))]


def tls_to(mac: str, client: str, server: str, name: str, sport: int = 50000) -> list[Packet]:
    ip = IPv6 if ":" in client else IP
    return [Ether(src=mac, dst=ROUTER_MAC) / ip(src=client, dst=server) / TCP(sport=sport, dport=443, flags="S"),
            Ether(src=ROUTER_MAC, dst=mac) / ip(src=server, dst=client) / TCP(sport=443, dport=sport, flags="SA"),
            Ether(src=mac, dst=ROUTER_MAC) / ip(src=client, dst=server) / TCP(sport=sport, dport=443, flags="PA",
                                                                            seq=1) / Raw(client_hello(name))]


def phone_on_both(tmp_path: Path, *, laptop_too: bool = False) -> Path:
    """The phone looks the C2 up over IPv4, then connects to it over IPv6 (and a laptop on the
    same network looks it up too, when asked)."""
    packets = [*dns_lookup(PHONE_MAC, PHONE_V4, KNOWN), *tls_to(PHONE_MAC, PHONE_V6, "2001:db8:99::5", KNOWN)]
    if laptop_too:
        packets += dns_lookup(LAPTOP_MAC, LAPTOP_V4, KNOWN, sport=53001)
    path = tmp_path / "network.pcap"
    wrpcap(str(path), packets)
    return path


def read(path: Path) -> PcapCollector:
    collector = PcapCollector(str(path))
    collector.observations = list(collector.collect(CollectContext()))  # type: ignore[attr-defined]
    return collector


def test_the_phone_is_one_device_under_its_ipv4_and_ipv6_addresses(tmp_path: Path) -> None:
    collector = read(phone_on_both(tmp_path))
    assert collector.devices == {PHONE_V4: PHONE_MAC, PHONE_V6: PHONE_MAC}  # the resolver is no client
    observations = collector.observations  # type: ignore[attr-defined]
    lookup = next(o for o in observations if isinstance(o, DnsQuery) and o.client == PHONE_V4)
    hello = next(o for o in observations if isinstance(o, ServerName) and o.client == PHONE_V6)
    assert lookup.client_mac == hello.client_mac == PHONE_MAC
    assert lookup.device() == hello.device() == f"{tmp_path / 'network.pcap'} · {PHONE_MAC}"
    assert {o.client_mac for o in observations if isinstance(o, Flow) and o.client in (PHONE_V4, PHONE_V6)} == {
        PHONE_MAC}
    assert collector.info.details["devices"] == f"{PHONE_MAC} ({PHONE_V4}, {PHONE_V6})"


def test_a_tool_seen_under_both_addresses_is_one_finding_on_one_device(tmp_path: Path) -> None:
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(phone_on_both(tmp_path))),), use_feeds=False))
    [finding] = [f for f in result.findings if f.threat == "spylive360"]
    assert dict(finding.params)["device"].endswith(PHONE_MAC)
    report = from_result(result)
    summary = summarize(report, "en")
    assert "That is 1 known tool, seen on 1 device." in [plain(p) for p in summary.paragraphs]
    [record] = [f for f in report.findings if f.threat == "spylive360"]
    seen = [plain(line) for line in explain_finding(record, report, "en").seen]
    assert any(f"The device at {PHONE_V4} (hardware address {PHONE_MAC})" in line for line in seen)
    assert any(f"The device at {PHONE_V6} (hardware address {PHONE_MAC})" in line for line in seen)
    zh = [plain(line) for line in explain_finding(record, report, "zh").seen]
    assert any(f"（硬件地址 {PHONE_MAC}）的设备" in line for line in zh)


def test_two_devices_with_the_tool_are_two_findings(tmp_path: Path) -> None:
    path = phone_on_both(tmp_path, laptop_too=True)
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(path)),), use_feeds=False))
    devices = sorted(dict(f.params)["device"].rsplit(" ", 1)[-1] for f in result.findings if f.threat == "spylive360")
    assert devices == [PHONE_MAC, LAPTOP_MAC]
    summary = summarize(from_result(result), "en")
    assert "That is 1 known tool, seen on 2 devices." in [plain(p) for p in summary.paragraphs]


def test_without_hardware_addresses_a_capture_stays_one_device(tmp_path: Path) -> None:
    """Raw IP captures (no link layer) name no hardware address: every finding is the capture's."""
    from scapy.utils import PcapWriter

    path = tmp_path / "raw.pcap"
    with PcapWriter(str(path), linktype=101) as out:  # raw IP
        for packet in (*dns_lookup(PHONE_MAC, PHONE_V4, KNOWN), *tls_to(PHONE_MAC, PHONE_V6, "2001:db8:99::5", KNOWN)):
            out.write(packet.payload)
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(path)),), use_feeds=False))
    [finding] = [f for f in result.findings if f.threat == "spylive360"]
    assert dict(finding.params)["device"] == str(path)
    assert "devices" not in result.sources[0].details


def test_a_certificate_belongs_to_the_one_device_that_spoke_with_its_server(tmp_path: Path) -> None:
    from exposure.collect.pcap import COLLECTOR
    from exposure.observations.network import TlsCertificate

    collector = PcapCollector(str(tmp_path / "x.pcap"))
    collector.devices = {PHONE_V4: PHONE_MAC, LAPTOP_V4: LAPTOP_MAC}
    ex = Extractor()
    ex.flows[("tcp", bytes([192, 168, 1, 23]), bytes([203, 0, 113, 5]), 443)] = _flow_seen()
    ex.flows[("tcp", bytes([192, 168, 1, 23]), bytes([203, 0, 113, 6]), 443)] = _flow_seen()
    ex.flows[("tcp", bytes([192, 168, 1, 40]), bytes([203, 0, 113, 6]), 443)] = _flow_seen()
    receivers = collector._receivers(ex)
    assert receivers[("203.0.113.5", 443)] == {PHONE_MAC}
    assert receivers[("203.0.113.6", 443)] == {PHONE_MAC, LAPTOP_MAC}  # two devices: the capture's
    assert TlsCertificate(COLLECTOR, "x", sha1="a", sha256="b").device() == "x"


def _flow_seen() -> FlowSeen:
    return FlowSeen(0.0)


def test_a_router_carrying_others_addresses_is_not_one_device() -> None:
    router = bytes.fromhex("0200000000fe")
    table = {bytes([203, 0, 113, n]): router for n in range(1, 4)}
    table[bytes([192, 168, 1, 23])] = bytes.fromhex("021122334455")
    table[bytes.fromhex("20010db8000000000000000000000023")] = bytes.fromhex("021122334455")
    assert client_devices(table) == {PHONE_V4: PHONE_MAC, PHONE_V6: PHONE_MAC}


def frames(packets: list[Packet]) -> list[tuple[int, float, bytes]]:
    return [(1, float(n), bytes(p)) for n, p in enumerate(packets, 1)]


def test_the_reading_loop_learns_what_packet_by_packet_learns(tmp_path: Path) -> None:
    """The loop's fast path starts TCP flows itself: it hands the frame over first."""
    path = phone_on_both(tmp_path, laptop_too=True)
    fast, slow = Extractor(), Extractor()
    with open_capture(path) as reader:
        fast.run(reader.frames())
    with open_capture(path) as reader:
        for link, ts, data in reader.frames():
            slow.packet(link, ts, data)
    assert fast.client_macs.by_client == slow.client_macs.by_client
    assert bytes.fromhex("20010db8000000000000000000000023") in fast.client_macs.by_client


def test_only_a_frame_that_carries_the_client_teaches_its_address() -> None:
    ex = Extractor()
    tunnelled = Ether(src=ROUTER_MAC, dst=PHONE_MAC) / IP(src="192.168.1.1", dst=PHONE_V4) / IP(
        src="10.9.9.9", dst="10.8.8.8") / UDP(sport=40000, dport=5000) / Raw(b"x")
    tagged = Ether(src=LAPTOP_MAC, dst=ROUTER_MAC) / Dot1Q(vlan=7) / IP(src=LAPTOP_V4, dst="8.8.8.8") / ICMP()
    broadcast = Ether(src=ROUTER_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="192.168.1.1", dst="192.168.1.255") / UDP(
        sport=40001, dport=9)
    for link, ts, data in frames([tunnelled, tagged, broadcast]):
        ex.packet(link, ts, data)
    learnt = {bytes(k): v.hex(":") for k, v in ex.client_macs.by_client.items()}
    assert bytes([10, 9, 9, 9]) not in learnt  # the inner packet's client: the outer frame is not its
    assert learnt[bytes([192, 168, 1, 1])] == ROUTER_MAC
    assert learnt[bytes([192, 168, 1, 40])] == LAPTOP_MAC  # through a VLAN tag


def test_the_table_is_bounded_and_learns_only_new_clients() -> None:
    table = ClientMacs()
    frame = bytes(Ether(src=PHONE_MAC, dst=ROUTER_MAC) / IP(src=PHONE_V4, dst="192.168.1.1"))
    other = bytes(Ether(src=LAPTOP_MAC, dst=ROUTER_MAC) / IP(src=PHONE_V4, dst="192.168.1.1"))
    table.learn(bytes([192, 168, 1, 23]), frame)
    table.learn(bytes([192, 168, 1, 23]), other)  # not new: the first address stays
    assert table.by_client == {bytes([192, 168, 1, 23]): bytes.fromhex("021122334455")}
    table.learn(bytes([192, 168, 1, 23]), b"short")
    dhcp = bytes(Ether(src=LAPTOP_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255"))
    table.learn(bytes(4), dhcp)  # a device asking for an address is not at 0.0.0.0
    assert bytes(4) not in table.by_client
    for n in range(MAX_CLIENTS + 10):
        client = n.to_bytes(4, "big")
        table.learn(client, bytes(Ether(src=PHONE_MAC, dst=ROUTER_MAC) / IP(src=".".join(map(str, client)),
                                                                            dst="192.168.1.1")))
    assert len(table.by_client) == MAX_CLIENTS


def test_an_iphone_capture_stays_one_phone() -> None:
    from exposure.collect.ios.capture import IphoneCaptureCollector

    assert IphoneCaptureCollector.by_device is False and PcapCollector.by_device is True
