"""An acquisition made with Amnesty's androidqf: its folder or its zip (kind "androidqf").

Files read (formats.md §5): ``packages.json`` (installer is the string "null" when there
is none; APK hashes and signing certificates when the APKs were pulled), ``dumpsys.txt``
(split into services and read by the same parsers as a live phone), ``getprop.txt``,
``settings_*.txt``, ``processes.json`` / ``processes.txt`` / ``ps.txt``, ``files.json``
and ``root_binaries.json``. A zip is read in place, never extracted; members whose names
climb out of the archive are ignored. An acquisition may have been crafted (a zip bomb,
JSON nested without end, wrong types), so every file is read with a size cap, a zip
member is streamed and refused when it unpacks to far more than a real acquisition holds
(``limits.py``), and a file that cannot be read is a warning: the rest is still checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exposure.collect.android import commands as cmd
from exposure.collect.android.acquisition_files import open_acquisition
from exposure.collect.android.limits import MAX_ACQUISITION_FILE, MAX_ACQUISITION_JSON
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys_bytes
from exposure.collect.android.parsers.packages_list import normalise_installer
from exposure.collect.android.parsers.ps import parse_processes_json
from exposure.collect.android.parsers.settings import parse_settings
from exposure.collect.android.phone import Extras, QfPackage, assemble
from exposure.collect.android.qf_extras import backup_links, bugreport_outputs
from exposure.collect.android.recognised import problem_with, unusable_file
from exposure.collect.base import CheckNote, CollectContext, CollectorError, WarnCallback
from exposure.model import Observation, SourceInfo
from exposure.observations.android import AndroidFile
from exposure.untrusted import InvalidJSON, UntrustedInputError, decode_text, load_json

if TYPE_CHECKING:
    from exposure.model import SourceSpec

_HEX = frozenset("0123456789abcdef")
# dumpsys service -> the live command whose output it is.
_SERVICES = {
    "package": cmd.DUMPSYS_PACKAGE.name, "accessibility": cmd.DUMPSYS_ACCESSIBILITY.name,
    "device_policy": cmd.DUMPSYS_DEVICE_POLICY.name, "connectivity": cmd.DUMPSYS_CONNECTIVITY.name,
    "appops": cmd.DUMPSYS_APPOPS.name, "batterystats": cmd.DUMPSYS_BATTERYSTATS.name,
    "netstats": cmd.DUMPSYS_NETSTATS.name, "input_method": cmd.DUMPSYS_INPUT_METHOD.name,
}

_DUMPSYS_WHAT = "app details, accessibility services, device administrators (dumpsys.txt)"
# The parts of dumpsys.txt that are "checked" lines of their own: (service, key, what).
_DUMPSYS_PARTS = (
    ("package", "androidqf.dumpsys.package", "app details (dumpsys.txt)"),
    ("accessibility", "androidqf.dumpsys.accessibility", "accessibility services (dumpsys.txt)"),
    ("device_policy", "androidqf.dumpsys.device-policy", "device administrators (dumpsys.txt)"),
)


def make_collector(spec: SourceSpec) -> AndroidqfCollector:
    return AndroidqfCollector(spec.target)


class AndroidqfCollector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.info = SourceInfo(kind="androidqf", name=path)

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:  # noqa: C901 - one branch per file of the acquisition
        files = open_acquisition(Path(self.path), ctx.warn)
        outputs: dict[str, str] = {}
        extras = Extras()

        def text(name: str, limit: int = MAX_ACQUISITION_FILE) -> str | None:
            data = files(name, limit)
            return None if data is None else decode_text(data)

        def document(name: str) -> Any:
            """A JSON file, parsed (None when absent or unreadable, with a warning)."""
            body = text(name, MAX_ACQUISITION_JSON)
            return None if body is None else _json(body, name, ctx.warn)

        def note(found: bool, key: str, what: str) -> None:
            (self.info.add_checked if found else self.info.add_not_checked)(CheckNote.of(key, what))

        def unusable(name: str, what: str) -> None:
            ctx.warn(unusable_file(name, what))

        packages = document("packages.json")
        if packages is not None:
            listed_apps = _packages(packages, ctx.warn)  # a warning when it is not a list
            extras.packages = listed_apps if isinstance(packages, list) else None
        note(extras.packages is not None, "androidqf.packages", "the list of installed apps (packages.json)")
        del packages

        # A part of dumpsys.txt is checked only when its section is there and reads as its
        # service's output (a truncated or damaged file must not read as "nothing found").
        dumpsys = files("dumpsys.txt")
        sections = {} if dumpsys is None else split_dumpsys_bytes(dumpsys, _SERVICES)
        for service, section in sections.items():  # only these services are decoded; the rest is dropped
            outputs[_SERVICES[service]] = decode_text(section)
        dumpsys_read = bool(sections)
        if dumpsys is not None and not sections:
            unusable("dumpsys.txt", _DUMPSYS_WHAT)
        del dumpsys
        if dumpsys_read:
            for service, key, what in _DUMPSYS_PARTS:
                usable = service in sections and not problem_with(_SERVICES[service], outputs[_SERVICES[service]])
                if service in sections and not usable:
                    unusable("dumpsys.txt", what)
                note(usable, key, what)
        else:
            note(False, "androidqf.dumpsys", _DUMPSYS_WHAT)
        from_bugreport = not dumpsys_read and bugreport_outputs(Path(self.path), _SERVICES, outputs, self.info,
                                                                ctx.warn)

        getprop = text("getprop.txt")
        if getprop is not None and problem_with(cmd.GETPROP.name, getprop):  # not one "[key]: [value]" line
            unusable("getprop.txt", "device properties (getprop.txt)")
        elif getprop is not None:
            outputs[cmd.GETPROP.name] = getprop
        note(cmd.GETPROP.name in outputs, "androidqf.getprop", "device properties (getprop.txt)")

        settings = [name for name in files.names() if name.startswith("settings_") and name.endswith(".txt")]
        parts: dict[str, list[str]] = {}  # joined once: thousands of settings files must not cost n² copies
        for name in sorted(settings):
            namespace = name[len("settings_"):-len(".txt")]
            key = f"settings_{namespace}" if namespace in ("secure", "global", "system") else "settings_other"
            body = text(name)
            if body is not None and not parse_settings(body):  # not one "key=value" line
                unusable(name, "settings (settings_*.txt)")
            elif body is not None:
                parts.setdefault(key, []).append(body + "\n")
        outputs.update({key: "".join(bodies) for key, bodies in parts.items()})
        note(bool(parts), "androidqf.settings", "settings (settings_*.txt)")

        processes = document("processes.json")
        if isinstance(processes, list):
            extras.processes = parse_processes_json(processes)
        else:
            if processes is not None:
                unusable("processes.json", "running processes")
            name = "processes.txt" if files.has("processes.txt") else "ps.txt"
            ps = text(name)
            if ps is not None and problem_with(cmd.PROCESSES.name, ps):  # no header and process line
                unusable(name, "running processes")
            elif ps is not None:
                outputs[cmd.PROCESSES.name] = ps
        note(extras.processes is not None or cmd.PROCESSES.name in outputs, "android.processes",
             "running processes")

        for name, key, what, read in (("files.json", "androidqf.files", "file list (files.json)", _files),
                                       ("root_binaries.json", "androidqf.root-binaries",
                                        "root tools (root_binaries.json)", _root_binaries)):
            listed = document(name)
            if listed is not None and not isinstance(listed, list):
                unusable(name, what)
            elif listed is not None:
                extras.files += read(listed, self.info.name)
            note(isinstance(listed, list), key, what)

        if extras.packages is None and not dumpsys_read and not from_bugreport:
            if files.has("packages.json") or files.has("dumpsys.txt"):
                raise CollectorError(f"{self.path}: neither packages.json nor dumpsys.txt could be read (see the "
                                     "problems listed), so none of its apps were checked",
                                     key="error.androidqf.unreadable", path=self.path)
            raise CollectorError(f"{self.path} has neither packages.json nor dumpsys.txt: "
                                 "is it an androidqf acquisition?", key="error.androidqf.not-an-acquisition",
                                 path=self.path)
        acquisition = document("acquisition.json")
        if isinstance(acquisition, dict):
            for key in ("androidqf_version", "started", "completed"):
                if isinstance(acquisition.get(key), str | int):
                    self.info.details[f"androidqf {key}"] = str(acquisition[key])
        yield from assemble(outputs, self.info, "androidqf", extras=extras)
        yield from backup_links(Path(self.path), self.info, ctx.warn)


def _json(text: str, name: str, warn: WarnCallback) -> Any:
    try:
        return load_json(text)
    except InvalidJSON:
        warn(CheckNote.of("warn.androidqf.not-json", f"{name} is not valid JSON; skipped", file=name))
    except UntrustedInputError as exc:
        warn(CheckNote.of("warn.androidqf.json-refused", f"{name} was not read: {exc}", file=name, problem=exc))
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
        files = item.get("files")
        for file in files if isinstance(files, list) else ():
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

