"""Small signed APK files for tests (the fixtures hold no APKs): a ZIP with a v2/v3 APK
Signing Block or a v1 JAR signature around a self-signed certificate made here.

The layout follows Android's "APK Signature Scheme v2" documentation; the bytes are built
independently of exposure's reader, so a reader bug does not cancel out.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs7
from cryptography.x509.oid import NameOID

V2, V3 = 0x7109871A, 0xF05368C0


@cache
def key_and_cert(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=9000))
            .sign(key, hashes.SHA256()))
    return key, cert


def cert_der(name: str) -> bytes:
    return key_and_cert(name)[1].public_bytes(Encoding.DER)


def _lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def v2_apk(name: str, scheme: int = V2) -> bytes:
    """An APK whose only signature is a v2 (or v3) signing block."""
    data = _zip({"AndroidManifest.xml": b"\x03\x00\x08\x00" + name.encode(), "classes.dex": b"dex\n035\x00"})
    eocd = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", data, eocd + 16)
    key, cert = key_and_cert(name)
    digests = _lp(struct.pack("<I", 0x0103) + _lp(b"\x00" * 32))
    signed = _lp(_lp(digests)) + _lp(_lp(cert.public_bytes(Encoding.DER)))
    signed += struct.pack("<II", 24, 0x7FFFFFFF) if scheme == V3 else b""
    signed += _lp(b"")
    public = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    signer = _lp(signed) + _lp(_lp(struct.pack("<I", 0x0201) + _lp(b"sig"))) + _lp(public)
    value = _lp(_lp(signer))
    pairs = struct.pack("<QI", len(value) + 4, scheme) + value
    pairs = struct.pack("<QI", 8, 0x42726577) + b"\x00" * 4 + pairs  # a padding-like pair first
    size = len(pairs) + 8 + 16
    block = struct.pack("<Q", size) + pairs + struct.pack("<Q", size) + b"APK Sig Block 42"
    new_eocd = data[eocd:eocd + 16] + struct.pack("<I", cd_offset + len(block)) + data[eocd + 20:]
    return data[:cd_offset] + block + data[cd_offset:eocd] + new_eocd


def v1_apk(name: str) -> bytes:
    """An APK signed the old way only: META-INF/CERT.RSA holds a PKCS#7 signature."""
    key, cert = key_and_cert(name)
    signature = (pkcs7.PKCS7SignatureBuilder().set_data(b"Signature-Version: 1.0\r\n")
                 .add_signer(cert, key, hashes.SHA256())
                 .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature]))
    return _zip({"AndroidManifest.xml": b"\x03\x00\x08\x00", "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n",
                 "META-INF/CERT.SF": b"Signature-Version: 1.0\r\n", "META-INF/CERT.RSA": signature})
