"""``exposure names``: list the names seen in captures (DNS, TLS and QUIC server names, HTTP hosts).

With ``--json`` the output has exactly the shape of Wireshark-based ``tshark-names``
(``dns``, ``tls_sni``, ``quic_sni``, ``http_host``; lower-case, unique, sorted), merged
over all the files given, so the two can be compared directly.
"""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list the names (DNS, TLS/QUIC server names, HTTP hosts) seen in network captures"

_TITLES = (("dns", "DNS lookups"), ("tls_sni", "TLS server names"), ("quic_sni", "QUIC server names"),
           ("http_host", "HTTP hosts"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("captures", nargs="+", metavar="CAPTURE", help="pcap or pcapng files (may be gzip-compressed)")
    parser.add_argument("--json", action="store_true", help="print JSON (the shape of tshark-names)")
    parser.add_argument("--reader", choices=("native", "scapy"), default="native", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from exposure.collect.base import CollectorError
    from exposure.collect.net.extract import Extractor
    from exposure.collect.net.results import NameSets
    from exposure.collect.pcap import open_checked
    from exposure.errors import UserError

    merged = NameSets()
    notes: list[str] = []
    for path in args.captures:
        extractor = Extractor(flows=False, certificates=False, observations=False)
        try:
            with open_checked(path, args.reader) as reader:
                packet = extractor.packet
                for link, ts, data in reader.frames():
                    packet(link, ts, data)
                extractor.finish()
                problems = dict(reader.problems)
        except CollectorError as exc:
            raise UserError(f"{path}: {exc}") from None
        merged.update(extractor.names)
        undecoded = sum(extractor.undecoded.values())
        if undecoded:
            notes.append(f"{path}: {undecoded} of {extractor.packets} packets could not be decoded")
        for reason in problems:
            notes.append(f"{path}: the file is damaged ({reason}); the rest was not read")
    result = merged.as_json()
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        for key, title in _TITLES:
            values = result[key]
            print(f"{title} ({len(values)}):")
            for value in values:
                print(f"  {_printable(value)}")
    for note in notes:
        print(f"exposure: {note}", file=sys.stderr)
    return 0


def _printable(text: str) -> str:
    """Names come from the network: never let control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
