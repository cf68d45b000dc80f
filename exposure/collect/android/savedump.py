"""The folder ``--save DIR`` writes and ``--android-dump DIR`` reads back.

One file per command, ``<name>.txt``, exactly as the phone printed it; ``device.json``
(serial, time, exposure version, the commands run); ``manifest.sha256`` in ``sha256sum``
format over all of them, so a helper can check later that nothing was changed. Reading the
folder back, a file that was changed or added since is not used (a warning says so, and its
part is "not checked"), as a saved iPhone's is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from exposure import __version__
from exposure.collect.android.limits import MAX_DUMP_FILE as MAX_FILE
from exposure.collect.android.limits import MAX_DUMP_FILES as MAX_FILES
from exposure.collect.android.limits import MAX_DUMP_TOTAL as MAX_TOTAL
from exposure.errors import UserError
from exposure.files import write_private
from exposure.model import CheckNote
from exposure.untrusted import FileTooLarge, UntrustedInputError, decode_text, load_json, read_regular_file

MANIFEST = "manifest.sha256"
DEVICE = "device.json"
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


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
        raise UserError(f"{folder} is not a folder written by 'exposure scan --android --save'",
                        key="error.android-dump.not-a-folder", folder=folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UserError(f"{folder} has no {MANIFEST}: it is not a folder written by --save",
                        key="error.android-dump.no-manifest", folder=folder, manifest=MANIFEST)
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
    budget = [MAX_TOTAL]
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)[:MAX_FILES]
    for name in present:
        if name not in listed:
            problems.append(CheckNote.of("warn.android.dump-added",
                                         f"{name} is not in {MANIFEST}: it was added after the phone was read;"
                                         " it was not used", file=name, manifest=MANIFEST))
            continue
        data = _read_bytes(folder / name, problems, budget)
        if data is None:
            continue
        if hashlib.sha256(data).hexdigest() != listed[name]:
            # Refused, as a saved iPhone's file is: what someone changed must not decide a finding.
            problems.append(CheckNote.of("warn.android.dump-changed", f"{name} was changed after the phone was read "
                                         f"(its sha256 differs from {MANIFEST}); it was not used", file=name,
                                         manifest=MANIFEST))
            continue
        text = decode_text(data)
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
        data = load_json(text)
    except UntrustedInputError:
        problems.append(CheckNote.of("warn.android.dump-device-json", f"{DEVICE} is not valid JSON", file=DEVICE))
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}


def _read_bytes(path: Path, problems: list[CheckNote], budget: list[int] | None = None) -> bytes | None:
    """The file's bytes (a regular file only; within MAX_FILE and what is left of
    ``budget``, the bytes the whole dump may still use); None with a problem noted."""
    limit = MAX_FILE if budget is None else min(MAX_FILE, budget[0])
    try:
        data = read_regular_file(path, limit)  # never opens a named pipe or a device
    except FileTooLarge:
        if limit < MAX_FILE:
            problems.append(CheckNote.of("warn.android.dump-over-budget",
                                         f"{path.name} was skipped: the dump's files together are larger than"
                                         f" {MAX_TOTAL // (1024 * 1024)} MiB", file=path.name,
                                         mib=MAX_TOTAL // (1024 * 1024)))
        else:
            problems.append(CheckNote.of("warn.android.dump-too-large",
                                         f"{path.name} is larger than {MAX_FILE // (1024 * 1024)} MiB; skipped",
                                         file=path.name, mib=MAX_FILE // (1024 * 1024)))
        return None
    except OSError as exc:
        problems.append(CheckNote.of("warn.android.dump-unreadable",
                                     f"{path.name} could not be read ({exc.strerror or exc})",
                                     file=path.name, problem=exc.strerror or exc))
        return None
    if budget is not None:
        budget[0] -= len(data)
    return data


def _read_text(path: Path, problems: list[CheckNote]) -> str:
    data = _read_bytes(path, problems)
    return "" if data is None else decode_text(data)
