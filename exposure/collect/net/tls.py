"""TLS: walk records, collect handshake messages, read ClientHello server names and certificates.

Works on the first bytes of one direction of a TCP stream (or on QUIC CRYPTO data, which
carries bare handshake messages). Handshake messages may span records and records may
span TCP segments; the caller re-feeds the growing buffer until ``need_more`` is false.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from exposure.collect.net.wire_text import name_text

HANDSHAKE = 22
CLIENT_HELLO = 1
SERVER_HELLO = 2
CERTIFICATE = 11
MAX_NAMES = 16


@dataclass(slots=True)
class Handshakes:
    messages: list[tuple[int, bytes]]
    need_more: bool  # the data stops inside a record or a handshake message
    done: bool  # a non-handshake record was reached: no more handshake messages in clear


def looks_like_record(data: bytes) -> bool:
    """A TLS handshake record header (SSL 3.0 to TLS 1.3 record versions)."""
    return len(data) >= 6 and data[0] == HANDSHAKE and data[1] == 3 and data[2] <= 4


def record_handshakes(stream: bytes, limit: int = 1 << 16) -> Handshakes:
    """Handshake messages at the start of a TLS byte stream."""
    hs = bytearray()
    pos = 0
    n = len(stream)
    done = False
    need_more = False
    while pos < n:
        if n - pos < 5:
            need_more = True
            break
        ctype = stream[pos]
        if stream[pos + 1] != 3 or ctype not in (20, 21, 22, 23, 24):
            done = True
            break
        rlen = (stream[pos + 3] << 8) | stream[pos + 4]
        if ctype != HANDSHAKE:
            done = True
            break
        if n - pos - 5 < rlen:
            hs += stream[pos + 5:n]
            need_more = True
            break
        hs += stream[pos + 5:pos + 5 + rlen]
        pos += 5 + rlen
        if len(hs) > limit:
            done = True
            break
    messages, partial = split_handshakes(bytes(hs))
    return Handshakes(messages, need_more or (partial and not done), done)


def split_handshakes(hs: bytes) -> tuple[list[tuple[int, bytes]], bool]:
    """Complete handshake messages in ``hs``, and whether a partial one follows."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    n = len(hs)
    while pos + 4 <= n:
        mlen = int.from_bytes(hs[pos + 1:pos + 4], "big")
        if pos + 4 + mlen > n:
            return out, True
        out.append((hs[pos], hs[pos + 4:pos + 4 + mlen]))
        pos += 4 + mlen
    return out, pos < n


def client_hello_names(body: bytes) -> list[str] | None:
    """Server names in a ClientHello body (after the 4-byte handshake header); None if damaged."""
    try:
        pos = 2 + 32
        pos += 1 + body[pos]  # session id
        pos += 2 + int.from_bytes(body[pos:pos + 2], "big")  # cipher suites
        pos += 1 + body[pos]  # compression methods
        if pos + 2 > len(body):
            return []  # no extensions
        ext_end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
        pos += 2
        ext_end = min(ext_end, len(body))
        names: list[str] = []
        # every extension header lies within the body here: read by index, not by slices
        while pos + 4 <= ext_end:
            elen = (body[pos + 2] << 8) | body[pos + 3]
            pos += 4
            if not (body[pos - 4] or body[pos - 3]):  # server_name (type 0)
                names.extend(_server_names(body[pos:min(pos + elen, ext_end)]))
            pos += elen
        return names
    except IndexError:
        return None


def _server_names(ext: bytes) -> list[str]:
    names: list[str] = []
    if len(ext) < 2:
        return names
    end = min(len(ext), 2 + int.from_bytes(ext[0:2], "big"))
    pos = 2
    while pos + 3 <= end and len(names) < MAX_NAMES:
        ntype = ext[pos]
        nlen = int.from_bytes(ext[pos + 1:pos + 3], "big")
        # a NUL ends the name, as in Wireshark's string field (and a server written in C)
        raw = ext[pos + 3:pos + 3 + nlen].partition(b"\x00")[0]
        pos += 3 + nlen
        if ntype == 0 and raw:
            names.append(name_text(raw))
    return names


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    sha1: str
    sha256: str
    subject: str
    issuer: str
    self_signed: bool
    names: tuple[str, ...]


def certificate_chain(body: bytes) -> list[bytes]:
    """DER certificates of a TLS 1.0-1.2 Certificate message body."""
    certs: list[bytes] = []
    if len(body) < 3:
        return certs
    end = min(len(body), 3 + int.from_bytes(body[0:3], "big"))
    pos = 3
    while pos + 3 <= end and len(certs) < 16:
        clen = int.from_bytes(body[pos:pos + 3], "big")
        der = body[pos + 3:pos + 3 + clen]
        if len(der) < clen or not clen:
            break
        certs.append(der)
        pos += 3 + clen
    return certs


def describe_certificate(der: bytes) -> CertificateInfo | None:
    """Hashes, subject, issuer and DNS names of a DER certificate; None if it cannot be parsed."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    sha256 = hashlib.sha256(der).hexdigest()
    try:
        cert = x509.load_der_x509_certificate(der)
        subject = cert.subject.rfc4514_string()
        issuer = cert.issuer.rfc4514_string()
        self_signed = cert.subject.public_bytes() == cert.issuer.public_bytes()
        names: list[str] = []
        for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
            value = attr.value if isinstance(attr.value, str) else attr.value.decode("utf-8", "replace")
            names.append(value.lower())
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names.extend(n.lower() for n in san.get_values_for_type(x509.DNSName))
        except (x509.ExtensionNotFound, ValueError):
            pass
    except Exception:  # cryptography raises several types on hostile DER; keep the hashes
        return CertificateInfo(sha1, sha256, "", "", False, ())
    return CertificateInfo(sha1, sha256, subject, issuer, self_signed, tuple(dict.fromkeys(names))[:64])
