"""DNS messages: question names and A/AAAA answers.

Names are rendered as Wireshark renders them (so results compare with tshark): labels
joined by dots, the root as ``<Root>``, and bytes outside printable ASCII escaped as
``\\xNN`` (``wire_text``: TLS server names and HTTP Hosts are written the same way). A message
that ends early yields the names read before the damage.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

from exposure.collect.net.wire_text import PRINTABLE_BYTES, name_text

MAX_POINTER_JUMPS = 32
MAX_NAME_WIRE = 255  # RFC 1035: a name is at most 255 bytes on the wire (253 characters as text)
MAX_QUESTIONS = 64
MAX_ANSWERS = 256
# the bounds of Wireshark 4.0's DNS heuristic (``looks_like_dns``), as tshark 4.0.17 applies them:
# a response with 100 answers is DNS, with 101 it is not; 10 authority or additional records, not 11
HEURISTIC_MAX_ANSWERS = 100
HEURISTIC_MAX_RECORDS = 10
# A DNSCrypt resolver's certificate, sent as a TXT answer, starts with these bytes ("DNSC",
# https://dnscrypt.info/protocol); it is how a client using DNSCrypt is told apart from an
# ordinary TXT lookup whatever the provider name (Avast SecureDNS asks for 2.securedns.avast.com)
DNSCRYPT_CERT_MAGIC = b"DNSC"
# resource record types (RFC 1035 section 3.2.2; AAAA: RFC 3596)
A, CNAME, TXT, AAAA = 1, 5, 16, 28

# UDP ports on which Wireshark 4.0 does not try its DNS heuristic, because it gives them to
# another protocol (``tshark -G decodes``: the registered ports below 1024 other than DNS's 53
# and NetBIOS's 137, which are read before), and mDNS's 5353. On any other port, DNSCrypt's
# certificate lookups on 443 included, a message that passes ``looks_like_dns`` is DNS.
NOT_DNS_UDP_PORTS = frozenset({
    7, 13, 19, 37, 49, 67, 68, 69, 88, 111, 123, 138, 161, 162, 173, 177, 213, 269, 319, 320, 389, 427,
    434, 464, 473, 496, 500, 502, 513, 514, 520, 521, 524, 525, 539, 546, 547, 573, 623, 631, 646, 654,
    664, 698, 699, 701, 750, 853, 854, 910, 921, 925, 1001, 5353,
})


class NameTooLong(ValueError):
    """A name longer than DNS allows (a damaged or hostile message)."""


@dataclass(slots=True)
class DnsMessage:
    response: bool = False
    questions: list[str] = field(default_factory=list)
    # (owner name, address text) for A and AAAA records; CNAMEs as (owner, target)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    cnames: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False  # parsed to the end without damage
    too_long: bool = False  # stopped at a name longer than DNS allows
    dnscrypt_cert: bool = False  # a TXT answer carried a DNSCrypt resolver certificate


def read_name(msg: bytes, pos: int) -> tuple[str, int]:
    """The name at ``pos`` and the offset just after it; raises ValueError if damaged."""
    labels: list[bytes] = []
    end = -1
    jumps = 0
    length_total = 0
    n = len(msg)
    while True:
        if pos >= n:
            raise ValueError("name runs past the end")
        b = msg[pos]
        if b == 0:
            pos += 1
            break
        kind = b & 0xC0
        if kind == 0xC0:
            if pos + 1 >= n:
                raise ValueError("truncated pointer")
            if end < 0:
                end = pos + 2
            jumps += 1
            if jumps > MAX_POINTER_JUMPS:
                raise ValueError("pointer loop")
            pos = ((b & 0x3F) << 8) | msg[pos + 1]
            continue
        if kind:
            raise ValueError("unsupported label type")
        label = msg[pos + 1:pos + 1 + b]
        if len(label) < b:
            raise ValueError("truncated label")
        labels.append(label)
        length_total += b + 1
        if length_total > MAX_NAME_WIRE - 1:
            raise NameTooLong("name too long")
        pos += 1 + b
    # rendered once the whole name is known to be valid (a hostile one costs no rendering)
    text = ".".join(map(name_text, labels)) if labels else "<Root>"
    return text, (end if end >= 0 else pos)


def parse_message(msg: bytes) -> DnsMessage | None:
    """Parse one DNS message (without the TCP length prefix). None if not DNS at all."""
    if len(msg) < 12:
        return None
    _ident, flags, qd, an = struct.unpack_from("!HHHH", msg, 0)
    out = DnsMessage(response=bool(flags & 0x8000))
    pos = 12
    try:
        for _ in range(min(qd, MAX_QUESTIONS)):
            name, pos = read_name(msg, pos)
            if pos + 4 > len(msg):
                out.questions.append(name)
                raise ValueError("truncated question")
            out.questions.append(name)
            pos += 4
        for _ in range(min(an, MAX_ANSWERS)):
            owner, pos = read_name(msg, pos)
            if pos + 10 > len(msg):
                raise ValueError("truncated record")
            rtype, _rclass, _ttl, rdlen = struct.unpack_from("!HHIH", msg, pos)
            pos += 10
            rdata = msg[pos:pos + rdlen]
            if len(rdata) < rdlen:
                raise ValueError("truncated rdata")
            if rtype == A and rdlen == 4:
                out.addresses.append((owner.lower(), socket.inet_ntop(socket.AF_INET, rdata)))
            elif rtype == AAAA and rdlen == 16:
                out.addresses.append((owner.lower(), socket.inet_ntop(socket.AF_INET6, rdata)))
            elif rtype == CNAME:
                target, _ = read_name(msg, pos)
                out.cnames.append((owner.lower(), target.lower()))
            elif rtype == TXT and rdata[1:5] == DNSCRYPT_CERT_MAGIC:  # after the TXT string's length byte
                out.dnscrypt_cert = True
            pos += rdlen
        out.complete = True
    except NameTooLong:
        out.too_long = True
    except ValueError:
        pass
    return out


def question_names(msg: bytes) -> tuple[list[str], bool] | None:
    """Only the question names (the fast path for ``exposure names``), and whether a name was
    longer than DNS allows (not kept); None if not DNS."""
    n = len(msg)
    if n < 12:
        return None
    qd = (msg[4] << 8) | msg[5]
    names: list[str] = []
    pos = 12
    for _ in range(min(qd, MAX_QUESTIONS)):
        labels: list[bytes] = []
        start = pos
        simple = False
        while pos < n:
            b = msg[pos]
            if b == 0:
                simple = bool(labels) and pos - start < MAX_NAME_WIRE
                break
            if b >= 0x40 or pos + 1 + b > n:
                break
            labels.append(msg[pos + 1:pos + 1 + b])
            pos += 1 + b
        if simple:
            raw = b".".join(labels)
            if not raw.translate(None, PRINTABLE_BYTES):
                names.append(raw.decode("ascii"))
                pos += 1 + 4
                if pos > n:
                    break
                continue
        try:
            name, pos = read_name(msg, start)
        except NameTooLong:
            return names, True
        except ValueError:
            break
        names.append(name)
        pos += 4
        if pos > n:
            break
    return names, False


def looks_like_dns(msg: bytes) -> bool:
    """Wireshark 4.0's heuristic for DNS on a UDP port not registered for it (nor for another
    protocol: ``NOT_DNS_UDP_PORTS``): a standard query with exactly one question and no records but
    a few additional ones, or a standard response with at most one question, at most
    ``HEURISTIC_MAX_ANSWERS`` answers and a few authority and additional records. It asks for
    nothing more (tshark 4.0.17 reads a response whose records do not fit in it as DNS, damaged)."""
    if len(msg) <= 12:
        return False
    flags, qd, an, ns, ar = struct.unpack_from("!HHHHH", msg, 2)
    if flags & 0x7800 or ar > HEURISTIC_MAX_RECORDS:
        return False
    if flags & 0x8000:
        return bool(qd <= 1 and an <= HEURISTIC_MAX_ANSWERS and ns <= HEURISTIC_MAX_RECORDS)
    return bool(qd == 1 and not an and not ns)


def netbios_names(msg: bytes) -> list[str] | None:
    """The names in a NetBIOS Name Service message (RFC 1002; questions, else the first
    record's owner), rendered as Wireshark does: ``NAME<1c>`` plus any scope. None if not NBNS."""
    if len(msg) < 12:
        return None
    qd, an = struct.unpack_from("!HH", msg, 4)
    names: list[str] = []
    pos = 12
    try:
        for _ in range(min(qd, MAX_QUESTIONS) if qd else min(an, 1)):
            name, pos = read_name(msg, pos)
            names.append(_netbios_text(name))
            pos += 4
    except ValueError:
        pass
    return names


def _netbios_text(name: str) -> str:
    first, dot, scope = name.partition(".")
    if len(first) != 32 or not all("A" <= c <= "P" for c in first.upper()):
        return name  # not first-level encoded: keep the name as it came
    up = first.upper()
    raw = bytes(((ord(up[i]) - 65) << 4) | (ord(up[i + 1]) - 65) for i in range(0, 32, 2))
    text = "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}" for b in raw[:15].rstrip(b" "))
    return f"{text}<{raw[15]:02x}>" + (dot + scope if scope else "")
