"""DNS queries and replies on unusual UDP ports: the replies' answers are read, so the addresses a
device contacts after such a lookup are not taken for addresses contacted without one.

The captures are ours (``tests/data/network/make_dns_conversations.py``), modelled on Wireshark's
``dns_port.pcap``: a reply of 15 answers from port 65333, which Wireshark 4.0's heuristic reads
(at most 100 answers, 10 authority and 10 additional records) and exposure did not (it allowed 12
answers); one at the bound (100 answers); one past it (11 additional records) that tshark does not
read but exposure does, as the reply to the query it saw (``collect/net/udp``); a damaged reply; a
reply that is not DNS on a port that carried a query; replies past the bound that answer no query
seen; and more queries awaiting their reply than exposure follows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from scapy.utils import wrpcap

from exposure.collect.base import CheckNote, CollectContext
from exposure.collect.net import parallel, udp
from exposure.collect.net.dns import looks_like_dns
from exposure.collect.net.extract import Extractor
from exposure.collect.net.merge import Joined
from exposure.collect.net.reader import open_capture
from exposure.collect.pcap import PcapCollector
from exposure.commands.names import names_of
from exposure.indicators.catalog import build_catalog
from exposure.model import SourceSpec
from exposure.observations.network import DnsQuery, Flow
from exposure.scan import ScanRequest, run_scan
from tests.data.network import make_dns_conversations as made
from tests.network.test_names_classes import DATA, TSHARK_KINDS, names
from tests.network.test_scan_ranges import in_ranges, one_pass, record_offsets, state
from tests.network.test_tls_keys import TSHARK_NAMES
from tests.paths import needs_shared

ANSWERS = DATA / "dns-odd-port-answers.pcap"
MANY = DATA / "dns-odd-port-many.pcap"
# the addresses the device contacted after a lookup gave them, and those it contacted without one
LOOKED_UP = {made.POOL_ADDRESSES[4]: made.POOL, made.HUNDRED_ADDRESSES[99]: made.HUNDRED,
             made.GLUE_ADDRESS: made.GLUE, made.DAMAGED_ADDRESSES[1]: made.DAMAGED}
NOT_LOOKED_UP = [made.UNASKED_ADDRESS, made.OTHER_ID_ADDRESS, made.NOT_LOOKED_UP]


def extract(path: Path, **kwargs: bool) -> Extractor:
    ex = Extractor(**kwargs)
    with open_capture(path) as reader:
        ex.run(reader)
    ex.finish()
    return ex


def test_the_heuristic_is_wiresharks() -> None:
    """Wireshark 4.0.17's bounds, as tshark applied them to crafted headers when this was written:
    a response with up to 100 answers and 10 authority and additional records, with no question or
    with records that do not fit; a query with one question, no answers or authority records."""
    def header(flags: int, qd: int, an: int = 0, ns: int = 0, ar: int = 0, body: bytes = b"\x00") -> bytes:
        return bytes([0x12, 0x34]) + b"".join(n.to_bytes(2, "big") for n in (flags, qd, an, ns, ar)) + body

    assert looks_like_dns(header(0x8180, 1, 15, 6, 2))  # dns_port.pcap's reply
    assert looks_like_dns(header(0x8180, 1, 100, 10, 10))
    assert looks_like_dns(header(0x8180, 0, 0))  # no question, no answer
    assert looks_like_dns(header(0x8180, 1, 5))  # records that do not fit: DNS, damaged
    assert looks_like_dns(header(0x81C3, 1))  # any response code, the Z bit
    assert looks_like_dns(header(0x0100, 1, ar=10))
    assert not looks_like_dns(header(0x8180, 1, 101))
    assert not looks_like_dns(header(0x8180, 1, 1, 11)) and not looks_like_dns(header(0x8180, 1, 1, 0, 11))
    assert not looks_like_dns(header(0x8180, 2))
    assert not looks_like_dns(header(0x0100, 1, 1)) and not looks_like_dns(header(0x0100, 1, 0, 1))
    assert not looks_like_dns(header(0x0100, 1, ar=11)) and not looks_like_dns(header(0x0100, 0, ar=1))
    assert not looks_like_dns(header(0x0900, 1)) and not looks_like_dns(header(0x8980, 1))  # not a standard query
    assert not looks_like_dns(header(0x8180, 1, body=b""))  # a header alone


def test_names_agree_with_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    got = names(capsys, ANSWERS.name)
    expected = json.loads((DATA / "expected" / "dns-odd-port-answers.json").read_text())
    assert {kind: got[kind] for kind in TSHARK_KINDS} == expected
    assert made.UNASKED not in got["dns"]  # a reply past the bound without its query, as tshark


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark (Wireshark) is not installed")
@needs_shared()
def test_same_names_as_tshark_now(capsys: pytest.CaptureFixture[str]) -> None:
    live = json.loads(subprocess.run([str(TSHARK_NAMES), str(ANSWERS)], check=True, capture_output=True,
                                     text=True).stdout)
    got = names(capsys, ANSWERS.name)
    assert {kind: got[kind] for kind in TSHARK_KINDS} == live


def test_answers_are_read() -> None:
    """Each lookup's answers, the one past the heuristic's bound included (the reply to its query);
    the damaged reply's two answers before the damage; nothing from the replies to no query seen
    nor from the datagram that is not DNS."""
    ex = extract(ANSWERS)
    names = ex.address_names
    assert all(made.POOL in names[a] for a in made.POOL_ADDRESSES)
    assert all(made.HUNDRED in names[a] for a in made.HUNDRED_ADDRESSES)
    assert names[made.GLUE_ADDRESS] == [made.GLUE]
    assert [a for a in made.DAMAGED_ADDRESSES if a in names] == made.DAMAGED_ADDRESSES[:2]
    assert made.UNASKED_ADDRESS not in names and made.OTHER_ID_ADDRESS not in names
    assert ex.undecoded == {"damaged DNS message": 1}
    # every query answered but the one whose reply had another ID
    assert not ex.overflow and [key[1] for key in ex._awaited.queries] == [40014]
    answered = {key[0]: seen.answers for key, seen in ex.dns_obs.items()}
    assert list(answered[made.GLUE]) == [made.GLUE_ADDRESS]
    assert list(answered[made.POOL]) == made.POOL_ADDRESSES


def test_flows_carry_the_names_looked_up() -> None:
    collector = PcapCollector(str(ANSWERS))
    warned: list[CheckNote | str] = []
    observed = list(collector.collect(CollectContext(warn=warned.append)))
    flows = {o.server: o for o in observed if isinstance(o, Flow) and o.server_port == 8443}
    for address, name in LOOKED_UP.items():
        assert flows[address].server_names == (name,), address
    for address in NOT_LOOKED_UP:
        assert flows[address].server_names == (), address
    lookups = {o.name for o in observed if isinstance(o, DnsQuery)}
    assert made.GLUE in lookups and made.UNASKED not in lookups


def test_no_false_alarm_for_addresses_looked_up() -> None:
    """The scan: 'addresses contacted without a name lookup' names exactly those contacted without
    one, not those a lookup on an unusual port gave."""
    result = run_scan(ScanRequest((SourceSpec("pcap", str(ANSWERS)),), use_feeds=False),
                      catalog=build_catalog(None, use_feeds=False))
    found = [f for f in result.findings if f.rule == "network.no-dns-lookup"]
    assert len(found) == 1
    params = dict(found[0].params)
    listed = params["addresses"]
    for address in NOT_LOOKED_UP:
        assert address in listed
    for address in LOOKED_UP:
        assert address not in listed
    assert params["count"] == str(len(NOT_LOOKED_UP))


def test_queries_awaiting_a_reply_are_capped_and_swept() -> None:
    """More queries awaiting their reply than followed: the first ones are followed (the reply to
    the first is read), the rest are counted and warned about (the reply to the last is not read);
    a reply that comes long after its query is not read."""
    ex = extract(MANY)
    assert ex.overflow == {udp.AWAITED_FULL: 2}
    assert ex.address_names.get("203.0.113.1") == ["q0.odd-port.example"]
    assert "203.0.113.2" not in ex.address_names  # its query did not fit
    assert "203.0.113.3" not in ex.address_names  # 100 s after its query
    assert ex._awaited.peak == udp.MAX_AWAITED
    collector = PcapCollector(str(MANY))
    warned: list[CheckNote | str] = []
    list(collector.collect(CollectContext(warn=warned.append)))
    notes = [(n.key, dict(n.params)) for n in warned if isinstance(n, CheckNote)]
    assert ("warn.pcap.not-followed", {"count": "2", "reason": udp.AWAITED_FULL}) in notes


def names_in_ranges(path: Path, cuts: list[int], monkeypatch: pytest.MonkeyPatch) -> parallel.RangeResult | None:
    """``exposure names`` read in the byte ranges ``cuts`` make (one process each)."""
    size = path.stat().st_size
    bounds = list(zip([0, *cuts], [*cuts, size], strict=True))
    monkeypatch.setattr(parallel, "plan_ranges", lambda *_args: (bounds, None))
    return parallel.names_in_parallel(str(path), len(bounds), 0)


def test_cut_between_a_query_and_its_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    """A query at the end of one byte range and its reply (past the heuristic's bound) at the start
    of the next: the second range cannot know the query, so the file is read in one pass."""
    offsets = record_offsets(ANSWERS)
    glue_reply = offsets[6]
    assert in_ranges(ANSWERS, [glue_reply]) == \
        "a limit was reached: a reply to a DNS query on an unusual port, near a cut"
    assert names_in_ranges(ANSWERS, [glue_reply], monkeypatch) is None


def test_every_cut_gives_the_one_pass_or_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut before each packet: the ranges joined are exactly the one pass, or the file is read in one
    pass; after the last DNS packet, the ranges are joined."""
    expected, _problems = one_pass(ANSWERS)
    one_names = names_of(str(ANSWERS), workers=1).as_json()
    offsets = record_offsets(ANSWERS)
    joined_at = []
    for n, cut in enumerate(offsets[1:], 1):
        joined = in_ranges(ANSWERS, [cut])
        if isinstance(joined, Joined):
            assert state(joined) == expected, n
            joined_at.append(n)
        split = names_in_ranges(ANSWERS, [cut], monkeypatch)
        assert split is None or split.names.as_json() == one_names, n
    assert 12 in joined_at and 6 not in joined_at


def test_ranges_whose_tables_together_could_have_been_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries awaiting a reply on both sides of a cut, more together than followed: each range's
    table had room, but one pass's might not have: the file is read in one pass."""
    half = udp.MAX_AWAITED // 2 + 1
    packets = [made.query(f"q{i}.odd-port.example", i, 20000 + i) for i in range(2 * half)]
    for i, p in enumerate(packets):
        p.time = made.T0 + i / len(packets)
    capture = tmp_path / "awaited.pcap"
    wrpcap(str(capture), packets)
    cut = record_offsets(capture)[half]
    assert in_ranges(capture, [cut]) == "DNS queries on unusual ports awaiting a reply (the table may have been full)"
    assert names_in_ranges(capture, [cut], monkeypatch) is None
    fewer = tmp_path / "fewer.pcap"
    wrpcap(str(fewer), packets[1:-1])
    assert isinstance(in_ranges(fewer, [record_offsets(fewer)[half - 1]]), Joined)
