"""The folder ``scan --iphone --save DIR`` writes and ``--iphone-dump DIR`` reads back.

Each answer is kept as it came (``apps.plist`` is the installation proxy's list of app
dicts, unchanged; the others plist or JSON, see ``answers.py``), with ``device.json``
(UDID, time, exposure version, what could not be read) and ``manifest.sha256`` in
``sha256sum`` format (``HASH  NAME``, one line per file), so anyone can check later with
``sha256sum -c manifest.sha256`` that nothing was changed.

Reading back, a file whose hash differs from the manifest is refused: it is not used, its
part is "not checked" and a warning says it was changed after the phone was read. A file
not in the manifest is ignored the same way. A missing answer is simply "not read".
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
from exposure.collect.android.savedump import prepare_folder as prepare_folder
from exposure.collect.ios.answers import BY_FILE
from exposure.errors import UserError
from exposure.files import write_private
from exposure.model import CheckNote
from exposure.untrusted import FileTooLarge, load_json, read_regular_file

FORMAT = "exposure.iphone-dump/1"
MANIFEST = "manifest.sha256"
DEVICE = "device.json"
# One answer file. A real app list is under 1 MiB (ISDi's phone: 656 KB); a crafted plist
# of 125 MiB took 37 s and 900 MB to parse (issue 17, found by the fuzz suite).
MAX_FILE = 16 * 1024 * 1024
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *]([A-Za-z0-9_.-]{1,80})$")


def write_dump(folder: Path, udid: str, raw: Mapping[str, bytes], unread: Mapping[str, str]) -> None:
    files = {name: data for name, data in raw.items() if name in BY_FILE}
    device = {"format": FORMAT, "udid": udid, "time": datetime.now(UTC).isoformat(timespec="seconds"),
              "exposure_version": __version__, "not_read": dict(unread)}
    files[DEVICE] = json.dumps(device, indent=2, ensure_ascii=False).encode("utf-8")
    lines = []
    for name, data in sorted(files.items()):
        write_private(folder / name, data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    write_private(folder / MANIFEST, "".join(lines).encode("ascii"))


def is_iphone_dump(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``scan --iphone --save``."""
    folder = Path(path)
    try:
        # Only a regular file is opened (a named pipe there would never answer).
        return (folder / MANIFEST).is_file() and FORMAT.encode() in read_regular_file(folder / DEVICE, 4096,
                                                                                       start_only=True)
    except OSError:
        return False


@dataclass(slots=True)
class LoadedDump:
    raw: dict[str, bytes]  # answer file name -> bytes, only files that match the manifest
    device: dict[str, str]
    problems: list[CheckNote] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # answer file -> why it was not used


def read_dump(path: str) -> LoadedDump:
    folder = Path(path)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder written by 'exposure scan --iphone --save'",
                        key="error.iphone-dump.not-a-folder", folder=folder)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise UserError(f"{folder} has no {MANIFEST}: it is not a folder written by 'exposure scan --iphone --save'",
                        key="error.iphone-dump.no-manifest", folder=folder, manifest=MANIFEST)
    loaded = LoadedDump({}, {})
    listed: dict[str, str] = {}
    for line in (_read(manifest, loaded) or b"").decode("utf-8", errors="replace").splitlines():
        match = _MANIFEST_LINE.match(line.strip())
        if match:
            listed[match.group(2)] = match.group(1)
        elif line.strip():
            loaded.problems.append(CheckNote.of("warn.iphone.dump-manifest-line",
                                                f"{MANIFEST} has a line that is not 'hash  file name'",
                                                manifest=MANIFEST))
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    for name in present[:200]:
        if name not in listed:
            loaded.problems.append(CheckNote.of("warn.iphone.dump-added", f"{name} is not in {MANIFEST}: it was "
                                                "added after the phone was read; it was not used",
                                                file=name, manifest=MANIFEST))
            continue
        data = _read(folder / name, loaded)
        if data is None:
            loaded.refused[name] = "unreadable"
            continue
        if hashlib.sha256(data).hexdigest() != listed[name]:
            loaded.problems.append(CheckNote.of("warn.iphone.dump-changed", f"{name} was changed after the phone "
                                                f"was read (its sha256 differs from {MANIFEST}); it was not used",
                                                file=name, manifest=MANIFEST))
            loaded.refused[name] = "changed"
            continue
        if name == DEVICE:
            loaded.device = _device(data)
        elif name in BY_FILE:
            loaded.raw[name] = data
    for name in sorted(set(listed) - set(present)):
        loaded.problems.append(CheckNote.of("warn.iphone.dump-missing", f"{name} is listed in {MANIFEST} but missing",
                                            file=name, manifest=MANIFEST))
    return loaded


def _device(data: bytes) -> dict[str, str]:
    try:
        found = load_json(data.decode("utf-8"))  # bounded: nesting, numbers (exposure.untrusted)
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(found, dict):
        return {}
    out = {k: str(v)[:200] for k, v in found.items() if isinstance(v, str | int | float)}
    if isinstance(found.get("not_read"), dict):
        out.update({f"not_read:{k}": str(v)[:200] for k, v in found["not_read"].items() if k in BY_FILE})
    return out


def _read(path: Path, loaded: LoadedDump) -> bytes | None:
    try:
        return read_regular_file(path, MAX_FILE)  # never opens a named pipe or a device
    except FileTooLarge:
        loaded.problems.append(CheckNote.of("warn.iphone.dump-too-large", f"{path.name} is larger than "
                                            f"{MAX_FILE // (1024 * 1024)} MiB; skipped", file=path.name,
                                            mib=MAX_FILE // (1024 * 1024)))
        return None
    except OSError as exc:
        loaded.problems.append(CheckNote.of("warn.iphone.dump-unreadable", f"{path.name} could not be read "
                                            f"({exc.strerror or exc})", file=path.name, problem=exc.strerror or exc))
        return None
