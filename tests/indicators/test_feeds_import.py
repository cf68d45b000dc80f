"""Importing every feed format from the real files in ../shared/feeds, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from exposure.indicators.feeds.stix2 import parse_pattern
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.model import Category, CheckNote, IndicatorRole, IndicatorType
from tests.indicators.feed_helpers import STIX_KEYS, STIX_SKIPPED, loaded, run_cli, stix_expectations
from tests.paths import DATA_FEEDS, corpus_case, locate, needs_shared

ECHAP = locate("feeds/stalkerware-indicators/ioc.yaml")  # the package's bundled copy, else ../shared

ECHAP_STIX2 = locate("feeds/stalkerware-indicators/generated/stalkerware.stix2")  # 4 MB: only in ../shared
STIX_FILES = [*sorted(DATA_FEEDS.rglob("*.stix2")),
              corpus_case("feeds/stalkerware-indicators/generated/stalkerware.stix2")]


@needs_shared(ECHAP)
def test_echap_counts_are_exactly_the_issues(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "feeds", "import", str(ECHAP))
    assert code == 0, err
    assert (
        "613 package ids, 471 certificate SHA-1s, 925 C2 domains, 68 C2 IPv4 addresses, 624 vendor websites" in out
    )
    counts = dict(loaded("echap-stalkerware").info.counts)
    assert counts["package/app"] == 613
    assert counts["cert-sha1/app"] == 471
    assert counts["domain/c2"] == 925
    assert counts["ipv4/c2"] == 68
    assert counts["domain/website"] == 624


@needs_shared(ECHAP)
def test_echap_apps_become_stalkerware_threats_with_profile_slugs(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "feeds", "import", str(ECHAP))
    feed = loaded("echap-stalkerware")
    threats = {t.id: t for t in feed.threats}
    assert len(threats) == 147
    truth = threats["thetruthspy"]
    assert truth.category is Category.STALKERWARE and truth.profile == "stalkerware"
    assert "Copy9" in truth.aliases and truth.name.get("en") == "TheTruthSpy"
    # a vendor website is kept apart from C2: same value, two roles where Echap lists both
    roles = {(i.value, i.role) for i in feed.indicators if i.threat == "thetruthspy"}
    assert ("copy9.com", IndicatorRole.WEBSITE) in roles
    assert all(i.profile == "stalkerware" and i.source == "echap-stalkerware" for i in feed.indicators)


@needs_shared(ECHAP)
def test_echap_misspelt_c2_ip_key_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "feeds", "import", str(ECHAP))
    c2_ips = {(i.threat, i.value) for i in loaded("echap-stalkerware").indicators
              if i.type is IndicatorType.IPV4 and i.role is IndicatorRole.C2}
    # the three values Echap lists under "c2: ip:" instead of "c2: ips:"
    assert {("mobistealth", "72.167.46.196"), ("mobistealth", "5.79.71.114"), ("ahmyth", "85.10.199.40")} <= c2_ips


@needs_shared(ECHAP)
def test_echap_github_urls_under_distribution_are_never_domains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "feeds", "import", str(ECHAP))
    assert code == 0
    assert re.search(r"^2 values skipped or set apart: distribution values that are URLs, kept as URLs and not "
                     r"as domains: 2\.$", out, re.MULTILINE)
    feed = loaded("echap-stalkerware")
    domains = {i.value for i in feed.indicators if i.type is IndicatorType.DOMAIN}
    assert "github.com" not in domains
    assert not any("/" in d or ":" in d for d in domains)
    urls = {i.value for i in feed.indicators if i.type is IndicatorType.URL}
    assert urls == {"https://github.com/earthshakira/android_hack", "https://github.com/karma9874/AndroRAT"}
    assert FeedStore.default().warnings("echap-stalkerware")["distribution values that are URLs, kept as URLs and "
                                                             "not as domains"] == 2


@pytest.mark.parametrize("path", STIX_FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_every_stix2_file_imports_with_its_own_counts(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "feeds", "import", str(path), "--name", "under-test")
    assert code == 0, err
    total, values, per_key = stix_expectations(path)
    assert set(values) <= set(STIX_KEYS) | STIX_SKIPPED, f"a key this test does not know: {set(values)}"
    feed = loaded("under-test")
    counts = dict(feed.info.counts)
    warnings = FeedStore.default().warnings("under-test")
    skipped = sum(per_key[k] for k in STIX_SKIPPED)
    invalid = sum(n for reason, n in warnings.items() if "not a valid" in reason)
    assert sum(warnings.values()) == skipped + invalid
    assert invalid <= 1  # coruna and predator each hold one value that is not a domain name
    # every value of a checked key is counted under its type, or is one of the invalid ones
    expected: dict[str, int] = {}
    for key, found in values.items():
        if key in STIX_SKIPPED:
            continue
        name = STIX_KEYS[key]
        if "/" not in name:  # network keys: the role depends on the feed
            name = next((k for k in counts if k.startswith(name + "/")), name + "/c2")
        expected[name] = expected.get(name, 0) + len(found)
    if invalid:
        domain_key = next(k for k in expected if k.startswith("domain/"))
        expected[domain_key] -= invalid
    if "stalkerware-indicators" in str(path):
        # Echap's STIX2 lists one address as a domain-name: it is counted as an IPv4
        expected["domain/other"] -= 1
        expected["ipv4/other"] = 1
    assert counts == expected
    assert sum(counts.values()) + skipped + invalid == sum(len(v) for v in values.values())
    assert total == sum(per_key.values())
    assert "Imported feed under-test (stix2" in out


@needs_shared(ECHAP_STIX2)
def test_stix2_threats_and_profiles_follow_the_source() -> None:
    store = FeedStore.default()
    store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    store.import_file(DATA_FEEDS / "mvt-indicators" / "2024-12-25_eaglemsgspy" / "eaglemsgspy.stix2")
    store.import_file(DATA_FEEDS / "mvt-indicators" / "intellexa_predator" / "predator.stix2")
    store.import_file(ECHAP_STIX2)
    cellebrite, eagle = loaded("cellebrite"), loaded("eaglemsgspy")
    predator, echap = loaded("predator"), loaded("stalkerware")
    assert (cellebrite.info.profile, cellebrite.threats[0].category) == ("forensic-agents", Category.FORENSIC_AGENT)
    assert (eagle.info.profile, eagle.threats[0].category) == ("china-state-monitoring", Category.STATE_MONITORING)
    assert (predator.info.profile, predator.threats[0].category) == ("", Category.SPYWARE)
    assert predator.threats[0].id == "predator"
    assert len(echap.threats) == 137 and {t.profile for t in echap.threats} == {"stalkerware"}
    # Echap's STIX2 mixes websites and C2 without saying which: never reported as C2
    assert {i.role for i in echap.indicators if i.type is IndicatorType.DOMAIN} == {IndicatorRole.OTHER}


def _bundle(patterns: list[str]) -> dict[str, object]:
    objects: list[dict[str, object]] = [{"type": "malware", "id": "malware--1", "name": "Test Tool"}]
    for n, pattern in enumerate(patterns):
        objects.append({"type": "indicator", "id": f"indicator--{n}", "pattern": pattern})
        objects.append({"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                        "source_ref": f"indicator--{n}", "target_ref": "malware--1"})
    return {"type": "bundle", "id": "bundle--1", "objects": objects}


def test_stix2_url_with_equals_and_bad_patterns_skip_only_themselves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "crafted.stix2"
    path.write_text(json.dumps(_bundle([
        "[url:value='https://evil.example/track?id=1&x=2']",
        "[domain-name:value = 'c2.evil.example']",
        "[process:name='it\\'s']",
        "[domain-name:value='a.example' AND domain-name:value='b.example']",
        "[x-unknown:thing='value']",
        "[domain-name:value='not a domain']",
        "no brackets",
        "[ipv4-addr:value='198.51.100.0/24']",
    ])), encoding="utf-8")
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert code == 0, err
    feed = loaded("crafted")
    got = {(i.type, i.value, i.threat) for i in feed.indicators}
    assert got == {
        (IndicatorType.URL, "https://evil.example/track?id=1&x=2", "test-tool"),
        (IndicatorType.DOMAIN, "c2.evil.example", "test-tool"),
        (IndicatorType.PROCESS, "it's", "test-tool"),
        (IndicatorType.CIDR, "198.51.100.0/24", "test-tool"),
    }
    assert "4 values skipped or set apart: " in out


def test_parse_pattern_splits_on_the_first_equals_only() -> None:
    assert parse_pattern("[url:value='http://x/?a=b=c']") == ("url:value", "http://x/?a=b=c")
    assert parse_pattern("[file:hashes.'SHA-256' = 'AB']") == ("file:hashes.sha256", "AB")
    assert parse_pattern("[domain-name:value='x' OR domain-name:value='y']") is None
    assert parse_pattern("[domain-name:value='trailing\\']") is None


def test_stix2_indicators_without_a_link_join_a_threat_named_after_the_feed(tmp_path: Path) -> None:
    bundle = {"type": "bundle", "id": "b", "objects": [
        {"type": "report", "id": "report--1", "name": "Campaign", "object_refs": ["indicator--a"]},
        {"type": "indicator", "id": "indicator--a", "pattern": "[domain-name:value='in.report.example']"},
        {"type": "indicator", "id": "indicator--b", "pattern": "[domain-name:value='loose.example']"},
    ]}
    path = tmp_path / "loose.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    FeedStore.default().import_file(path)
    feed = loaded("loose")
    assert {(i.value, i.threat) for i in feed.indicators} == {("in.report.example", "campaign"),
                                                            ("loose.example", "loose")}


def test_echap_generated_hosts_imports() -> None:
    result = FeedStore.default().import_file(DATA_FEEDS / "stalkerware-indicators" / "generated" / "hosts")
    assert result.info.format == "hosts"
    assert dict(result.info.counts) == {"domain/c2": 925}
    assert not result.warnings


def test_hosts_file_and_plain_list_values_by_shape(tmp_path: Path) -> None:
    path = tmp_path / "my-list.txt"
    path.write_text(
        "# a block list\n"
        "0.0.0.0 tracker.example  # trailing comment\n"
        "127.0.0.1 localhost\n"
        "127.0.0.1 spy.example other.example\n"
        "198.51.100.7\n"
        "2001:db8::1\n"
        "203.0.113.0/24\n"
        "d41d8cd98f00b204e9800998ecf8427e\n"
        "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "Bad_Name!\n",
        encoding="utf-8",
    )
    result = FeedStore.default().import_file(path)
    assert result.info.name == "my-list"
    assert dict(result.info.counts) == {
        "domain/c2": 3, "ipv4/c2": 1, "ipv6/c2": 1, "cidr/c2": 1,
        "file-md5/app": 1, "file-sha1/app": 1, "file-sha256/app": 1,
    }
    assert sum(result.warnings.values()) == 1


def test_watchware_entries_are_dual_use(tmp_path: Path) -> None:
    path = tmp_path / "watchware.yaml"
    path.write_text(
        "- name: Kid Watch\n  type: watchware\n  packages: [com.kid.watch]\n"
        "  ios_bundles: [com.kid.watchapp]\n  c2:\n    domains: [api.kidwatch.example]\n",
        encoding="utf-8",
    )
    result = FeedStore.default().import_file(path)
    assert result.info.name == "echap-watchware" and result.info.profile == "stalkerware"
    feed = loaded("echap-watchware")
    assert [(t.id, t.category) for t in feed.threats] == [("kid-watch", Category.DUAL_USE)]
    assert dict(result.info.counts) == {"package/app": 1, "ios-bundle/app": 1, "domain/c2": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"type": "bundle", "objects": [', "not valid JSON"),
        (b'{"type": "something-else"}', "not a STIX2 bundle"),
        (b"- name: x\n  packages: [\n", "not valid YAML"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"\xff\xfe\xfa not utf-8", "not UTF-8"),
        (b"just some words here\nand more words\n", "format not recognised"),
        (b"", "format not recognised"),
    ],
)
def test_malformed_file_is_one_line_and_leaves_the_previous_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    good = DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2"
    assert run_cli(capsys, "feeds", "import", str(good), "--name", "mine")[0] == 0
    stored = FeedStore.default().root / "mine" / FEED_FILE
    before = stored.read_bytes()
    bad = tmp_path / "bad.stix2"
    bad.write_bytes(content)
    code, out, err = run_cli(capsys, "feeds", "import", str(bad), "--name", "mine")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("exposure: ") and message in err, err
    assert "nothing was changed" in err and "Traceback" not in err
    assert stored.read_bytes() == before
    assert [p.name for p in FeedStore.default().root.iterdir()] == ["mine"]


@needs_shared(ECHAP)
def test_bad_feed_names_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("../escape", "UPPER", "", "a/b"):
        code, _, err = run_cli(capsys, "feeds", "import", str(ECHAP), "--name", name)
        assert code == 2 and "not a usable feed name" in err
    assert not FeedStore.default().names()


@needs_shared(ECHAP)
def test_list_json_and_remove(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "feeds", "list")[1].startswith("No feeds imported")
    run_cli(capsys, "feeds", "import", str(ECHAP))
    run_cli(capsys, "feeds", "import", str(DATA_FEEDS / "amnesty" / "cytrox.stix2"), "--profile", "")
    code, out, _ = run_cli(capsys, "feeds", "list", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert set(rows) == {"echap-stalkerware", "cytrox"}
    echap = rows["echap-stalkerware"]
    assert echap["format"] == "echap-yaml" and echap["profile"] == "stalkerware"
    assert echap["sha256"] == "6052636f093dce2d329fc06b7d572c6d4462d73539f72f13d1af1f96ea74864e"
    # a copy of the bundled snapshot: its upstream address and date, never the path it came from
    assert echap["source"].startswith("https://github.com/AssoEchap/stalkerware-indicators/blob/a04c5c1")
    assert echap["dated"] == "2026-06-21" and echap["imported"].endswith("+00:00")
    assert rows["cytrox"]["source"] == "cytrox.stix2"
    assert rows["cytrox"]["counts"] == {"domain/c2": 336, "file-path/app": 6, "config-profile/app": 1}
    stamps = [o["modified"] for o in json.loads((DATA_FEEDS / "amnesty" / "cytrox.stix2").read_text())["objects"]]
    assert rows["cytrox"]["version"] == max(stamps) and echap["version"] == ""
    code, out, _ = run_cli(capsys, "feeds", "list")
    assert "cytrox  [stix2]  profile: (always used)" in out and "336 C2 domains, 6 file paths" in out
    assert run_cli(capsys, "feeds", "remove", "cytrox")[0] == 0
    assert FeedStore.default().names() == ["echap-stalkerware"]
    code, _, err = run_cli(capsys, "feeds", "remove", "cytrox")
    assert code == 2 and "no feed named 'cytrox'" in err


def test_reimport_replaces_and_corrupt_cache_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    store = FeedStore.default()
    store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    assert store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2").replaced
    store.import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")
    (store.root / "candiru" / FEED_FILE).write_text("{broken", encoding="utf-8")
    warnings: list[str | CheckNote] = []
    names = [f.info.name for f in store.load_all(warnings.append)]
    assert names == ["cellebrite"]
    assert [getattr(w, "text", w) for w in warnings] == [
        "feed 'candiru' could not be read (JSONDecodeError); import it again"]


def test_interrupted_replacement_is_put_back() -> None:
    store = FeedStore.default()
    store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    # as if the process died between moving the old folder aside and moving the new one in
    (store.root / "cellebrite").rename(store.root / ".old~cellebrite~0badc0de")
    assert store.names() == ["cellebrite"]
    assert loaded("cellebrite").info.counts == (("package/app", 1),)


def test_hostile_names_are_made_plain(tmp_path: Path) -> None:
    path = tmp_path / "ioc.yaml"
    path.write_text(
        '- name: "Evil\\x1b[31mApp\\u202e ' + "x" * 500 + '"\n'
        '  names: ["[bold]alias[/bold]\\n"]\n'
        "  packages: [com.evil.app]\n",
        encoding="utf-8",
    )
    FeedStore.default().import_file(path)
    (threat,) = loaded("echap-stalkerware").threats
    name = threat.name.get("en")
    assert name.startswith("Evil [31mApp x") and len(name) == 200
    assert "\x1b" not in name and "\u202e" not in name
    assert threat.aliases == ("[bold]alias[/bold]",)  # kept as text: presenters never read markup in it


def test_echap_entries_of_the_wrong_shape_are_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "ioc.yaml"
    path.write_text(
        "- name: Good App\n  packages: [com.good.app]\n  c2:\n    ips: [203.0.113.9, 300.1.1.1]\n"
        "- name: Odd Shapes\n  packages: com.not.a.list\n  c2: [not, a, mapping]\n  websites: [odd.example]\n"
        "- names: [no name here]\n"
        "- just a string\n",
        encoding="utf-8",
    )
    result = FeedStore.default().import_file(path)
    assert dict(result.info.counts) == {"package/app": 1, "ipv4/c2": 1, "domain/website": 1}
    assert result.warnings == {
        "entries without a name": 2,  # the entry with only "names", and the bare string
        "c2.ips values that are not a valid ipv4": 1,
        "packages fields that are not lists": 1,
        "c2 fields that are not mappings": 1,
    }


@needs_shared(ECHAP)
def test_profile_option_overrides_the_known_attachment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "feeds", "import", str(ECHAP), "--profile", "")
    assert code == 0 and "no profile: always used" in out
    feed = loaded("echap-stalkerware")
    assert feed.info.profile == "" and {i.profile for i in feed.indicators} == {""}
    code, out, _ = run_cli(capsys, "feeds", "import", str(DATA_FEEDS / "amnesty" / "cytrox.stix2"),
                           "--profile", "forensic-agents", "--name", "cytrox-x")
    assert code == 0 and "profile forensic-agents" in out
    assert {t.profile for t in loaded("cytrox-x").threats} == {"forensic-agents"}
    code, _, err = run_cli(capsys, "feeds", "import", str(ECHAP), "--profile", "stalkerwear")
    assert code == 2 and "unknown profile 'stalkerwear'" in err
    assert loaded("echap-stalkerware").info.profile == ""


def test_feeds_on_a_read_only_folder_still_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    store = FeedStore(tmp_path / "feeds")
    store.import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    (store.root / "cellebrite").rename(store.root / ".old~cellebrite~0badc0de")
    store.import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")  # puts cellebrite back
    os.makedirs(store.root / ".new~half~written")
    os.utime(store.root / ".new~half~written", (0, 0))
    (store.root / "candiru").rename(store.root / ".old~candiru~0badc0de")

    def refuse(*args: object) -> None:
        raise PermissionError(30, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(os, "rename", refuse)
        assert store.names() == ["cellebrite"]  # the interrupted one cannot be put back here, nothing fails
    assert store.names() == ["candiru", "cellebrite"]
    assert sorted(p.name for p in store.root.iterdir()) == ["candiru", "cellebrite"]
