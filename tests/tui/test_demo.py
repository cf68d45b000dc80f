"""The bundled workshop demo data: small, synthetic, reproducible, and it still detects."""

from __future__ import annotations

from pathlib import Path

from exposure.demo import data_dir, demo_sources
from exposure.demo.make_demo_data import make_capture, make_phone
from exposure.model import Category
from exposure.scan import ScanRequest, run_scan


def test_demo_scan_finds_planted_stalkerware_and_state_monitoring() -> None:
    result = run_scan(ScanRequest(demo_sources(), demo=True))
    assert result.demo and not result.cancelled
    assert [s.kind for s in result.sources] == ["pcap", "androidqf"]
    by_category: dict[Category, set[str]] = {}
    for finding in result.findings:
        by_category.setdefault(finding.category, set()).add(finding.threat)
    assert "spylive360" in by_category.get(Category.STALKERWARE, set())
    assert "bxaq" in by_category.get(Category.STATE_MONITORING, set())
    # Both inputs contribute: the capture (the command server) and the phone (the apps).
    subjects = {f.subject for f in result.findings if f.threat}
    assert "s1.spylive360.com" in subjects
    assert {"com.wifi0", "com.fiberhome.wifiserver"} <= subjects
    # The planted accessibility service is seen too: as evidence of the SpyLive360 finding,
    # not as a finding of its own that would count the one app twice.
    spy = next(f for f in result.findings if f.threat == "spylive360" and f.subject == "com.wifi0")
    assert "accessibility" in {getattr(o, "role", "") for o in spy.evidence}
    assert not any(f.rule == "android.accessibility" and f.subject == "com.wifi0" for f in result.findings)


def test_demo_data_is_small_and_marked() -> None:
    files = [p for p in data_dir().rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 100_000
    phone = data_dir() / "demo-phone"
    assert "DEMO" in (phone / "README.txt").read_text("utf-8")
    assert "DEMO" in (phone / "getprop.txt").read_text("utf-8")


def test_make_demo_data_reproduces_the_bundled_files(tmp_path: Path) -> None:
    make_capture(tmp_path / "demo-capture.pcap")
    make_phone(tmp_path / "demo-phone")
    for bundled in data_dir().rglob("*"):
        if bundled.is_file():
            made = tmp_path / bundled.relative_to(data_dir())
            assert made.read_bytes() == bundled.read_bytes(), bundled.name
