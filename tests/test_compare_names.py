"""The comparison with tshark (benchmarks/compare_names.py) counts a name written two ways as one.

exposure writes a byte outside printable ASCII as ``\\xNN``; tshark-names writes C escapes, three
octal digits, or the bytes themselves (UTF-8 where valid, one U+FFFD per broken sequence, GLib's
rule). The pairs below are names both tools printed for real captures (nDPI 4.2's
dns-invalid-chars.pcap, dns-tunnel-iodine.pcap and fuzz-2006-06-26-2594.pcap).
"""

from __future__ import annotations

import importlib.util
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
