"""A phone connected over USB, read through the ``adb`` program (kind "android").

Only the read-only commands in ``commands.py`` are run, each with a timeout. A command
that fails becomes a warning and a "not checked" line; the rest of the check goes on.
With ``--save DIR`` every raw output is kept (see ``savedump.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

from exposure.collect.android import apkcert
from exposure.collect.android import commands as cmd
from exposure.collect.android.devices import Device, choose, parse_devices
from exposure.collect.android.parsers.dumpsys_package import parse_dumpsys_package
from exposure.collect.android.parsers.packages_list import package_ids, parse_packages_list
from exposure.collect.android.phone import assemble
from exposure.collect.android.savedump import prepare_folder, write_dump
from exposure.collect.base import CheckNote, CollectContext, Progress
from exposure.errors import UserError
from exposure.model import Observation, SourceInfo
from exposure.observations.android import installed_outside_store

if TYPE_CHECKING:
    from exposure.model import SourceSpec

NO_ADB = ("the program adb was not found: install the Debian/Ubuntu package adb; on macOS run "
          "`brew install android-platform-tools`; on Windows download Google's SDK Platform-Tools "
          "and add its folder to PATH")
# Signing certificates are read from at most this many APKs of apps from outside a store,
# each at most this large (stalkerware APKs are a few MiB).
MAX_CERT_APPS = 25
MAX_APK_BYTES = 150 * 1024 * 1024
ADB_BROKEN = "adb could not list phones ({reason}); restart it with `adb kill-server` and try again"

# First lines with which a phone's shell reports a failed command while exiting with 0
# (older phones do not pass exit codes through adb).
_READING_CERTIFICATES = CheckNote.of("android.apk-certificates",
                                     "signing certificates of apps installed from outside a store")
_FAILURE_STARTS = ("Error:", "Exception", "Unknown option", "Can't find service", "/system/bin/sh:",
                   "sh:", "Failure", "java.lang.", "cmd: Can't find service")


def connected_phones() -> list[Device]:
    """The phones adb sees, with their state, for a front end to offer a choice.

    Raises UserError (one line) when adb is missing or cannot list phones.
    """
    adb = shutil.which("adb")
    if adb is None:
        raise UserError(NO_ADB, key="error.android.no-adb")
    try:
        return parse_devices(cmd.AdbRunner(adb).run(cmd.DEVICES_ARGS, timeout=30))
    except cmd.CommandFailed as exc:
        raise UserError(ADB_BROKEN.format(reason=exc), key="error.android.adb-broken", reason=exc) from None


def make_collector(spec: SourceSpec) -> AdbCollector:
    return AdbCollector(serial=spec.target, save=spec.option("save"))


class AdbCollector:
    def __init__(self, serial: str = "", save: str = "") -> None:
        self.serial = serial
        self.save = save
        self.info = SourceInfo(kind="android", name=serial or "Android phone")
        self.commands_run: list[tuple[str, ...]] = []

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        adb = shutil.which("adb")
        if adb is None:
            raise UserError(NO_ADB, key="error.android.no-adb")
        folder = prepare_folder(self.save) if self.save else None
        device = choose(connected_phones(), self.serial)
        self.info.name = device.serial
        runner = cmd.AdbRunner(adb, device.serial)
        outputs = self._read_all(runner, ctx)
        if ctx.cancel.is_set():
            return
        hashes_text, hashes = self._hash_apks(runner, outputs, ctx)
        if hashes_text:
            outputs[cmd.HASH_NAME] = hashes_text
        certs_text = self._apk_certificates(runner, outputs, ctx)
        if certs_text:
            outputs[cmd.CERTS_NAME] = certs_text
        if folder is not None:
            write_dump(folder, device.serial, outputs,
                       {c.name: " ".join(c.args) for c in cmd.READ_ONLY_COMMANDS if c.name in outputs}
                       | ({cmd.HASH_NAME: "shell sha256sum <apk paths>"} if hashes_text else {})
                       | ({cmd.CERTS_NAME: "exec-out cat <apk path>, certificates only"} if certs_text else {}))
            self.info.details["saved to"] = str(folder)
        yield from assemble(outputs, self.info, "android", apk_hashes=hashes)
        if device.model and "model" not in self.info.details:
            self.info.details["model"] = device.model.replace("_", " ")  # from adb when getprop failed

    def _read_all(self, runner: cmd.AdbRunner, ctx: CollectContext) -> dict[str, str]:
        outputs: dict[str, str] = {}
        skip: set[str] = set()
        steps = [c for c in cmd.READ_ONLY_COMMANDS]
        for i, command in enumerate(steps):
            if ctx.cancel.is_set():
                break
            if command.name in skip:
                continue
            ctx.progress(Progress(self.info.name, f"reading {command.what}", fraction=i / len(steps),
                                  reading=command.note))
            text, problem = self._run(runner, command)
            if command is cmd.PACKAGES and (problem or "package:" not in text):
                continue  # the phone rejected -i: the next command asks without it
            if command is cmd.PROCESSES and not problem and len(text.strip().splitlines()) <= 1:
                continue  # Android before 8: plain ps lists everything
            if problem:
                ctx.warn(CheckNote.of("warn.android.command-failed", f"could not read {command.what}: {problem}",
                                      what=command.what, problem=problem))
                self.info.add_not_checked(command.note)
                continue
            outputs[command.name] = text
            self.info.add_checked(command.note)
            if command is cmd.PACKAGES:
                skip.add(cmd.PACKAGES_NO_INSTALLER.name)
            if command is cmd.PROCESSES:
                skip.add(cmd.PROCESSES_OLD.name)
        return outputs

    def _run(self, runner: cmd.AdbRunner, command: cmd.Command) -> tuple[str, str]:
        self.commands_run.append(command.args)
        try:
            text = runner.command(command)
        except cmd.CommandFailed as exc:
            return "", str(exc)
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if first.startswith(_FAILURE_STARTS):
            return "", first[:200]
        return text, ""

    def _hash_apks(self, runner: cmd.AdbRunner, outputs: dict[str, str],
                   ctx: CollectContext) -> tuple[str, dict[str, str]]:
        """sha256 of third-party apps' APK files, read on the phone (nothing is copied)."""
        listing = outputs.get(cmd.PACKAGES.name) or outputs.get(cmd.PACKAGES_NO_INSTALLER.name, "")
        system = package_ids(outputs.get(cmd.SYSTEM_PACKAGES.name, ""))
        paths = [p.apk_path for p in parse_packages_list(listing)
                 if p.package not in system and cmd.is_hashable_apk_path(p.apk_path)]
        texts: list[str] = []
        failed = False
        for start in range(0, len(paths), cmd.HASH_BATCH):
            if ctx.cancel.is_set():
                break
            batch = paths[start:start + cmd.HASH_BATCH]
            args = (*cmd.HASH_PREFIX, *batch)
            self.commands_run.append(args)
            try:
                # A file that cannot be read fails the command; the others still print.
                texts.append(runner.run(args, timeout=120, partial=True))
            except cmd.CommandFailed as exc:
                if not failed:
                    ctx.warn(CheckNote.of("warn.android.apk-hashes-failed",
                                          f"could not compute the fingerprints (sha256) of app files: {exc}",
                                          problem=exc))
                    self.info.add_not_checked(CheckNote.of("android.apk-hashes.some",
                                                            "fingerprints (sha256) of some app files"))
                failed = True
        text = "".join(texts)
        if paths and not failed:
            self.info.add_checked(CheckNote.of("android.apk-hashes", "fingerprints (sha256) of third-party app files"))
        return text, parse_hashes(text)


    def _apk_certificates(self, runner: cmd.AdbRunner, outputs: dict[str, str], ctx: CollectContext) -> str:
        """Signing certificates of the apps installed from outside a store, read from their
        APK files (the file is read into memory, fingerprinted, and dropped)."""
        listing = outputs.get(cmd.PACKAGES.name) or outputs.get(cmd.PACKAGES_NO_INSTALLER.name, "")
        system = package_ids(outputs.get(cmd.SYSTEM_PACKAGES.name, ""))
        dumped = parse_dumpsys_package(outputs.get(cmd.DUMPSYS_PACKAGE.name, "")) if listing else {}
        wanted = []
        for p in parse_packages_list(listing):
            installer = p.installer if p.installer is not None else (getattr(dumped.get(p.package), "installer", "")
                                                                     or "")
            if installed_outside_store(installer, p.package in system) and cmd.is_hashable_apk_path(p.apk_path):
                wanted.append(p.apk_path)
        lines: list[str] = []
        skipped = 0
        for path in wanted[:MAX_CERT_APPS]:
            if ctx.cancel.is_set():
                break
            args = (*cmd.PULL_PREFIX, path)
            self.commands_run.append(args)
            ctx.progress(Progress(self.info.name, "reading the signing certificates of apps from outside a store",
                                  reading=_READING_CERTIFICATES))
            try:
                data = runner.read_bytes(args, timeout=120, cap=MAX_APK_BYTES)
                if data is None:
                    skipped += 1
                    continue
                for der in apkcert.certificates(data):
                    h = apkcert.CertHashes.of(der)
                    lines.append(f"{path}\t{h.sha256}\t{h.sha1}\t{h.md5}\n")
            except (cmd.CommandFailed, apkcert.NotAnApk):
                skipped += 1
        skipped += max(0, len(wanted) - MAX_CERT_APPS)
        if skipped:
            self.info.add_not_checked(CheckNote.of(
                "android.apk-certificates.skipped",
                f"signing certificates of {skipped} app(s) from outside a store (too large, too many or unreadable)",
                count=skipped))
        if wanted and skipped < len(wanted):
            self.info.add_checked(CheckNote.of("android.apk-certificates",
                                               "signing certificates of apps installed from outside a store"))
        return "".join(lines)


def parse_hashes(text: str) -> dict[str, str]:
    """``sha256sum`` output (``<hex>  <path>``) as {path: hex}."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        digest, _, path = line.strip().partition(" ")
        path = path.strip().lstrip("*")
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest.lower()) and path:
            out[path] = digest.lower()
    return out
