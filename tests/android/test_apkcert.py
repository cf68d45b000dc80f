"""Signing certificates read from APK bytes: v2/v3 signing block, v1 JAR signature, and
what a phone could hand us instead."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect.android import adb as adb_module
from exposure.collect.android.apkcert import CertHashes, NotAnApk, certificates
from exposure.collect.base import CheckNote
from exposure.model import IndicatorType, SourceSpec
from exposure.scan import ScanRequest, run_scan
from tests.android.apks import V3, cert_der, v1_apk, v2_apk
from tests.android.conftest import FakePhone
from tests.android.test_adb import _bundle


def test_v2_v3_and_v1_certificates() -> None:
    assert certificates(v2_apk("com.wifi0")) == [cert_der("com.wifi0")]
    assert certificates(v2_apk("org.x.y", V3)) == [cert_der("org.x.y")]
    assert certificates(v1_apk("org.jitsi.meet")) == [cert_der("org.jitsi.meet")]
    der = cert_der("com.wifi0")
    h = CertHashes.of(der)
    assert (h.sha256, h.sha1, h.md5) == (hashlib.sha256(der).hexdigest(), hashlib.sha1(der).hexdigest(),
                                         hashlib.md5(der).hexdigest())


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x05\x06" + b"\x00" * 18,
                                  b"PK\x05\x06" + b"\x00" * 12 + struct.pack("<I", 2**31) + b"\x00\x00"])
def test_not_an_apk(data: bytes) -> None:
    with pytest.raises(NotAnApk):
        certificates(data)


def test_damaged_signing_blocks_never_raise_anything_else() -> None:
    apk = v2_apk("com.damaged")
    block = apk.find(b"APK Sig Block 42")
    for cut in range(0, block, max(1, block // 60)):
        damaged = bytearray(apk)
        damaged[cut:cut + 4] = b"\xff\xff\xff\x7f"
        try:
            certificates(bytes(damaged))
        except NotAnApk:
            pass


def test_certificate_of_a_sideloaded_app_matches_a_feed(spy_phone: FakePhone, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sha1 = hashlib.sha1(cert_der("com.wifi0")).hexdigest()
    stix = tmp_path / "cert.stix2"
    stix.write_text(json.dumps(_bundle([("app:cert.sha1", sha1.upper())])), encoding="utf-8")
    assert main(["feeds", "import", str(stix), "--name", "cert-test"]) == 0
    capsys.readouterr()
    folder = tmp_path / "saved"
    result = run_scan(ScanRequest(sources=(SourceSpec("android", "", (("save", str(folder)),)),),
                      profiles=("stalkerware",)))
    cert_hits = [f for f in result.findings if f.rule == "indicator"
                 and any(i.type is IndicatorType.CERT_SHA1 for i in f.indicators)]
    assert [f.subject for f in cert_hits] == ["com.wifi0"]
    pulled = [c[-1] for c in spy_phone.calls() if c[2:4] == ["exec-out", "cat"]]
    # Only the apps from outside a store (all four third-party apps here), never system apps.
    assert len(pulled) == 4 and all(p.startswith("/data/app/") for p in pulled)
    assert "apk_certificates.txt" in {p.name for p in folder.iterdir()}
    again = run_scan(ScanRequest(sources=(SourceSpec("android-dump", str(folder)),), profiles=("stalkerware",)))
    assert [f.subject for f in again.findings if f.rule == "indicator"
            and any(i.type is IndicatorType.CERT_SHA1 for i in f.indicators)] == ["com.wifi0"]


def test_apks_that_are_too_large_are_skipped_and_said(spy_phone: FakePhone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adb_module, "MAX_APK_BYTES", 100)
    result = run_scan(ScanRequest(sources=(SourceSpec("android"),), profiles=("stalkerware",), use_feeds=False))
    assert result.sources[0].not_checked == [CheckNote(
        "android.apk-certificates.skipped", (("count", "4"),),
        "apps from outside a store whose signing certificates were not read (too large, too many or unreadable): 4")]
    assert any(f.rule == "indicator" and f.subject == "com.wifi0" for f in result.findings)
