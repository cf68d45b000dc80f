"""``feeds update`` against a local HTTP server, with no network, and from a folder."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from exposure.indicators.feeds.store import FEED_FILE, FeedStore
from tests.indicators.feed_helpers import run_cli
from tests.paths import DATA_FEEDS, corpus, locate, needs_shared

ECHAP = locate("feeds/stalkerware-indicators/ioc.yaml")  # the package's bundled copy, else ../shared


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 serving ../shared/feeds laid out like raw.githubusercontent.com.

    Yields the base URL and the requested paths.
    """
    root = tmp_path / "upstream"
    echap = root / "AssoEchap" / "stalkerware-indicators" / "master"
    echap.mkdir(parents=True)
    shutil.copy(ECHAP, echap / "ioc.yaml")
    shutil.copy(corpus("feeds/stalkerware-indicators/samples.csv"), echap / "samples.csv")
    # Echap's STIX2 is only in ../shared (tests/data holds its hosts list alone)
    shutil.copytree(corpus("feeds/stalkerware-indicators/generated/stalkerware.stix2").parent, echap / "generated")
    mvt = root / "mvt-project" / "mvt-indicators" / "main"
    shutil.copytree(DATA_FEEDS / "mvt-indicators", mvt)
    requests: list[str] = []

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _mvt_paths_in_this_repo() -> set[str]:
    index = yaml.safe_load((DATA_FEEDS / "mvt-indicators" / "indicators.yaml").read_text(encoding="utf-8"))
    return {e["github"]["path"] for e in index["indicators"] if e["github"]["owner"] == "mvt-project"}


@needs_shared(ECHAP)
def test_update_fetches_echap_and_the_mvt_index(
    upstream: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base, requests = upstream
    monkeypatch.setenv("EXPOSURE_FEED_BASE_URL", base)
    code, out, err = run_cli(capsys, "feeds", "update")
    # watchware.yaml and the AmnestyTech files are not in ../shared: reported, not fatal
    assert code == 1, err
    assert f"{base}/AssoEchap/stalkerware-indicators/master/watchware.yaml: could not fetch (HTTP 404)" in out
    assert "/AmnestyTech/investigations/master/2021-07-18_nso/pegasus.stix2: could not fetch (HTTP 404)" in out
    assert "echap-stalkerware: 613 package ids, 471 certificate SHA-1s, 925 C2 domains" in out
    infos = {i.name: i for i in FeedStore.default().list()}
    stems = {Path(p).stem.replace("_", "-").lower() for p in _mvt_paths_in_this_repo()}
    assert set(infos) == stems | {"echap-stalkerware", "echap-samples", "stalkerware"}
    # the file fetched is byte-identical to the bundled snapshot: the commit it was taken at
    assert infos["echap-stalkerware"].source.startswith("https://github.com/AssoEchap/stalkerware-indicators/blob/")
    assert infos["echap-stalkerware"].dated == "2026-06-21"
    # other files: the address fetched, and the date their data carries
    assert infos["cellebrite"].source.startswith(f"{base}/mvt-project/mvt-indicators/main/")
    assert infos["cellebrite"].dated == infos["cellebrite"].version[:10] != ""
    assert infos["echap-samples"].source.endswith("/a04c5c1958bff93fec3b1b56edbb412b209f2a38/samples.csv")
    assert infos["echap-stalkerware"].sha256 == "6052636f093dce2d329fc06b7d572c6d4462d73539f72f13d1af1f96ea74864e"
    assert infos["cellebrite"].profile == "forensic-agents"
    # Echap's samples.csv and the index's Echap STIX2 are imported too: the STIX2 is known
    # by its content, so its network values are "other" whatever it is called
    assert any(r.endswith("generated/stalkerware.stix2") for r in requests)
    assert infos["stalkerware"].profile == "stalkerware" and infos["stalkerware"].licence.startswith("CC BY 4.0")
    assert infos["echap-samples"].licence.startswith("CC BY 4.0")
    assert f"{len(stems) + 3} feeds updated" in out


def test_update_with_no_network_keeps_the_feeds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    FeedStore.default().import_file(DATA_FEEDS / "mvt-indicators" / "cellebrite" / "cellebrite.stix2")
    before = (FeedStore.default().root / "cellebrite" / FEED_FILE).read_bytes()
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EXPOSURE_FEED_BASE_URL", f"http://127.0.0.1:{port}")
    code, out, err = run_cli(capsys, "feeds", "update")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("exposure: could not reach 127.0.0.1: this computer seems to be offline. "
                          "Nothing was changed: the feeds imported before are kept.")
    assert err.endswith("exposure feeds update --from DIR\n") and "Errno" not in err
    assert (FeedStore.default().root / "cellebrite" / FEED_FILE).read_bytes() == before


@pytest.mark.parametrize("base", ["http://example.org", "ftp://127.0.0.1", "file:///etc"])
def test_update_refuses_plain_http_to_other_hosts(
    base: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPOSURE_FEED_BASE_URL", base)
    code, _, err = run_cli(capsys, "feeds", "update")
    assert code == 2 and "must be an https:// address" in err


@needs_shared(ECHAP)
def test_export_then_update_from_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = FeedStore.default()
    store.import_file(ECHAP)
    store.import_file(DATA_FEEDS / "mvt-indicators" / "intellexa_predator" / "predator.stix2")
    stick = tmp_path / "stick"
    code, out, _ = run_cli(capsys, "feeds", "export", str(stick))
    assert code == 0 and "Exported 2 feeds" in out
    assert sorted(p.name for p in stick.iterdir()) == ["echap-stalkerware.yaml", "manifest.sha256", "predator.stix2"]
    before = {i.name: (i.sha256, i.counts, i.profile) for i in store.list()}

    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(tmp_path / "other-computer"))
    code, out, err = run_cli(capsys, "feeds", "update", "--from", str(stick))
    assert code == 0, out + err
    after = {i.name: (i.sha256, i.counts, i.profile) for i in FeedStore.default().list()}
    assert after == before


@needs_shared(ECHAP)
def test_update_from_folder_rejects_a_tampered_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    FeedStore.default().import_file(ECHAP)
    FeedStore.default().import_file(DATA_FEEDS / "mvt-indicators" / "candiru" / "candiru.stix2")
    stick = tmp_path / "stick"
    run_cli(capsys, "feeds", "export", str(stick))
    with open(stick / "candiru.stix2", "ab") as f:
        f.write(b" ")
    with open(stick / "manifest.sha256", "a", encoding="utf-8") as f:
        f.write(f"{'0' * 64}  ../outside.stix2\n")
        f.write("not a manifest line\n")
    monkeypatch.setenv("EXPOSURE_DATA_DIR", str(tmp_path / "trainee"))
    code, out, _ = run_cli(capsys, "feeds", "update", "--from", str(stick))
    assert code == 1
    assert "candiru.stix2: its sha256 does not match manifest.sha256; not imported" in out
    # lines 1-4: each file's provenance comment and checksum
    assert "manifest.sha256 line 5: not '<sha256>  <file in this folder>'; skipped" in out
    assert "manifest.sha256 line 6:" in out
    assert "1 feed updated, 3 problems." in out
    assert FeedStore.default().names() == ["echap-stalkerware"]


def test_update_from_folder_without_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "feeds", "update", "--from", str(tmp_path))
    assert code == 2 and "has no manifest.sha256" in err


@needs_shared(ECHAP)
def test_a_server_that_cuts_a_file_short_is_that_files_problem(capsys: pytest.CaptureFixture[str]) -> None:
    import http.client

    from exposure.indicators.feeds import update

    def fetcher(url: str) -> bytes:
        if url.endswith("ioc.yaml"):
            return (ECHAP).read_bytes()
        if url.endswith("indicators.yaml"):
            return b"indicators:\n  - type: github\n    github: {owner: o, repo: r, branch: main, path: a/x.stix2}\n"
        raise http.client.IncompleteRead(b"{", 10)

    lines: list[str] = []
    summary = update.update_from_network(FeedStore.default(), lambda note: lines.append(note.text), fetcher)
    assert (summary.imported, summary.failed) == (1, 3)  # watchware.yaml, samples.csv, a/x.stix2
    assert any(line.endswith("watchware.yaml: could not fetch (IncompleteRead(1 bytes read, 10 more expected)); "
                             "keeping the previous copy") for line in lines), lines
    assert FeedStore.default().names() == ["echap-stalkerware"]
