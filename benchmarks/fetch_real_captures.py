"""Fetch the real captures that issue 18's name agreement is measured on (never stored in the repo).

    .venv/bin/python benchmarks/fetch_real_captures.py /tmp/real-captures
    .venv/bin/python benchmarks/fetch_real_captures.py /tmp/real-captures-2 --set second \
        --seen /tmp/real-captures --seen ../shared/fixtures/pcaps
    .venv/bin/python benchmarks/fetch_real_captures.py /tmp/real-captures-3 --set third \
        --seen /tmp/real-captures --seen /tmp/real-captures-2 --seen ../shared/fixtures/pcaps
    .venv/bin/python benchmarks/fetch_real_captures.py /tmp/real-captures-4 --set fourth \
        --seen /tmp/real-captures --seen /tmp/real-captures-2 --seen /tmp/real-captures-3 \
        --seen ../shared/fixtures/pcaps
    .venv/bin/python benchmarks/compare_names.py /tmp/real-captures --cache /tmp/tshark-names-cache

The captures come from the test suites of other network tools, as Debian (bookworm) and PyPI
(and, for the third set, npm) publish their sources: nDPI 4.2 (real traffic of many apps,
LGPL-3.0), Wireshark 4.0.17 (GPL-2.0), tcpflow 1.6.1, dnscap 2.1.1, termshark 2.4.0, drool 2.0.0
and python-pcapng 2.1.1 for the first set. Their licences
do not let them into this repository, so they are test input only: this script downloads each
archive (its SHA-256 checked), and copies out every file that starts like a pcap or pcapng file
into ``DEST/<package>/<file name>``. This is the only place in exposure that uses the network,
and only when run by hand.

``--set second`` fetches a second set, chosen after the first had been measured and its misses
fixed, so that agreement is measured again on captures the project has not seen: the test
captures of aircrack-ng, dnsjit, gopacket (two versions), libpcap, masscan, packetq, pcapy,
dpkt, python-libtrace, Suricata 7 and tcpdump 4.99.6 (Debian), and of the PyPI sdists of
pypacker, ja4plus, mptcpanalyzer, pcap2har, pcap-doctor, pycapng, joyfuljay and sip-ladder.
A capture whose SHA-256 equals that of a file under a ``--seen`` folder (the first set, the
shared fixtures), or of one already copied, is skipped and counted: the set holds only
captures never seen.

``--set third`` fetches a third set, chosen once the second set's misses were fixed (pass the
first two sets' folders and the shared fixtures as ``--seen``): the test captures and samples of
dnscap 2.5.2, oarc-dsc, libnet-pcap-perl, packETH, bittwist and tcpdump 4.99.3 (Debian), of the
PyPI sdists of networkml, wa1kpcap, mcpcap, pcap-inspector, netverdict, pktcap, os-ken and Scapy
2.4.0, and of the npm package pcap-parser: 381 captures of 955, the others seen before. pktcap
names every capture ``case.pcap`` in a folder named for its case: those are named by the folder.
Real traffic comes first in the list, so that a capture two archives share is counted under the
one that recorded it.

``--set fourth`` fetches a fourth set, chosen once the third set had been measured (pass the
three earlier sets' folders and the shared fixtures as ``--seen``). Most network packages'
archives reachable here hold no capture, or only ones seen before (Suricata 6 and 8, Scapy 2.4.3
to 2.7.0, ryu, nfstream, pcapkit, knot, bind9, PowerDNS, nmap, ettercap and a dozen more were
tried); the ones kept: the sample captures of two MCP servers for Zeek and tshark and of
wireshark-mcp, wiresharkffi, the libpcap test captures shipped by the PyPI package ``libpcap``
1.11 (many are Wireshark's sample captures), pcap-stream and pcap-ng-parser from npm, Scapy
2.4.1 and pypacker 4.1 from PyPI, and cowpatty and ladvd (CDP, LLDP, EDP and other discovery
protocols of real switches, many damaged on purpose) from Debian.
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
NPM = "https://registry.npmjs.org/"
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
SECOND = (  # chosen 2026-12-05; Debian's sid, trixie and bookworm indexes give the SHA-256s
    ("aircrack-ng", DEBIAN + "a/aircrack-ng/aircrack-ng_1.7+git20230807.4bf83f1a.orig.tar.xz",
     "517e3e6be8f4e2ad17024b64179ad2e78695d0ea375a337ffaeef98d75b4cb8c"),
    ("dnsjit", DEBIAN + "d/dnsjit/dnsjit_1.5.0.orig.tar.xz",
     "1c9cb345917a5cefcb1c3e1b80136c40d18f01d49339da7300462cf433ccabf1"),
    ("gopacket", DEBIAN + "g/golang-github-gopacket-gopacket/golang-github-gopacket-gopacket_1.3.0.orig.tar.xz",
     "14bc7962419a4d353ed0a9a37991f744946f52b6887649f2da198d97697ae1de"),
    ("gopacket", DEBIAN + "g/gopacket/gopacket_1.1.19.orig.tar.gz",
     "31efa87cc9d2b41e5e66c7daa8839d841d2a43cc477bf595c9e8c24ef6903830"),
    ("libpcap", DEBIAN + "libp/libpcap/libpcap_1.10.5.orig.tar.xz",
     "84fa89ac6d303028c1c5b754abff77224f45eca0a94eb1a34ff0aa9ceece3925"),
    ("masscan", DEBIAN + "m/masscan/masscan_1.3.2+ds1.orig.tar.xz",
     "29b3837db9a3496cdf810ab5fbbfa3bb82432d0be9a5ee13cd4c207a98fa09b3"),
    ("packetq", DEBIAN + "p/packetq/packetq_1.7.3+dfsg.orig.tar.xz",
     "ec0166511efe6ab9ba27605f745f7cf3298967051bc8378764b09cb8384361d3"),
    ("pcapy", DEBIAN + "p/pcapy/pcapy_0.11.5.orig.tar.gz",
     "2ff96eb65caee8a45a3ae3edb78d5b4d8debcace9dc2921aefa3be83bb0af9c6"),
    ("dpkt", DEBIAN + "p/python-dpkt/python-dpkt_1.9.8.orig.tar.gz",
     "9990639e19a9c8f1db4af453b7e6a45ef2995ec03e13bac35b9824839fd46867"),
    ("python-libtrace", DEBIAN + "p/python-libtrace/python-libtrace_1.6+git20180219.orig.tar.gz",
     "70f93e4974038d2e52290feebd9383c982a4b4e2b3b7a19c8a06443d7283ce84"),
    ("suricata", DEBIAN + "s/suricata/suricata_7.0.10.orig.tar.xz",
     "8956f7de394652b7cb7ede4a1715b0c46798ac825d11f08a5785b07dae7a945a"),
    ("tcpdump", DEBIAN + "t/tcpdump/tcpdump_4.99.6.orig.tar.xz",
     "40a8cefd45f0d2a06827e6658efb830d484868c449ad80f7efb33516af44f3da"),
    ("pypacker", PYPI + "83/c1/b270e105135bb24986486c5b60e2d0c3cde4ed2ee11c8f4d7074d9792ffe/pypacker-5.4.tar.gz",
     "80fb794acbe9eb972e43b4b28e85d8899ea3637fa5461df2866736e6d99ea5a3"),
    ("ja4plus", PYPI + "78/fa/2457f2c7c151358051b385960c8b42372724009a7ca7153ceff149c584d8/ja4plus-1.4.0.tar.gz",
     "28f05faa3c2521dcf5bff2c1f1d3e37ace87783767e2de1b9e9f6e5ddfe73e00"),
    ("mptcpanalyzer", PYPI + "ae/3b/579fba36ac4bd16751e0c67698ac419c39173bb05d5b5c73d3eadbc8f4a0/"
     "mptcpanalyzer-0.3.2.tar.gz", "2b6bc46dd4dca14bee1014260169c171b09c4c83f8a9d58df56e759631bba579"),
    ("pcap2har", PYPI + "bd/be/9d060a46fb80fac30471a744d1123d40df7f6f85522f470e9848c8ef57c7/pcap2har-0.1.2.tar.gz",
     "60a6ca2bde16b2c0eeca7f15dfe6f186b115193bd0259832bdf00adfbb38c1e8"),
    ("pcap-doctor", PYPI + "8e/08/fbc935c6195be966fb145daeaf67b24f2a2de036a06c8af80ebbfed22cd2/"
     "pcap_doctor-0.7.0.tar.gz", "b0e09fbb0f2bfe6c9ac3eb719261f2cd231cb7d3cd6ee0a117f5a8edad486b64"),
    ("pycapng", PYPI + "1c/f5/5ef9a0acc9e8462fdab958fddeb5df219628c8c26502cdcce9d1c8dcd784/pycapng-0.19.7.tar.gz",
     "a13e105bd804ed89f93c5e86893d794a1eef62a35cf53594cfa830c404d8eaa0"),
    ("joyfuljay", PYPI + "44/b2/47eee94b8662e84f67cd4744324e93b489f3b6f75ae263e24ccd1b67972f/"
     "joyfuljay-0.1.6.1.tar.gz", "27909e9820567130a8ac6b48d0a87b85d4a5330af7838f15c66afa3e130dae69"),
    ("sip-ladder", PYPI + "dc/bc/db5bbd590a232c9c6771cb3c3ed2d80e21927271a81ed35d2947fb2c0dc3/"
     "sip_ladder-2026.5.25.6.tar.gz", "0bc1fc2ca7e035052744f02669d920950c06e661784f88cdfc105db8f57e664f"),
)
THIRD = (  # chosen 2026-12-05, once the second set's misses were fixed; real traffic first
    ("dnscap", DEBIAN + "d/dnscap/dnscap_2.5.2.orig.tar.xz",
     "6b64fbcf86a3661addbdc0ffe854639ce69dea52cbdf307c9f061b07a3f8f42e"),
    ("oarc-dsc", DEBIAN + "o/oarc-dsc/oarc-dsc_2.16.1.orig.tar.xz",
     "592c2fa7c1c571964a9a84f3c8a4b7b46c931a8bc687d0253c2bb9052b7e7e47"),
    ("networkml", PYPI + "b9/4a/e46c79657e8c7d6f632b327f27a38462bba7f7007cd529a0382d8344fac4/networkml-0.6.19.tar.gz",
     "4192d426e87fa5420992bae882e3cee7a5f4ce18a9a826ef10baacec275f2fd6"),
    ("wa1kpcap", PYPI + "70/11/85789f5879956c96ede753803aab12e7cd84d32b1b3383fecd95ee1173a5/wa1kpcap-0.2.0.tar.gz",
     "2108370c8e72a7256039478c4e01daf120b34eae8c75afaba05b311f831d69c8"),
    ("mcpcap", PYPI + "8d/61/38aa41e5dd8d80b9ef3efa9805a6b47afd1a94310c97f1c13445c2d93c69/mcpcap-0.10.0.tar.gz",
     "077232924256edb5936cb43789e7bb6d4d5778dc6ac06ac78fd11a97912bd4ad"),
    ("pcap-parser", NPM + "pcap-parser/-/pcap-parser-0.2.1.tgz",
     "308219392d15d03c14ab332ce0176fc70415de17bd4e07bc30b0e828a97fb5c7"),
    ("libnet-pcap-perl", DEBIAN + "libn/libnet-pcap-perl/libnet-pcap-perl_0.21.orig.tar.gz",
     "962ffdc1c5470bf9e43413297724308e938cb9c9c02a9041d7cbd485b1ddfb13"),
    ("os-ken", PYPI + "c0/81/3dc912cca417f80d5b0871904c6e1b7b7002de867b5a7981f2a8d1d45c43/os_ken-4.2.2.tar.gz",
     "bf6a640c0e67c377d4e6c0014f1de36bbf53d16eb7ecb080e5f9b5ede9bbf836"),
    ("pcap-inspector", PYPI + "78/f2/44e22166c00a82e59e3948de34c722fb79ffd1590d63ad1769d9b0cdea2b/"
     "pcap_inspector-0.1.0.tar.gz", "2c92526f00a58f8355d80927051a41f871d953c2965e73a104c5da5578a67725"),
    ("netverdict", PYPI + "ee/02/7d11f941023eaa0d679a5d97e7f20d2a2a5822440a36c4ddd7a49d07f353/netverdict-0.9.0.tar.gz",
     "2f75764938d8102aae1206e665dfae26d67f3269b2805f823b2a5d7fe1386d59"),
    ("pktcap", PYPI + "76/47/b52a16296fe74b9617061dd751644b0ee926ce69abff81e0a36fc050dcef/pktcap-0.1.3.tar.gz",
     "000bff981d68b9da9d2b9cd67666eaa9928e3273e4231f26582abc3a577e0dad"),
    ("scapy", PYPI + "68/01/b9943984447e7ea6f8948e90c1729b78161c2bb3eef908430638ec3f7296/scapy-2.4.0.tar.gz",
     "452f714f5c2eac6fd0a6146b1dbddfc24dd5f4103f3ed76227995a488cfb2b73"),
    ("bittwist", DEBIAN + "b/bittwist/bittwist_4.7+ds.orig.tar.xz",
     "d761265c82451e21d12fcd9b13f377a5aec5189a8e88351cec16c714845c4dd4"),
    ("packeth", DEBIAN + "p/packeth/packeth_3.0.orig.tar.gz",
     "d5e83beafbae372a40b3d4b1604dc26db8e4db2989d05a79e565d85a3cd70aaa"),
    ("tcpdump", DEBIAN + "t/tcpdump/tcpdump_4.99.3.orig.tar.gz",
     "ad75a6ed3dc0d9732945b2e5483cb41dc8b4b528a169315e499c6861952e73b3"),
)
FOURTH = (  # chosen 2026-12-05, once the third set had been measured; real traffic first
    ("zeek-mcp", PYPI + "2e/2e/c05c0374f8ab9d3f53bd013e4758fcccac47bbb695f5a619140fa39f353a/"
     "iflow_mcp_gabbo01_zeek_mcp-1.0.0.tar.gz", "41aff3e4a11fde413badcd58db441574b2a67087c68fd3c81dc477b8a1ff15a4"),
    ("tshark-mcp", PYPI + "7f/48/0b90ed1c42c24d6254570896951dc199525ef284e5ad580ed481ece8c3d8/"
     "iflow_mcp_jayimu_wireshark_mcp-0.1.0.tar.gz", "32d841cf153ae3dd06b8ea44dd88a49882518a679c37d97cbcac0973d30fb025"),
    ("wireshark-mcp", PYPI + "6e/fd/839b4814e4eac4ac39fb97b6d00af37ce5a7277aadf8669b2a389731ceb3/"
     "wireshark_mcp-4.0.0.tar.gz", "720978ab6834efa5ad640521cabcfcfd6f0ca7dc6c750f5c68dde00542ffb7fc"),
    ("wiresharkffi", PYPI + "ca/ee/ed0f05a8618c0f025646d7d70adedbfe182bfd40e03b7d16e25266ea41cb/"
     "wiresharkffi-0.1.1.tar.gz", "93f4a3ceb2f868896aaacc734da361fc12e7479836c499fcf4b763ec150acd87"),
    ("libpcap-pypi", PYPI + "e1/9c/3387643fdb57e60c3b1463765e3047356912f0613160fc39819b6a1e9b24/"
     "libpcap-1.11.0b29.tar.gz", "65b43e9f4297c098df49f7cd4eab4aa0c58f83759daeb9a3f5f6da2f88f4ef08"),
    ("pcap-stream", NPM + "pcap-stream/-/pcap-stream-0.1.1.tgz",
     "7edc1247418ec01fbfea62800bc212bdd9b7c59b92ae6d185e2ba86082f356b8"),
    ("pcap-ng-parser", NPM + "pcap-ng-parser/-/pcap-ng-parser-1.0.0.tgz",
     "ec440ae2fbe6266a328c681c4372e66a4b93f8f1aa2b70f74dd8e9fefe46ac47"),
    ("scapy", PYPI + "61/46/3de229d48d5c5465f0ab6e13ff445a8cd1a7f7eef381d033b7f8087f273e/scapy-2.4.1.tar.gz",
     "71b8608a756f5df91387932e2b341557f2c66d2c2cebdfd07b2b0c07059ca065"),
    ("pypacker", PYPI + "44/5c/3c913d2cd29c9612dd86796b2b1d2da3c61dd4328e4d2e10a5327f044643/pypacker-4.1.tar.gz",
     "05bc5c873cfef620ce8b07df4aa286ea199e328b5b1eabd0b10aa0bb699c464f"),
    ("cowpatty", DEBIAN + "c/cowpatty/cowpatty_4.8.orig.tar.gz",
     "b9f8b724d06d3074c5bf804ed8e64b5dc846aaa6d81b31586b16558930511164"),
    ("ladvd", DEBIAN + "l/ladvd/ladvd_1.1.2.orig.tar.xz",
     "7f976c81fc07d59d6580de992c534e7c35873ca40d5af9f8cb6daa5c69176e37"),
)
SETS = {"first": ARCHIVES, "second": SECOND, "third": THIRD, "fourth": FOURTH}
NAMED_BY_FOLDER = frozenset({"pktcap"})  # every capture is case.pcap(ng) in a folder named for its case
CAPTURE_STARTS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                  b"\x0a\x0d\x0d\x0a")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".gz")


def fetch(address: str, sha256: str) -> bytes:
    with urllib.request.urlopen(address, timeout=300) as answer:
        data: bytes = answer.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"{address}: SHA-256 differs from the one recorded here")
    return data


def captures_in(archive: bytes, by_folder: bool = False) -> list[tuple[str, bytes]]:
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
            if by_folder and "/" in member.name:
                name = member.name.rsplit("/", 2)[-2] + "." + name.rsplit(".", 1)[-1]
            if data[:4] in CAPTURE_STARTS or (name.endswith((".pcap.gz", ".pcapng.gz")) and data[:2] == b"\x1f\x8b"):
                found.append((name, data))
    return found


def digests_under(folders: list[Path]) -> set[str]:
    """The SHA-256 of every file under the folders (captures already seen)."""
    return {hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in folder.rglob("*") if path.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--set", choices=sorted(SETS), default="first", dest="which")
    parser.add_argument("--seen", type=Path, action="append", default=[],
                        help="a folder of captures already seen: one with the same SHA-256 is skipped")
    args = parser.parse_args()
    seen = digests_under(args.seen)
    copied: set[str] = set()
    total = skipped = repeated = 0
    for package, address, sha256 in SETS[args.which]:
        folder = args.dest / package
        folder.mkdir(parents=True, exist_ok=True)
        found = captures_in(fetch(address, sha256), package in NAMED_BY_FOLDER)
        kept = 0
        for name, data in found:
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                skipped += 1
                continue
            if args.seen and digest in copied:
                repeated += 1
                continue
            copied.add(digest)
            target = folder / (name if name.endswith(CAPTURE_SUFFIXES) else name + ".pcap")
            while target.exists() and target.read_bytes() != data:
                target = target.with_name("_" + target.name)
            target.write_bytes(data)
            kept += 1
        total += kept
        print(f"{package}: {kept} captures", file=sys.stderr)
    print(f"{total} captures in {args.dest}" + (f"; skipped: {skipped} seen before, {repeated} copies of one"
                                                 " already taken from another archive" if args.seen else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
