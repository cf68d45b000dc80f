"""An acquisition made with Amnesty's androidqf: its folder or its zip (kind "androidqf").

Files read (formats.md §5): ``packages.json`` (installer is the string "null" when there
is none; APK hashes and signing certificates when the APKs were pulled), ``dumpsys.txt``
(split into services and read by the same parsers as a live phone), ``getprop.txt``,
``settings_*.txt``, ``processes.json`` / ``processes.txt`` / ``ps.txt``, ``files.json``
and ``root_binaries.json``. A zip is read in place, never extracted; members whose names
climb out of the archive are ignored, and every file is read with a size cap.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from exposure.collect.android import commands as cmd
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys
from exposure.collect.android.parsers.packages_list import normalise_installer
from exposure.collect.android.parsers.ps import load_processes_json
from exposure.collect.android.phone import Extras, QfPackage, assemble
from exposure.collect.android.qf_extras import backup_links, bugreport_outputs
from exposure.collect.base import CheckNote, CollectContext, CollectorError, WarnCallback
from exposure.errors import UserError
from exposure.model import Observation, SourceInfo
from exposure.observations.android import AndroidFile

if TYPE_CHECKING:
    from exposure.model import SourceSpec

MAX_FILE = 256 * 1024 * 1024  # a real dumpsys.txt is tens of MiB
MAX_MEMBERS = 100_000
_HEX = frozenset("0123456789abcdef")
# dumpsys service -> the live command whose output it is.
_SERVICES = {
    "package": cmd.DUMPSYS_PACKAGE.name, "accessibility": cmd.DUMPSYS_ACCESSIBILITY.name,
    "device_policy": cmd.DUMPSYS_DEVICE_POLICY.name, "connectivity": cmd.DUMPSYS_CONNECTIVITY.name,
    "appops": cmd.DUMPSYS_APPOPS.name, "batterystats": cmd.DUMPSYS_BATTERYSTATS.name,
    "netstats": cmd.DUMPSYS_NETSTATS.name, "input_method": cmd.DUMPSYS_INPUT_METHOD.name,
}


def make_collector(spec: SourceSpec) -> AndroidqfCollector:
    return AndroidqfCollector(spec.target)


class AndroidqfCollector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.info = SourceInfo(kind="androidqf", name=path)

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:  # noqa: C901 - one branch per file of the acquisition
        files = _open(Path(self.path))
        outputs: dict[str, str] = {}
        extras = Extras()

        def text(name: str) -> str | None:
            data = files(name)
            return None if data is None else data.decode("utf-8", errors="replace")

        def note(found: bool, key: str, what: str) -> None:
            (self.info.add_checked if found else self.info.add_not_checked)(CheckNote.of(key, what))

        packages_json = text("packages.json")
        if packages_json is not None:
            extras.packages = _packages(_json(packages_json, "packages.json", ctx.warn), ctx.warn)
        note(packages_json is not None, "androidqf.packages", "the list of installed apps (packages.json)")

        dumpsys = text("dumpsys.txt")
        if dumpsys is not None:
            for service, body in split_dumpsys(dumpsys).items():
                if service in _SERVICES:
                    outputs[_SERVICES[service]] = body
        note(dumpsys is not None, "androidqf.dumpsys",
             "app details, accessibility services, device administrators (dumpsys.txt)")
        from_bugreport = dumpsys is None and bugreport_outputs(Path(self.path), _SERVICES, outputs, self.info, ctx.warn)

        getprop = text("getprop.txt")
        if getprop is not None:
            outputs[cmd.GETPROP.name] = getprop
        note(getprop is not None or cmd.GETPROP.name in outputs, "androidqf.getprop", "device properties (getprop.txt)")

        settings = [name for name in files.names() if name.startswith("settings_") and name.endswith(".txt")]
        for name in sorted(settings):
            body = text(name) or ""
            namespace = name[len("settings_"):-len(".txt")]
            key = f"settings_{namespace}" if namespace in ("secure", "global", "system") else "settings_other"
            outputs[key] = outputs.get(key, "") + body + "\n"
        note(bool(settings), "androidqf.settings", "settings (settings_*.txt)")

        processes_json = text("processes.json")
        if processes_json is not None:
            extras.processes = load_processes_json(processes_json)
        else:
            ps = text("processes.txt") or text("ps.txt")
            if ps is not None:
                outputs[cmd.PROCESSES.name] = ps
        note(processes_json is not None or cmd.PROCESSES.name in outputs, "android.processes",
             "running processes")

        files_json = text("files.json")
        if files_json is not None:
            extras.files += _files(_json(files_json, "files.json", ctx.warn), self.info.name)
        root = text("root_binaries.json")
        if root is not None:
            extras.files += _root_binaries(_json(root, "root_binaries.json", ctx.warn), self.info.name)
        note(files_json is not None, "androidqf.files", "file list (files.json)")
        note(root is not None, "androidqf.root-binaries", "root tools (root_binaries.json)")

        if packages_json is None and dumpsys is None and not from_bugreport:
            raise CollectorError(f"{self.path} has neither packages.json nor dumpsys.txt: "
                                 "is it an androidqf acquisition?")
        acquisition = _json(text("acquisition.json") or "{}", "acquisition.json", ctx.warn)
        if isinstance(acquisition, dict):
            for key in ("androidqf_version", "started", "completed"):
                if isinstance(acquisition.get(key), str | int):
                    self.info.details[f"androidqf {key}"] = str(acquisition[key])
        yield from assemble(outputs, self.info, "androidqf", extras=extras)
        yield from backup_links(Path(self.path), self.info, ctx.warn)


class _Files:
    """Named files of an acquisition, from a folder or a zip, each read with a cap."""

    def __init__(self, names: dict[str, str], read: Callable[[str], bytes]) -> None:
        self._names = names  # base name -> member/relative path
        self._read = read

    def names(self) -> list[str]:
        return list(self._names)

    def __call__(self, name: str) -> bytes | None:
        where = self._names.get(name)
        return None if where is None else self._read(where)


def _open(path: Path) -> _Files:
    if path.name.endswith(".age"):
        raise UserError(f"{path} is encrypted with age: decrypt it first (androidqf's key.txt holds the key)")
    if path.is_dir():
        return _folder(path)
    if path.is_file():
        return _zip(path)
    raise UserError(f"{path} does not exist (give an androidqf folder or its .zip)")


def _folder(path: Path) -> _Files:
    root = path
    if not (root / "packages.json").exists() and not (root / "dumpsys.txt").exists():
        # The zip's folder unpacked as <uuid>/ inside the given folder.
        subs = [p for p in root.iterdir() if p.is_dir() and ((p / "packages.json").exists()
                                                             or (p / "dumpsys.txt").exists())]
        if len(subs) == 1:
            root = subs[0]
    names = {p.name: p.name for p in root.iterdir() if p.is_file() and not p.is_symlink()}

    def read(name: str) -> bytes:
        target = root / name
        try:
            if target.stat().st_size > MAX_FILE:
                raise CollectorError(f"{name} is larger than {MAX_FILE // 2**20} MiB; not read")
            return target.read_bytes()
        except OSError as exc:
            raise CollectorError(f"{name} could not be read ({exc.strerror or exc})") from None

    return _Files(names, read)


def _zip(path: Path) -> _Files:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(f"{path} is neither an androidqf folder nor a readable zip ({exc})") from None
    if len(members) > MAX_MEMBERS:
        raise UserError(f"{path} has more than {MAX_MEMBERS} files; not an androidqf acquisition")
    names: dict[str, str] = {}
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.is_dir() or not parts or parts[0] == "/" or ".." in parts or len(parts) > 2:
            continue  # files at the top or in one <uuid>/ folder; nothing that climbs out
        names.setdefault(parts[-1], member.filename)

    def read(name: str) -> bytes:
        try:
            with archive.open(name) as handle:
                data = handle.read(MAX_FILE + 1)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
            raise CollectorError(f"{name} in the zip could not be read ({exc})") from None
        if len(data) > MAX_FILE:
            raise CollectorError(f"{name} is larger than {MAX_FILE // 2**20} MiB; not read")
        return data

    return _Files(names, read)


def _json(text: str, name: str, warn: WarnCallback) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        warn(CheckNote.of("warn.androidqf.not-json", f"{name} is not valid JSON; skipped", file=name))
        return None


def _hex(value: Any, length: int) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip().lower().replace(":", "")
    return value if len(value) == length and set(value) <= _HEX else ""


def _packages(data: Any, warn: WarnCallback) -> list[QfPackage]:
    if not isinstance(data, list):
        if data is not None:
            warn(CheckNote.of("warn.androidqf.packages-not-a-list", "packages.json is not a list of apps; skipped"))
        return []
    out = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            continue
        paths: list[str] = []
        sha256: list[str] = []
        md5: list[str] = []
        sha1: list[str] = []
        cert256: list[str] = []
        for file in item.get("files") or ():
            if not isinstance(file, dict):
                continue
            if isinstance(file.get("path"), str):
                paths.append(file["path"])
            if _hex(file.get("sha256"), 64):
                sha256.append(_hex(file.get("sha256"), 64))
            cert = file.get("certificate")
            if isinstance(cert, dict):
                for target, key, length in ((md5, "Md5", 32), (sha1, "Sha1", 40), (cert256, "Sha256", 64)):
                    value = _hex(cert.get(key), length)
                    if value and value not in target:
                        target.append(value)
        uid = item.get("uid")
        installer = item.get("installer")
        out.append(QfPackage(
            package=item["name"], installer=normalise_installer(installer if isinstance(installer, str) else None),
            uid=uid if isinstance(uid, int) and not isinstance(uid, bool) else None,
            system=item.get("system") is True, disabled=item.get("disabled") is True,
            apk_paths=tuple(paths), apk_sha256=tuple(sha256), cert_md5=tuple(md5), cert_sha1=tuple(sha1),
            cert_sha256=tuple(cert256)))
    return out


def _files(data: Any, source: str) -> list[AndroidFile]:
    if not isinstance(data, list):
        return []
    out = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("path"), str) and item["path"]:
            out.append(AndroidFile("androidqf", source, item["path"], sha256=_hex(item.get("sha256"), 64),
                                   sha1=_hex(item.get("sha1"), 40), md5=_hex(item.get("md5"), 32)))
    return out


def _root_binaries(data: Any, source: str) -> list[AndroidFile]:
    if not isinstance(data, list):
        return []
    return [AndroidFile("androidqf", source, path, note="root binary")
            for path in data if isinstance(path, str) and path]

