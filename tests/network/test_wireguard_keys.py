"""Captures of WireGuard tunnels that carry their own keys (pcapng Decryption Secrets Blocks): the names inside.

The captures are ours (``tests/data/network/make_wireguard_keys.py``: real Noise IKpsk2
handshakes run by both peers there, the key log of one peer in the capture); ``expected/``
holds what ``tshark-names`` (TShark 4.0.17), which decrypts WireGuard with these keys, printed
for each. These run on a fresh clone; the checks against Wireshark's own WireGuard capture and a
live tshark skip when those are absent.
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.net import keylog, parallel, wg_keys, wireguard
from exposure.collect.net.extract import PARSER_ERROR, Extractor
from exposure.collect.net.keylog import KeyLog
from exposure.collect.net.reader import open_capture
from exposure.collect.net.wg_keys import WireGuardKeys
from exposure.collect.pcap import PcapCollector
from exposure.commands.names import names_of
from exposure.observations.network import DnsQuery, Flow, ServerName
from tests.network.keyed_captures import extract_with_keys, tshark, tshark_kinds
from tests.network.test_names_classes import DATA, names
from tests.paths import SHARED, needs_shared

DNS = ["wg-dns.example", "wg-psk-dns.example"]
SNI = ["wg-psk-tls.example", "wg-tls.example"]
HOSTS = ["wg-http.example", "wg-rekey-http.example"]
FOUND = {"dns": DNS, "tls_sni": SNI, "quic_sni": [], "http_host": HOSTS}
NOTHING: dict[str, list[str]] = {"dns": [], "tls_sni": [], "quic_sni": [], "http_host": []}
TSHARK_NAMES = SHARED / "tools" / "tshark-names"
REAL = Path("/tmp/real-captures/wireshark/wireguard-ping-tcp-dsb.pcapng")  # benchmarks/fetch_real_captures.py


def test_names_inside_wireguard_with_the_keys_agree_with_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "wireguard-keys.pcapng")
    assert tshark("wireguard-keys.pcapng") == FOUND
    # tunnel A: the initiator's keys (its ephemeral key), IPv4, a rekey (a second handshake);
    # tunnel B: the responder's keys with a preshared key, IPv6 inside and out; C: no keys
    assert tshark_kinds(got) == FOUND
    assert "wg-nokeys.example" not in got["dns"]
    ex = extract_with_keys("wireguard-keys.pcapng")
    assert ex.wireguard is not None and ex.wireguard.sessions == 3
    assert ex.overflow == {wireguard.NO_KEYS: 1}  # tunnel C, said in a warning
    assert not ex.undecoded


def test_without_the_keys_nothing_inside(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "wireguard-keys-none.pcapng")
    assert tshark_kinds(got) == tshark("wireguard-keys-none.pcapng") == NOTHING
    assert extract_with_keys("wireguard-keys-none.pcapng").wireguard is None


def test_wrong_keys_give_nothing_and_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "wireguard-keys-wrong.pcapng")
    assert tshark_kinds(got) == tshark("wireguard-keys-wrong.pcapng") == NOTHING
    ex = extract_with_keys("wireguard-keys-wrong.pcapng")
    assert ex.wireguard is not None and ex.wireguard.sessions == 0 and ex.wireguard.packets == 0
    # A's altered ephemeral keys match no handshake (nor does C's); B's altered preshared key
    # leaves its response's tag wrong
    assert ex.overflow == {wireguard.NO_KEYS: 3}
    assert ex.undecoded == {wireguard.BAD_HANDSHAKE: 1}


def test_keys_written_after_the_packets_are_used(capsys: pytest.CaptureFixture[str]) -> None:
    """The capture is read again with every key known. tshark reads the keys only for what follows."""
    got = names(capsys, "wireguard-keys-late.pcapng")
    assert tshark_kinds(got) == FOUND
    assert tshark("wireguard-keys-late.pcapng") == NOTHING  # documented in docs/tshark-differences.md
    with open_capture(DATA / "wireguard-keys-late.pcapng") as reader:
        for _ in reader.frames():
            pass
        assert reader.secrets.late and reader.secrets.wireguard is not None
    with open_capture(DATA / "wireguard-keys.pcapng") as reader:
        for _ in reader.frames():
            pass
        assert reader.secrets.wireguard is not None and not reader.secrets.late
    collector = PcapCollector(str(DATA / "wireguard-keys-late.pcapng"))
    observed = list(collector.collect(CollectContext()))
    assert {o.name for o in observed if isinstance(o, DnsQuery)} == set(DNS)


def test_damaged_key_blocks_are_warnings_and_the_rest_is_read() -> None:
    notes: list[str] = []
    got = names_of(str(DATA / "wireguard-keys-damaged.pcapng"), notes=notes)
    assert got.as_json() == FOUND  # the right keys after the damaged blocks
    assert any(keylog.DAMAGED_BLOCK in note for note in notes)
    assert any(wg_keys.WG_BAD_LINE in note and note.endswith(": 3") for note in notes)
    assert any(wg_keys.LONE_PRESHARED in note for note in notes)
    assert any(keylog.OTHER_KIND in note for note in notes)  # a block of an unknown kind
    assert any(note.endswith("WireGuard keys stored in the capture: 7; 3 WireGuard sessions decrypted")
               for note in notes)
    assert tshark("wireguard-keys-damaged.pcapng") == NOTHING  # tshark stops at the damaged block


def test_garbled_and_forged_messages_give_no_name(capsys: pytest.CaptureFixture[str]) -> None:
    """A transport message with a byte changed, one naming wg-forged.example with its tag changed,
    one for an unknown receiver, messages of odd sizes: counted, never read."""
    got = names(capsys, "wireguard-keys-garbled.pcapng")
    assert tshark_kinds(got) == tshark("wireguard-keys-garbled.pcapng") == FOUND
    ex = extract_with_keys("wireguard-keys-garbled.pcapng")
    assert ex.undecoded.get(wireguard.BAD_PACKET) == 2
    assert "wg-forged.example" not in ex.names.dns
    assert PARSER_ERROR not in ex.undecoded


def test_randomly_damaged_messages_never_crash_nor_invent_names() -> None:
    with open_capture(DATA / "wireguard-keys.pcapng") as reader:
        frames = list(reader.frames())
    rng = random.Random(18)
    failed = found = 0
    for _ in range(40):
        mutated = []
        for link, ts, data in frames:
            at = 14 + (40 if data[12:14] == b"\x86\xdd" else 20) + 8  # the WireGuard message
            if len(data) > at and rng.random() < 0.3:
                body = bytearray(data)
                how = rng.randrange(4)
                if how == 0:
                    body[rng.randrange(at, len(body))] ^= 1 << rng.randrange(8)
                elif how == 1:
                    body = body[:rng.randrange(at, len(body))]
                elif how == 2:
                    body[at] = rng.randrange(1, 5)
                else:
                    body[at + 4:at + 8] = rng.randbytes(4)
                data = bytes(body)
            mutated.append((link, ts, data))
        ex = extract_with_keys("wireguard-keys.pcapng", mutated)
        assert PARSER_ERROR not in ex.undecoded
        assert set(ex.names.dns) <= set(DNS) and set(ex.names.tls_sni) <= set(SNI)
        assert set(ex.names.http_host) <= set(HOSTS)
        failed += ex.undecoded.get(wireguard.BAD_PACKET, 0) + ex.undecoded.get(wireguard.BAD_HANDSHAKE, 0)
        found += ex.names.total()
    assert failed and found  # damage was met, and undamaged tunnels still gave their names


def test_scan_observations_counts_and_warnings() -> None:
    collector = PcapCollector(str(DATA / "wireguard-keys.pcapng"))
    warned: list[str | CheckNote] = []
    observed = list(collector.collect(CollectContext(warn=warned.append)))
    queries = {(o.name, o.client, o.resolver) for o in observed if isinstance(o, DnsQuery)}
    assert ("wg-dns.example", "10.8.0.2", "10.8.0.1") in queries
    assert ("wg-psk-dns.example", "fd00::2", "fd00::1") in queries
    sni = {(o.name, o.server, o.port) for o in observed if isinstance(o, ServerName) and o.protocol == "tls"}
    assert sni == {("wg-tls.example", "198.51.100.80", 443), ("wg-psk-tls.example", "2001:db8::80", 443)}
    flows = {(o.protocol, o.client, o.server, o.server_port) for o in observed if isinstance(o, Flow)}
    assert ("tcp", "10.8.0.2", "198.51.100.80", 80) in flows  # connections inside the tunnel
    assert ("udp", "192.0.2.10", "203.0.113.5", 51820) in flows  # and the tunnel itself
    assert collector.info.counts["wireguard_keys"] == 7
    assert collector.info.counts["wireguard_decrypted_sessions"] == 3
    assert "pcap.wireguard-decrypted" in {note.key for note in collector.info.checked}
    # tunnel C's handshake has no keys: said, never "not used" about the keys that were
    assert [(w.key, dict(w.params).get("reason")) if isinstance(w, CheckNote) else w for w in warned] == [
        ("warn.pcap.not-followed", wireguard.NO_KEYS)]


def test_a_capture_without_wireguard_keys_has_no_wireguard_decryption() -> None:
    collector = PcapCollector(str(DATA / "wireguard-keys-none.pcapng"))
    list(collector.collect(CollectContext()))
    assert "wireguard_keys" not in collector.info.counts
    assert "pcap.wireguard-decrypted" not in {note.key for note in collector.info.checked}


def test_cryptography_is_imported_only_for_a_capture_with_wireguard_keys() -> None:
    code = ("import sys\nfrom exposure.commands.names import names_of\n"
            f"names_of({str(DATA / 'wireguard-keys-none.pcapng')!r})\n"
            "assert 'exposure.collect.net.wireguard' not in sys.modules\n"
            f"names_of({str(DATA / 'wireguard-keys.pcapng')!r})\n"
            "assert 'exposure.collect.net.wireguard' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("capture", ["wireguard-keys.pcapng", "wireguard-keys-late.pcapng"])
def test_captures_with_wireguard_keys_are_read_in_one_pass(capture: str) -> None:
    from exposure.collect.net import merge

    one = names_of(str(DATA / capture), workers=1)
    split = names_of(str(DATA / capture), workers=2, min_bytes=0)
    assert split.as_json() == one.as_json() == FOUND
    assert parallel.names_in_parallel(str(DATA / capture), 2, 0) is None
    assert isinstance(merge.scan_ranges(str(DATA / capture), 2, 0), str)  # why it is read in one pass


def _key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_key_log_lines() -> None:
    keys = WireGuardKeys()
    problems: list[str] = []
    one, two, three = bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32
    text = (f"# a comment\n  LOCAL_STATIC_PRIVATE_KEY = {_key(one)}\r\n"  # leading spaces, CRLF
            f"REMOTE_STATIC_PUBLIC_KEY={_key(two)}\n"  # no spaces (Wireshark's own capture)
            f"PRESHARED_KEY = {_key(three)}\n"  # no ephemeral key before it
            f"LOCAL_EPHEMERAL_PRIVATE_KEY = {_key(three)}\nPRESHARED_KEY = {_key(one)}\n"
            f"LOCAL_EPHEMERAL_PRIVATE_KEY = {_key(one)[:-2]}\n"  # too short
            f"LOCAL_EPHEMERAL_PRIVATE_KEY = {_key(one)[:-1]}!\n"  # not base64
            f"LOCAL_EPHEMERAL_PRIVATE_KEY = {_key(bytes(33))[:44]}\n"  # 44 characters, not 32 bytes
            f"REMOTE_EPHEMERAL_PUBLIC_KEY = {_key(one)}\n"  # not a type of the format
            "LOCAL_STATIC_PRIVATE_KEY\n").encode()
    assert keys.add_text(text, problems.append) == 4
    assert list(keys.static_private) == [one] and list(keys.static_public) == [two]
    assert keys.ephemeral[three].preshared == [one]
    assert problems.count(wg_keys.WG_BAD_LINE) == 5 and problems.count(wg_keys.LONE_PRESHARED) == 1
    assert len(keys) == 3 and keys.version == 1
    assert keys.add_text(text, problems.append) == 0 and keys.version == 1  # nothing new


def test_key_log_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wg_keys, "MAX_STATIC_KEYS", 1)
    monkeypatch.setattr(wg_keys, "MAX_EPHEMERAL_KEYS", 1)
    keys = WireGuardKeys()
    problems: list[str] = []
    text = "".join(f"LOCAL_STATIC_PRIVATE_KEY = {_key(bytes([n]) * 32)}\nLOCAL_EPHEMERAL_PRIVATE_KEY = "
                   f"{_key(bytes([n + 10]) * 32)}\n" for n in range(3)).encode()
    assert keys.add_text(text, problems.append) == 2
    assert problems.count(wg_keys.TOO_MANY_STATIC) == 2 and problems.count(wg_keys.TOO_MANY_EPHEMERAL) == 2
    monkeypatch.setattr(keylog, "MAX_TEXT", 10)
    log = KeyLog()
    log.block(keylog.WIREGUARD_KEYS, text, after_packets=False)  # the text cap is shared with TLS's
    assert log.wireguard is not None and not len(log.wireguard) and log.problems[keylog.TOO_MUCH] == 1


@pytest.mark.parametrize(("cap", "value", "reason"), [
    ("MAX_HANDSHAKES", 1, wireguard.HANDSHAKES_CAP), ("MAX_SESSIONS", 1, wireguard.WG_SESSIONS_FULL),
    ("MAX_DECRYPTED", 0, wireguard.DECRYPTED_CAP)])
def test_work_on_a_capture_is_capped(monkeypatch: pytest.MonkeyPatch, cap: str, value: int, reason: str) -> None:
    monkeypatch.setattr(wireguard, cap, value)
    ex = extract_with_keys("wireguard-keys.pcapng")
    assert ex.overflow.get(reason, 0) >= 1
    assert ex.names.total() < sum(len(v) for v in FOUND.values())
    assert PARSER_ERROR not in ex.undecoded


def test_failed_decryptions_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wireguard, "MAX_FAILED", 1)
    ex = extract_with_keys("wireguard-keys-garbled.pcapng")
    assert ex.undecoded[wireguard.BAD_PACKET] == 1 and ex.overflow[wireguard.WG_TOO_MANY_FAILED] >= 1


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark (Wireshark) is not installed")
@needs_shared()  # evaluated first: without ../shared, CI's second run (with it) takes this test
@pytest.mark.parametrize("capture", ["wireguard-keys.pcapng", "wireguard-keys-wrong.pcapng",
                                     "wireguard-keys-garbled.pcapng"])
def test_same_names_as_tshark_now(capsys: pytest.CaptureFixture[str], capture: str) -> None:
    live = json.loads(subprocess.run([str(TSHARK_NAMES), str(DATA / capture)], check=True, capture_output=True,
                                     text=True).stdout)
    assert tshark_kinds(names(capsys, capture)) == live


@pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} is absent (benchmarks/fetch_real_captures.py fetches it; "
                                              "Wireshark's test capture, test input only)")
def test_wiresharks_wireguard_capture_agrees_with_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    """Wireshark's ``wireguard-ping-tcp-dsb.pcapng``: the initiator's keys in the capture, two
    handshakes; inside, DNS and a ClientHello for lekensteyn.nl (an IP fragment among them)."""
    assert main_names(capsys, REAL) == {"dns": ["lekensteyn.nl"], "tls_sni": ["lekensteyn.nl"], "quic_sni": [],
                                        "http_host": []}
    ex = Extractor(flows=False, certificates=False, observations=False)
    with open_capture(REAL) as reader:
        ex.run(reader)
    assert ex.wireguard is not None and ex.wireguard.sessions == 2 and not ex.undecoded and not ex.overflow
    if shutil.which("tshark") and TSHARK_NAMES.exists():
        live = json.loads(subprocess.run([str(TSHARK_NAMES), str(REAL)], check=True, capture_output=True,
                                         text=True).stdout)
        assert main_names(capsys, REAL) == live


def main_names(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, list[str]]:
    from exposure.cli import main

    assert main(["names", "--json", str(path)]) == 0
    return tshark_kinds(json.loads(capsys.readouterr().out))


@pytest.mark.skipif(shutil.which("editcap") is None, reason="editcap (Wireshark) is not installed")
def test_keys_injected_by_editcap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``editcap --inject-secrets wg,keys.txt`` writes the block its own way: the same names."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_wireguard_keys", DATA / "make_wireguard_keys.py")
    assert spec is not None and spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_wireguard_keys", maker)  # its dataclasses look themselves up there
    spec.loader.exec_module(maker)
    (tmp_path / "keys.txt").write_bytes(maker.tunnels()[2])
    injected = tmp_path / "injected.pcapng"
    subprocess.run(["editcap", "--inject-secrets", f"wg,{tmp_path / 'keys.txt'}",
                    str(DATA / "wireguard-keys-none.pcapng"), str(injected)], check=True, capture_output=True)
    assert names_of(str(injected)).as_json() == FOUND
