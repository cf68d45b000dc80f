"""What the root-certificate check says about a certificate (its name, SHA-256 fingerprint,
issuer and end of validity), read from its DER bytes without ``cryptography``.

Loading ``cryptography.x509`` costs ~25 ms, more than the rest of the check; a host scan on a
computer with an added root parsed one or two certificates with it. This reader handles the
plain certificates found in trust stores: an X.509 v1 or v3 structure in strict DER, names of
UTF8String, PrintableString or IA5String values, times in the two standard forms. Anything
else (another string type, an unusual encoding, a structure it does not follow exactly)
raises :class:`NotPlain`, and the caller asks ``cryptography`` instead, so the words are
always the ones ``cryptography`` gives (a test compares the two over every certificate of the
system's bundle and over names written to be awkward).
"""

from __future__ import annotations

import binascii
import hashlib
from datetime import date

# ASN.1 tags (universal class unless said)
_BOOLEAN, _INTEGER, _BIT_STRING, _OCTET_STRING, _OID, _SEQUENCE, _SET = 0x01, 0x02, 0x03, 0x04, 0x06, 0x30, 0x31
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18
_STRINGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii"}  # UTF8String, PrintableString, IA5String
_VERSION, _ISSUER_UID, _SUBJECT_UID, _EXTENSIONS = 0xA0, 0x81, 0x82, 0xA3
# The short names RFC 4514 strings use (as cryptography prints them); other attributes by OID.
_SHORT = {"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C",
          "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID"}
_COMMON_NAME = "2.5.4.3"
_ESCAPED = {"\\": "\\\\", '"': '\\"', "+": "\\+", ",": "\\,", ";": "\\;", "<": "\\<", ">": "\\>", "\0": "\\00"}

Attribute = tuple[str, str]  # (OID in dotted form, value)
Name = list[list[Attribute]]  # relative distinguished names, in the order of the certificate


class NotPlain(ValueError):
    """Not a certificate this reader follows exactly: ask ``cryptography``."""


def _item(data: bytes, at: int, end: int) -> tuple[int, int, int]:
    """(tag, start of the content, end of the content) of the DER item at ``at``."""
    if at + 2 > end:
        raise NotPlain("truncated")
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > end or data[at] == 0:
            raise NotPlain("length")
        length = int.from_bytes(data[at:at + count], "big")
        if length < 0x80 or (count > 1 and length < 1 << 8 * (count - 1)):
            raise NotPlain("length not minimal")
        at += count
    if at + length > end:
        raise NotPlain("truncated")
    return tag, at, at + length


def _expect(data: bytes, at: int, end: int, tag: int) -> tuple[int, int]:
    found, start, stop = _item(data, at, end)
    if found != tag:
        raise NotPlain(f"tag {found:#x} where {tag:#x} was expected")
    return start, stop


def _algorithm(data: bytes, at: int, end: int) -> int:
    """Past an AlgorithmIdentifier (an OID and optional parameters)."""
    start, stop = _expect(data, at, end, _SEQUENCE)
    inner = _expect(data, start, stop, _OID)[1]
    if inner < stop and _item(data, inner, stop)[2] != stop:
        raise NotPlain("algorithm parameters")
    return stop


def _bits(data: bytes, at: int, end: int) -> int:
    start, stop = _expect(data, at, end, _BIT_STRING)
    if start == stop or data[start] > 7:
        raise NotPlain("bit string")
    return stop


def _extensions(data: bytes, start: int, end: int) -> None:
    """[3] EXPLICIT SEQUENCE OF Extension {OID, critical BOOLEAN DEFAULT FALSE, OCTET STRING}."""
    list_start, list_end = _expect(data, start, end, _SEQUENCE)
    if list_end != end or list_start == list_end:
        raise NotPlain("extensions")
    at = list_start
    while at < list_end:
        ext_start, ext_end = _expect(data, at, list_end, _SEQUENCE)
        inner = _expect(data, ext_start, ext_end, _OID)[1]
        tag, value_start, value_end = _item(data, inner, ext_end)
        if tag == _BOOLEAN:
            if value_end - value_start != 1 or data[value_start] != 0xFF:
                raise NotPlain("extension criticality")  # DER writes only TRUE, as 0xFF
            tag, value_start, value_end = _item(data, value_end, ext_end)
        if tag != _OCTET_STRING or value_end != ext_end:
            raise NotPlain("extension value")
        at = ext_end


def _oid(body: bytes) -> str:
    if not body or body[-1] & 0x80:
        raise NotPlain("object identifier")
    parts: list[int] = []
    value = 0
    for byte in body:
        if value == 0 and byte == 0x80:
            raise NotPlain("object identifier not minimal")
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return ".".join(map(str, [first, parts[0] - 40 * first, *parts[1:]]))


def _name(data: bytes, start: int, end: int) -> Name:
    rdns: Name = []
    at = start
    while at < end:
        set_start, set_end = _expect(data, at, end, _SET)
        if set_start == set_end:
            raise NotPlain("empty relative name")
        rdn: list[Attribute] = []
        inner = set_start
        while inner < set_end:
            pair_start, pair_end = _expect(data, inner, set_end, _SEQUENCE)
            oid_start, oid_end = _expect(data, pair_start, pair_end, _OID)
            tag, value_start, value_end = _item(data, oid_end, pair_end)
            if value_end != pair_end or tag not in _STRINGS:
                raise NotPlain("name value")
            try:
                text = data[value_start:value_end].decode(_STRINGS[tag])
            except UnicodeDecodeError:
                raise NotPlain("name value encoding") from None
            rdn.append((_oid(data[oid_start:oid_end]), text))
            inner = pair_end
        rdns.append(rdn)
        at = set_end
    return rdns


def _time(data: bytes, at: int, end: int) -> tuple[date, int]:
    tag, start, stop = _item(data, at, end)
    text = data[start:stop].decode("ascii", "replace")
    digits = text[:-1]
    if not text.endswith("Z") or not digits.isdigit() or not digits.isascii():
        raise NotPlain("time")
    if tag == _UTC_TIME and len(digits) == 12:
        year = int(digits[:2])
        year += 1900 if year >= 50 else 2000
        rest = digits[2:]
    elif tag == _GENERALIZED_TIME and len(digits) == 14:
        year, rest = int(digits[:4]), digits[4:]
    else:
        raise NotPlain("time")
    month, day, hour, minute, second = (int(rest[i:i + 2]) for i in range(0, 10, 2))
    if hour > 23 or minute > 59 or second > 59:
        raise NotPlain("time")
    try:
        return date(year, month, day), stop
    except ValueError:
        raise NotPlain("time") from None


def rfc4514(name: Name) -> str:
    """The name as ``cryptography``'s ``Name.rfc4514_string()`` writes it."""
    return ",".join("+".join(f"{_SHORT.get(oid, oid)}={_escape(value)}" for oid, value in rdn)
                    for rdn in reversed(name))


def _escape(value: str) -> str:
    if not value:
        return ""
    value = "".join(_ESCAPED.get(c, c) for c in value)
    if value[0] == "#" or (value[0] == " " and len(value) > 1):
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value


def facts(der: bytes) -> tuple[str, str, date, str]:
    """(common name or the whole subject, SHA-256 fingerprint in hex, end of validity, issuer)
    of one certificate in DER; NotPlain when this reader does not follow it exactly."""
    cert_start, cert_end = _expect(der, 0, len(der), _SEQUENCE)
    if cert_end != len(der):
        raise NotPlain("data after the certificate")
    tbs_start, tbs_end = _expect(der, cert_start, cert_end, _SEQUENCE)
    if _bits(der, _algorithm(der, tbs_end, cert_end), cert_end) != cert_end:
        raise NotPlain("signature")
    tag, start, stop = _item(der, tbs_start, tbs_end)
    if tag == _VERSION:
        version_start, version_end = _expect(der, start, stop, _INTEGER)
        if version_end != stop or der[version_start:version_end] != b"\x02":
            raise NotPlain("version")  # v3 only here; v1 has no field, v2 is refused by cryptography
        tag, start, stop = _item(der, stop, tbs_end)
    if tag != _INTEGER or start == stop:
        raise NotPlain("serial number")
    at = _algorithm(der, stop, tbs_end)
    issuer_start, issuer_end = _expect(der, at, tbs_end, _SEQUENCE)
    validity_start, validity_end = _expect(der, issuer_end, tbs_end, _SEQUENCE)
    _, at = _time(der, validity_start, validity_end)
    until, at = _time(der, at, validity_end)
    if at != validity_end:
        raise NotPlain("validity")
    subject_start, subject_end = _expect(der, validity_end, tbs_end, _SEQUENCE)
    key_start, at = _expect(der, subject_end, tbs_end, _SEQUENCE)
    if _bits(der, _algorithm(der, key_start, at), at) != at:
        raise NotPlain("public key")
    for optional in (_ISSUER_UID, _SUBJECT_UID, _EXTENSIONS):
        if at < tbs_end and der[at] == optional:
            tag, start, stop = _item(der, at, tbs_end)
            if tag == _EXTENSIONS:
                _extensions(der, start, stop)
            at = stop
    if at != tbs_end:
        raise NotPlain("certificate fields")
    subject = _name(der, subject_start, subject_end)
    issuer = _name(der, issuer_start, issuer_end)
    common = [value for rdn in subject for oid, value in rdn if oid == _COMMON_NAME]
    return (common[0] if common else rfc4514(subject)), hashlib.sha256(der).hexdigest(), until, rfc4514(issuer)


def pem_body(block: bytes) -> bytes:
    """The DER inside one ``-----BEGIN CERTIFICATE-----`` block; NotPlain for anything but
    lines of base64 (headers, stray characters: ``cryptography`` decides those)."""
    lines = block.splitlines()
    if len(lines) < 3 or lines[0] != b"-----BEGIN CERTIFICATE-----" or lines[-1] != b"-----END CERTIFICATE-----":
        raise NotPlain("PEM armour")
    body = b"".join(lines[1:-1])
    try:
        return binascii.a2b_base64(body, strict_mode=True)
    except (binascii.Error, ValueError):
        raise NotPlain("PEM body") from None
