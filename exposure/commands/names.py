"""``exposure names``: list the names seen in captures (DNS, TLS and QUIC server names, HTTP hosts).

With ``--json`` the output has the shape of Wireshark-based ``tshark-names`` (``dns``,
``tls_sni``, ``quic_sni``, ``http_host``; lower-case, unique, sorted), merged over all the
files given, so the two can be compared directly; ``nbns`` and ``llmnr`` (local-network
names, which tshark-names leaves out) follow only when a capture had some. Names come from
the network: in JSON, C1 control characters and bidirectional overrides are written as
``\\uXXXX`` escapes (the same strings to a JSON reader), so they never reach a terminal raw.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from exposure.commands.words import language, say

if TYPE_CHECKING:
    from exposure.collect.net.extract import Extractor
    from exposure.collect.net.keylog import KeyLog
    from exposure.collect.net.reader import CaptureReader
    from exposure.collect.net.results import NameSets

HELP = ("help.names", "list the names (DNS, TLS/QUIC server names, HTTP hosts) seen in network captures")

_TITLES = (("dns", "DNS lookups"), ("tls_sni", "TLS server names"), ("quic_sni", "QUIC server names"),
           ("http_host", "HTTP hosts"), ("nbns", "NetBIOS names (local network)"),
           ("llmnr", "LLMNR names (local network)"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("captures", nargs="+", metavar="CAPTURE",
                        help=say("help.names.captures", "pcap or pcapng files (may be gzip-compressed)"))
    parser.add_argument("--json", action="store_true",
                        help=say("help.names.json", "print JSON (the shape of tshark-names)"))
    parser.add_argument("--reader", choices=("native", "scapy"), default="native", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)  # benchmarks: 1 = one pass


def names_of(path: str, reader: str = "native", notes: list[str] | None = None, workers: int | None = None,
             min_bytes: int | None = None, unread: list[str] | None = None) -> NameSets:
    """The names in one capture; raises CollectorError when it cannot be read. Notes about
    undecoded packets and damage are appended to ``notes``; the line that says a capture could not
    be checked (no packets, no IP packets: as ``exposure scan`` says it) to ``unread``. A big
    uncompressed capture is read by ``workers`` processes (default: one per core) with the same
    result as one pass."""
    from exposure.collect.net import parallel
    from exposure.collect.net.tls_decrypt import EARLY_UNREAD
    from exposure.collect.pcap import early_data_text, open_checked, read_keys_known, snap_cut_text

    with open_checked(path, reader, hashing=False) as reader_:  # names print no hash
        keys = reader_.secrets
        split = None
        decrypted = wireguard_sessions = 0
        if reader == "native":
            split = parallel.names_in_parallel(path, parallel.worker_count() if workers is None else workers,
                                               parallel.MIN_PARALLEL_BYTES if min_bytes is None else min_bytes)
        if split is not None:
            names, packets, undecoded_by = split.names, split.packets, split.undecoded
            ip_packets = split.ip_packets
            problems, dropped, cut = split.problems, split.dropped, split.snap_cut
        else:
            extractor = read_keys_known(path, reader, reader_, _names_pass)
            names, packets, undecoded_by = extractor.names, extractor.packets, extractor.undecoded
            ip_packets = extractor.ip_packets
            decrypted = extractor.tcp.keyed.connections if extractor.tcp.keyed is not None else 0
            wireguard_sessions = extractor.wireguard.sessions if extractor.wireguard is not None else 0
            problems, cut = dict(reader_.problems), reader_.snap_cut
            dropped = {**reader_.dropped, **extractor.dropped}
    if unread is not None and (said := not_checked_line(path, packets, ip_packets)):
        unread.append(said)
    if notes is not None:
        early = undecoded_by.get(EARLY_UNREAD, 0)  # not damage: a key the key log leaves out
        undecoded = sum(undecoded_by.values()) - early
        if undecoded:
            notes.append(f"{path}: {undecoded} of {packets} packets could not be decoded")
        if early:
            notes.append(f"{path}: {early_data_text(early)}")
        if cut.packets:
            notes.append(f"{path}: {snap_cut_text(cut)}")
        for reason in problems:
            notes.append(f"{path}: the file is damaged ({reason}); the rest was not read")
        for reason, count in sorted(dropped.items()):
            notes.append(f"{path}: larger in places than real traffic can be; {count} not read: {reason}")
        if keys:
            notes.append(f"{path}: TLS keys of {len(keys.secrets)} connections stored in the capture; "
                         f"{decrypted} connections decrypted")
        if keys.wireguard:
            notes.append(f"{path}: WireGuard keys stored in the capture: {len(keys.wireguard)}; "
                         f"{wireguard_sessions} WireGuard sessions decrypted")
        for reason, count in sorted(keys.problems.items()):
            notes.append(f"{path}: keys stored in the capture not used ({reason}): {count}")
    return names


def not_checked_line(path: str, packets: int, ip_packets: int) -> str:
    """"Not checked: the network capture x.pcap: it holds no packets." (the line ``exposure scan``
    gives a capture it could not check), or "" when the capture had IP packets to read."""
    from exposure.explain.i18n import DEFAULT_LANGUAGE as EN
    from exposure.explain.lines import plain, words
    from exposure.explain.notes import reason_line
    from exposure.explain.sources import file_name
    from exposure.explain.texts import tf
    from exposure.model import CheckNote

    if packets == 0:
        note = CheckNote.of("error.source.no-packets", "it holds no packets")
    elif ip_packets == 0:
        note = CheckNote.of("error.source.no-ip", "", count=packets)
    else:
        return ""
    source = tf("source.pcap", EN, name=file_name(path))
    return plain(tf("summary.not_checked", EN, source=source, reason=reason_line(note, EN) or words(note.text)))


def _names_pass(source: CaptureReader, keys: KeyLog | None) -> Extractor:
    """One reading of a capture for its names alone (keys None: the reader's own, as they come)."""
    from exposure.collect.net.extract import Extractor

    extractor = Extractor(flows=False, certificates=False, observations=False)
    extractor.tcp.keys = keys
    extractor.run(source)
    extractor.finish()
    return extractor


def run(args: argparse.Namespace) -> int:
    from exposure.collect.base import CollectorError
    from exposure.collect.net.results import NameSets
    from exposure.errors import UserError
    from exposure.untrusted import shown  # imported here: it reads YAML, which --help does not need

    merged = NameSets()
    notes: list[str] = []
    unread: list[str] = []
    for path in args.captures:
        try:
            merged.update(names_of(path, args.reader, notes, args.workers, unread=unread))
        except CollectorError as exc:
            raise UserError(f"{path}: {exc}", key="error.names.unreadable", path=path,
                            problem=_problem(exc)) from None
    result = merged.as_json()
    if args.json:
        print(json_text(result))
    else:
        for key, title in _TITLES:
            if key not in result:
                continue
            values = result[key]
            print(f"{say(f'names.{key}', title)} ({len(values)}):")
            for value in values:
                print(f"  {shown(value)}")  # names come from the network: never raw
    for note in notes:
        print(f"exposure: {shown(note)}", file=sys.stderr)  # a note names the file: never raw
    for line in unread:  # as ``exposure scan`` says it, with its exit code: a capture that could not be checked
        print(f"exposure: {shown(line)}", file=sys.stderr)
    return 2 if unread else 0


def _problem(exc: Exception) -> str:
    """Why a capture could not be read, in the person's language."""
    from exposure.explain.lines import plain
    from exposure.explain.notes import error_line

    return plain(error_line(exc, language()))


def json_text(result: dict[str, list[str]]) -> str:
    """The JSON of ``result``, UTF-8 except for characters that could change what a terminal shows."""
    from exposure.untrusted import json_shown

    return json_shown(json.dumps(result, indent=1, ensure_ascii=False))
