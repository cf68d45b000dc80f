"""The folder ``--save DIR`` writes and ``--android-dump DIR`` reads back.

One file per command, ``<name>.txt``, exactly as the phone printed it; ``device.json``
(serial, time, exposure version, the commands run); ``manifest.sha256`` in ``sha256sum``
format over all of them, so a helper can check later that nothing was changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from exposure import __version__
from exposure.errors import UserError
from exposure.files import write_private
from exposure.model import CheckNote

MANIFEST = "manifest.sha256"
DEVICE = "device.json"
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
MAX_FILE = 256 * 1024 * 1024
MAX_FILES = 200


def prepare_folder(path: str) -> Path:
    """The folder to save into: new or empty (nothing is ever overwritten)."""
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise UserError(f"{folder} exists and is not a folder; choose another place for --save")
        if any(folder.iterdir()):
            raise UserError(f"{folder} is not empty; choose a new or empty folder for --save")
    else:
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise UserError(f"cannot create {folder}: {exc.strerror or exc}") from None
    return folder


def write_dump(folder: Path, serial: str, outputs: Mapping[str, str], commands: Mapping[str, str]) -> None:
    lines = []
    device = {
        "format": "exposure.android-dump/1", "serial": serial,
        "time": datetime.now(UTC).isoformat(timespec="seconds"), "exposure_version": __version__,
        "commands": dict(commands),
    }
    files = {f"{name}.txt": text.encode("utf-8") for name, text in outputs.items() if _NAME.match(name)}
    files[DEVICE] = json.dumps(device, indent=2, ensure_ascii=False).encode("utf-8")
    for filename, data in sorted(files.items()):
        write_private(folder / filename, data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {filename}\n")
    write_private(folder / MANIFEST, "".join(lines).encode("ascii"))


@dataclass(slots=True)
class LoadedDump:
    outputs: dict[str, str]
    device: dict[str, str]
    problems: list[CheckNote] = field(default_factory=list)  # manifest mismatches, as report warnings


def read_dump(path: str) -> LoadedDump:
    folder = Path(path)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder written by 'exposure scan --android --save'")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UserError(f"{folder} has no {MANIFEST}: it is not a folder written by --save")
    problems: list[CheckNote] = []
    listed: dict[str, str] = {}
    for line in _read_text(manifest_path, problems).splitlines():
        match = _MANIFEST_LINE.match(line.strip())
        if match and "/" not in match.group(2) and "\\" not in match.group(2):
            listed[match.group(2)] = match.group(1)
        elif line.strip():
            problems.append(CheckNote.of("warn.android.dump-manifest-line",
                                         f"{MANIFEST} has a line that is not 'hash  file name'", manifest=MANIFEST))
    outputs: dict[str, str] = {}
    device: dict[str, str] = {}
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)[:MAX_FILES]
    for name in present:
        if name not in listed:
            problems.append(CheckNote.of("warn.android.dump-added",
                                         f"{name} is not in {MANIFEST}: it was added after the phone was read",
                                         file=name, manifest=MANIFEST))
            continue
        data = _read_bytes(folder / name, problems)
        if data is None:
            continue
        if hashlib.sha256(data).hexdigest() != listed[name]:
            problems.append(CheckNote.of("warn.android.dump-changed", f"{name} was changed after the phone was read "
                                         f"(its sha256 differs from {MANIFEST})", file=name, manifest=MANIFEST))
        text = data.decode("utf-8", errors="replace")
        if name == DEVICE:
            device = _device(text, problems)
        elif name.endswith(".txt") and _NAME.match(name[:-4]):
            outputs[name[:-4]] = text
    for name in sorted(set(listed) - set(present)):
        problems.append(CheckNote.of("warn.android.dump-missing", f"{name} is listed in {MANIFEST} but missing",
                                     file=name, manifest=MANIFEST))
    return LoadedDump(outputs, device, problems)


def _device(text: str, problems: list[CheckNote]) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        problems.append(CheckNote.of("warn.android.dump-device-json", f"{DEVICE} is not valid JSON", file=DEVICE))
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}


def _read_bytes(path: Path, problems: list[CheckNote]) -> bytes | None:
    try:
        if os.path.getsize(path) > MAX_FILE:
            problems.append(CheckNote.of("warn.android.dump-too-large",
                                         f"{path.name} is larger than {MAX_FILE // (1024 * 1024)} MiB; skipped",
                                         file=path.name, mib=MAX_FILE // (1024 * 1024)))
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.append(CheckNote.of("warn.android.dump-unreadable",
                                     f"{path.name} could not be read ({exc.strerror or exc})",
                                     file=path.name, problem=exc.strerror or exc))
        return None


def _read_text(path: Path, problems: list[CheckNote]) -> str:
    data = _read_bytes(path, problems)
    return "" if data is None else data.decode("utf-8", errors="replace")
