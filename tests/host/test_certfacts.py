"""The certificate reader of the root-certificate check (``certfacts``) says exactly what
``cryptography`` says (name, fingerprint, issuer, end of validity), and hands anything it
does not follow to ``cryptography``: over every certificate of this system's bundle, over
names written to be awkward, and over broken or unusual encodings."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from exposure.collect.host import certfacts, rootcerts

SYSTEM_BUNDLES = [Path("/etc/ssl/certs/ca-certificates.crt"), Path("/etc/pki/tls/certs/ca-bundle.crt")]


def _by_cryptography(pem: bytes) -> list[tuple[str, str, str]]:
    return [rootcerts.describe(c) for c in rootcerts.load_certificates(pem)]


def _cert(subject: x509.Name, issuer: x509.Name | None = None, until: datetime.datetime | None = None,
          extensions: bool = True) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer or subject)
               .public_key(key.public_key()).serial_number(12345).not_valid_before(start)
               .not_valid_after(until or datetime.datetime(2049, 12, 31, tzinfo=datetime.UTC)))
    if extensions:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


AWKWARD = [
    _name((NameOID.COMMON_NAME, "Corp, Inc. \\ \"Proxy\" + <CA>; #1")),
    _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "#hash first"), (NameOID.COMMON_NAME, " spaced ")),
    _name((NameOID.ORGANIZATION_NAME, "没有通用名称的组织"), (NameOID.EMAIL_ADDRESS, "a@b.example"),
          (NameOID.DOMAIN_COMPONENT, "example"), (NameOID.USER_ID, "uid"), (NameOID.STREET_ADDRESS, "1 Road")),
    _name((NameOID.COMMON_NAME, "null\0inside"), (NameOID.SERIAL_NUMBER, "42"), (NameOID.COMMON_NAME, "second CN")),
    x509.Name([x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "b"),
                                               x509.NameAttribute(NameOID.COMMON_NAME, "multi")])]),
    _name((NameOID.LOCALITY_NAME, " "), (NameOID.STATE_OR_PROVINCE_NAME, "")),
    x509.Name([]),
]


@pytest.mark.parametrize("subject", AWKWARD, ids=range(len(AWKWARD)))
def test_awkward_names_are_written_as_cryptography_writes_them(subject: x509.Name) -> None:
    issuer = _name((NameOID.COMMON_NAME, "Issuer, with comma"), (NameOID.ORGANIZATION_NAME, "Org+Plus"))
    for pem in (_cert(subject), _cert(subject, issuer), _cert(subject, extensions=False)):
        assert rootcerts.described(pem) == _by_cryptography(pem)
        certfacts.facts(certfacts.pem_body(pem))  # read by certfacts itself, not handed on


@pytest.mark.parametrize("until", [datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
                                   datetime.datetime(2050, 1, 1, tzinfo=datetime.UTC),
                                   datetime.datetime(1999, 6, 30, tzinfo=datetime.UTC)])
def test_both_time_forms(until: datetime.datetime) -> None:
    pem = _cert(_name((NameOID.COMMON_NAME, "t")), until=until)
    assert certfacts.facts(certfacts.pem_body(pem))[2] == until.date()
    assert rootcerts.described(pem) == _by_cryptography(pem)


def test_every_certificate_of_the_system_bundle_reads_the_same() -> None:
    bundles = [b for b in SYSTEM_BUNDLES if b.is_file()]
    if not bundles:
        pytest.skip("no system certificate bundle on this computer")
    blocks = rootcerts.pem_blocks(bundles[0].read_bytes())
    assert len(blocks) > 50
    read_itself = 0
    for block in blocks:
        assert rootcerts.described(block) == _by_cryptography(block)
        try:
            certfacts.facts(certfacts.pem_body(block))
            read_itself += 1
        except certfacts.NotPlain:
            pass
    assert read_itself >= 0.9 * len(blocks)  # nearly all without cryptography


def test_other_string_types_are_handed_to_cryptography() -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bmp name", _ASN1Type.BMPString),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "t61", _ASN1Type.T61String)])
    pem = _cert(subject)
    with pytest.raises(certfacts.NotPlain):
        certfacts.facts(certfacts.pem_body(pem))
    assert rootcerts.described(pem) == _by_cryptography(pem) != []


def test_pem_blocks_are_found_as_the_regular_expression_finds_them() -> None:
    import re

    pattern = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
    pem = _cert(_name((NameOID.COMMON_NAME, "a")))
    begin, end = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"
    for data in (b"", pem, pem + pem, b"junk" + pem + b"junk\n" + pem, begin + end, begin + b"x" + end,
                 begin + begin + b"x" + end + end, pem[:-10], pem + begin + b"unfinished", end + pem,
                 b"\n".join([begin, b"a", begin, b"b", end, end])):
        assert rootcerts.pem_blocks(data) == pattern.findall(data), data[:60]


def test_der_and_broken_input() -> None:
    pem = _cert(_name((NameOID.COMMON_NAME, "der")))
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    assert rootcerts.described(der) == _by_cryptography(pem)
    for broken in (der[:-1], der + b"\0", der[:40], b"", b"\x30\x80" + der[2:], b"garbage"):
        with pytest.raises(certfacts.NotPlain):
            certfacts.facts(broken)
        assert rootcerts.described(broken) == [rootcerts.describe(c) for c in rootcerts.load_certificates(broken)]
    lines = pem.splitlines()
    for odd in (b"\n".join([lines[0], b"Proc-Type: 4,ENCRYPTED", *lines[1:]]),  # a header
                b"\n".join([lines[0], lines[1] + b"!", *lines[2:]]),  # a stray character
                pem.replace(b"-----\n", b"-----", 1)):  # the body on the armour's line
        with pytest.raises(certfacts.NotPlain):
            certfacts.facts(certfacts.pem_body(rootcerts.pem_blocks(odd)[0]))
        assert rootcerts.described(odd) == _by_cryptography(odd)


def test_a_scan_of_the_usual_added_certificates_does_not_load_cryptography(tmp_path: Path) -> None:
    from tests.host.test_settings import _debian_tree

    _debian_tree(tmp_path)
    code = ("import sys\nfrom pathlib import Path\nfrom exposure.collect.host import rootcerts\n"
            "from tests.host.helpers import host_run\n"
            f"run, _ = host_run(root=Path({str(tmp_path)!r}))\n"
            "print(len(list(rootcerts.collect_root_certificates(run))), 'cryptography' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == ["4", "False"]
