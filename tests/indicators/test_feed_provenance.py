"""A feed keeps its date and upstream source from import to report, through ``feeds export`` and
``feeds update --from`` (a trainer's USB stick), and no report ever names a path on the
computer the feed was imported on (review r3 trainer #8)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from exposure.indicators.bundled import BUNDLED
from exposure.indicators.datafiles import FEEDS
from exposure.indicators.feeds.provenance import Provenance, checked, read_manifest_line
from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from exposure.model import public_source
from tests.indicators.feed_helpers import run_cli
from tests.paths import DATA_FEEDS, NAME_CAPTURES

ECHAP_SNAPSHOT = next(b for b in BUNDLED if b.name == "echap-stalkerware")
CYTROX = DATA_FEEDS / "amnesty" / "cytrox.stix2"
CAPTURE = NAME_CAPTURES / "bug-2430__backwards" / "capture.pcap"
# A hosts list does not date itself: only what comes with it can.
HOSTS = b"# a list a trainer fetched\nbad.example\nworse.example\n"


def _trainers_copy(tmp_path: Path, source: Path, name: str) -> Path:
    """``source`` copied under a folder with a person's name in it, as on a trainer's laptop."""
    folder = tmp_path / "home" / "amina-k" / "Desktop"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / name)
    return folder / name


def _reports(tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str = "en") -> dict[str, str]:
    out = tmp_path / f"reports-{lang}"
    out.mkdir()
    paths = {kind: out / f"r.{kind}" for kind in ("json", "md", "html")}
    code, _, err = run_cli(capsys, "--lang", lang, "scan", "--pcap", str(CAPTURE), "--json", str(paths["json"]),
                           "--md", str(paths["md"]), "--html", str(paths["html"]))
    assert code == 0, err
    return {kind: path.read_text(encoding="utf-8") for kind, path in paths.items()}


def _feed_record(report: str, name: str) -> dict[str, object]:
    return next(f for f in json.loads(report)["feeds"] if f["name"] == name)


def test_a_copy_of_the_bundled_snapshot_keeps_its_date_source_and_licence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _trainers_copy(tmp_path, FEEDS / ECHAP_SNAPSHOT.path, "ioc.yaml")
    info = FeedStore.default().import_file(copy).info
    assert (info.dated, info.source, info.licence) == (ECHAP_SNAPSHOT.dated, ECHAP_SNAPSHOT.source,
                                                      ECHAP_SNAPSHOT.licence)
    for lang in ("en", "zh"):
        reports = _reports(tmp_path, capsys, lang)
        # the very file that is bundled: used and listed once, with the snapshot's date and source
        (record,) = [f for f in json.loads(reports["json"])["feeds"] if f["name"] == "echap-stalkerware"]
        assert record["dated"] == "2026-06-21"
        assert record["source"] == ECHAP_SNAPSHOT.source
        for text in reports.values():
            assert "amina" not in text and str(tmp_path) not in text
        assert "data not dated" not in reports["md"] and "数据没有注明日期" not in reports["md"]
        assert ECHAP_SNAPSHOT.source in reports["md"] and ECHAP_SNAPSHOT.source in reports["html"]


def test_a_file_without_an_address_is_named_by_its_base_name_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _trainers_copy(tmp_path, CYTROX, "cytrox.stix2")
    info = FeedStore.default().import_file(copy).info
    assert info.source == "cytrox.stix2" and info.dated == "2023-07-28"  # the bundle's latest "modified"
    reports = _reports(tmp_path, capsys)
    assert _feed_record(reports["json"], "cytrox")["source"] == "cytrox.stix2"
    assert "data of 2023-07-28" in reports["md"] and "from the file `cytrox.stix2`" in reports["md"]
    assert "from the file cytrox.stix2" in reports["html"]
    for text in reports.values():
        assert "amina" not in text and str(tmp_path) not in text
    zh = _reports(tmp_path, capsys, "zh")
    assert "来自文件 `cytrox.stix2`" in zh["md"]


def test_export_and_update_from_a_stick_keep_date_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = FeedStore.default()
    fetched = Provenance(dated="2026-11-30", source="https://lists.example.org/trainer/hosts.txt")
    store.import_bytes(HOSTS, "hosts.txt", fetched, name="workshop-hosts")
    store.import_file(_trainers_copy(tmp_path, FEEDS / ECHAP_SNAPSHOT.path, "ioc.yaml"))
    stick = tmp_path / "stick"
    assert run_cli(capsys, "feeds", "export", str(stick))[0] == 0
    manifest = (stick / "manifest.sha256").read_text(encoding="utf-8")
    assert "amina" not in manifest
    # still a sha256sum file: every line not a comment is "<sha256>  <file>", and matches
    for line in manifest.splitlines():
        if not line.startswith("#"):
            digest, _, file = line.partition("  ")
            assert hashlib.sha256((stick / file).read_bytes()).hexdigest() == digest

    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(tmp_path / "participant"))
    code, out, err = run_cli(capsys, "feeds", "update", "--from", str(stick))
    assert code == 0, out + err
    infos = {i.name: i for i in FeedStore.default().list()}
    assert (infos["workshop-hosts"].dated, infos["workshop-hosts"].source) == (fetched.dated, fetched.source)
    assert (infos["echap-stalkerware"].dated, infos["echap-stalkerware"].source) == (ECHAP_SNAPSHOT.dated,
                                                                                     ECHAP_SNAPSHOT.source)
    reports = _reports(tmp_path, capsys)
    assert "data not dated" not in reports["md"]
    assert str(stick) not in reports["md"] + reports["html"] + reports["json"]
    assert _feed_record(reports["json"], "workshop-hosts")["source"] == fetched.source


def test_a_stick_written_before_provenance_was_kept_still_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older export: sha256 lines only. The bundled snapshot is still recognised; another
    feed is named by its file, never by the stick's path."""
    stick = tmp_path / "old-stick"
    stick.mkdir()
    shutil.copy(FEEDS / ECHAP_SNAPSHOT.path, stick / "echap-stalkerware.yaml")
    (stick / "workshop-hosts.txt").write_bytes(HOSTS)
    (stick / "manifest.sha256").write_text("".join(
        f"{hashlib.sha256((stick / f).read_bytes()).hexdigest()}  {f}\n"
        for f in ("echap-stalkerware.yaml", "workshop-hosts.txt")), encoding="utf-8")
    code, out, err = run_cli(capsys, "feeds", "update", "--from", str(stick))
    assert code == 0, out + err
    infos = {i.name: i for i in FeedStore.default().list()}
    assert infos["echap-stalkerware"].source == ECHAP_SNAPSHOT.source
    assert (infos["workshop-hosts"].source, infos["workshop-hosts"].dated) == ("workshop-hosts.txt", "")


def test_feeds_imported_before_lose_their_path_and_get_the_snapshots_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data folder from an earlier version: feed.json holds the full path and no date."""
    store = FeedStore.default()
    store.import_file(_trainers_copy(tmp_path, FEEDS / ECHAP_SNAPSHOT.path, "ioc.yaml"))
    store.import_file(CYTROX)
    for name in ("echap-stalkerware", "cytrox"):
        path = store.root / name / FEED_FILE
        document = json.loads(path.read_text(encoding="utf-8"))
        document["info"].update(source=f"/home/amina-k/Desktop/{name}.feed", dated="")
        path.write_text(json.dumps(document), encoding="utf-8")
    infos = {i.name: i for i in store.list()}
    assert (infos["echap-stalkerware"].source, infos["echap-stalkerware"].dated) == (ECHAP_SNAPSHOT.source,
                                                                                     ECHAP_SNAPSHOT.dated)
    assert infos["cytrox"].source == "cytrox.feed"
    reports = _reports(tmp_path, capsys)
    for text in reports.values():
        assert "amina" not in text


def test_a_saved_report_with_a_path_is_shown_without_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FeedStore.default().import_file(CYTROX)
    reports = _reports(tmp_path, capsys)
    document = json.loads(reports["json"])
    for feed in document["feeds"]:
        if feed["name"] == "cytrox":
            feed["source"] = "C:\\Users\\amina-k\\Desktop\\cytrox.stix2"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    md, html = tmp_path / "old.md", tmp_path / "old.html"
    code, _, err = run_cli(capsys, "report", str(old), "--md", str(md), "--html", str(html))
    assert code == 0, err
    for path in (md, html):
        text = path.read_text(encoding="utf-8")
        assert "amina" not in text and "cytrox.stix2" in text


@pytest.mark.parametrize(("given", "shown"), [
    ("/home/amina-k/feeds/ioc.yaml", "ioc.yaml"),
    ("C:\\Users\\amina-k\\ioc.yaml", "ioc.yaml"),
    ("file:///home/amina-k/ioc.yaml", "ioc.yaml"),
    ("https://amina:secret@lists.example.org/a/hosts.txt", "https://lists.example.org/a/hosts.txt"),
    ("https://github.com/AssoEchap/stalkerware-indicators/blob/a04c5c1/ioc.yaml",
     "https://github.com/AssoEchap/stalkerware-indicators/blob/a04c5c1/ioc.yaml"),
    ("ioc.yaml", "ioc.yaml"),
    ("", ""),
])
def test_public_source(given: str, shown: str) -> None:
    assert public_source(given) == shown


@pytest.mark.parametrize("line", [
    '# exposure-feed {"file":"x.txt","dated":"2026-13-45","source":"/home/amina-k/x.txt"}',
    '# exposure-feed {"file":"x.txt","dated":"yesterday","source":"javascript:/home/amina-k/x.txt"}',
    '# exposure-feed {"file":"x.txt","dated":20261130,"source":["https://e.org"]}',
])
def test_a_hostile_manifest_line_gives_no_date_and_no_path(line: str) -> None:
    read = read_manifest_line(line)
    assert read is not None
    file, provenance = read
    assert file == "x.txt" and provenance.dated == "" and "amina" not in provenance.source


@pytest.mark.parametrize("line", ["# a comment", "# exposure-feed {not json", '# exposure-feed ["x.txt"]',
                                  "0" * 64 + "  x.txt"])
def test_other_manifest_lines_carry_nothing(line: str) -> None:
    assert read_manifest_line(line) is None


def test_checked_keeps_a_real_date_and_a_web_address() -> None:
    assert checked("2024-02-29", "https://e.org/a\u202e.txt") == Provenance("2024-02-29", "https://e.org/a .txt")


def test_a_fetched_feed_that_does_not_date_itself_is_dated_the_day_it_was_fetched() -> None:
    import urllib.error
    from datetime import UTC, datetime

    from exposure.indicators.feeds import update

    def fetcher(url: str) -> bytes:
        if url.endswith("ioc.yaml"):
            return HOSTS
        raise urllib.error.HTTPError(url, 404, "not found", {}, None)  # type: ignore[arg-type]

    summary = update.update_from_network(FeedStore.default(), lambda _: None, fetcher)
    assert summary.imported == 1
    (info,) = FeedStore.default().list()
    assert info.source == "https://raw.githubusercontent.com/AssoEchap/stalkerware-indicators/master/ioc.yaml"
    assert info.dated == datetime.now(UTC).date().isoformat()
