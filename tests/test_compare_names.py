"""The comparison with tshark (benchmarks/compare_names.py) counts a name written two ways as one.

exposure writes a byte outside printable ASCII as ``\\xNN``; tshark-names writes C escapes, three
octal digits, or the bytes themselves (UTF-8 where valid, one U+FFFD per broken sequence, GLib's
rule). The pairs below are names both tools printed for real captures (nDPI 4.2's
dns-invalid-chars.pcap, dns-tunnel-iodine.pcap and fuzz-2006-06-26-2594.pcap).
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_names.py"
_spec = importlib.util.spec_from_file_location("compare_names", _SCRIPT)
assert _spec is not None and _spec.loader is not None
compare_names = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_names)


@pytest.mark.parametrize(("ours", "theirs"), [
    ("www.allyourba\\x04\\x05\\x06arebelongto.cn", "www.allyourba\\004\\005\\006arebelongto.cn"),
    ("1.0.0.127.in-a\\x1adr.arpa", "1.0.0.127.in-a\\032dr.arpa"),
    ("_sip._udp.%s\\x00.cybercity.dk", "_sip._udp.%s\\000.cybercity.dk"),
    ("_sip._udp.s\\x0dp.cibercity.dk", "_sip._udp.s\\rp.cibercity.dk"),
    ("1.0.0.127.in-ad\\xacr.arpa", "1.0.0.127.in-ad\ufffdr.arpa"),          # a lone continuation byte
    ("zi03aa-j\\xe4germeister-.pirate.sea", "zi03aa-j\ufffdgermeister-.pirate.sea"),
    ("hs\\xc2\\xbd\\xe0a", "hs\xbd\ufffda"),                                  # valid UTF-8 stays a character
    ("m\\xed\\xbfdna", "m\ufffddna"),                                          # lead and continuation: one U+FFFD
    ("in\\xfb\\xbdqp", "in\ufffdqp"),                                          # an old 5-byte lead, the same
    ("Plain.Example", "plain.example"),                                       # tshark-names lower-cases
])
def test_a_name_is_rewritten_as_tshark_names_writes_it(ours: str, theirs: str) -> None:
    assert compare_names.tshark_written(ours) == theirs


def test_different_names_stay_different_once_rewritten() -> None:
    assert compare_names.tshark_written("a\\x04b.example") != compare_names.tshark_written("a\\x05b.example")
    assert compare_names.tshark_written("a\\x04b.example") != "a\\x04b.example"


def test_a_name_with_a_comma_is_recognised_by_its_pieces() -> None:
    # dnsjit's sll2.pcap: exposure reports ",." whole; tshark-names splits its fields on commas
    diff = {"dns": (["."], [",."]), "http_host": (["only-tshark.example"], [])}
    left = compare_names._comma_in_name(Path("x"), Path("y"), diff)
    assert left == {"dns": ([], []), "http_host": (["only-tshark.example"], [])}
    # pieces tshark-names did not print: not this class
    assert compare_names._comma_in_name(Path("x"), Path("y"), {"dns": (["a"], ["a,b.example"])}) is None
    assert compare_names._comma_in_name(Path("x"), Path("y"), {"dns": (["."], ["no-comma.example"])}) is None


def _block(kind: int, body: bytes) -> bytes:
    return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def test_decryption_secrets_are_dropped_from_a_pcapng_file() -> None:
    section = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    secrets = _block(0x0000000A, struct.pack("<II", 0x544C534B, 8) + b"CLIENT_R")  # a TLS key log
    interface = _block(0x00000001, struct.pack("<HHI", 1, 0, 65535))
    packet = _block(0x00000006, struct.pack("<IIIII", 0, 0, 0, 4, 4) + b"abcd")
    stripped = compare_names.pcapng_without_secrets(section + secrets + interface + packet)
    assert stripped == section + interface + packet
    assert compare_names.pcapng_without_secrets(section + interface[:-4]) is None  # cut short
    assert compare_names.pcapng_without_secrets(b"\xd4\xc3\xb2\xa1" + bytes(20)) is None  # pcap, not pcapng
