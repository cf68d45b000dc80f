"""Agreement of ``exposure names`` with ``../shared/tools/tshark-names`` on many captures.

    .venv/bin/python benchmarks/compare_names.py DIR [DIR ...] [--cache /tmp/tshark-names-cache]
                                                 [--jobs 2] [--show 40]

For every capture under the folders (``*.pcap``, ``*.pcapng``, ``*.cap``, ``*.gz`` and
``capture*`` files) it runs tshark-names once (its JSON is cached by the file's SHA-256, so a
second run only re-runs exposure) and exposure's extractor in-process, and compares the four
keys tshark-names prints (``dns``, ``tls_sni``, ``quic_sni``, ``http_host``). exposure's own
extra kinds (``nbns``, ``llmnr``) are not compared: tshark-names leaves them out.

Prints the captures that differ with the names only one side found and the class of each
difference, then the agreement two ways: **strict** (the four lists identical) and with the
differences exposure makes on purpose counted apart. Those classes are recognised here, not
taken on trust:

- ``cr-split``: HTTP Hosts that exposure reports only because it takes a request line whose CR
  ends the first segment as ended (Wireshark's heuristic gives up there): the capture is read
  again with tshark's rule put in (``request_start`` replaced for that run), and the extra
  Hosts must all disappear;
- ``not-a-host-name``: names tshark prints that no host name can be (its ``<Name too long>``
  placeholder, more than 253 characters), which exposure leaves out;
- ``out-of-order``: HTTP Hosts exposure reads only because it puts segments that arrived out of
  order back in order (tshark 4.0 does not, by default): the capture is read again keeping no
  out-of-order segment (``tcpstream.MAX_PENDING`` set to 0 for that run), and the extra Hosts must
  all disappear;
- ``cut-question``: DNS names exposure keeps from a question whose type and class are cut off
  (the message ends within 4 bytes after the name), which tshark drops: the capture is read again
  keeping only questions whose type and class are there, and the extra names must all disappear;
- ``tshark-waits-for-body``: HTTP Hosts of requests whose body (as long as Content-Length says)
  never arrives whole: tshark waits for it and dissects nothing; run again with
  ``-o http.desegment_body:FALSE`` it must report them;
- ``rdp-tls``: TLS server names of a ClientHello sent after RDP's negotiation on port 3389, which
  tshark leaves to TPKT; run again with ``-d tcp.port==3389,tls`` it must report them;
- ``time-order``: names exposure reads in a capture whose packets are not stored in time order
  (a segment stored before its connection's SYN, which tshark takes for a retransmission and does
  not read): tshark is run again on a copy sorted by time (``reordercap``) and must then find them;
- ``written-differently``: the same names, written two ways: exposure writes a byte outside
  printable ASCII as ``\\xNN``, tshark as a C escape (``\\r``), three octal digits (``\\004``)
  or the byte itself (which reads as U+FFFD); exposure's names are rewritten tshark's way and the
  difference must vanish;
- ``comma-in-name``: a name holding a comma (a DNS label may), which tshark-names cuts in pieces
  (it joins a packet's names with commas and splits them again): exposure's name, split the same
  way, must give exactly the pieces only tshark-names printed;
- ``keys-in-capture``: names tshark reads only by decrypting with keys stored in the capture
  (a pcapng Decryption Secrets Block): tshark is run again on a copy without them
  (``editcap --discard-all-secrets``, or the blocks dropped here where editcap cannot write the
  file), and the names only tshark found must all disappear;
- ``h2-authority``: HTTP hosts exposure reads from HTTP/2 ``:authority`` inside TLS it decrypted
  with the capture's keys (tshark decrypts them too, but as ``http2.headers.authority``, not the
  ``http.host`` tshark-names reads): the capture is read again without them
  (``keyed.H2_AUTHORITY`` off), and the extra Hosts must all disappear;
- ``snap-cut``: names tshark prints from a packet the capture's snapshot length cut inside the
  name (``10.99.0.`` of a Host header cut there), which exposure does not report, as the client
  never sent that name: tshark is run again for the names of packets captured shorter than they
  were (``frame.cap_len < frame.len``), and each name only tshark found must be one of them, its
  bytes ending the packet's captured payload;
- ``named``: what the checks above leave, in a capture that docs/tshark-differences.md names
  with its reason.

Anything else is ``unexplained``. The evidence for docs/tshark-differences.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from snap_cut import SNAP_CUT_FIELDS, names_cut_by_snap_length  # noqa: E402 - found through the path above

TOOL = REPO.parent / "shared" / "tools" / "tshark-names"
DOC = REPO / "docs" / "tshark-differences.md"
MAX_HOST_NAME = 253
KEYS = ("dns", "tls_sni", "quic_sni", "http_host")
SUFFIXES = (".pcap", ".pcapng", ".cap", ".gz", ".dmp")


def captures(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (path.suffix in SUFFIXES or path.name.startswith("capture")):
                found.append(path)
    return found


def tshark(path: Path, cache: Path) -> dict[str, list[str]] | None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = cache / f"{digest}.json"
    if cached.exists():
        return json.loads(cached.read_text()) or None
    try:
        run = subprocess.run([str(TOOL), str(path)], capture_output=True, text=True, timeout=120)
        result = json.loads(run.stdout) if run.stdout.strip() else {}
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        result = {}
    cached.write_text(json.dumps(result))
    return result or None


_C_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r"}


def tshark_written(name: str) -> str:
    """exposure's name (bytes outside printable ASCII as ``\\xNN``) written as tshark-names writes it."""
    raw = bytearray()
    i = 0
    while i < len(name):
        if name.startswith("\\x", i) and len(name) >= i + 4:
            try:
                raw.append(int(name[i + 2:i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        raw += name[i].encode()
        i += 1
    out = []
    high = bytearray()  # bytes from 0x80 up, passed on by tshark as UTF-8 (U+FFFD where invalid)
    for b in raw:
        if b >= 0x80:
            high.append(b)
            continue
        if high:
            out.append(_as_wireshark_utf8(bytes(high)))
            high.clear()
        if 0x20 <= b < 0x7F:
            out.append(chr(b))
        elif b in _C_ESCAPES:
            out.append(_C_ESCAPES[b])
        else:
            out.append(f"\\{b:03o}")
    out.append(_as_wireshark_utf8(bytes(high)))
    return "".join(out).lower()


_LEAD_SIZES = ((1, 0xC0), (2, 0xE0), (3, 0xF0), (4, 0xF8), (5, 0xFC))  # a UTF-8 lead byte: sequence size


def _as_wireshark_utf8(high: bytes) -> str:
    """Bytes from 0x80 up as tshark passes them on: UTF-8 where valid; otherwise one U+FFFD for a
    lead byte and the continuation bytes after it (GLib's rule, not Python's byte by byte)."""
    out, i = [], 0
    while i < len(high):
        lead = high[i]
        size = next((n for n, top in _LEAD_SIZES if lead < top), 6)
        if size > 1:
            try:
                out.append(high[i:i + size].decode("utf-8"))
                i += size
                continue
            except UnicodeDecodeError:
                pass
        out.append("\ufffd")
        i += 1
        while size > 1 and i < len(high) and 0x80 <= high[i] < 0xC0:
            i += 1
            size -= 1
    return "".join(out)


def without_secrets(path: Path, cache: Path) -> dict[str, list[str]] | None:
    """tshark's names for a copy of the capture without decryption secrets (None: editcap failed)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "no-secrets.pcapng"
        run = subprocess.run(["editcap", "-F", "pcapng", "--discard-all-secrets", str(path), str(copy)],
                             capture_output=True, timeout=120)
        if run.returncode != 0 or not copy.exists():
            stripped = pcapng_without_secrets(path.read_bytes())
            if stripped is None:
                return None
            copy.write_bytes(stripped)
        return tshark(copy, cache) or {}


PCAPNG_SECTION, PCAPNG_SECRETS = 0x0A0D0D0A, 0x0000000A
PCAPNG_BYTE_ORDER = 0x1A2B3C4D


def pcapng_without_secrets(data: bytes) -> bytes | None:
    """A pcapng file's blocks without its Decryption Secrets Blocks (None: not pcapng, or damaged).
    editcap 4.0 cannot write some files that carry them (a secrets block before the first
    interface, as in gopacket's test301.pcapng)."""
    out, pos, order = [], 0, "<"
    while pos + 12 <= len(data):
        if struct.unpack_from("<I", data, pos)[0] == PCAPNG_SECTION:
            order = "<" if struct.unpack_from("<I", data, pos + 8)[0] == PCAPNG_BYTE_ORDER else ">"
        kind, size = struct.unpack_from(order + "II", data, pos)
        if size < 12 or size % 4 or pos + size > len(data) or (pos == 0 and kind != PCAPNG_SECTION):
            return None
        if kind != PCAPNG_SECRETS:
            out.append(data[pos:pos + size])
        pos += size
    return b"".join(out) if pos == len(data) else None


def tshark_with(path: Path, options: list[str]) -> dict[str, list[str]]:
    """The names tshark-names would print with extra tshark options (its command, options added)."""
    script = TOOL.read_text()
    marker = 'tshark -n -r "$1"'
    if marker not in script:
        raise SystemExit(f"{TOOL}: its tshark command changed; update tshark_with")
    with tempfile.TemporaryDirectory() as folder:
        variant = Path(folder) / "tshark-names"
        variant.write_text(script.replace(marker, marker + " " + " ".join(options)))
        run = subprocess.run(["bash", str(variant), str(path)], capture_output=True, text=True, timeout=120)
    try:
        found: dict[str, list[str]] = json.loads(run.stdout)
    except json.JSONDecodeError:
        return {}
    return found


def time_sorted(path: Path, cache: Path) -> dict[str, list[str]] | None:
    """tshark's names for a copy of the capture sorted by time (None: already in order, or reordercap failed)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "sorted.pcapng"
        run = subprocess.run(["reordercap", str(path), str(copy)], capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not copy.exists() or " 0 out of order" in run.stdout:
            return None
        return tshark(copy, cache) or {}


def whole_questions(msg: bytes) -> set[str]:
    """The question names of a DNS message whose type and class follow them (what tshark keeps)."""
    from exposure.collect.net import dns

    kept: set[str] = set()
    pos = 12
    for _ in range(min(int.from_bytes(msg[4:6], "big"), dns.MAX_QUESTIONS) if len(msg) >= 12 else 0):
        try:
            name, pos = dns.read_name(msg, pos)
        except ValueError:
            break
        if pos + 4 > len(msg):
            break
        kept.add(name)
        pos += 4
    return kept


def ours(path: Path, tshark_line_end: bool = False, in_order_only: bool = False,
         whole_questions_only: bool = False, h2_authority: bool = True) -> dict[str, list[str]] | None:
    """exposure's names; with ``tshark_line_end``, as if exposure gave up on a request line whose
    CR ends the first segment on a port Wireshark does not give to HTTP, as tshark's heuristic does;
    with ``in_order_only``, as if it kept no segment that arrives ahead of the stream, as tshark does;
    with ``whole_questions_only``, as if it dropped a DNS question whose type and class are cut off."""
    from exposure.collect.base import CollectorError
    from exposure.collect.net import dns, http, keyed, streams, tcpstream
    from exposure.commands.names import names_of

    ordinary: Callable[[bytes, int, int], bool] = getattr(streams, "request_start")  # noqa: B009 - patched below

    def like_tshark(payload: bytes, server_port: int, client_port: int = 0) -> bool:
        line = payload.split(b"\n", 1)[0]
        if (server_port not in http.HTTP_PORTS and client_port not in http.HTTP_PORTS and line == payload
                and line.endswith(b"\r")):
            return False
        return ordinary(payload, server_port, client_port)

    pending = tcpstream.MAX_PENDING
    question_names, parse_message = dns.question_names, dns.parse_message

    def questions_like_tshark(msg: bytes) -> tuple[list[str], bool] | None:
        found = question_names(msg)
        return None if found is None else ([n for n in found[0] if n in whole_questions(msg)], found[1])

    def message_like_tshark(msg: bytes) -> dns.DnsMessage | None:
        parsed = parse_message(msg)
        if parsed is not None:
            parsed.questions = [n for n in parsed.questions if n in whole_questions(msg)]
        return parsed

    if whole_questions_only:
        setattr(dns, "question_names", questions_like_tshark)  # noqa: B010
        setattr(dns, "parse_message", message_like_tshark)  # noqa: B010
    if tshark_line_end:
        setattr(streams, "request_start", like_tshark)  # noqa: B010
    if in_order_only:
        tcpstream.MAX_PENDING = 0
    keyed.H2_AUTHORITY = h2_authority
    try:
        return names_of(str(path), workers=1).as_json()
    except CollectorError:
        return None
    finally:
        setattr(streams, "request_start", ordinary)  # noqa: B010
        tcpstream.MAX_PENDING = pending
        keyed.H2_AUTHORITY = True
        setattr(dns, "question_names", question_names)  # noqa: B010
        setattr(dns, "parse_message", parse_message)  # noqa: B010


Diff = dict[str, tuple[list[str], list[str]]]


def compare(args: tuple[Path, Path]) -> tuple[str, Diff | None, list[str]]:
    """The capture, its differences (None: not compared) and their classes."""
    path, cache = args
    theirs = tshark(path, cache)
    mine = ours(path)
    if theirs is None or mine is None:
        return str(path), None, []
    diff = differences(theirs, mine)
    if not diff:
        return str(path), diff, []
    classes: list[str] = []
    for label, explain in (("not-a-host-name", _not_host_names), ("written-differently", _written_differently),
                           ("cr-split", _cr_split), ("out-of-order", _out_of_order),
                           ("cut-question", _cut_question), ("time-order", _time_order),
                           ("tshark-waits-for-body", _waits_for_body), ("rdp-tls", _rdp_tls),
                           ("comma-in-name", _comma_in_name), ("keys-in-capture", _keys_in_capture),
                           ("h2-authority", _h2_authority), ("snap-cut", _snap_cut)):
        explained = explain(path, cache, diff)
        if explained is not None:
            classes.append(label)
            diff = explained
    if any(only_t or only_e for only_t, only_e in diff.values()):
        named = path.parent.name if path.name.startswith("capture") else path.name  # names fixtures: the folder
        classes.append("named" if f"`{named}`" in DOC.read_text() else "unexplained")
    return str(path), differences(theirs, mine), classes


# Each class: the differences left once it is taken out, or None when it explains none of them.

def _not_host_names(path: Path, cache: Path, diff: Diff) -> Diff | None:
    def host_name(name: str) -> bool:
        return len(name) <= MAX_HOST_NAME and not name.startswith("<")
    if all(host_name(n) for only_t, _ in diff.values() for n in only_t):
        return None
    return {key: ([n for n in only_t if host_name(n)], only_e) for key, (only_t, only_e) in diff.items()}


def _hosts_gone(diff: Diff, reread: dict[str, list[str]] | None) -> Diff | None:
    extra = diff.get("http_host", ([], []))[1]
    if not extra or set(extra) & set((reread or {}).get("http_host", [])):
        return None
    return {**diff, "http_host": (diff["http_host"][0], [])}


def _cr_split(path: Path, cache: Path, diff: Diff) -> Diff | None:
    return _hosts_gone(diff, ours(path, tshark_line_end=True)) if diff.get("http_host", ([], []))[1] else None


def _h2_authority(path: Path, cache: Path, diff: Diff) -> Diff | None:
    return _hosts_gone(diff, ours(path, h2_authority=False)) if diff.get("http_host", ([], []))[1] else None


def _out_of_order(path: Path, cache: Path, diff: Diff) -> Diff | None:
    return _hosts_gone(diff, ours(path, in_order_only=True)) if diff.get("http_host", ([], []))[1] else None


def _cut_question(path: Path, cache: Path, diff: Diff) -> Diff | None:
    extra = diff.get("dns", ([], []))[1]
    if not extra:
        return None
    reread = ours(path, whole_questions_only=True) or {}
    if set(extra) & set(reread.get("dns", [])):
        return None
    return {**diff, "dns": (diff["dns"][0], [])}


def _extra_found_by_tshark_with(path: Path, diff: Diff, key: str, options: list[str]) -> Diff | None:
    extra = diff.get(key, ([], []))[1]
    if not extra:
        return None
    found = tshark_with(path, options)
    if not all(n in found.get(key, []) for n in extra):
        return None
    return {**diff, key: (diff[key][0], [])}


def _waits_for_body(path: Path, cache: Path, diff: Diff) -> Diff | None:
    return _extra_found_by_tshark_with(path, diff, "http_host", ["-o", "http.desegment_body:FALSE"])


def _rdp_tls(path: Path, cache: Path, diff: Diff) -> Diff | None:
    return _extra_found_by_tshark_with(path, diff, "tls_sni", ["-d", "tcp.port==3389,tls"])


def _time_order(path: Path, cache: Path, diff: Diff) -> Diff | None:
    if not any(only_e for _, only_e in diff.values()):
        return None
    resorted = time_sorted(path, cache)
    if resorted is None or not all(n in resorted.get(key, []) for key, (_, only_e) in diff.items() for n in only_e):
        return None
    return {key: (only_t, []) for key, (only_t, _) in diff.items()}


def _written_differently(path: Path, cache: Path, diff: Diff) -> Diff | None:
    rewritten = {key: (set(only_t), {tshark_written(n): n for n in only_e}) for key, (only_t, only_e) in diff.items()}
    if not any(set(by_form) & theirs_only for theirs_only, by_form in rewritten.values()):
        return None
    left: Diff = {}
    for key, (theirs_only, by_form) in rewritten.items():
        same = set(by_form) & theirs_only
        left[key] = (sorted(theirs_only - same), sorted(n for form, n in by_form.items() if form not in same))
    return left


def _comma_in_name(path: Path, cache: Path, diff: Diff) -> Diff | None:
    left: Diff = {}
    explained = False
    for key, (only_t, only_e) in diff.items():
        with_comma = [n for n in only_e if "," in n]
        pieces = {piece for n in with_comma for piece in n.split(",") if piece}
        if with_comma and pieces <= set(only_t):
            explained = True
            left[key] = (sorted(set(only_t) - pieces), sorted(set(only_e) - set(with_comma)))
        else:
            left[key] = (only_t, only_e)
    return left if explained else None


def _keys_in_capture(path: Path, cache: Path, diff: Diff) -> Diff | None:
    if not any(only_t for only_t, _ in diff.values()):
        return None
    plain = without_secrets(path, cache)
    if plain is None or any(n in plain.get(key, []) for key, (only_t, _) in diff.items() for n in only_t):
        return None
    return {key: ([], only_e) for key, (_, only_e) in diff.items()}


def _snap_cut(path: Path, cache: Path, diff: Diff) -> Diff | None:
    if not any(only_t for key, (only_t, _) in diff.items() if key in SNAP_CUT_FIELDS):
        return None
    cut = names_cut_by_snap_length(path)
    left: Diff = {}
    explained = False
    for key, (only_t, only_e) in diff.items():
        kept = [n for n in only_t if n not in cut.get(key, set())]
        explained |= len(kept) < len(only_t)
        left[key] = (kept, only_e)
    return left if explained else None


def differences(theirs: dict[str, list[str]], mine: dict[str, list[str]]) -> Diff:
    diff = {}
    for key in KEYS:
        a, b = set(theirs.get(key, [])), set(mine.get(key, []))
        if a != b:
            diff[key] = (sorted(a - b), sorted(b - a))
    return diff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tshark-names-cache"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=6, help="names shown per side and kind")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    paths = captures(args.folders)
    compared = agree = 0
    by_class: dict[str, int] = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, diff, classes in pool.map(compare, [(p, args.cache) for p in paths], chunksize=4):
            if diff is None:
                continue
            compared += 1
            if not diff:
                agree += 1
                continue
            label = " + ".join(classes)
            by_class[label] = by_class.get(label, 0) + 1
            print(f"{name}  [{label}]")
            for key, (only_t, only_e) in diff.items():
                shown_t = [n if len(n) <= 80 else n[:60] + f"... ({len(n)} characters)" for n in only_t[:args.show]]
                print(f"  {key}: only tshark {shown_t}, only exposure {only_e[:args.show]}")
    deliberate = sum(count for label, count in by_class.items() if "unexplained" not in label)

    def share(n: int) -> str:
        return f"{100 * n / compared:.2f} %" if compared else "-"

    print(f"compared {compared}, agree {agree} ({share(agree)}, strict)")
    print(f"differ {compared - agree}: " + ", ".join(f"{label} {count}" for label, count in sorted(by_class.items())))
    print(f"agree or differ only where exposure differs on purpose: {agree + deliberate} ({share(agree + deliberate)});"
          f" unexplained {compared - agree - deliberate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
