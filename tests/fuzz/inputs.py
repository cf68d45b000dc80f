"""Hostile inputs, one target at a time, built from seed files and a ``random.Random``.

Each target yields :class:`FuzzInput` items lazily (each in its own folder, removed after
it ran, so a long run does not fill the disk): the command line that a user would run on
it. The first items of a target are crafted attacks (a zip bomb, an alias flood, JSON
nested without end...), the rest are seeded mutations of real-shaped files.

Seeds come from the repository (the demo phone and capture, the bundled profiles, files
made here), and from ../shared when it is beside the repository (more captures, Echap,
mvt-indicators, MVT's acquisition).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz import mutate
from tests.paths import FEEDS, FIXTURES, REPO

DEMO = REPO / "exposure" / "demo" / "data"
DEMO_PHONE = DEMO / "demo-phone"
DUMPSYS = ("DUMP OF SERVICE accessibility:\n"
           "  Enabled services:{{com.wifi0/com.wifi0.services.DemoAccessibilityService}}\n"
           "DUMP OF SERVICE package:\nPackages:\n  Package [com.wifi0] (1a2b3c):\n    userId=10155\n"
           "    pkg=Package{1a2b3c com.wifi0}\n    codePath=/data/app/com.wifi0-1\n    versionName=3.1\n"
           "    installerPackageName=com.android.packageinstaller\n    requested permissions:\n"
           "      android.permission.READ_SMS\n      android.permission.ACCESS_FINE_LOCATION\n"
           "DUMP OF SERVICE device_policy:\nCurrent Device Policy Manager state:\n"
           "  Enabled Device Admins (User 0, provisioningState: 0):\n    com.wifi0/.Admin:\n      uid=10155\n"
           "DUMP OF SERVICE connectivity:\nNetworkAgentInfo{ ni{[type: VPN[]" + "} }\n")
ECHAP = ("- name: FloodSpy\n  type: stalkerware\n  names:\n    - Flood Spy\n  packages:\n    - com.flood.spy\n"
         "  certificates:\n    - 0123456789ABCDEF0123456789ABCDEF01234567\n  websites:\n    - floodspy.example\n"
         "  c2:\n    domains:\n      - c2.floodspy.example\n    ips:\n      - 192.0.2.7\n"
         "- name: Other Watch\n  type: watchware\n  packages:\n    - com.other.watch\n")


@dataclass
class FuzzInput:
    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


# (rng, a folder for the inputs, how many, whether this is the long run)
Builder = Callable[[random.Random, Path, int, bool], Iterator[FuzzInput]]


@dataclass
class Crafted:
    """A hand-made attack; ``heavy`` ones (gigabyte bombs, 100 MB files) only in the long run."""

    label: str
    make: Callable[[], Path]
    heavy: bool = False
    how: str = ""


def crafted(items: list[Crafted], long: bool) -> Iterator[Crafted]:
    return iter([c for c in items if long or not c.heavy])


def shared(path: Path) -> bool:
    return path.exists()


# --- captures ----------------------------------------------------------------------------

SEED_MAX_BYTES = 64 << 10  # a seed capture is mutated whole: small ones keep each input quick


def captures(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    # with our own captures of every class the reader follows (tunnels, IPsec, PPI, WireGuard and TLS
    # with their keys, DNS on odd ports...), so each parser meets damaged input; not the bombs
    ours = sorted(p for p in (REPO / "tests" / "data" / "network").glob("*.pcap*")
                  if p.stat().st_size < SEED_MAX_BYTES and not p.name.startswith("bomb"))
    seeds = [DEMO / "demo-capture.pcap", *ours]
    names = FIXTURES / "pcaps" / "names"
    if shared(names):
        seeds += sorted(names.glob("*/capture*"))[:30]
    for n in range(count):
        seed = rng.choice(seeds)
        data = mutate.mutate_bytes(rng, seed.read_bytes())
        path = work / f"c{n}.pcap"
        if rng.random() < 0.25:
            data = gzip.compress(data)
            path = path.with_suffix(".pcap.gz")
        path.write_bytes(data)
        if n % 2:
            yield FuzzInput(f"capture {n} ({seed.name}) names", ["names", str(path), "--json"])
        else:
            yield FuzzInput(f"capture {n} ({seed.name}) scan",
                            ["scan", "--pcap", str(path), "--no-feeds", "--json", str(work / f"r{n}.json")])


# --- androidqf acquisitions ----------------------------------------------------------------

def _acquisition(work: Path, n: int, extras: bool = False) -> Path:
    """The demo phone as an androidqf folder; with ``extras``, a bug report in place of
    dumpsys.txt and a backup with text messages (tests/android/extras_data.py)."""
    folder = work / f"acq{n}"
    shutil.copytree(DEMO_PHONE, folder)
    if extras:
        from tests.android.extras_data import backup_ab, bugreport_zip, dumpstate_text, sms

        (folder / "bugreport.zip").write_bytes(bugreport_zip(dumpstate_text(
            {"package": DUMPSYS.split("DUMP OF SERVICE package:\n")[1].split("DUMP OF SERVICE")[0]})))
        (folder / "backup.ab").write_bytes(backup_ab([sms("see https://bit.ly/fuzz"), sms("hello")]))
    else:
        (folder / "dumpsys.txt").write_text(DUMPSYS)
    return folder


def _mutate_file(rng: random.Random, path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".json" and rng.random() < 0.7:
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):  # an earlier round of this input nested it deeply
            document = None
        if document is not None:
            path.write_text(mutate.dump_json(rng, mutate.mutate_json(rng, document)))
            return
    if rng.random() < 0.5:
        path.write_text(mutate.mutate_text(rng, data.decode("utf-8", "replace")))
    else:
        path.write_bytes(mutate.mutate_bytes(rng, data))


def _zip(rng: random.Random, folder: Path, into: Path, damage: bool = True) -> Path:
    methods = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    with zipfile.ZipFile(into, "w", rng.choice(methods)) as archive:
        prefix = rng.choice(["", "uuid/", "a/b/", "../"])
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, prefix + path.name)
    if damage and rng.random() < 0.3:
        into.write_bytes(mutate.mutate_bytes(rng, into.read_bytes(), rounds=2))
    return into


def _bomb(into: Path, name: str, size: int) -> Path:
    with zipfile.ZipFile(into, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(DEMO_PHONE.iterdir()):
            if path.name != name:
                archive.write(path, f"uuid/{path.name}")
        with archive.open(f"uuid/{name}", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return into


def _repeat(path: Path, head: str, unit: str, times: int) -> None:
    """``head + unit * times``, written in blocks (the worker's own memory is what is measured)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        block = unit * 100_000
        for _ in range(times // 100_000):
            out.write(block)
        out.write(unit * (times % 100_000))


def _with(work: Path, n: int, change: Callable[[Path], None]) -> Path:
    folder = _acquisition(work, n)
    change(folder)
    return folder


def _deep_and_huge(folder: Path) -> None:
    (folder / "packages.json").write_text("[" * 200_000 + "]" * 200_000)
    (folder / "files.json").write_text('[{"path": "/x", "sha256": ' + "9" * 5000 + "}]")


def _files_one(folder: Path) -> None:
    data = json.loads((folder / "packages.json").read_text())
    for item in data:
        item["files"] = 1
    (folder / "packages.json").write_text(json.dumps(data))


def _pipes(folder: Path) -> None:
    os.mkfifo(folder / "settings_fifo.txt")
    (folder / "dumpsys.txt").unlink()
    os.mkfifo(folder / "dumpsys.txt")


def _corrupt_member(work: Path) -> Path:
    path = _zip(random.Random(1), _acquisition(work, 9006), work / "corrupt.zip", damage=False)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"dumpsys.txt")
    raw[at + 40:at + 80] = b"\xff" * 40
    path.write_bytes(bytes(raw))
    return path


def _many_members(into: Path, count: int, size: int) -> Path:
    """An acquisition zip with ``count`` settings files of ``size`` bytes each."""
    with zipfile.ZipFile(into, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(DEMO_PHONE.iterdir()):
            archive.write(path, path.name)
        body = ("setting_x=" + "v" * size + "\n")[:size]
        for n in range(count):
            archive.writestr(f"settings_x{n}.txt", body)
    return into


def _crafted_acquisitions(work: Path) -> list[Crafted]:
    return [
        Crafted("zip bomb: 64 MiB of zeros as dumpsys.txt", lambda: _bomb(work / "bomb.zip", "dumpsys.txt", 64 << 20)),
        Crafted("zip bomb: 1 GiB of zeros as dumpsys.txt", lambda: _bomb(work / "bomb.zip", "dumpsys.txt", 1 << 30),
                heavy=True),
        Crafted("zip bomb: 200 MiB packages.json", lambda: _bomb(work / "bomb2.zip", "packages.json", 200 << 20),
                heavy=True),
        Crafted("deep JSON and a 5,000-digit number", lambda: _with(work, 9001, _deep_and_huge)),
        Crafted('"files": 1 in packages.json', lambda: _with(work, 9002, _files_one)),
        Crafted("named pipes as dumpsys.txt and a settings file", lambda: _with(work, 9003, _pipes)),
        Crafted("a corrupt member in a zip", lambda: _corrupt_member(work)),
        Crafted("3,000 settings files", lambda: _many_members(work / "many.zip", 3000, 1000)),
        Crafted("30,000 settings files of 10 KiB", lambda: _many_members(work / "many.zip", 30_000, 10_240),
                heavy=True),
        Crafted("120 MiB dumpsys.txt of 40 million short lines", lambda: _with(work, 9004, lambda f: _repeat(
            f / "dumpsys.txt", "DUMP OF SERVICE package:\n", "ab\n", 40_000_000)), heavy=True),
        Crafted("one 125 MiB line with emoji", lambda: _with(work, 9005, lambda f: _repeat(
            f / "dumpsys.txt", "DUMP OF SERVICE package:\nPackages:\n  ", "x 😀 ", 25_000_000)), heavy=True),
    ]


def acquisitions(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    attacks = crafted(_crafted_acquisitions(work), long)
    for n in range(count):
        attack = next(attacks, None)
        if attack is not None:
            label, target = attack.label, attack.make()
        else:
            folder = _acquisition(work, n, extras=rng.random() < 0.3)
            if shared(FIXTURES / "android" / "mvt" / "androidqf") and rng.random() < 0.3:
                shutil.rmtree(folder)
                shutil.copytree(FIXTURES / "android" / "mvt" / "androidqf", folder)
            files = sorted(p for p in folder.iterdir())
            for _ in range(rng.randint(1, 4)):
                choice = rng.choice(files)
                if choice.exists():
                    if rng.random() < 0.1:
                        choice.unlink()
                    else:
                        _mutate_file(rng, choice)
            target = _zip(rng, folder, work / f"acq{n}.zip") if rng.random() < 0.5 else folder
            label = f"acquisition {n} ({'zip' if target.suffix == '.zip' else 'folder'})"
        yield FuzzInput(label, ["scan", "--androidqf", str(target), "--no-feeds", "--json", str(work / f"r{n}.json")])


# --- saved dumps (--android-dump) ----------------------------------------------------------

def _phone_outputs() -> dict[str, str]:
    packages = json.loads((DEMO_PHONE / "packages.json").read_text())
    pm = "".join(f"package:{(p['files'] or [{}])[0].get('path', '/data/app/x/base.apk')}={p['name']} "
                 f"installer={p['installer']} uid:{p['uid']}\n" for p in packages)
    return {
        "getprop": (DEMO_PHONE / "getprop.txt").read_text(),
        "pm_list_packages": pm,
        "pm_list_packages_system": "".join(f"package:{p['name']}\n" for p in packages if p["system"]),
        "dumpsys_package": DUMPSYS.split("DUMP OF SERVICE package:\n")[1].split("DUMP OF SERVICE")[0],
        "settings_secure": (DEMO_PHONE / "settings_secure.txt").read_text(),
        "settings_global": (DEMO_PHONE / "settings_global.txt").read_text(),
        "ps": (DEMO_PHONE / "processes.txt").read_text(),
    }


def dumps(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    from exposure.collect.android.savedump import write_dump

    for n in range(count):
        folder = work / f"dump{n}"
        folder.mkdir()
        write_dump(folder, "FUZZ0001", _phone_outputs(), {})
        for path in folder.iterdir():
            path.chmod(0o600)
        files = sorted(folder.iterdir())
        for _ in range(rng.randint(1, 4)):
            _mutate_file(rng, rng.choice(files))
        if rng.random() < 0.1:
            os.mkfifo(folder / "dumpsys_accessibility.txt")
        yield FuzzInput(f"saved dump {n}", ["scan", "--android-dump", str(folder), "--no-feeds",
                                            "--json", str(work / f"r{n}.json")])


# --- feeds and profiles --------------------------------------------------------------------

def _stix() -> str:
    objects: list[dict[str, object]] = [{"type": "malware", "id": "malware--1", "name": "Fuzz Spy"},
                                        {"type": "report", "id": "report--1", "name": "Fuzz report",
                                         "object_refs": ["indicator--3"]}]
    keys = ["domain-name:value", "ipv4-addr:value", "url:value", "app:id", "file:hashes.sha256", "process:name"]
    values = ["c2.fuzz.example", "192.0.2.9", "https://fuzz.example/x", "com.fuzz.spy", "a" * 64, "fuzzd"]
    for n, (key, value) in enumerate(zip(keys, values, strict=True)):
        objects.append({"type": "indicator", "id": f"indicator--{n}", "pattern": f"[{key}='{value}']",
                        "modified": "2024-01-01T00:00:00Z"})
        objects.append({"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                        "source_ref": f"indicator--{n}", "target_ref": "malware--1"})
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects})


def _feed_seeds() -> list[tuple[str, str]]:
    seeds = [("ioc.yaml", ECHAP), ("fuzz.stix2", _stix()), ("hosts.txt", "0.0.0.0 c2.fuzz.example\nfuzz.example\n")]
    for path in sorted((REPO / "profiles").glob("*.yaml")):
        seeds.append((f"profile:{path.name}", path.read_text()))
    bundled = REPO / "exposure" / "indicators" / "data" / "feeds"  # Echap's samples.csv, ISDi, Volexity (CSV)
    for path in sorted(bundled.glob("*/*.csv")):
        seeds.append((path.name, "".join(path.read_text().splitlines(keepends=True)[:200])))
    if shared(FEEDS):
        seeds.append(("ioc.yaml", (FEEDS / "stalkerware-indicators" / "ioc.yaml").read_text()))
        seeds.append(("predator.stix2", (FEEDS / "mvt-indicators" / "intellexa_predator" / "predator.stix2")
                      .read_text()))
    return seeds


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _laughs() -> str:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(levels) + "\n"


def _references(path: Path, reports: int, refs: int) -> Path:
    """A bundle of ``reports`` reports that each name the same ``refs`` indicators, written
    one object at a time."""
    ids = json.dumps([f"i{n}" for n in range(refs)])  # short ids: 6 million of them make 45 MB
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "bundle", "objects": [')
        for r in range(reports):
            out.write(f'{{"type": "report", "id": "report--{r}", "name": "r{r}", "object_refs": {ids}}},')
        out.write(",".join(json.dumps({"type": "indicator", "id": f"i{n}",
                                       "pattern": f"[domain-name:value='d{n}.example']"}) for n in range(refs)))
        out.write("]}")
    return path


def _stick(work: Path) -> Path:
    stick = work / "stick"
    stick.mkdir()
    (stick / "ioc.yaml").write_text(ECHAP)
    os.mkfifo(stick / "pipe.stix2")
    (stick / "manifest.sha256").write_text(f"{hashlib.sha256(ECHAP.encode()).hexdigest()}  ioc.yaml\n"
                                           f"{'0' * 64}  pipe.stix2\n{'1' * 64}  \x1b]0;t\x07.yaml\n")
    return stick


def _crafted_feeds(work: Path) -> list[Crafted]:
    flood = "- &app\n  name: FloodSpy\n  packages: [com.flood.spy]\n" + "- *app\n" * 200_000
    return [
        Crafted("alias flood (1.4 MB, 200,000 aliases)", lambda: _write(work / "flood.yaml", flood), how="feeds"),
        Crafted("billion laughs as a profile", lambda: _write(work / "laughs.yaml", _laughs()), how="profiles"),
        Crafted("billion laughs as a feed", lambda: _write(work / "laughs.yaml", _laughs()), how="feeds"),
        Crafted("STIX2: 101 reports x 2,000 references", lambda: _references(work / "refs.stix2", 101, 2000),
                how="feeds"),
        Crafted("STIX2: 3,000 reports x 2,000 references (45 MB)",
                lambda: _references(work / "refs.stix2", 3000, 2000), heavy=True, how="feeds"),
        Crafted("STIX2 nested 500,000 deep", lambda: _write(
            work / "deep.stix2", '{"type": "bundle", "objects": ' + "[" * 500_000 + "]" * 500_000 + "}"), how="feeds"),
        Crafted("STIX2 with a 100,000-digit number", lambda: _write(
            work / "big.stix2", '{"type": "bundle", "objects": [{"type": "indicator", "confidence": ' + "9" * 100_000
            + ', "pattern": "[domain-name:value=\'x.example\']"}]}'), how="feeds"),
        Crafted("a named pipe as a feed", lambda: _fifo(work / "pipe.yaml"), how="feeds"),
        Crafted("/dev/zero as a feed", lambda: Path("/dev/zero"), how="feeds"),
        Crafted("samples.csv with a 200,000-character field", lambda: _write(work / "samples.csv", (
            "SHA256,Package Name,Certificate,Version,App\n" + "a" * 64 + ",com.x,," + "1" * 200_000
            + ",Spy\n")), how="feeds"),
        Crafted("samples.csv with a NUL past the first 4 KiB", lambda: _write(work / "samples.csv", (
            "SHA256,Package Name,Certificate,Version,App\n" + ("b" * 64 + ",com.y,,1,Spy\n") * 100
            + "c" * 64 + ",com.z,,\x00,Spy\n")), how="feeds"),
        Crafted("a --from folder listing a named pipe", lambda: _stick(work), how="update"),
    ]


def feeds(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    attacks = crafted(_crafted_feeds(work), long)
    seeds = _feed_seeds()
    for n in range(count):
        attack = next(attacks, None)
        if attack is not None:
            label, path, how = attack.label, attack.make(), attack.how
        else:
            name, text = rng.choice(seeds)
            how = "profiles" if name.startswith("profile:") else "feeds"
            name = name.removeprefix("profile:")
            if name.endswith(".stix2") and rng.random() < 0.6:
                text = mutate.dump_json(rng, mutate.mutate_json(rng, json.loads(text)))
            elif rng.random() < 0.15:
                text = mutate.yaml_aliases(rng, text)
            else:
                text = mutate.mutate_text(rng, text)
            path = work / f"f{n}" / name
            path.parent.mkdir()
            path.write_text(text)
            label = f"{how} {n} ({name})"
        if how == "profiles":
            argv = ["profiles", "validate", str(path)]
        elif how == "update":
            argv = ["feeds", "update", "--from", str(path)]
        else:
            argv = ["feeds", "import", str(path)]
        yield FuzzInput(label, argv, {"EXPOSURE_DATA_DIR": str(work / f"data{n}")})


# --- saved reports -------------------------------------------------------------------------

def _report() -> dict[str, object]:
    from exposure.report.document import from_result
    from exposure.report.json_report import to_json
    from exposure.scan import ScanRequest, SourceSpec, run_scan

    result = run_scan(ScanRequest(sources=(SourceSpec("androidqf", str(DEMO_PHONE)),
                                           SourceSpec("pcap", str(DEMO / "demo-capture.pcap"))),
                                  use_feeds=False))
    return to_json(from_result(result))


def reports(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    base = _report()
    for n in range(count):
        path = work / f"r{n}.json"
        if n == 0:
            path.write_text('{"schema": "exposure.report/1", "x": ' + "[" * 300_000 + "]" * 300_000 + "}")
        elif n == 1:
            path.write_text(json.dumps(base).replace('"findings": ', '"findings": ' + "1" * 5000 + ", \"y\": ", 1))
        else:
            path.write_text(mutate.dump_json(rng, mutate.mutate_json(rng, base, rounds=6)))
        yield FuzzInput(f"report {n}", ["report", str(path), "--html", str(work / f"r{n}.html"),
                                        "--md", str(work / f"r{n}.md"), "--force", "--lang", rng.choice(["en", "zh"])])


# --- a phone through the fake adb ----------------------------------------------------------

FAKE_ADB = REPO / "tests" / "android" / "fake_adb"


def _key(args: tuple[str, ...]) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9.-]", "_", "_".join(args))


def phones(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    from exposure.collect.android import commands as cmd

    outputs = _phone_outputs()
    for n in range(count):
        root = work / f"phones{n}"
        serial = "FUZZ0001"
        folder = root / serial
        folder.mkdir(parents=True)
        devices = f"List of devices attached\n{serial}  device usb:1-1 model:Fuzz\n"
        if rng.random() < 0.05:
            devices = mutate.mutate_text(rng, devices)
        (root / "devices.txt").write_text(devices)
        for command in cmd.READ_ONLY_COMMANDS:
            name = _key(command.args)
            text = outputs.get(command.name, "")
            roll = rng.random()
            hang_share = 0.03
            if roll < hang_share:
                (folder / f"{name}.hang").write_text("")
            elif roll < hang_share + 0.04 and (long or command.max_output <= 16 << 20):
                (folder / f"{name}.flood").write_text(str(rng.choice([command.max_output + 1, 2 * command.max_output])))
            elif roll < hang_share + 0.1:
                (folder / f"{name}.fail").write_text("error: closed\n")
            elif roll < 0.6:
                (folder / f"{name}.txt").write_bytes(mutate.mutate_bytes(rng, text.encode()) if rng.random() < 0.5
                                                     else mutate.mutate_text(rng, text).encode())
            else:
                (folder / f"{name}.txt").write_text(text)
        yield FuzzInput(f"phone {n}", ["scan", "--android", "--no-feeds", "--json", str(work / f"r{n}.json")],
                        {"FAKE_ADB_DIR": str(root), "PATH": f"{FAKE_ADB}{os.pathsep}{os.environ.get('PATH', '')}"})


# --- folders saved from an iPhone (--iphone-dump) ------------------------------------------

def _saved_iphone(work: Path) -> dict[str, bytes]:
    """The answers of the iPhone tests' planted phone, saved through the real collector
    (a fake usbmuxd, as tests/ios/conftest.py sets it up)."""
    from exposure.collect.ios import usb
    from exposure.scan import ScanRequest, SourceSpec, run_scan
    from tests.ios.conftest import pair_record
    from tests.ios.fake_iphone import FakeMux
    from tests.ios.phones import MANAGED_PROFILES, planted_phone

    folder, data = work / "iphone-seed", work / "iphone-data"
    saved_env = {k: os.environ.get(k) for k in ("EXPOSURE_DATA_DIR", "USBMUXD_SOCKET_ADDRESS")}
    os.environ["EXPOSURE_DATA_DIR"], os.environ["USBMUXD_SOCKET_ADDRESS"] = str(data), str(work / "no-usbmuxd")
    real = usb.make_mux
    try:
        phone = planted_phone(profiles=MANAGED_PROFILES)
        pair_record(phone)
        usb.make_mux = lambda: FakeMux([phone])
        run_scan(ScanRequest(sources=(SourceSpec("iphone", "", (("save", str(folder)),)),), use_feeds=False))
    finally:
        usb.make_mux = real
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in ("manifest.sha256", "device.json")}


def iphones(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    import plistlib

    from exposure.collect.ios.dump import write_dump

    answers = _saved_iphone(work)
    heavy = [("apps.plist of 16 MiB + 1 (refused)", (16 << 20) + 1), ("apps.plist of 15 MiB of tiny dicts", 15 << 20)]
    for n in range(count):
        raw = dict(answers)
        if long and heavy:
            label, size = heavy.pop(0)
            unit = b"<dict><key>k</key><string>ab</string></dict>"
            head, tail = b'<?xml version="1.0"?><plist version="1.0"><array>', b"</array></plist>"
            body = unit * ((size - len(head) - len(tail)) // len(unit))
            raw["apps.plist"] = head + body + b" " * (size - len(head) - len(tail) - len(body)) + tail
            folder = work / f"iphone{n}"
            folder.mkdir()
            write_dump(folder, "00008101-000A1D2E3F40001E", raw, {})
            yield FuzzInput(label, ["scan", "--iphone-dump", str(folder), "--no-feeds", "--json", str(work / "r.json")])
            continue
        for name in rng.sample(sorted(raw), rng.randint(1, 3)):
            data = raw[name]
            roll = rng.random()
            try:
                document = plistlib.loads(data) if name.endswith(".plist") else json.loads(data)
            except Exception:  # an earlier round damaged it past reading: damage its bytes
                document = None
            if document is not None and roll < 0.5:
                changed = mutate.mutate_json(rng, json.loads(json.dumps(document, default=repr)))
                raw[name] = (mutate.dump_json(rng, changed).encode() if name.endswith(".json") or rng.random() < 0.3
                             else _plist(changed))
            elif roll < 0.6:
                raw[name] = b"[" * 100_000 + b"]" * 100_000 if name.endswith(".json") else (
                    b"<plist><array>" * 50_000 + b"</array>" * 50_000 + b"</plist>")
            else:
                raw[name] = mutate.mutate_bytes(rng, data)
        folder = work / f"iphone{n}"
        folder.mkdir()
        # The manifest is remade over the damaged answers: whoever prepares a folder can.
        write_dump(folder, "00008101-000A1D2E3F40001E", raw, {})
        roll = rng.random()
        if roll < 0.2:
            target = folder / rng.choice(["device.json", "manifest.sha256"])
            target.chmod(0o600)
            target.write_bytes(mutate.mutate_bytes(rng, target.read_bytes()))
        elif roll < 0.25:  # device.json nested without end, its manifest line remade to match
            deep = b'{"format": "exposure.iphone-dump/1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            (folder / "device.json").chmod(0o600)
            (folder / "device.json").write_bytes(deep)
            manifest = folder / "manifest.sha256"
            manifest.chmod(0o600)
            manifest.write_text("".join(
                f"{hashlib.sha256(deep).hexdigest()}  device.json\n" if line.endswith("  device.json") else line + "\n"
                for line in manifest.read_text().splitlines()))
        if rng.random() < 0.05:
            (folder / "apps.plist").unlink()
            os.mkfifo(folder / "apps.plist")
        yield FuzzInput(f"iphone folder {n}", ["scan", "--iphone-dump", str(folder), "--no-feeds",
                                               "--json", str(work / f"r{n}.json")])


def _plist(document: object) -> bytes:
    import plistlib

    try:
        return plistlib.dumps(document)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return json.dumps(document).encode()


# --- iPhone backups (--ios-backup) ---------------------------------------------------------

def backups(rng: random.Random, work: Path, count: int, long: bool = False) -> Iterator[FuzzInput]:
    """Backups made by tests/ios_backup/make_backup.py (messages, browsing, apps, profiles),
    then damaged: Info.plist, Manifest.plist, Manifest.db and the stored files."""
    from datetime import UTC, datetime

    from tests.ios_backup.make_backup import Spec, write_backup

    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    spec = Spec(messages=[("see https://bit.ly/x", "SMS", "+15550100", when)],
                safari_history=[("https://track.example.com/a", when)],
                processes=[("syshelper", "com.example.syshelper", when)])
    for n in range(count):
        folder = write_backup(work / f"backup{n}", spec)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(files)
            if not target.is_file():
                continue  # made a named pipe by an earlier round
            if target.name.endswith(".plist") and rng.random() < 0.5:
                target.write_bytes(mutate.mutate_bytes(rng, target.read_bytes(), rounds=3))
            elif rng.random() < 0.1:
                target.unlink()
                os.mkfifo(target)
            else:
                target.write_bytes(mutate.mutate_bytes(rng, target.read_bytes()))
        yield FuzzInput(f"iphone backup {n}", ["scan", "--ios-backup", str(folder), "--no-feeds",
                                               "--json", str(work / f"r{n}.json")])


TARGETS: dict[str, Builder] = {
    "captures": captures, "androidqf": acquisitions, "dumps": dumps, "feeds": feeds, "reports": reports,
    "adb": phones, "iphone": iphones, "ios-backup": backups,
}
