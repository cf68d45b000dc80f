"""A capture that holds nothing a check can read is "not checked", said first, exit code 2; one
that holds little says first what it could not show (tunnels not opened, no names, a short
recording) and how long it covers. Captures from ``tests/data/network/make_not_checked.py``
and the network review's cases."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.model import SourceInfo, SourceSpec
from exposure.report.document import from_result
from exposure.report.html import render_html
from exposure.report.markdown import render_markdown
from exposure.scan import ScanRequest, ScanResult, run_scan
from tests.paths import REPO

DATA = REPO / "tests" / "data" / "network"
NO_IP = ("no-ip-arp.pcap", "no-ip-wifi-encrypted.pcap", "no-ip-bluetooth.pcap")
TUNNEL_ONLY = (("tunnel-esp.pcap", "ipsec", 120, 1), ("tunnel-openvpn.pcap", "openvpn", 102, 1),
               ("tunnel-wireguard.pcap", "wireguard", 82, 1), ("wireguard-keys-none.pcapng", "wireguard", 33, 3))


def scan(*names: str) -> ScanResult:
    sources = tuple(SourceSpec("pcap", str(DATA / name)) for name in names)
    return run_scan(ScanRequest(sources=sources, profiles=("stalkerware",), use_feeds=False))


def only(result: ScanResult) -> SourceInfo:
    assert len(result.sources) == 1
    return result.sources[0]


def partly(info: SourceInfo) -> list[str]:
    return [note.key for note in info.not_checked if ".partly." in note.key]


@pytest.mark.parametrize("name", NO_IP)
def test_a_capture_without_ip_packets_is_not_checked_and_lists_nothing_as_checked(name: str) -> None:
    info = only(scan(name))
    assert info.counts["packets"] > 0 and info.counts["ip_packets"] == 0
    assert info.unread is not None and info.unread.key == "error.source.no-ip"
    assert dict(info.unread.params) == {"count": str(info.counts["packets"])}
    assert "no internet traffic (IP packets)" in info.unread.text
    assert info.checked == []  # DNS, TLS, HTTP were not looked at: never listed as checked


JUNIPER_ETHERNET = 178  # a link type exposure does not read (tcpdump's bgp-aigp.pcap is recorded on it)


def test_a_capture_on_a_link_exposure_cannot_read_is_not_checked_saying_so(tmp_path: Path) -> None:
    """It said "no internet traffic (IP packets) ... 1 packets of other kinds, e.g. Wi-Fi": untrue
    of tcpdump's BGP capture on Juniper's link type, whose packet is IP that exposure cannot reach."""
    capture = tmp_path / "juniper.pcap"
    frame = bytes(64)
    capture.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, JUNIPER_ETHERNET)
                        + struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame)
    info = only(run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), profiles=("stalkerware",),
                                     use_feeds=False)))
    assert info.unread is not None and info.unread.key == "error.source.link-unread"
    assert dict(info.unread.params) == {"link": "178", "count": "1"}
    assert "Wi-Fi" not in info.unread.text and "1 packets" not in info.unread.text
    assert main(["--lang", "zh", "scan", "--no-feeds", "--pcap", str(capture)]) == 2


@pytest.mark.parametrize(("name", "kind", "packets", "flows"), TUNNEL_ONLY)
def test_tunnelled_traffic_without_any_name_is_partly_checked_naming_the_tunnel(name: str, kind: str, packets: int,
                                                                                flows: int) -> None:
    """Once "not checked" (review of stop 26, round 2: that dropped the finding of a known
    stalkerware server reached through the tunnel); the tunnels' servers are compared with the lists."""
    info = only(scan(name))
    assert info.unread is None
    assert partly(info)[0] == f"pcap.partly.tunnel.{kind}"
    assert dict(info.not_checked[0].params) == {"packets": str(packets), "flows": str(flows)}
    assert "pcap.partly.no-names" in partly(info)
    assert info.counts[f"{kind}_tunnel_packets"] == packets and info.counts["open_public_flows"] == 0


# VPN tunnels on ports that are not their usual ones, told by the shape of their messages
# (exposure/collect/net/vpn.py): (capture, kind, packets, port said)
OTHER_PORTS = (("tunnel-wireguard-port.pcap", "wireguard", 62, "udp", 2408),
               ("tunnel-wireguard-midway.pcap", "wireguard", 24, "udp", 443),
               ("tunnel-openvpn-port.pcap", "openvpn", 43, "udp", 1197),
               ("tunnel-openvpn-tcp443.pcap", "openvpn", 45, "tcp", 443))


@pytest.mark.parametrize(("name", "kind", "packets", "protocol", "number"), OTHER_PORTS)
def test_a_tunnel_on_another_port_is_told_by_its_messages_and_its_port_said(name: str, kind: str, packets: int,
                                                                            protocol: str, number: int) -> None:
    """A tunnel was told by its port alone: on any other one the capture was said to be checked
    while what went through the VPN was hidden."""
    result = scan(name)
    info = only(result)
    assert info.unread is None
    assert partly(info)[0] == f"pcap.partly.tunnel.{kind}.{protocol}-port"
    assert dict(info.not_checked[0].params) == {"packets": str(packets), "flows": "1", "port": str(number)}
    port = f"{protocol.upper()} port {number}"
    assert f"(a VPN, seen on {port}, which is not its usual port)" in info.not_checked[0].text
    document = from_result(result)
    words = {"wireguard": "WireGuard", "openvpn": "OpenVPN"}[kind]
    for lang, said in (("en", f"Partly checked: the network capture `{name}`: what went through {words} tunnels "
                              f"(a VPN, seen on {port}, which is not its usual port)"),
                       ("zh", f"部分检查：网络抓包文件 `{name}`。经过 {words} 隧道（VPN，出现在 {protocol.upper()} "
                              f"{number} 端口上，这不是它通常使用的端口）")):
        markdown = render_markdown(document, lang)
        assert said in markdown, markdown
        assert markdown.index(said) < markdown.index("did not find" if lang == "en" else "没有发现")


def test_traffic_shaped_almost_like_a_tunnel_is_not_called_one() -> None:
    """QUIC short headers beginning with OpenVPN's reset opcodes, STUN, RTP, a game's messages
    with a little-endian type 1 to 4 (Wireshark's WireGuard heuristic takes some for WireGuard),
    DNS whose IDs begin like a tunnel's message: no tunnel, and the names are still read."""
    info = only(scan("not-a-tunnel.pcap"))
    assert info.unread is None
    assert not [key for key in partly(info) if "tunnel" in key]
    assert not [key for key in info.counts if "tunnel" in key]
    assert info.counts["dns_names"] == 2 and info.counts["flows"] == 5  # www.example.org and the root


def test_a_tunnel_is_told_only_when_both_of_its_sides_were_seen(tmp_path: Path) -> None:
    """Half a handshake (a client's reset, an initiation without its response) carried nothing:
    no tunnel; the same captures with the answer are one."""
    from scapy.utils import wrpcap

    from tests.data.network import make_not_checked as made

    for build, answer in ((made.openvpn_port, 1), (made.wireguard_port, 1), (made.openvpn_tcp443, 4)):
        packets = build()
        capture = tmp_path / f"{build.__name__}.pcap"
        wrpcap(str(capture), packets[:answer] + packets[answer + 1:answer + 2])
        half = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), use_feeds=False))
        assert not [k for k in only(half).counts if "tunnel" in k], build.__name__
        wrpcap(str(capture), packets[:answer + 1])
        whole = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), use_feeds=False))
        assert [k for k in only(whole).counts if k.endswith("_tunnel_flows")], build.__name__


THE_TRUTH_SPY = "69.64.74.239"  # a TheTruthSpy server in the bundled Echap list (ioc.yaml)


def test_a_known_stalkerware_server_reached_through_a_tunnel_is_reported(tmp_path: Path) -> None:
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    capture = tmp_path / "esp-to-a-known-server.pcap"
    wrpcap(str(capture), [Ether() / IP(src="192.168.1.23", dst=THE_TRUTH_SPY) / ESP(spi=7, seq=n, data=bytes(48))
                          for n in range(1, 6)])
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(capture)),), profiles=("stalkerware",)))
    info = only(result)
    assert info.unread is None and partly(info)[0] == "pcap.partly.tunnel.ipsec"
    assert [f.threat for f in result.findings if f.rule.startswith("indicator")] == ["thetruthspy"]
    # through WireGuard on a port of its own (told by its messages), the same
    from tests.data.network.make_not_checked import wireguard_port

    other = tmp_path / "wireguard-to-a-known-server.pcap"
    packets = wireguard_port()
    for packet in packets:
        ip = packet[IP]
        if ip.src == "198.51.100.9":
            ip.src = THE_TRUTH_SPY
        else:
            ip.dst = THE_TRUTH_SPY
    wrpcap(str(other), packets)
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(other)),), profiles=("stalkerware",)))
    assert partly(only(result))[0] == "pcap.partly.tunnel.wireguard.udp-port"
    assert [f.threat for f in result.findings if f.rule.startswith("indicator")] == ["thetruthspy"]
    markdown = render_markdown(from_result(result), "en")  # said first, as a phone read in part is
    assert markdown.index("Partly checked: the network capture") < markdown.index("We found")
    out = tmp_path / "r.md"
    assert main(["scan", "--pcap", str(capture), "--md", str(out), "--quiet"]) == 0
    assert "TheTruthSpy" in out.read_text("utf-8") and "Not checked" not in out.read_text("utf-8")


def test_ike_on_udp_500_alone_is_not_a_tunnel() -> None:
    """DNS answered on port 500 (dns-odd-ports.pcap) was called "IPsec tunnels (a VPN)": the key
    exchange carries no traffic, and a port number alone proves nothing."""
    info = only(scan("dns-odd-ports.pcap"))
    assert not [k for k in partly(info) if "tunnel" in k]


def test_a_tunnel_beside_names_is_checked_with_the_tunnel_said_first() -> None:
    result = scan("tunnel-and-dns.pcap")
    info = only(result)
    assert info.unread is None
    assert info.not_checked[0].key == "pcap.partly.tunnel.wireguard"
    assert dict(info.not_checked[0].params) == {"packets": "82", "flows": "1"}
    document = from_result(result)
    for lang, said in (("en", "Partly checked: the network capture `tunnel-and-dns.pcap`: what went through "
                               "WireGuard tunnels (a VPN)"),
                       ("zh", "部分检查：网络抓包文件 `tunnel-and-dns.pcap`。经过 WireGuard 隧道（VPN）的内容")):
        markdown = render_markdown(document, lang)
        summary = markdown.split("## Summary" if lang == "en" else "\n## ", 2)[1]
        assert said in markdown
        assert markdown.index(said) < markdown.index("did not find" if lang == "en" else "没有发现"), summary


def test_the_keys_of_a_tunnel_open_it_and_no_tunnel_line_is_said() -> None:
    info = only(scan("wireguard-keys.pcapng"))
    assert info.unread is None
    assert not [k for k in partly(info) if "tunnel" in k]


@pytest.mark.parametrize("name", ["few-ip-dhcp.pcap", "tls-no-names.pcap"])
def test_a_few_ip_packets_without_names_are_checked_saying_no_name_was_seen(name: str) -> None:
    info = only(scan(name))
    assert info.unread is None  # the addresses were compared with the lists
    assert partly(info)[0] == "pcap.partly.no-names"
    assert dict(info.not_checked[0].params) == {"packets": str(info.counts["ip_packets"]),
                                                "flows": str(info.counts["flows"])}


def test_a_short_recording_says_its_length_and_that_quiet_tools_may_have_been_missed() -> None:
    info = only(scan("short-dns.pcap"))
    assert info.unread is None
    assert partly(info) == []  # a limit of what was seen, listed with the blind spots, not said first
    assert [(n.key, dict(n.params)) for n in info.not_checked if n.key.startswith("pcap.short")] == \
        [("pcap.short-seconds", {"seconds": "2"})]
    assert [(n.key, dict(n.params)) for n in info.checked if n.key.startswith("pcap.span")] == \
        [("pcap.span.seconds", {"seconds": "2"})]


def test_a_live_recording_is_as_long_as_it_was_watched() -> None:
    """`exposure capture --duration 20` of a phone quiet after the first second was said to
    cover 1 s (review of stop 26, round 2): the watch's own length counts."""
    from exposure.collect.traffic_notes import traffic_read

    info = SourceInfo(kind="live", name="wlan0")
    info.counts.update(packets=4, ip_packets=4, dns_names=1)
    info.first_time = info.last_time = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    info.details["watched"] = "900 s"
    traffic_read(info)
    assert not [n for n in info.not_checked if n.key.startswith("pcap.short")]
    info = SourceInfo(kind="pcap", name="x.pcap")
    info.counts.update(packets=4, ip_packets=4, dns_names=1)
    info.first_time = info.last_time = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    traffic_read(info)
    assert [n.key for n in info.not_checked if n.key.startswith("pcap.short")] == ["pcap.short-instant"]
    assert "less than a second" in info.not_checked[-1].text


def test_a_long_enough_recording_says_its_length_only() -> None:
    info = only(scan("long-dns.pcap"))
    assert partly(info) == []
    assert [(n.key, dict(n.params)) for n in info.checked if n.key.startswith("pcap.span")] == \
        [("pcap.span.minutes", {"minutes": "12", "seconds": "0"})]


def test_reports_say_not_checked_first_in_every_format_and_language(tmp_path: Path) -> None:
    result = scan("no-ip-wifi-encrypted.pcap", "long-dns.pcap")
    document = from_result(result)
    for lang, said, checked in (("en", "Not checked: the network capture `no-ip-wifi-encrypted.pcap`: it holds no "
                                       "internet traffic (IP packets)", "## What was checked"),
                                ("zh", "未检查：网络抓包文件 `no-ip-wifi-encrypted.pcap`。其中没有可以检查的互联网流量",
                                 "## 检查了哪些内容")):
        markdown = render_markdown(document, lang)
        assert said in markdown, markdown
        assert markdown.index(said) < markdown.index(checked)
        listed = markdown.split(checked, 1)[1].split("\n## ", 1)[0]
        assert "no-ip-wifi-encrypted" not in listed and "long-dns.pcap" in listed  # only what was read
        html = render_html(document, lang)
        assert "no-ip-wifi-encrypted.pcap" in html and ("internet traffic (IP packets)" in html or lang == "zh")
    out = tmp_path / "r.json"
    assert main(["scan", "--no-feeds", "--pcap", str(DATA / "no-ip-arp.pcap"), str(DATA / "long-dns.pcap"),
                 "--json", str(out), "--quiet"]) == 2
    sources = {Path(s["name"]).name: s for s in json.loads(out.read_text("utf-8"))["sources"]}
    assert sources["no-ip-arp.pcap"]["unread"]["key"] == "error.source.no-ip"
    assert sources["no-ip-arp.pcap"]["checked"] == []
    assert sources["long-dns.pcap"]["unread"] is None


@pytest.mark.parametrize("name", NO_IP)
def test_the_command_line_says_not_checked_and_exits_2(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-feeds", "--pcap", str(DATA / name), "--lang", "en"]) == 2
    said = capsys.readouterr()
    assert f"Not checked: the network capture {name}:" in said.err
    assert "did not find" not in said.out + said.err


def test_the_command_line_says_partly_checked_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-feeds", "--pcap", str(DATA / "tls-no-names.pcap"), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("部分检查：网络抓包文件 tls-no-names.pcap。连接了哪些服务器（按域名）：没有看到任何域名")
    assert "部分检查：网络抓包文件 tls-no-names.pcap。抓包时间较短" not in out  # listed with the blind spots


@pytest.mark.parametrize(("name", "reason"), [("no-ip-arp.pcap", "it holds no internet traffic (IP packets)"),
                                             ("no-ip-bluetooth.pcap", "it holds no internet traffic (IP packets)")])
def test_names_says_not_checked_as_scan_does_and_exits_2(name: str, reason: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", str(DATA / name), str(DATA / "short-dns.pcap")]) == 2
    said = capsys.readouterr()
    assert f"exposure: Not checked: the network capture {name}: {reason}" in said.err
    assert "www.example.org" in said.out  # the other capture's names are still listed
    assert main(["names", str(DATA / "short-dns.pcap")]) == 0


def test_names_of_a_capture_without_packets_exits_2_with_scans_line(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
    assert main(["scan", "--no-feeds", "--pcap", str(empty)]) == 2
    scan_said = capsys.readouterr().err
    assert main(["names", "--json", str(empty)]) == 2
    said = capsys.readouterr()
    assert json.loads(said.out) == {"dns": [], "tls_sni": [], "quic_sni": [], "http_host": []}
    assert said.err == scan_said == "exposure: Not checked: the network capture empty.pcap: it holds no packets.\n"


@pytest.mark.parametrize("name", ["arp-only.pcap"])
def test_the_reviewers_captures_are_not_checked(name: str) -> None:
    path = Path("/tmp/reviewnet/caps") / name
    if not path.exists():
        pytest.skip("the network review's crafted captures are not on this machine")
    result = run_scan(ScanRequest(sources=(SourceSpec("pcap", str(path)),), use_feeds=False))
    assert only(result).unread is not None


def test_the_apps_results_say_not_checked_and_partly_checked_first_in_both_languages() -> None:
    from exposure.tui.findings import view_result

    result = scan("no-ip-wifi-encrypted.pcap", "tunnel-and-dns.pcap", "short-dns.pcap")
    english = view_result(result, "en")
    summary = english.summary.plain
    assert summary.startswith("Not checked: the network capture no-ip-wifi-encrypted.pcap: it holds no internet "
                              "traffic (IP packets)")
    assert summary.index("Partly checked: the network capture tunnel-and-dns.pcap: what went through WireGuard") \
        < summary.index("We did not find any of the known tools")
    assert "short recording" not in summary
    assert "a short recording: it covers only 2 s" in english.not_checked.plain
    assert "no-ip-wifi-encrypted" not in english.checked.plain  # nothing of it was looked at
    assert "the length of the recording, from its first packet to its last: 2 s" in english.checked.plain
    assert english.not_checked.plain.startswith("• Not checked: the network capture no-ip-wifi-encrypted.pcap")
    chinese = view_result(result, "zh").summary.plain
    assert chinese.startswith("未检查：网络抓包文件 no-ip-wifi-encrypted.pcap。"
                              "其中没有可以检查的互联网流量（IP 数据包）")
    assert "抓包时间较短" not in chinese


def test_source_by_source_a_partly_checked_capture_is_not_said_to_hold_nothing() -> None:
    """"Nothing was found in it" was said of a capture whose tunnel could not be read (second review)."""
    document = from_result(scan("tunnel-and-dns.pcap", "long-dns.pcap"))
    for lang, partly_said, none_said in (("en", "Nothing was found in what could be read from it",
                                          "Nothing was found in it."),
                                         ("zh", "在能读取的部分中没有发现任何情况", "其中没有发现任何情况。")):
        markdown = render_markdown(document, lang)
        assert markdown.count(partly_said) == 1 and markdown.count(none_said) == 1, markdown
        assert markdown.index("tunnel-and-dns.pcap") < markdown.rindex(partly_said)


def test_traffic_without_ports_is_not_said_to_use_port_0() -> None:
    """ESP evidence read "on port 0" (second review)."""
    from exposure.collect.base import CollectContext
    from exposure.collect.pcap import PcapCollector
    from exposure.explain.lines import plain
    from exposure.explain.seen import what_line
    from exposure.observations.network import Flow
    from exposure.report.document import observation_record

    flows = [obs for obs in PcapCollector(str(DATA / "tunnel-esp.pcap")).collect(CollectContext())
             if isinstance(obs, Flow) and obs.protocol == "esp"]
    assert flows
    for flow in flows:
        assert "port" not in flow.describe()
        record = observation_record(flow)
        english, chinese = (plain(what_line(record, lang)) for lang in ("en", "zh"))
        assert english.endswith(f"exchanged ESP traffic with {flow.server}") and "port" not in english
        assert chinese.endswith(f"与 {flow.server} 交换了 ESP 数据") and "端口" not in chinese
