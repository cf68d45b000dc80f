"""QUIC Initials of every version TShark 4.0 reads, of versions it does not, and the bound on
the work spent on versions with no known salt (issue 18).

The captures are ours (``tests/data/network/make_quic_versions.py``: scapy + cryptography, with
a key schedule written apart from exposure's); ``expected/`` holds what ``tshark-names`` (TShark
4.0.17) printed for each. They reproduce the misses found on nDPI's real captures
(quic-mvfst-22/-27/-exp, quic_t50, quic_t51, quic_interop_V). These run on a fresh clone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from scapy.utils import wrpcap

from exposure.collect.net import quic
from exposure.collect.net.quic import MAX_TRIALS, QuicSniffer, protection
from tests.network.test_names_classes import DATA, TSHARK_KINDS, names, tshark


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_quic_versions", DATA / "make_quic_versions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def test_every_version_tshark_reads_gives_its_server_name(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, "quic-versions.pcap")
    assert {k: got[k] for k in TSHARK_KINDS} == tshark("quic-versions.pcap")
    # one connection per version: v1, v2, drafts 22 to 34, mvfst, Google T050/T051, reserved versions
    assert got["quic_sni"] == sorted(name for _, _, name in GEN.VERSIONS)


@pytest.mark.parametrize(("version", "salt", "name"), GEN.VERSIONS, ids=lambda v: f"{v:08x}" if isinstance(v, int)
                         else None)
def test_each_version_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str], version: int, salt: str,
                            name: str) -> None:
    capture = tmp_path / "one.pcap"
    wrpcap(str(capture), GEN.connections([(version, salt, name)], 40000))
    assert names(capsys, str(capture))["quic_sni"] == [name]


def test_unknown_versions_are_opened_by_the_salts_of_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """tshark reads none of these; exposure reads the two whose salt is v1's or draft-29's (the
    AES-GCM tag proves the salt), and neither a known version protected with another version's
    salt nor a reserved version protected with another salt than draft-29's (tshark's rule; the
    case of ../shared's quic_vn.pcap, docs/tshark-differences.md)."""
    got = names(capsys, "quic-unknown-versions.pcap")
    assert tshark("quic-unknown-versions.pcap")["quic_sni"] == []
    assert got["quic_sni"] == ["mvfst-v1-salt.quic.example", "unknown-d29-salt.quic.example"]


def test_salt_of_each_version_family() -> None:
    salts = {name: bytes.fromhex(getattr(GEN, name)) for name in
             ("SALT_V1", "SALT_DRAFT_22", "SALT_DRAFT_23", "SALT_DRAFT_29")}

    def salt(version: int) -> bytes | None:
        how = protection(version)
        return how.salt if how is not None else None

    assert salt(0xFF000001) == salt(0xFF000011) == salt(0xFF000016) == salts["SALT_DRAFT_22"]
    assert salt(0xFF000017) == salt(0xFF00001C) == salts["SALT_DRAFT_23"]
    assert salt(0xFF00001D) == salt(0xFF000020) == salts["SALT_DRAFT_29"]
    assert salt(0xFF000021) == salt(0xFF000022) == salt(0x00000001) == salts["SALT_V1"]
    assert salt(0xFF000000) is None and salt(0xFF000023) is None  # tshark 4.0 reads neither
    assert salt(0x0A0A0A0A) == salt(0xFAFAFAFA) == salt(0x5A6A7A8A) == salts["SALT_DRAFT_29"]
    assert salt(0x0A0A0A0B) is None and salt(0xFACEB011) is None and salt(0x00000000) is None


# ---- the bound on trials -----------------------------------------------------------------------


def _odd_initial(i: int, salt: str = "00" * 20, version: int = 0x5A6B7C8D) -> bytes:
    """An Initial of a version with no known salt; with the default salt no trial salt opens it."""
    return bytes(GEN.initial(version, salt, i.to_bytes(8, "big"), b"", f"odd{i}.example"))


def test_trials_are_capped_overall_and_per_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = []
    decrypt = quic.decrypt_initial

    def counted(packet: quic.InitialPacket, keys: quic.InitialKeys) -> bytes | None:
        opens.append(1)
        return decrypt(packet, keys)

    monkeypatch.setattr(quic, "decrypt_initial", counted)
    sniffer = QuicSniffer()
    same_flow = ("10.0.0.2", 50000, "192.0.2.7", 443)
    for i in range(20):  # one flow: tried once, then left alone
        assert sniffer.datagram(same_flow, _odd_initial(i)) is None
    assert (sniffer.trials, len(opens)) == (1, len(quic.TRIAL_SALTS))
    for i in range(MAX_TRIALS + 100):  # one flow each: tried until the budget is spent
        assert sniffer.datagram(("10.0.0.2", 1000 + i, "192.0.2.7", 443), _odd_initial(i)) is None
    assert sniffer.trials == MAX_TRIALS
    assert sniffer.untried == 101
    assert len(opens) == MAX_TRIALS * len(quic.TRIAL_SALTS)
    # past the budget, known versions are read as before; an unknown one is not even tried
    v1 = bytes(GEN.initial(1, GEN.SALT_V1, bytes(8), b"", "known.example"))
    assert sniffer.datagram(("10.0.0.3", 1, "192.0.2.7", 443), v1) == ["known.example"]
    late = _odd_initial(7, GEN.SALT_V1)
    assert sniffer.datagram(("10.0.0.3", 2, "192.0.2.7", 443), late) is None
    assert sniffer.trials == MAX_TRIALS


def test_a_version_a_trial_opened_is_read_without_trials() -> None:
    sniffer = QuicSniffer()
    version = 0xFACEB011
    first = bytes(GEN.initial(version, GEN.SALT_V1, bytes(8), b"", "first.example"))
    assert sniffer.datagram(("10.0.0.2", 1, "192.0.2.7", 443), first) == ["first.example"]
    for i in range(50):
        later = bytes(GEN.initial(version, GEN.SALT_V1, i.to_bytes(8, "big"), b"", f"later{i}.example"))
        assert sniffer.datagram(("10.0.0.2", 2 + i, "192.0.2.7", 443), later) == [f"later{i}.example"]
    assert sniffer.trials == 1


def test_a_capture_full_of_odd_initials_is_warned_about(tmp_path: Path) -> None:
    from exposure.collect.base import CollectContext
    from exposure.collect.pcap import PcapCollector

    packets = [GEN.datagram(_odd_initial(i), 1024 + i, 1_700_000_000 + i) for i in range(MAX_TRIALS + 5)]
    packets.append(GEN.datagram(_odd_initial(9999, GEN.SALT_V1), 60000, 1_700_001_000))
    capture = tmp_path / "odd.pcap"
    wrpcap(str(capture), packets)
    said: list[str] = []
    list(PcapCollector(str(capture)).collect(CollectContext(
        warn=lambda note: said.append(note if isinstance(note, str) else note.text))))
    assert any("6 items not fully followed: QUIC Initials of unknown versions, not tried" in s for s in said), said


def test_only_large_type_0_long_headers_are_tried() -> None:
    sniffer = QuicSniffer()
    packet = _odd_initial(1, GEN.SALT_V1)
    assert sniffer.datagram(("a", 1, "b", 2), packet[:1199]) is None  # not padded as a client pads
    gquic = packet[:1] + b"Q046" + packet[5:]
    assert sniffer.datagram(("a", 3, "b", 2), gquic) is None  # Google QUIC: no TLS inside
    assert sniffer.trials == 0
    assert sniffer.datagram(("a", 4, "b", 2), packet) == ["odd1.example"]
