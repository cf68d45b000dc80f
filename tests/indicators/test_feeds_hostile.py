"""Feed files are untrusted (issue 17.5, 17.6, 17.7, 17.10, 17.11): an alias flood, a STIX2
bundle with millions of references, JSON nested without end, numbers of thousands of
digits, a named pipe or a device given as a feed, a prepared export folder. Each is one
plain line (or a warning for that file), fast, and the feeds already kept are unchanged.
The feeds here are made up (no ../shared)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from exposure.indicators.feeds import limits
from exposure.indicators.feeds.parsed import FeedError
from exposure.indicators.feeds.store import FeedStore
from exposure.indicators.feeds.update import MANIFEST, export, update_from_folder
from tests.indicators.feed_helpers import run_cli

ECHAP_ENTRY = "- name: FloodSpy\n  packages:\n    - com.flood.spy\n  c2:\n    domains:\n      - flood.example.com\n"


def echap_file(tmp_path: Path, name: str = "ioc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(ECHAP_ENTRY)
    return path


def stix(objects: list[Any]) -> str:
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects})


def indicator(n: int, value: str = "") -> dict[str, object]:
    value = value or f"d{n}.example"
    return {"type": "indicator", "id": f"indicator--{n}", "pattern": f"[domain-name:value='{value}']",
            "pattern_type": "stix"}


@pytest.mark.timeout(30)
def test_an_alias_flood_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1.4 MB of Echap-shaped YAML repeating one entry 200,000 times by alias was still
    importing after 300 s."""
    path = tmp_path / "ioc.yaml"
    entry = "- &app\n  name: FloodSpy\n  packages: [com.flood.spy]\n"
    path.write_text(entry + "- *app\n" * 200_000)
    assert path.stat().st_size > 1_000_000
    started = time.monotonic()
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert time.monotonic() - started < 10
    assert code == 2 and out == ""
    assert err == (f"exposure: {path}: YAML aliases are not accepted in files exposure did not ship (line 4; a few"
                   " bytes of aliases can stand for gigabytes); nothing was changed\n")
    assert FeedStore.default().names() == []


@pytest.mark.timeout(30)
def test_a_billion_laughs_profile_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "laughs.yaml"
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path.write_text("\n".join(levels) + "\n")
    started = time.monotonic()
    code, out, err = run_cli(capsys, "profiles", "validate", str(path))
    assert time.monotonic() - started < 10
    assert code != 0 and "aliases are not allowed" in out + err


def test_the_index_of_mvt_indicators_may_not_use_aliases_either() -> None:
    from exposure.indicators.feeds.echap import load_yaml

    with pytest.raises(FeedError, match="YAML aliases are not accepted"):
        load_yaml("indicators:\n  - &x {name: a}\n  - *x\n")
    assert load_yaml("indicators:\n  - {name: a}\n") == {"indicators": [{"name": "a"}]}


def test_too_many_stix_references_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    """3,000 reports x 2,000 references once made every later scan take 95 s and 2.8 GB."""
    refs = [f"indicator--{n}" for n in range(2_000)]
    reports = [{"type": "report", "id": f"report--{r}", "name": f"r{r}", "object_refs": refs}
               for r in range(limits.MAX_STIX_REFERENCES // 2_000 + 1)]
    path = tmp_path / "refs.stix2"
    path.write_text(stix([*reports, *(indicator(n) for n in range(2_000))]))
    with pytest.raises(FeedError) as caught:
        FeedStore.default().import_file(path)
    assert str(caught.value) == (f"the bundle has 202,000 references between objects; exposure takes at most"
                                 f" {limits.MAX_STIX_REFERENCES:,} per feed (real feeds have a few thousand):"
                                 " not imported")
    assert FeedStore.default().names() == []


def test_too_many_stix_objects_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "objects.stix2"
    path.write_text(stix([{"type": "x-note", "id": f"x--{n}"} for n in range(limits.MAX_STIX_OBJECTS + 1)]))
    with pytest.raises(FeedError, match=r"^the bundle has 100,001 objects; exposure takes at most 100,000"):
        FeedStore.default().import_file(path)


def test_a_feed_within_the_limits_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "fine.stix2"
    path.write_text(stix([{"type": "malware", "id": "malware--1", "name": "Fine"},
                          *(indicator(n) for n in range(3)),
                          *({"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                             "source_ref": f"indicator--{n}", "target_ref": "malware--1"} for n in range(3))]))
    result = FeedStore.default().import_file(path)
    assert dict(result.info.counts) == {"domain/c2": 3}


def test_too_many_indicators_in_any_feed_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FEED_INDICATORS", 100)
    path = tmp_path / "list.txt"
    path.write_text("".join(f"d{n}.example.com\n" for n in range(101)))
    with pytest.raises(FeedError, match=r"^the file holds 101 indicators; exposure takes at most 100 per feed"):
        FeedStore.default().import_file(path)
    path.write_text("".join(f"d{n}.example.com\n" for n in range(100)))
    assert FeedStore.default().import_file(path).info.name == "list"


@pytest.mark.parametrize("body, message", [
    ('{"type": "bundle", "objects": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 64 levels deep"),
    ('{"type": "bundle", "objects": [' + "[" * 70 + "]" * 70 + "]}", "nested more than 64 levels deep"),
    ('{"type": "bundle", "objects": [{"type": "indicator", "x": ' + "9" * 5000 + "}]}",
     "no usable indicators in the file"),
])
def test_deep_json_and_huge_numbers_in_stix2_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str) -> None:
    path = tmp_path / "odd.stix2"
    path.write_text(body)
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert code == 2 and out == "" and err.startswith(f"exposure: {path}: {message}")
    assert err.endswith("; nothing was changed\n") and err.count("\n") == 1


def test_a_huge_number_beside_good_indicators_does_not_stop_the_import(tmp_path: Path) -> None:
    path = tmp_path / "numbers.stix2"
    path.write_text(stix([indicator(1)]).replace('"pattern_type"', '"confidence": ' + "7" * 5000 + ', "pattern_type"'))
    assert dict(FeedStore.default().import_file(path).info.counts) == {"domain/c2": 1}


@pytest.mark.timeout(30)
def test_a_named_pipe_or_a_device_as_a_feed_is_refused_without_opening(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "feed.yaml"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "feeds", "import", str(fifo))
    assert code == 2
    assert err == f"exposure: {fifo}: a named pipe (FIFO), not a feed file; not opened; nothing was changed\n"
    code, _, err = run_cli(capsys, "feeds", "import", "/dev/zero")
    assert code == 2 and err == "exposure: /dev/zero: a device, not a feed file; not opened; nothing was changed\n"


@pytest.mark.timeout(30)
def test_a_named_pipe_listed_in_a_from_manifest_is_skipped_not_waited_for(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    good = echap_file(stick)
    os.mkfifo(stick / "pipe.yaml")
    import hashlib

    (stick / MANIFEST).write_text(f"{hashlib.sha256(good.read_bytes()).hexdigest()}  ioc.yaml\n"
                                  f"{'0' * 64}  pipe.yaml\n")
    said: list[str] = []
    opened = threading.Event()

    def writer() -> None:  # if anything opened the pipe for reading, this would return
        try:
            fd = os.open(stick / "pipe.yaml", os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        opened.set()
        os.close(fd)

    summary = update_from_folder(FeedStore.default(), stick, lambda note: said.append(note.text))
    writer()
    assert not opened.is_set()
    assert (summary.imported, summary.failed) == (1, 1)
    assert "pipe.yaml: a named pipe (FIFO), not a feed file; not opened; skipped" in said


def _export_ready(tmp_path: Path) -> FeedStore:
    store = FeedStore.default()
    store.import_file(echap_file(tmp_path))
    return store


def test_export_never_replaces_a_file_in_the_folder(tmp_path: Path) -> None:
    store = _export_ready(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "echap-stalkerware.yaml").write_text("the trainer's own notes\n")
    with pytest.raises(FeedError, match=r"already holds echap-stalkerware\.yaml: choose an empty folder"):
        export(store, stick, lambda line: None)
    assert (stick / "echap-stalkerware.yaml").read_text() == "the trainer's own notes\n"
    assert sorted(p.name for p in stick.iterdir()) == ["echap-stalkerware.yaml"]


@pytest.mark.parametrize("target", ["echap-stalkerware.yaml", MANIFEST])
def test_export_never_writes_through_a_symbolic_link(tmp_path: Path, target: str) -> None:
    store = _export_ready(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    (stick / target).symlink_to(victim)
    (stick / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FeedError, match=f"already holds {target}"):
        export(store, stick, lambda line: None)
    assert victim.read_text() == "do not touch\n"
    assert not (tmp_path / "nowhere").exists()


def test_export_to_a_new_folder_still_works_and_a_race_leaves_nothing_half_done(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _export_ready(tmp_path)
    assert export(store, tmp_path / "new", lambda line: None) == 1
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["echap-stalkerware.yaml", MANIFEST]
    # The manifest appears after the first look (another program, a race): the file already
    # written is removed again.
    from exposure.indicators.feeds import update

    real = update._write_new

    def racing(path: Path, data: bytes) -> None:
        if path.name == MANIFEST:
            path.write_text("someone else's\n")
        real(path, data)

    monkeypatch.setattr(update, "_write_new", racing)
    with pytest.raises(FeedError, match="appeared while exporting"):
        export(store, tmp_path / "raced", lambda line: None)
    assert sorted(p.name for p in (tmp_path / "raced").iterdir()) == [MANIFEST]


def test_a_copy_of_a_bundled_profile_validates_as_one_profile(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz suite: a file with a bundled profile's id gave two profiles for one
    file, and 'profiles validate' ended in a traceback."""
    from tests.paths import REPO

    copy = tmp_path / "copy.yaml"
    copy.write_text((REPO / "profiles" / "remote-access.yaml").read_text())
    code, out, err = run_cli(capsys, "profiles", "validate", str(copy))
    assert (code, err) == (0, "")
    assert out.startswith(f"{copy}: ok, profile 'remote-access': ")


@pytest.mark.timeout(30)
def test_a_named_pipe_or_a_device_as_a_profile_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "profiles", "validate", str(fifo), "/dev/zero")
    assert code == 2
    assert f"{fifo}:1: cannot read the file: a named pipe (FIFO), not a regular file; not opened" in err
    assert "/dev/zero:1: cannot read the file: a device, not a regular file; not opened" in err


@pytest.mark.parametrize("row", ["a" * 64 + ",com.x,," + "1" * 200_000 + ",Spy", "b" * 64 + ",com.y,\r,1,Spy"])
def test_a_damaged_csv_feed_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str) -> None:
    """Found by the fuzz suite: csv.Error (a field over 128 KiB, a lone carriage return) was
    'a bug in exposure' (exit 70)."""
    path = tmp_path / "samples.csv"
    path.write_text("SHA256,Package Name,Certificate,Version,App\n" + row + "\n", newline="")
    code, out, err = run_cli(capsys, "feeds", "import", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"exposure: {path}: not a readable CSV file (") and err.count("\n") == 1
