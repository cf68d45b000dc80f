"""Captures that carry their own TLS keys (pcapng Decryption Secrets Blocks): the names inside HTTPS.

The captures are ours (``tests/data/network/make_tls_keys.py``: real TLS 1.2 and 1.3 sessions
made by OpenSSL through Python's ``ssl``, their client's key log in the capture); ``expected/``
holds what ``tshark-names`` (TShark 4.0.17) printed for each. These run on a fresh clone.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.net import keylog, parallel
from exposure.collect.net.extract import PARSER_ERROR
from exposure.collect.net.keylog import KeyLog
from exposure.collect.net.reader import open_capture
from exposure.collect.net.tls_decrypt import BAD_RECORDS, hkdf_expand_label, prf
from exposure.collect.pcap import PcapCollector
from exposure.commands.names import names_of
from exposure.observations.network import ServerName
from tests.network.keyed_captures import extract_with_keys, tshark, tshark_kinds
from tests.network.test_names_classes import DATA, names
from tests.paths import SHARED, needs_shared

HOSTS = ["fronted-backend.example", "tls12-aes128.example", "tls12-cbc-etm.example", "tls12-cbc-sha384.example",
         "tls12-chacha-second.example", "tls12-chacha.example", "tls13-aes128.example", "tls13-aes256.example",
         "tls13-chacha.example"]
SERVER_NAMES = ["dot.example", "front.example", "no-keys.example", "tls12-aes128.example", "tls12-cbc-etm.example",
                "tls12-cbc-sha384.example", "tls12-chacha.example", "tls13-aes128.example", "tls13-aes256.example",
                "tls13-chacha.example"]
TSHARK_NAMES = SHARED / "tools" / "tshark-names"


def test_names_inside_tls_with_the_keys_agree_with_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys.pcapng")
    assert tshark_kinds(got) == tshark("tls-keys.pcapng")
    # TLS 1.2 and 1.3, each with AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305; TLS 1.2 AES-CBC with
    # HMAC-SHA1 and encrypt-then-MAC, and with HMAC-SHA384 and MAC-then-encrypt; a fronted request
    # (the Host is not the server name); two requests on one connection; DNS over TLS (port 853)
    assert got["http_host"] == HOSTS
    assert got["dns"] == ["inside-dot.example"]
    assert got["tls_sni"] == SERVER_NAMES
    assert "no-keys-backend.example" not in got["http_host"]  # the one connection without keys stays closed


def test_without_the_keys_only_the_server_names(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys-none.pcapng")
    assert tshark_kinds(got) == tshark("tls-keys-none.pcapng")
    assert got["tls_sni"] == SERVER_NAMES
    assert got["http_host"] == [] and got["dns"] == []


def test_wrong_keys_give_nothing_and_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys-wrong.pcapng")
    assert tshark_kinds(got) == tshark("tls-keys-wrong.pcapng")
    assert got["http_host"] == [] and got["dns"] == []
    ex = extract_with_keys("tls-keys-wrong.pcapng")
    assert ex.undecoded.get(BAD_RECORDS, 0) >= 9  # at least the first record of each keyed connection
    assert PARSER_ERROR not in ex.undecoded
    assert ex.tcp.keyed is not None and ex.tcp.keyed.connections == 0


def test_keys_written_after_the_packets_are_used(capsys: pytest.CaptureFixture[str]) -> None:
    """PCAPdroid writes its keys every second, after some of the packets they open: the capture
    is read again with every key known. tshark reads the keys only for what follows them."""
    got = names(capsys, "tls-keys-late.pcapng")
    assert got["http_host"] == HOSTS and got["dns"] == ["inside-dot.example"]
    assert tshark("tls-keys-late.pcapng")["http_host"] == []  # documented in docs/tshark-differences.md
    with open_capture(DATA / "tls-keys-late.pcapng") as reader:
        for _ in reader.frames():
            pass
        assert reader.secrets.late
    with open_capture(DATA / "tls-keys.pcapng") as reader:
        for _ in reader.frames():
            pass
        assert reader.secrets and not reader.secrets.late  # keys first: one pass


def test_damaged_key_blocks_are_warnings_and_the_rest_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    notes: list[str] = []
    got = names_of(str(DATA / "tls-keys-damaged.pcapng"), notes=notes)
    assert sorted(got.http_host) == HOSTS  # the right keys after the damaged blocks
    assert any(keylog.DAMAGED_BLOCK in note for note in notes)
    assert any(keylog.BAD_LINE in note and note.endswith(": 3") for note in notes)
    assert any("WireGuard key log line that is not a key" in note for note in notes)  # its WireGuard block
    assert any(note.endswith("TLS keys of 9 connections stored in the capture; 9 connections decrypted")
               for note in notes)
    # tshark stops at the first damaged block ("cut short in the middle of a packet")
    assert tshark("tls-keys-damaged.pcapng")["tls_sni"] == []


def test_http2_authority_inside_tls(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys-h2.pcapng")
    assert got["tls_sni"] == ["h2-front.example"]
    assert got["http_host"] == ["h2-inside.example"]  # tshark-names' http.host is HTTP/1.x only
    assert tshark("tls-keys-h2.pcapng")["http_host"] == []


def test_scan_observations_counts_and_warnings() -> None:
    collector = PcapCollector(str(DATA / "tls-keys.pcapng"))
    warned: list[str] = []
    ctx = CollectContext(warn=lambda note: warned.append(_key(note)))
    observed = list(collector.collect(ctx))
    hosts = {o.name for o in observed if isinstance(o, ServerName) and o.protocol == "http"}
    assert hosts == set(HOSTS)
    fronted = next(o for o in observed if isinstance(o, ServerName) and o.name == "fronted-backend.example")
    assert (fronted.server, fronted.port, fronted.client) == ("198.51.100.2", 443, "192.0.2.50")
    assert collector.info.counts["tls_keys"] == 9 and collector.info.counts["tls_decrypted_connections"] == 9
    assert "pcap.tls-decrypted" in {note.key for note in collector.info.checked}
    assert not warned

    damaged = PcapCollector(str(DATA / "tls-keys-damaged.pcapng"))
    warned.clear()
    observed = list(damaged.collect(CollectContext(warn=lambda note: warned.append(_key(note)))))
    assert warned.count("warn.pcap.keys") == 3
    assert {o.name for o in observed if isinstance(o, ServerName) and o.protocol == "http"} == set(HOSTS)


def test_a_pcap_without_keys_has_no_decryption() -> None:
    collector = PcapCollector(str(DATA / "tls-keys-none.pcapng"))
    list(collector.collect(CollectContext()))
    assert "tls_keys" not in collector.info.counts
    assert "pcap.tls-decrypted" not in {note.key for note in collector.info.checked}


@pytest.mark.parametrize("capture", ["tls-keys.pcapng", "tls-keys-late.pcapng"])
def test_captures_with_keys_are_read_in_one_pass(capture: str) -> None:
    one = names_of(str(DATA / capture), workers=1)
    split = names_of(str(DATA / capture), workers=2, min_bytes=0)
    assert split.as_json() == one.as_json() and sorted(one.http_host) == HOSTS
    assert parallel.names_in_parallel(str(DATA / capture), 2, 0) is None


def test_a_large_key_block_is_read(tmp_path: Path) -> None:
    """A key block bigger than any packet (PCAPdroid writes up to ~500 KB of keys at once)."""
    data = (DATA / "tls-keys.pcapng").read_bytes()
    pos = 0
    while struct.unpack_from("<I", data, pos)[0] != 10:
        pos += struct.unpack_from("<I", data, pos + 4)[0]
    size = struct.unpack_from("<I", data, pos + 4)[0]
    text = data[pos + 16:pos + 16 + struct.unpack_from("<I", data, pos + 12)[0]]
    text = b"# filler\n" * 40_000 + text  # 360 KB
    body = struct.pack("<II", keylog.TLS_KEY_LOG, len(text)) + text + b"\0" * (-len(text) % 4)
    big = struct.pack("<II", 10, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    path = tmp_path / "big-keys.pcapng"
    path.write_bytes(data[:pos] + big + data[pos + size:])
    assert sorted(names_of(str(path)).http_host) == HOSTS


def test_key_log_lines_and_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    log = KeyLog()
    random_a, random_b = "aa" * 32, "bb" * 32
    text = (f"# comment\nCLIENT_RANDOM {random_a} {'11' * 48}\n"
            f"CLIENT_TRAFFIC_SECRET_0 {random_b} {'22' * 32}\n"
            f"SERVER_TRAFFIC_SECRET_0 {random_b} {'33' * 32}\n"  # valid, not needed: not kept
            f"CLIENT_RANDOM {random_a[:-2]} {'11' * 48}\n"  # short random
            f"CLIENT_RANDOM {random_b} {'11' * 32}\n"  # a master secret is 48 bytes
            "CLIENT_RANDOM\n").encode()
    assert log.add_text(text) == 2
    assert log.get(bytes.fromhex(random_a)) == {"CLIENT_RANDOM": b"\x11" * 48}
    assert log.get(bytes.fromhex(random_b)) == {"CLIENT_TRAFFIC_SECRET_0": b"\x22" * 32}
    assert log.problems == {keylog.BAD_LINE: 3}
    monkeypatch.setattr(keylog, "MAX_CONNECTIONS", 1)
    log.add_text(f"CLIENT_RANDOM {'cc' * 32} {'11' * 48}\n".encode())
    assert len(log.secrets) == 2 and log.problems[keylog.TOO_MANY] == 1
    monkeypatch.setattr(keylog, "MAX_TEXT", 10)
    small = KeyLog()
    small.block(keylog.TLS_KEY_LOG, text, after_packets=False)
    assert not small and small.problems[keylog.TOO_MUCH] == 1


def test_key_derivation_functions() -> None:
    # RFC 5246's PRF is HMAC-based: its first block is HMAC(secret, HMAC(secret, label + seed) + label + seed)
    import hashlib
    import hmac

    first = hmac.new(b"k", hmac.new(b"k", b"ls", hashlib.sha256).digest() + b"ls", hashlib.sha256).digest()
    assert prf(b"k", b"l", b"s", 40, "sha256")[:32] == first
    assert len(prf(b"k", b"l", b"s", 72, "sha384")) == 72
    # RFC 8446's HKDF-Expand-Label, checked against cryptography's HKDF-Expand
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

    info = b"\x00\x0c" + bytes([len(b"tls13 key")]) + b"tls13 key" + b"\x00"
    assert hkdf_expand_label(b"\x01" * 32, b"key", b"", 12, "sha256") == HKDFExpand(
        hashes.SHA256(), 12, info).derive(b"\x01" * 32)


def _key(note: str | CheckNote) -> str:
    return note if isinstance(note, str) else note.key


def test_garbled_records_with_the_right_keys_never_crash_nor_invent_names() -> None:
    with open_capture(DATA / "tls-keys.pcapng") as reader:
        frames = list(reader.frames())
    rng = random.Random(18)
    failed_records = found = 0
    for _ in range(60):
        mutated = []
        for link, ts, data in frames:
            payload_at = 14 + 20 + 20
            # the client's segments after its ClientHello (record type 23, or any continuation)
            if data[26:30] == bytes([192, 0, 2, 50]) and len(data) > payload_at + 5 and data[payload_at] != 0x16 \
                    and rng.random() < 0.5:
                body = bytearray(data)
                how = rng.randrange(3)
                if how == 0:
                    body[rng.randrange(payload_at, len(body))] ^= 1 << rng.randrange(8)
                elif how == 1:
                    body[payload_at + 3:payload_at + 5] = rng.randrange(0, 1 << 16).to_bytes(2, "big")
                else:
                    body = body[:rng.randrange(payload_at, len(body))]
                data = bytes(body)
            mutated.append((link, ts, data))
        ex = extract_with_keys("tls-keys.pcapng", mutated)
        assert PARSER_ERROR not in ex.undecoded
        assert set(ex.names.http_host) <= set(HOSTS)
        assert set(ex.names.dns) <= {"inside-dot.example"}
        failed_records += ex.undecoded.get(BAD_RECORDS, 0)
        found += len(ex.names.http_host)
    assert failed_records and found  # damage was met, and undamaged connections still gave their names


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark (Wireshark) is not installed")
@needs_shared()  # evaluated first: without ../shared, CI's second run (with it) takes this test
@pytest.mark.parametrize("capture", ["tls-keys.pcapng", "tls-keys-none.pcapng", "tls-keys-wrong.pcapng"])
def test_same_names_as_tshark_now(capsys: pytest.CaptureFixture[str], capture: str) -> None:
    live = json.loads(subprocess.run([str(TSHARK_NAMES), str(DATA / capture)], check=True, capture_output=True,
                                     text=True).stdout)
    assert tshark_kinds(names(capsys, capture)) == live


def test_scan_reads_a_capture_with_late_keys_again() -> None:
    collector = PcapCollector(str(DATA / "tls-keys-late.pcapng"))
    observed = list(collector.collect(CollectContext()))
    assert {o.name for o in observed if isinstance(o, ServerName) and o.protocol == "http"} == set(HOSTS)
    assert collector.info.counts["packets"] == len(list(open_capture(DATA / "tls-keys-late.pcapng").frames()))


@pytest.mark.parametrize("capture", ["tls-keys.pcapng", "tls-keys-late.pcapng"])
def test_scan_of_byte_ranges_leaves_a_capture_with_keys_to_one_pass(capture: str) -> None:
    from exposure.collect.net import merge

    assert isinstance(merge.scan_ranges(str(DATA / capture), 2, 0), str)  # why it is read in one pass


def test_failed_decryptions_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.collect.net import keyed

    monkeypatch.setattr(keyed, "MAX_FAILED", 2)
    ex = extract_with_keys("tls-keys-wrong.pcapng")
    assert ex.overflow.get(keyed.TOO_MANY_FAILED, 0) >= 1  # later connections were not tried
    assert ex.undecoded[BAD_RECORDS] < 9
    assert PARSER_ERROR not in ex.undecoded


@pytest.mark.skipif(shutil.which("editcap") is None, reason="editcap (Wireshark) is not installed")
def test_keys_injected_by_editcap(tmp_path: Path) -> None:
    """``editcap --inject-secrets tls,keys.txt`` writes the block its own way: the same names."""
    with open_capture(DATA / "tls-keys.pcapng") as reader:
        for _ in reader.frames():
            pass
        lines = [f"{label} {random.hex()} {secret.hex()}" for random, keys in reader.secrets.secrets.items()
                 for label, secret in keys.items()]
    (tmp_path / "keys.txt").write_text("\n".join(lines) + "\n")
    injected = tmp_path / "injected.pcapng"
    subprocess.run(["editcap", "--inject-secrets", f"tls,{tmp_path / 'keys.txt'}", str(DATA / "tls-keys-none.pcapng"),
                    str(injected)], check=True, capture_output=True)
    got = names_of(str(injected))
    assert sorted(got.http_host) == HOSTS and sorted(got.dns) == ["inside-dot.example"]


def test_without_the_server_hello_tls13_is_still_decrypted() -> None:
    """A capture of the client's direction only (no ServerHello): TLS 1.3 needs none (the suite is
    the one whose tag verifies), TLS 1.2 needs its server random, and says so."""
    from exposure.collect.net.tls_decrypt import NO_SERVER_HELLO

    with open_capture(DATA / "tls-keys.pcapng") as reader:
        frames = [(link, ts, data) for link, ts, data in reader.frames() if data[26:30] == bytes([192, 0, 2, 50])]
    ex = extract_with_keys("tls-keys.pcapng", frames)
    assert sorted(ex.names.http_host) == [h for h in HOSTS if h.startswith("tls13-")]
    assert sorted(ex.names.dns) == ["inside-dot.example"]
    assert ex.undecoded[NO_SERVER_HELLO] == 5  # the five TLS 1.2 connections
    assert PARSER_ERROR not in ex.undecoded


def _seal13(secret: bytes, seq: int, content: bytes, inner_type: int) -> bytes:
    """A TLS 1.3 record of TLS_AES_128_GCM_SHA256 (RFC 8446, 5.2), sealed with ``secret``'s keys."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = hkdf_expand_label(secret, b"key", b"", 16, "sha256")
    iv = hkdf_expand_label(secret, b"iv", b"", 12, "sha256")
    inner = content + bytes([inner_type]) + b"\0" * 3  # with a little padding
    header = bytes([23, 3, 3]) + (len(inner) + 16).to_bytes(2, "big")
    return header + AESGCM(key).encrypt((int.from_bytes(iv, "big") ^ seq).to_bytes(12, "big"), inner, header)


@pytest.mark.parametrize("with_early_secret", [True, False])
def test_tls13_early_data_and_key_update(with_early_secret: bool) -> None:
    """0-RTT data (the client's early traffic secret), then the Finished (handshake secret), then
    application data, a KeyUpdate and data under the updated secret (RFC 8446, 7.2)."""
    from exposure.collect.net.tls_decrypt import ClientDecryptor

    early, handshake, traffic = bytes(range(32)), bytes(range(1, 33)), bytes(range(2, 34))
    updated = hkdf_expand_label(traffic, b"traffic upd", b"", 32, "sha256")
    requests = [f"GET / HTTP/1.1\r\nHost: {name}.example\r\n\r\n".encode() for name in ("early", "later", "updated")]
    stream = b"".join([
        bytes([22, 3, 1, 0, 4]) + b"\x01\x00\x00\x00",  # the ClientHello (in clear, skipped)
        _seal13(early, 0, requests[0], 23), _seal13(early, 1, b"\x05\x00\x00\x00", 22),  # EndOfEarlyData
        bytes([20, 3, 3, 0, 1, 1]),  # ChangeCipherSpec (compatibility mode)
        _seal13(handshake, 0, b"\x14\x00\x00\x20" + bytes(32), 22),  # Finished
        _seal13(traffic, 0, requests[1], 23), _seal13(traffic, 1, b"\x18\x00\x00\x01\x00", 22),  # KeyUpdate
        _seal13(updated, 0, requests[2], 23),
    ])
    secrets = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET": handshake, "CLIENT_TRAFFIC_SECRET_0": traffic}
    if with_early_secret:
        secrets["CLIENT_EARLY_TRAFFIC_SECRET"] = early
    decryptor = ClientDecryptor(secrets, bytes(32))
    plains, consumed = decryptor.feed(stream, True)
    assert consumed == len(stream) and not decryptor.given_up
    if with_early_secret:
        assert plains == requests and decryptor.failed == 0
    else:
        assert plains == requests[1:] and decryptor.failed == 2  # the two 0-RTT records


def test_connections_decrypted_at_once_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.collect.net import keyed

    monkeypatch.setattr(keyed, "MAX_SESSIONS", 0)
    ex = extract_with_keys("tls-keys.pcapng")
    assert ex.overflow[keyed.SESSIONS_FULL] == 9 and not ex.names.http_host
    assert len(ex.names.tls_sni) == len(SERVER_NAMES)  # the server names are read all the same
