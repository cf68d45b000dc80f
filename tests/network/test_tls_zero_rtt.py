"""TLS 1.3 0-RTT (early data) and session resumption decrypted with keys stored in the capture.

The captures are ours (``tests/data/network/make_tls_zero_rtt.py``): real resumed sessions made
by the ``openssl`` command (``s_client -sess_in -early_data``), recorded through a TCP relay, the
client's key log in the capture; ``expected/`` holds what ``tshark-names`` (TShark 4.0.17)
printed for each. Five connections to one server: a full handshake; a resumed one with a request
as early data and one after the handshake; a resumed one without early data; a resumed one with
its early data cut into 512-byte records (four, and EndOfEarlyData); one whose ClientHello got a
HelloRetryRequest (its early data rejected by the server, but sent). These run on a fresh clone.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.net.extract import PARSER_ERROR, Extractor
from exposure.collect.net.keylog import CLIENT_EARLY, KeyLog
from exposure.collect.net.reader import open_capture
from exposure.collect.net.tls_decrypt import BAD_RECORDS, EARLY_UNREAD, ClientDecryptor
from exposure.collect.pcap import PcapCollector
from exposure.commands.names import names_of
from exposure.observations.network import ServerName
from tests.network.keyed_captures import tshark
from tests.network.test_names_classes import DATA, TSHARK_KINDS, names
from tests.network.test_tls_keys import TSHARK_NAMES
from tests.paths import needs_shared

CAPTURES = ["tls-keys-0rtt.pcapng", "tls-keys-0rtt-no-early.pcapng", "tls-keys-0rtt-wrong.pcapng",
            "tls-keys-0rtt-none.pcapng"]
EARLY_HOSTS = ["early-records.example", "early.example", "retry-early.example"]  # sent as 0-RTT data
LATER_HOSTS = ["after-handshake.example", "after-records.example", "full-handshake.example", "resumed.example",
               "retry-after.example"]  # sent after the handshake
HOSTS = sorted(EARLY_HOSTS + LATER_HOSTS)
SERVER_NAME = "zero-rtt.example"
CLIENT = bytes([192, 0, 2, 50])
# the client's requests per connection (by client port), and how many records it sent with the
# early traffic secret: the 0-RTT data and EndOfEarlyData (none after the HelloRetryRequest: the
# server rejected the early data, so the client does not end it)
CONNECTIONS = {
    40020: (["full-handshake.example"], 0),
    40021: (["early.example", "after-handshake.example"], 2),
    40022: (["resumed.example"], 0),
    40023: (["early-records.example", "after-records.example"], 5),
    40024: (["retry-early.example", "retry-after.example"], 1),
}
EARLY_RECORDS = sum(early for _, early in CONNECTIONS.values())


@pytest.mark.parametrize("capture", CAPTURES)
def test_names_agree_with_tshark(capsys: pytest.CaptureFixture[str], capture: str) -> None:
    got = names(capsys, capture)
    assert {kind: got[kind] for kind in TSHARK_KINDS} == tshark(capture)
    assert got["tls_sni"] == [SERVER_NAME]


def test_early_data_hosts_are_found(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys-0rtt.pcapng")
    assert got["http_host"] == HOSTS  # tshark decrypts the 0-RTT data too (expected/tls-keys-0rtt.json)
    assert tshark("tls-keys-0rtt.pcapng")["http_host"] == HOSTS


def test_without_the_early_secret_only_the_later_requests(capsys: pytest.CaptureFixture[str]) -> None:
    """A key log without CLIENT_EARLY_TRAFFIC_SECRET: the 0-RTT records cannot be read, are counted
    as early data without its key (not as records that do not decrypt), and the requests after the
    handshake still are (even after five unreadable early records)."""
    got = names(capsys, "tls-keys-0rtt-no-early.pcapng")
    assert got["http_host"] == LATER_HOSTS
    ex = extract_with_keys("tls-keys-0rtt-no-early.pcapng")
    assert ex.undecoded == {EARLY_UNREAD: EARLY_RECORDS}
    assert ex.tcp.keyed is not None and ex.tcp.keyed.connections == len(CONNECTIONS)


def test_wrong_keys_give_no_request(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "tls-keys-0rtt-wrong.pcapng")
    assert got["http_host"] == []
    ex = extract_with_keys("tls-keys-0rtt-wrong.pcapng")
    assert ex.undecoded[BAD_RECORDS] >= EARLY_RECORDS + len(CONNECTIONS)  # at least each Finished too
    assert PARSER_ERROR not in ex.undecoded
    assert ex.tcp.keyed is not None and ex.tcp.keyed.connections == 0


@pytest.mark.parametrize("with_early_secret", [True, False])
def test_each_connection_record_by_record(with_early_secret: bool) -> None:
    """Each client's bytes fed to the decryptor: the early records decrypt with the early traffic
    secret (the first request is the 0-RTT one), then the Finished and the application data with
    the handshake and application secrets, numbered from 0 again; without the early secret exactly
    the early records fail, and the connection goes on."""
    streams, keys = _client_streams("tls-keys-0rtt.pcapng")
    assert sorted(streams) == sorted(CONNECTIONS)
    for port, (hosts, early_records) in CONNECTIONS.items():
        stream = streams[port]
        secrets = dict(keys.get(stream[11:43]) or {})  # the ClientHello's random
        assert (CLIENT_EARLY in secrets) == bool(early_records)
        if not with_early_secret:
            secrets.pop(CLIENT_EARLY, None)
        decryptor = ClientDecryptor(secrets, stream[11:43])
        plains, consumed = decryptor.feed(stream, True)
        assert consumed == len(stream) and not decryptor.given_up, port
        read = hosts if with_early_secret else hosts[len(hosts) - 1:]
        assert _hosts(b"".join(plains)) == read, port
        assert decryptor.failed == 0, port
        assert decryptor.early_unread == (0 if with_early_secret else early_records), port
        decryptor.settle()  # confirmed early data stays apart from the records that failed
        assert decryptor.failed == 0, port


def test_scan_observations_of_the_early_requests() -> None:
    collector = PcapCollector(str(DATA / "tls-keys-0rtt.pcapng"))
    warned: list[CheckNote | str] = []
    observed = list(collector.collect(CollectContext(warn=warned.append)))
    hosts = {o.name: o for o in observed if isinstance(o, ServerName) and o.protocol == "http"}
    assert sorted(hosts) == HOSTS
    early = hosts["early.example"]
    assert (early.server, early.port, early.client) == ("198.51.100.20", 443, "192.0.2.50")
    assert collector.info.counts["tls_keys"] == len(CONNECTIONS)
    assert collector.info.counts["tls_decrypted_connections"] == len(CONNECTIONS)
    assert not warned


def test_scan_without_the_early_secret_warns() -> None:
    """Early data the key log has no key for gets a warning of its own, in plain words and counted
    once: not also under the general warning about records that do not decrypt."""
    collector = PcapCollector(str(DATA / "tls-keys-0rtt-no-early.pcapng"))
    warned: list[CheckNote | str] = []
    observed = list(collector.collect(CollectContext(warn=warned.append)))
    hosts = {o.name for o in observed if isinstance(o, ServerName) and o.protocol == "http"}
    assert sorted(hosts) == LATER_HOSTS
    notes = [note for note in warned if isinstance(note, CheckNote)]
    assert [(n.key, dict(n.params)) for n in notes] == [("warn.pcap.tls-early-data", {"count": str(EARLY_RECORDS)})]
    assert "TLS early data" in notes[0].text and "CLIENT_EARLY_TRAFFIC_SECRET" in notes[0].text
    assert str(EARLY_RECORDS) in notes[0].text
    assert collector.info.counts["tls_decrypted_connections"] == len(CONNECTIONS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_says_early_data_was_not_read(tmp_path: Path, lang: str) -> None:
    """The report's line about unreadable early data, in the person's language, and no line about
    records that do not decrypt (the same records are not counted twice)."""
    from tests.network.test_snap_cut import scan

    report, md = scan(tmp_path, DATA / "tls-keys-0rtt-no-early.pcapng", lang)
    keys = [w["key"] for w in report["warnings"]]
    assert keys.count("warn.pcap.tls-early-data") == 1 and "warn.pcap.undecoded" not in keys
    if lang == "en":
        assert "(TLS early data) could not be read" in md and f"records not read: {EARLY_RECORDS}" in md
        assert "does not decrypt" not in md
    else:
        assert "（TLS 早期数据）无法读取" in md and f"没有读取的记录：{EARLY_RECORDS} 个" in md
        assert "解不开" not in md


def test_captures_with_early_data_are_read_the_same_in_parallel() -> None:
    one = names_of(str(DATA / "tls-keys-0rtt.pcapng"), workers=1)
    split = names_of(str(DATA / "tls-keys-0rtt.pcapng"), workers=2, min_bytes=0)
    assert split.as_json() == one.as_json() and sorted(one.http_host) == HOSTS


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark (Wireshark) is not installed")
@needs_shared()
@pytest.mark.parametrize("capture", CAPTURES)
def test_same_names_as_tshark_now(capsys: pytest.CaptureFixture[str], capture: str) -> None:
    live = json.loads(subprocess.run([str(TSHARK_NAMES), str(DATA / capture)], check=True, capture_output=True,
                                     text=True).stdout)
    got = names(capsys, capture)
    assert {kind: got[kind] for kind in TSHARK_KINDS} == live


def _hosts(plaintext: bytes) -> list[str]:
    """The Host of each request in the plaintext, in order."""
    return [host.decode() for host in re.findall(rb"\r\nHost: ([^\r]+)\r\n", plaintext)]


def _client_streams(capture: str) -> tuple[dict[int, bytes], KeyLog]:
    """The bytes each client sent (by its port), from the capture's Ethernet/IPv4/TCP frames (20-byte
    headers, segments in order, as the generator writes them), and the capture's keys."""
    streams: dict[int, bytearray] = {}
    with open_capture(DATA / capture) as reader:
        for _, _, frame in reader.frames():
            if frame[26:30] != CLIENT:
                continue
            sport = struct.unpack_from("!H", frame, 34)[0]
            streams.setdefault(sport, bytearray()).extend(frame[54:])
        keys = reader.secrets
    return {port: bytes(data) for port, data in streams.items()}, keys


def extract_with_keys(capture: str) -> Extractor:
    ex = Extractor(flows=False, certificates=False, observations=False)
    with open_capture(DATA / capture) as reader:
        ex.run(reader)
    ex.finish()
    return ex


@pytest.mark.parametrize("how", ["announced", "not announced", "too much"])
def test_unreadable_early_records_passed_over_only_when_announced(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five records that fail before the Finished: taken for 0-RTT data (counted, the connection goes
    on) only when the ClientHello has the early_data extension, and for at most MAX_EARLY_DATA bytes;
    otherwise the connection is given up after MAX_FAILURES records, as any with wrong keys."""
    from exposure.collect.net import tls_decrypt

    streams, keys = _client_streams("tls-keys-0rtt.pcapng")
    stream = streams[40023]  # early data in four records, then EndOfEarlyData
    hello_size = 5 + ((stream[3] << 8) | stream[4])
    early_data = b"\x00\x2a\x00\x00"  # the extension: type 42, empty (RFC 8446, 4.2.10)
    assert stream[:hello_size].count(early_data) == 1
    assert tls_decrypt.offers_early_data(stream[5:hello_size])
    if how == "not announced":  # the ClientHello is in clear, outside what the AEAD covers
        stream = stream.replace(early_data, b"\xfa\xfa\x00\x00", 1)
        assert not tls_decrypt.offers_early_data(stream[5:hello_size])
    elif how == "too much":
        monkeypatch.setattr(tls_decrypt, "MAX_EARLY_DATA", 600)  # the first of the 534-byte records
    secrets = dict(keys.get(stream[11:43]) or {})
    del secrets[CLIENT_EARLY]
    decryptor = ClientDecryptor(secrets, stream[11:43])
    plains, _ = decryptor.feed(stream, True)
    if how == "announced":
        assert _hosts(b"".join(plains)) == ["after-records.example"] and not decryptor.given_up
        assert (decryptor.early_unread, decryptor.failed) == (5, 0)
    else:
        assert plains == [] and decryptor.given_up == BAD_RECORDS
        assert decryptor.failed == tls_decrypt.MAX_FAILURES + (1 if how == "too much" else 0)


def test_records_taken_for_early_data_count_as_failed_when_nothing_decrypts() -> None:
    """Without the early secret and with wrong later keys, nothing confirms the first records were
    early data: they are records that do not decrypt, not early data without its key."""
    streams, keys = _client_streams("tls-keys-0rtt.pcapng")
    stream = streams[40023]  # four early records and EndOfEarlyData, then the Finished and a request
    secrets = {label: bytes(len(secret)) for label, secret in (keys.get(stream[11:43]) or {}).items()
               if label != CLIENT_EARLY}
    decryptor = ClientDecryptor(secrets, stream[11:43])
    plains, _ = decryptor.feed(stream, True)
    assert plains == [] and decryptor.failed < 5  # the five set apart, not yet counted
    decryptor.settle()  # the connection ends (keyed.KeyedStreams does this)
    assert decryptor.early_unread == 0 and decryptor.failed >= 5 + 1  # and at least the Finished


def test_names_says_early_data_was_not_read_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    # `exposure names` said "8 of 58 packets could not be decoded", as if the capture were damaged
    assert main(["names", str(DATA / "tls-keys-0rtt-no-early.pcapng")]) == 0
    err = capsys.readouterr().err
    assert "could not be decoded" not in err
    assert f"(TLS early data) could not be read: the key log stored in the capture lacks its key " \
           f"(CLIENT_EARLY_TRAFFIC_SECRET); records not read: {EARLY_RECORDS}" in err
    assert main(["names", str(DATA / "tls-keys-0rtt.pcapng")]) == 0
    assert "early data" not in capsys.readouterr().err
