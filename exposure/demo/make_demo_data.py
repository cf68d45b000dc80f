"""Regenerate the bundled workshop demo data (synthetic, made up; safe to show anywhere).

    python -m exposure.demo.make_demo_data

writes into ``exposure/demo/data/``:

- ``demo-capture.pcap``: a few seconds of made-up traffic from a phone on a private
  network: ordinary look-ups, then DNS look-ups and a TLS ClientHello (SNI) to
  ``s1.spylive360.com``, a command server of the SpyLive360 stalkerware listed by Echap
  (profiles/stalkerware.yaml).
- ``demo-phone/``: an androidqf-style acquisition (formats.md §5) of a made-up phone with
  SpyLive360 (``com.wifi0``, its accessibility service turned on) and the BXAQ/Fengcai
  border-police app (``com.fiberhome.wifiserver``, profiles/china-state-monitoring.yaml).

Every address is private or documentation space; every time, serial and id is made up
and fixed, so the output is the same on every run. The files say DEMO where they can.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
PHONE = "DEMO-PHONE-0001"
T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC, a made-up moment

PHONE_MAC = "02:00:00:de:00:01"  # locally administered: not a real device
ROUTER_MAC = "02:00:00:de:00:fe"
PHONE_IP = "192.168.77.23"
RESOLVER_IP = "192.168.77.1"

STALKERWARE_C2 = "s1.spylive360.com"
ORDINARY = ("connectivitycheck.gstatic.com", "example.org")
# Documentation addresses (RFC 5737), never real servers.
ANSWERS = {"connectivitycheck.gstatic.com": "192.0.2.10", "example.org": "192.0.2.20",
           STALKERWARE_C2: "198.51.100.7"}


def make_capture(path: Path) -> None:
    from scapy.layers.dns import DNS, DNSQR, DNSRR
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
    from scapy.layers.tls.extensions import ServerName, TLS_Ext_ServerName, TLS_Ext_SupportedVersion_CH
    from scapy.layers.tls.handshake import TLSClientHello
    from scapy.layers.tls.record import TLS
    from scapy.utils import wrpcap

    packets: list[Any] = []
    clock = [float(T0)]

    def add(packet: object, step: float = 0.05) -> None:
        clock[0] += step
        packet.time = clock[0]  # type: ignore[attr-defined]
        packets.append(packet)

    def ether(src_is_phone: bool) -> object:
        return Ether(src=PHONE_MAC, dst=ROUTER_MAC) if src_is_phone else Ether(src=ROUTER_MAC, dst=PHONE_MAC)

    def lookup(name: str, txid: int, sport: int) -> None:
        query = DNS(id=txid, rd=1, qd=DNSQR(qname=name, qtype="A"))
        add(ether(True) / IP(src=PHONE_IP, dst=RESOLVER_IP, id=txid) / UDP(sport=sport, dport=53) / query, 0.5)
        answer = DNS(id=txid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
                     an=DNSRR(rrname=name, type="A", ttl=60, rdata=ANSWERS[name]))
        add(ether(False) / IP(src=RESOLVER_IP, dst=PHONE_IP, id=txid) / UDP(sport=53, dport=sport) / answer)

    def hello(name: str, sport: int) -> None:
        server = ANSWERS[name]
        out = ether(True) / IP(src=PHONE_IP, dst=server)
        back = ether(False) / IP(src=server, dst=PHONE_IP)
        add(out / TCP(sport=sport, dport=443, flags="S", seq=1000))
        add(back / TCP(sport=443, dport=sport, flags="SA", seq=5000, ack=1001))
        add(out / TCP(sport=sport, dport=443, flags="A", seq=1001, ack=5001))
        extensions = [
            TLS_Ext_ServerName(servernames=[ServerName(servername=name.encode())]),  # type: ignore[no-untyped-call]
            TLS_Ext_SupportedVersion_CH(versions=[0x0304, 0x0303]),  # type: ignore[no-untyped-call]
        ]
        client_hello = TLSClientHello(  # type: ignore[no-untyped-call]
            gmt_unix_time=T0, random_bytes=bytes(28), sid=b"", ciphers=[0x1301, 0x1302, 0xC02B], ext=extensions,
        )
        record = TLS(msg=[client_hello])  # type: ignore[no-untyped-call]
        add(out / TCP(sport=sport, dport=443, flags="PA", seq=1001, ack=5001) / record)

    lookup(ORDINARY[0], 0x1001, 40001)
    hello(ORDINARY[0], 50001)
    lookup(ORDINARY[1], 0x1002, 40002)
    lookup(STALKERWARE_C2, 0x1003, 40003)
    hello(STALKERWARE_C2, 50002)
    lookup(STALKERWARE_C2, 0x1004, 40004)  # it reports in again a little later
    hello(STALKERWARE_C2, 50003)
    wrpcap(str(path), packets)


def _package(name: str, installer: str, system: bool, uid: int) -> dict[str, object]:
    return {
        "name": name,
        "files": [{"path": f"/data/app/~~DEMO==/{name}-DEMO==/base.apk", "local_name": "", "md5": "", "sha1": "",
                   "sha256": "", "sha512": "", "error": "", "verified_certificate": False, "certificate": None,
                   "certificate_error": "", "trusted_certificate": False}],
        "installer": installer,
        "uid": uid,
        "disabled": False,
        "system": system,
        "third_party": not system,
    }


PACKAGES = (
    ("com.android.settings", "null", True),
    ("com.android.chrome", "com.android.vending", True),
    ("org.example.demo.notes", "com.android.vending", False),
    ("com.wifi0", "null", False),  # SpyLive360 (Echap), side-loaded: no installer
    ("com.fiberhome.wifiserver", "null", False),  # BXAQ / Fengcai (Motherboard, 2019)
)
A11Y_SERVICE = "com.wifi0/com.wifi0.services.DemoAccessibilityService"


def make_phone(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "README.txt": "DEMO: synthetic androidqf-style acquisition made by exposure/demo/make_demo_data.py.\n"
                      "No real phone, no real person. Planted: com.wifi0 (SpyLive360 stalkerware, with an\n"
                      "accessibility service turned on) and com.fiberhome.wifiserver (BXAQ / Fengcai).\n",
        "acquisition.json": json.dumps({
            "uuid": "00000000-0000-4000-8000-00000000de00", "androidqf_version": "DEMO",
            "storage_path": "", "started": "2026-01-01T00:00:00Z", "completed": "2026-01-01T00:03:00Z",
            "collector": None, "tmp_dir": "", "sdcard": "", "cpu": "arm64-v8a", "streaming_mode": False,
        }, indent=2) + "\n",
        "packages.json": json.dumps([_package(n, i, s, 10100 + k) for k, (n, i, s) in enumerate(PACKAGES)],
                                    indent=2) + "\n",
        "getprop.txt": "".join(f"[{k}]: [{v}]\n" for k, v in (
            ("ro.product.brand", "DEMO"), ("ro.product.model", "Demo Phone (synthetic)"),
            ("ro.build.version.release", "13"), ("ro.build.version.sdk", "33"),
            ("ro.build.version.security_patch", "2025-12-01"), ("ro.serialno", PHONE),
        )),
        "settings_secure.txt": f"enabled_accessibility_services={A11Y_SERVICE}\naccessibility_enabled=1\n"
                               "install_non_market_apps=1\n",
        "settings_global.txt": "adb_enabled=1\ndevelopment_settings_enabled=1\npackage_verifier_enable=0\n",
        "settings_system.txt": "screen_brightness=128\n",
        "processes.txt": "USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME\n"
                         "root             1     0   57912   2084 0                   0 S init\n"
                         "system        1234     1 1200000  90000 0                   0 S system_server\n"
                         "u0_a103       4242   600 1100000  40000 0                   0 S com.wifi0\n"
                         "u0_a104       4243   600 1100000  40000 0                   0 S com.fiberhome.wifiserver\n",
        "root_binaries.json": "[]\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    make_capture(DATA / "demo-capture.pcap")
    make_phone(DATA / "demo-phone")
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    print(f"wrote {DATA} ({total} bytes)")


if __name__ == "__main__":
    main()
