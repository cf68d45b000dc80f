"""androidqf acquisitions and saved dumps are untrusted (issue 17.3, 17.7): zip bombs,
corrupt deflate streams, JSON nested without end, wrong types, named pipes. Each becomes a
warning for that file and the rest of the acquisition is still checked; nothing raises.
The acquisitions are the built-in demo phone (exposure/demo/data), altered here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from exposure.collect.android import acquisition_files
from exposure.collect.android.androidqf import AndroidqfCollector
from exposure.collect.android.dump import DumpCollector
from exposure.collect.android.limits import MAX_ACQUISITION_FILE, MAX_RATIO
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys, split_dumpsys_bytes
from exposure.collect.android.parsers.lines import lines
from exposure.collect.android.savedump import write_dump
from exposure.collect.base import CheckNote, CollectContext, CollectorError
from exposure.observations.android import AndroidPackage
from exposure.untrusted import MAX_JSON_DEPTH

DEMO = Path(__file__).resolve().parents[2] / "exposure" / "demo" / "data" / "demo-phone"
DUMPSYS = ("DUMP OF SERVICE accessibility:\n  Enabled services:{{com.wifi0/com.wifi0.Access}}\n"
           "DUMP OF SERVICE package:\nPackages:\n  Package [com.wifi0] (1a2b3c):\n    userId=10155\n")


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "acq"
    shutil.copytree(DEMO, folder)
    (folder / "dumpsys.txt").write_text(DUMPSYS)
    return folder


def as_zip(folder: Path, into: Path, extra: dict[str, bytes] | None = None,
           method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(into, "w", method) as archive:
        for path in sorted(folder.iterdir()):
            if (extra or {}).get(path.name) is None:
                archive.write(path, f"uuid/{path.name}")
        for name, data in (extra or {}).items():
            archive.writestr(f"uuid/{name}", data)
    return into


def collect(path: Path) -> tuple[list[object], list[str | CheckNote], AndroidqfCollector]:
    said: list[str | CheckNote] = []
    collector = AndroidqfCollector(str(path))
    return list(collector.collect(CollectContext(warn=said.append))), said, collector


def keys(said: list[str | CheckNote]) -> list[tuple[str, str]]:
    return [(w.key, dict(w.params).get("file", "")) for w in said if isinstance(w, CheckNote)]


def packages(observations: Sequence[object]) -> set[str]:
    return {o.package for o in observations if isinstance(o, AndroidPackage)}


def bomb_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in blocks (it packs about 1000:1)."""
    with archive.open(name, "w", force_zip64=True) as member:
        block = b"\0" * (1 << 20)
        for _ in range(size // len(block)):
            member.write(block)


@pytest.mark.timeout(60)
def test_a_zip_bomb_member_is_refused_with_a_warning_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = demo_copy(tmp_path)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            if file.name != "dumpsys.txt":
                archive.write(file, f"uuid/{file.name}")
        bomb_member(archive, "uuid/dumpsys.txt", 64 << 20)  # 64 MiB of zeros in about 64 KiB
    assert path.stat().st_size < 1 << 20
    started = time.monotonic()
    tracemalloc.start()
    try:
        observations, said, collector = collect(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10 and peak < 16 << 20  # never unpacked
    assert ("warn.androidqf.too-large", "dumpsys.txt") in keys(said)
    message = next(w for w in said if isinstance(w, CheckNote) and w.key == "warn.androidqf.too-large").text
    assert message == "dumpsys.txt: this file is too large to be a real acquisition; not read"
    assert {"com.wifi0", "com.fiberhome.wifiserver"} <= packages(observations)
    assert "androidqf.dumpsys" in [n.key for n in collector.info.not_checked]


def test_a_member_is_refused_by_its_claimed_size_and_its_ratio() -> None:
    big = zipfile.ZipInfo("dumpsys.txt")
    big.file_size, big.compress_size = MAX_ACQUISITION_FILE + 1, MAX_ACQUISITION_FILE
    with pytest.raises(acquisition_files._TooLarge):
        acquisition_files.check_member(big, MAX_ACQUISITION_FILE)
    packed = zipfile.ZipInfo("settings_global.txt")
    packed.file_size, packed.compress_size = 2 << 20, (2 << 20) // (MAX_RATIO + 1)
    with pytest.raises(acquisition_files._TooLarge, match="times its packed size"):
        acquisition_files.check_member(packed, MAX_ACQUISITION_FILE)
    packed.compress_size = (2 << 20) // (MAX_RATIO - 1)  # ordinary text packs about 10:1
    acquisition_files.check_member(packed, MAX_ACQUISITION_FILE)


def test_all_files_together_stay_within_the_acquisitions_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many members that each pass (overlapping entries, a hundred settings files) stop at
    the total budget; later files are warned about, not read."""
    folder = demo_copy(tmp_path)
    monkeypatch.setattr(acquisition_files, "MAX_ACQUISITION_TOTAL", 200_000)
    settings = {f"settings_x{n}.txt": os.urandom(40_000).hex().encode()[:60_000] for n in range(5)}
    _, said, _ = collect(as_zip(folder, tmp_path / "many.zip", settings))
    refused = [f for k, f in keys(said) if k == "warn.androidqf.over-budget"]
    assert len(refused) == 1 and refused[0].startswith("settings_x")  # said once, not once per file
    assert "warn.androidqf.too-large" not in {k for k, _ in keys(said)}


@pytest.mark.timeout(30)
def test_a_corrupt_deflate_stream_is_a_warning_for_that_file(tmp_path: Path) -> None:
    folder = demo_copy(tmp_path)
    path = as_zip(folder, tmp_path / "corrupt.zip")
    raw = bytearray(path.read_bytes())
    # The name's first occurrence is in dumpsys.txt's local header; its data follows the
    # name and the extra field (whose length sits just before the name). Scramble it.
    at = raw.index(b"uuid/dumpsys.txt")
    start = at + len(b"uuid/dumpsys.txt") + struct.unpack("<H", raw[at - 2:at])[0]
    raw[start:start + 20] = b"\xff" * 20
    path.write_bytes(bytes(raw))
    observations, said, _ = collect(path)
    (problem,) = [w for w in said if isinstance(w, CheckNote) and w.key == "warn.androidqf.unreadable"]
    assert dict(problem.params)["file"] == "dumpsys.txt"
    assert dict(problem.params)["problem"].startswith("damaged in the zip: ")
    assert "com.wifi0" in packages(observations)


@pytest.mark.timeout(30)
def test_a_member_that_unpacks_past_its_claimed_size_is_damaged_not_read_on(tmp_path: Path) -> None:
    """A header that claims 100 bytes over a 1 MiB stream: zipfile stops at the claim and
    the checksum then fails; the claim is what bounded the work."""
    folder = demo_copy(tmp_path)
    (folder / "getprop.txt").write_bytes(b"[ro.product.model]: [x]\n" * 50_000)
    path = as_zip(folder, tmp_path / "lying.zip")
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")  # the first entry of the central directory
    while True:
        name_len = struct.unpack("<H", raw[central + 28:central + 30])[0]
        if raw[central + 46:central + 46 + name_len] == b"uuid/getprop.txt":
            break
        central = raw.index(b"PK\x01\x02", central + 4)
    raw[central + 24:central + 28] = struct.pack("<I", 100)  # uncompressed size
    path.write_bytes(bytes(raw))
    observations, said, _ = collect(path)
    assert ("warn.androidqf.unreadable", "getprop.txt") in keys(said)
    assert "com.wifi0" in packages(observations)


@pytest.mark.parametrize("name", ["packages.json", "processes.json", "files.json", "acquisition.json"])
def test_json_nested_without_end_is_a_warning(tmp_path: Path, name: str) -> None:
    folder = demo_copy(tmp_path)
    (folder / name).write_text("[" * 100_000 + "]" * 100_000)
    observations, said, _ = collect(folder)
    assert ("warn.androidqf.json-refused", name) in keys(said)
    if name != "packages.json":
        assert "com.wifi0" in packages(observations)
    else:
        assert packages(observations) == {"com.wifi0"}  # still read from dumpsys.txt


def test_json_just_deeper_than_allowed_is_refused_and_just_within_is_read(tmp_path: Path) -> None:
    folder = demo_copy(tmp_path)
    depth = MAX_JSON_DEPTH - 1
    (folder / "files.json").write_text("[" + "[" * depth + "]" * depth + "]")
    _, said, _ = collect(folder)
    assert not keys(said)
    (folder / "files.json").write_text("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    _, said, _ = collect(folder)
    assert keys(said) == [("warn.androidqf.json-refused", "files.json")]


@pytest.mark.parametrize("files", [1, "x", {"path": 1}, [1, None, {"path": ["a"]}], True])
def test_odd_types_in_packages_json_are_skipped_not_fatal(tmp_path: Path, files: object) -> None:
    """``"files": 1`` broke one fuzzed acquisition in twenty."""
    folder = demo_copy(tmp_path)
    data = json.loads((folder / "packages.json").read_text())
    for item in data:
        item["files"] = files
    data.append({"name": "com.huge.uid", "uid": 0, "files": [{"sha256": 10 ** 50}]})
    # 5,000 digits: more than Python converts (it raises ValueError past 4,300).
    (folder / "packages.json").write_text(json.dumps(data).replace('"uid": 0', '"uid": ' + "9" * 5000))
    observations, said, _ = collect(folder)
    assert {"com.wifi0", "com.fiberhome.wifiserver", "com.huge.uid"} <= packages(observations)
    huge = next(o for o in observations if isinstance(o, AndroidPackage) and o.package == "com.huge.uid")
    assert huge.uid is None  # 5,000 digits: kept as text, so not a uid
    assert keys(said) == []


@pytest.mark.timeout(30)
def test_named_pipes_in_an_acquisition_folder_are_never_opened(tmp_path: Path) -> None:
    folder = demo_copy(tmp_path)
    (folder / "dumpsys.txt").unlink()
    os.mkfifo(folder / "dumpsys.txt")
    os.mkfifo(folder / "settings_evil.txt")
    (folder / "ps.txt").unlink(missing_ok=True)
    (folder / "ps.txt").symlink_to("/etc/passwd")
    observations, said, _ = collect(folder)
    assert "com.wifi0" in packages(observations)
    # never opened, and said (a part left unchecked because of them was a mystery before)
    assert [dict(w.params)["files"] for w in said if isinstance(w, CheckNote)
            and w.key == "warn.androidqf.not-regular"] == ["dumpsys.txt, ps.txt, settings_evil.txt"]


def test_an_acquisition_whose_app_lists_cannot_be_read_is_unreadable_not_clean(tmp_path: Path) -> None:
    folder = demo_copy(tmp_path)
    (folder / "packages.json").write_text("{" * 1000)
    (folder / "dumpsys.txt").unlink()
    with pytest.raises(CollectorError, match=r"neither packages\.json nor dumpsys\.txt could be read"):
        collect(folder)


@pytest.mark.timeout(30)
def test_a_saved_dump_with_hostile_files_is_read_as_far_as_possible(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    write_dump(folder, "SERIAL1", {"pm_list_packages": "package:/data/app/x/base.apk=com.wifi0 uid:10155\n"}, {})
    device = folder / "device.json"
    device.chmod(0o600)
    device.write_text("[" * 50_000)  # nested without end
    # ... and listed in the manifest as it is now (a changed file would not be read at all)
    manifest = folder / "manifest.sha256"
    manifest.write_text("".join(
        f"{hashlib.sha256(device.read_bytes()).hexdigest()}  device.json\n" if line.endswith("device.json") else
        line + "\n" for line in manifest.read_text().splitlines()))
    os.mkfifo(folder / "ps.txt")
    said: list[str | CheckNote] = []
    collector = DumpCollector(str(folder))
    observations = list(collector.collect(CollectContext(warn=said.append)))
    assert "com.wifi0" in packages(observations)
    assert "warn.android.dump-device-json" in {k for k, _ in keys(said)}


def test_lines_are_those_of_splitlines_one_at_a_time() -> None:
    for text in ["", "a", "a\n", "\n\n", "a\r\nb\rc\x0bd\x0ce\x1cf\x85g\u2028h\u2029i\n\nj",
                 (Path(__file__).read_text())]:
        assert list(lines(text)) == text.splitlines()
    assert [len(line) for line in lines("x" * 300_000 + "\ny")] == [256 * 1024, 1]


def test_the_byte_split_of_a_dump_matches_the_text_split() -> None:
    text = ("junk\nDUMP OF SERVICE package:\nPackages:\n  Package [a] (1):\n\n"
            "DUMP OF SERVICE HIGH accessibility: \r\n  x\r\nDUMP OF SERVICE package:\n  more\n")
    by_text = split_dumpsys(text)
    by_bytes = split_dumpsys_bytes(text.encode(), {"package", "accessibility"})
    assert {k: v.decode().splitlines() for k, v in by_bytes.items()} == {
        k: v.splitlines() for k, v in by_text.items()}
    assert split_dumpsys_bytes(text.encode(), {"package"}).keys() == {"package"}


def test_an_output_of_millions_of_lines_is_read_up_to_the_cap_and_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 million short lines kept a parser busy for half a minute; now the first
    MAX_OUTPUT_LINES are read and the report says the rest was not (cap lowered here)."""
    from exposure.collect.android import phone
    from exposure.collect.android.parsers import lines as lines_module

    monkeypatch.setattr(lines_module, "MAX_OUTPUT_LINES", 1000)
    monkeypatch.setattr(phone, "MAX_OUTPUT_LINES", 1000)
    assert len(list(lines("a\n" * 5000))) == 1000
    folder = demo_copy(tmp_path)
    (folder / "dumpsys.txt").write_text(DUMPSYS + "      android.permission.X\n" * 5000)
    _, _, collector = collect(folder)
    cut = [n for n in collector.info.not_checked if n.key == "android.output-cut"]
    assert [dict(n.params) for n in cut] == [{"output": "dumpsys_package", "count": "1,000"}]


def test_a_zip_that_claims_a_future_version_is_one_line(tmp_path: Path) -> None:
    """Found by the fuzz suite: zipfile raises NotImplementedError for 'zip file version 21.2'."""
    from exposure.errors import UserError

    path = as_zip(demo_copy(tmp_path), tmp_path / "future.zip")
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")
    raw[central + 6:central + 8] = struct.pack("<H", 212)  # version needed to extract: 21.2
    path.write_bytes(bytes(raw))
    with pytest.raises(UserError, match="is neither an androidqf folder nor a readable zip"):
        collect(path)


def test_a_package_line_with_nothing_after_it_is_skipped() -> None:
    """Found by the fuzz suite (a saved dump whose pm list ended in 'package:')."""
    from exposure.collect.android.parsers.packages_list import package_ids, parse_packages_list

    text = "package:/data/app/x/base.apk=com.ok.app uid:1\npackage:\npackage:   \n"
    assert [p.package for p in parse_packages_list(text)] == ["com.ok.app"]
    assert package_ids("package:") == set()


def test_a_corrupt_lzma_bug_report_member_is_a_warning(tmp_path: Path) -> None:
    """Found by the fuzz suite: lzma's LZMAError from a damaged bugreport.zip member was
    'a bug in exposure' (exit 70)."""
    from tests.android.extras_data import bugreport_zip, dumpstate_text

    folder = demo_copy(tmp_path)
    (folder / "dumpsys.txt").unlink()
    report = bugreport_zip(dumpstate_text({"package": "Packages:\n  Package [com.wifi0] (1):\n    userId=10155\n"}))
    path = tmp_path / "lzma.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
        archive.writestr("bugreport.zip", report + os.urandom(4096))
    raw = bytearray(path.read_bytes())
    at = raw.index(b"bugreport.zip") + len(b"bugreport.zip") + 40
    raw[at:at + 64] = b"\x00" * 64  # inside the member's LZMA stream
    path.write_bytes(bytes(raw))
    observations, said, _ = collect(path)
    assert ("warn.androidqf.extra-unreadable", "bugreport.zip") in keys(said)
    assert "com.wifi0" in packages(observations)  # from packages.json
