"""Signing certificates of an APK file, read from its bytes (nothing is verified).

Android apps are signed with the v2/v3 "APK Signing Block" (just before the ZIP central
directory: ``... <uint64 size> "APK Sig Block 42"``; pairs of ``<uint64 len><uint32 id>
<value>``; v2 id 0x7109871a, v3 0xf05368c0, v3.1 0x1b93ad61; each value is a
length-prefixed list of signers whose signed data holds a length-prefixed list of DER
certificates) and/or the old v1 JAR signature (``META-INF/*.RSA|DSA|EC``, PKCS#7).
Source: the Android "APK Signature Scheme v2/v3" documentation. We only need the
certificates, to fingerprint them like androidqf and the feeds do (MD5/SHA-1/SHA-256 of
the DER bytes). The bytes come from the phone: every length is checked.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass

_EOCD = b"PK\x05\x06"
_MAGIC = b"APK Sig Block 42"
_SCHEME_IDS = (0x7109871A, 0xF05368C0, 0x1B93AD61)
_MAX_CERTS = 16


class NotAnApk(ValueError):
    """The bytes are not an APK we can read certificates from."""


@dataclass(frozen=True, slots=True)
class CertHashes:
    md5: str
    sha1: str
    sha256: str

    @classmethod
    def of(cls, der: bytes) -> CertHashes:
        return cls(hashlib.md5(der, usedforsecurity=False).hexdigest(),
                   hashlib.sha1(der, usedforsecurity=False).hexdigest(), hashlib.sha256(der).hexdigest())


def certificates(data: bytes) -> list[bytes]:
    """DER certificates of the APK's signers (v2/v3 block first, else v1)."""
    found = _block_certificates(data)
    if not found:
        found = _v1_certificates(data)
    if not found:
        raise NotAnApk("no signing certificate found")
    return found[:_MAX_CERTS]


def _block_certificates(data: bytes) -> list[bytes]:
    eocd = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if eocd < 0 or eocd + 20 > len(data):
        raise NotAnApk("not a ZIP file")
    (cd_offset,) = struct.unpack_from("<I", data, eocd + 16)
    if cd_offset < 24 or cd_offset > len(data) or data[cd_offset - 16:cd_offset] != _MAGIC:
        return []
    (size,) = struct.unpack_from("<Q", data, cd_offset - 24)
    start = cd_offset - size - 8
    if size < 24 or start < 0 or struct.unpack_from("<Q", data, start)[0] != size:
        return []
    pos, end = start + 8, cd_offset - 24
    out: list[bytes] = []
    while pos + 12 <= end:
        (length,) = struct.unpack_from("<Q", data, pos)
        if length < 4 or pos + 8 + length > end:
            break
        (block_id,) = struct.unpack_from("<I", data, pos + 8)
        if block_id in _SCHEME_IDS:
            for der in _scheme_certificates(data[pos + 12:pos + 8 + length]):
                if der not in out:
                    out.append(der)
        pos += 8 + length
    return out


def _items(buf: bytes, limit: int = 1_000) -> list[bytes]:
    """Up to ``limit`` uint32-length-prefixed items from the start of ``buf``; stops at
    the first one that does not fit (what follows may be other fields)."""
    out: list[bytes] = []
    pos = 0
    while pos + 4 <= len(buf) and len(out) < limit:
        (length,) = struct.unpack_from("<I", buf, pos)
        if pos + 4 + length > len(buf):
            break
        out.append(buf[pos + 4:pos + 4 + length])
        pos += 4 + length
    return out


def _scheme_certificates(value: bytes) -> list[bytes]:
    out: list[bytes] = []
    for signers in _items(value, 1):
        for signer in _items(signers):
            signed_data = _items(signer, 1)  # then signatures and the public key
            if not signed_data:
                continue
            parts = _items(signed_data[0], 2)  # digests, certificates (v3: then SDK bounds)
            if len(parts) == 2:
                out += _items(parts[1], _MAX_CERTS)
    return out


def _v1_certificates(data: bytes) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in archive.namelist() if n.upper().startswith("META-INF/")
                 and n.upper().endswith((".RSA", ".DSA", ".EC"))]
        out: list[bytes] = []
        for name in names[:4]:
            info = archive.getinfo(name)
            if info.file_size > 1_000_000:
                continue
            for cert in pkcs7.load_der_pkcs7_certificates(archive.read(name)):
                der = cert.public_bytes(Encoding.DER)
                if der not in out:
                    out.append(der)
        return out
    except (zipfile.BadZipFile, ValueError, KeyError, RuntimeError, OSError):
        return []
