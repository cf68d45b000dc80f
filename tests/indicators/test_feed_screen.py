"""Feed values that cannot be indicators are refused, very common ones never make a serious
finding alone (review r3, finding 6; exposure/indicators/feeds/screen.py, docs/severity.md),
and no bundled feed value is touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure.indicators.bundled import read_bundled
from exposure.indicators.catalog import build_catalog
from exposure.indicators.feeds import screen, screened
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.indicators.profiles import load_bundled_profiles
from exposure.indicators.severity import CategoryGroup, group_of
from exposure.model import CheckNote, IndicatorType
from tests.indicators.feed_helpers import run_cli, sideloaded_phone
from tests.paths import DATA_FEEDS, locate

SYSTEM_PSL = Path("/usr/share/publicsuffix/public_suffix_list.dat")


def _stix(*patterns: str) -> str:
    objects: list[dict[str, object]] = [{"type": "malware", "id": "malware--1", "name": "Pegasus", "is_family": True}]
    for n, pattern in enumerate(patterns, 1):
        objects.append({"type": "indicator", "id": f"indicator--{n}", "pattern": pattern, "pattern_type": "stix"})
        objects.append({"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                        "source_ref": f"indicator--{n}", "target_ref": "malware--1"})
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects})


PEGASUS = _stix("[domain-name:value = 'google.com']", "[app:id = 'com.android.systemui']",
                "[app:id = 'com.whatsapp']", "[ipv4-addr:value = '0.0.0.0/0']", "[ipv6-addr:value = '::/0']",
                "[app:id = 'com.pegasus.real']")


def _notes(catalog: object, key: str) -> list[CheckNote]:
    return [w for w in catalog.warnings if isinstance(w, CheckNote) and w.key == key]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("kind", "value", "reason"), [
    (IndicatorType.CIDR, "0.0.0.0/0", screen.WIDE_RANGE),
    (IndicatorType.CIDR, "::/0", screen.WIDE_RANGE),
    (IndicatorType.CIDR, "64.0.0.0/7", screen.WIDE_RANGE),
    (IndicatorType.CIDR, "2000::/31", screen.WIDE_RANGE),
    (IndicatorType.CIDR, "10.0.0.0/8", screen.LOCAL_ADDRESS),
    (IndicatorType.CIDR, "192.168.1.0/24", screen.LOCAL_ADDRESS),
    (IndicatorType.IPV4, "192.168.1.1", screen.LOCAL_ADDRESS),
    (IndicatorType.IPV4, "127.0.0.1", screen.LOCAL_ADDRESS),
    (IndicatorType.IPV6, "fe80::1", screen.LOCAL_ADDRESS),
    (IndicatorType.DOMAIN, "co.uk", screen.PUBLIC_SUFFIX),
    (IndicatorType.DOMAIN, "github.io", screen.PUBLIC_SUFFIX),
    (IndicatorType.DOMAIN, "com.cn", screen.PUBLIC_SUFFIX),
])
def test_values_that_cannot_be_indicators_are_refused(kind: IndicatorType, value: str, reason: str) -> None:
    assert screen.refusal(kind, value) == reason


@pytest.mark.parametrize(("kind", "value"), [
    (IndicatorType.CIDR, "12.0.0.0/8"), (IndicatorType.CIDR, "2001:db8::/32"), (IndicatorType.CIDR, "203.0.113.0/24"),
    (IndicatorType.IPV4, "69.64.74.239"), (IndicatorType.DOMAIN, "bbc.co.uk"), (IndicatorType.DOMAIN, "x.github.io"),
    (IndicatorType.DOMAIN, "phonetracking-dd226.firebaseio.com"), (IndicatorType.PACKAGE, "com.android.core.monitor"),
])
def test_real_looking_values_are_kept(kind: IndicatorType, value: str) -> None:
    assert screen.refusal(kind, value) is None and not screen.is_very_common(kind, value)


def test_a_crafted_feed_can_no_longer_make_every_phone_very_serious(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pegasus.stix2"
    path.write_text(PEGASUS, encoding="utf-8")
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert code == 0, err
    assert f"{screen.WIDE_RANGE}: 2" in out and f"{screen.VERY_COMMON}: 3" in out
    catalog = build_catalog()
    index = catalog.index
    assert index.lookup_ip("8.8.8.8") == ()  # 0.0.0.0/0 was not kept
    assert index.lookup_ip("2001:4860:4860::8888") == ()
    for hits in (index.lookup(IndicatorType.PACKAGE, "com.whatsapp"), index.lookup_domain("www.google.com"),
                 index.lookup(IndicatorType.PACKAGE, "com.android.systemui")):
        assert hits and all(h.supporting for h in hits)
    assert not any(h.supporting for h in index.lookup(IndicatorType.PACKAGE, "com.pegasus.real"))
    [note] = _notes(catalog, "warn.feeds.very-common")
    assert dict(note.params) == {"name": "pegasus", "count": "3",
                                 "values": "com.android.systemui, com.whatsapp, google.com"}
    phone = sideloaded_phone(tmp_path / "qf", "com.whatsapp", "com.pegasus.real")
    code, out, err = run_cli(capsys, "scan", "--androidqf", str(phone))
    assert "Pegasus found: com.pegasus.real" in out, out + err
    assert "found: com.whatsapp" not in out and "lists 3 very common values" in out + err


def test_a_hosts_list_of_suffixes_ranges_and_local_addresses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wide.txt"
    path.write_text("0.0.0.0 google.com\n0.0.0.0/0\n::/0\nco.uk\n10.0.0.0/8\n192.168.1.1\n8.8.8.8\nc2.evil.example\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert code == 0, err
    assert f"{screen.WIDE_RANGE}: 2" in out and f"{screen.PUBLIC_SUFFIX}: 1" in out
    assert f"{screen.LOCAL_ADDRESS}: 2" in out and f"{screen.VERY_COMMON}: 2" in out
    index = build_catalog().index
    assert index.lookup_domain("news.bbc.co.uk") == () and index.lookup_ip("10.1.2.3") == ()
    assert all(h.supporting for h in index.lookup_ip("8.8.8.8"))
    assert index.lookup_domain("c2.evil.example")


def test_a_feed_stored_by_an_older_version_is_screened_when_loaded(tmp_path: Path) -> None:
    """Old data folders: values stored before the screening are screened when a scan loads them."""
    path = tmp_path / "list.txt"
    path.write_text("c2.evil.example\ncom.whatsapp.example\n", encoding="utf-8")
    store = FeedStore.default()
    store.import_file(path, name="old")
    feed_json = store.root / "old" / FEED_FILE
    document = json.loads(feed_json.read_text(encoding="utf-8"))
    rows = document["indicators"]
    threat, role = rows[0][2], rows[0][3]
    rows += [["cidr", "0.0.0.0/0", threat, role], ["domain", "google.com", threat, role]]
    feed_json.write_text(json.dumps(document), encoding="utf-8")
    catalog = build_catalog()
    assert catalog.index.lookup_ip("8.8.8.8") == ()
    assert all(h.supporting for h in catalog.index.lookup_domain("google.com"))
    [refused] = _notes(catalog, "warn.feeds.refused-values")
    assert dict(refused.params)["values"] == "0.0.0.0/0"
    assert _notes(catalog, "warn.feeds.very-common")


def test_no_bundled_feed_value_is_refused_or_demoted() -> None:
    """Every value of every bundled feed and profile. The only very common one is Snapchat's
    iPhone app, which ISDi lists as dual-use (its location sharing): dual-use findings are at
    most "worth checking", so it stays as it is. The Xinjiang travel check's WhatsApp, Viber
    and Telegram are curated profile values (flagged apps), never screened."""
    feeds, problems = read_bundled()
    assert not problems
    common = set()
    for feed in feeds:
        categories = {t.id: t.category for t in feed.threats}
        for ind in feed.indicators:
            assert screen.refusal(ind.type, ind.value) is None, (feed.info.name, ind.value)
            if screen.is_very_common(ind.type, ind.value):
                common.add((feed.info.name, ind.value))
                assert not screen.demoted(ind.type, ind.value, categories[ind.threat])
        kept, refused, _ = screened.screen_feed(feed)
        assert kept is feed and not refused
    assert common == {("isdi-app-flags", "com.toyopagroup.picaboo")}
    for profile in load_bundled_profiles():
        categories = {t.id: t.category for t in profile.threats}
        for ind in profile.indicators:
            assert screen.refusal(ind.type, ind.value) is None, (profile.id, ind.value)
            if screen.is_very_common(ind.type, ind.value):
                assert profile.id == "flagged-apps-xinjiang", ind.value
                assert group_of(categories[ind.threat]) is not CategoryGroup.HARMFUL


def test_no_real_feed_has_an_address_range_to_refuse() -> None:
    """The real STIX2 feeds the tests carry (mvt-indicators, Amnesty) and Echap's STIX2 export
    (in ../shared only): no value refused (none of them has an address range at all)."""
    from exposure.indicators.feeds.detect import parse_feed

    files = [*sorted(DATA_FEEDS.rglob("*.stix2")), locate("feeds/stalkerware-indicators/generated/stalkerware.stix2")]
    for path in (f for f in files if f.is_file()):
        parsed = parse_feed(path.read_bytes(), path.name).parsed
        refused = {k: n for k, n in parsed.warnings.items() if k.startswith("values refused")}
        assert not refused, (path.name, refused)


def test_the_platform_ids_are_in_the_platform_namespaces_samples_uses() -> None:
    android = {v for v in screen.PLATFORM_APPS if not v.startswith("com.apple.") and v != "android"}
    assert all(screen.is_platform_package(v) or v.startswith("com.google.android.") for v in android)


@pytest.mark.skipif(not SYSTEM_PSL.is_file(), reason="no system copy of the Public Suffix List to check against")
def test_every_bundled_public_suffix_is_on_the_public_suffix_list() -> None:
    listed = {line.strip() for line in SYSTEM_PSL.read_text(encoding="utf-8").splitlines()}
    assert screen.public_suffixes() <= listed
