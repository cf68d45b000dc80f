"""A phone connected over USB, read through the ``adb`` program (kind "android").

Only the read-only commands in ``commands.py`` are run, each with a timeout. A command
that fails becomes a warning and a "not checked" line; the rest of the check goes on.
With ``--save DIR`` every raw output is kept (see ``savedump.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.android import apkcert
from exposure.collect.android import commands as cmd
from exposure.collect.android.devices import Device, choose, parse_devices
from exposure.collect.android.limits import (
    APK_TIMEOUT,
    DEVICES_TIMEOUT,
    HASH_TIMEOUT,
    MAX_APK_BYTES,
    MAX_CERT_APPS,
    MAX_PHONE_OUTPUT,
    MAX_TIMEOUTS,
    PROBE_TIMEOUT,
)
from exposure.collect.android.parsers.dumpsys_package import parse_dumpsys_package
from exposure.collect.android.parsers.lines import lines
from exposure.collect.android.parsers.packages_list import package_ids, parse_packages_list
from exposure.collect.android.phone import assemble
from exposure.collect.android.recognised import problem_with, unusable_note
from exposure.collect.android.savedump import prepare_folder, write_dump
from exposure.collect.base import CheckNote, CollectContext, CollectorError, Progress
from exposure.errors import UserError
from exposure.model import Observation, SourceInfo
from exposure.observations.android import installed_outside_store
from exposure.untrusted import shortened

if TYPE_CHECKING:
    from exposure.model import SourceSpec

NO_ADB = ("the program adb was not found: install the Debian/Ubuntu package adb; on macOS run "
          "`brew install android-platform-tools`; on Windows download Google's SDK Platform-Tools "
          "and add its folder to PATH")
ADB_BROKEN = "adb could not list phones ({reason}); restart it with `adb kill-server` and try again"
ODD_SERIAL = ("adb lists a phone whose serial {serial} has characters exposure does not pass on to adb; "
              "unplug the other phones and devices, or check it with adb yourself")
STOPPED = ("the phone stopped answering (no answer to {what}), so none of its apps could be read: "
           "unplug and replug the cable, unlock the phone, and run the check again")
_STOPPED_NOTE = CheckNote.of("android.stopped-answering", "everything after the phone stopped answering")

# First lines with which a phone's shell reports a failed command while exiting with 0
# (older phones do not pass exit codes through adb).
_READING_CERTIFICATES = CheckNote.of("android.apk-certificates",
                                     "signing certificates of apps installed from outside a store")
_FAILURE_STARTS = ("Error:", "Exception", "Unknown option", "Can't find service", "/system/bin/sh:",
                   "sh:", "Failure", "java.lang.", "cmd: Can't find service")


def shown_serial(serial: str) -> str:
    """A serial as it may be printed: quoted, with anything a terminal would act on escaped."""
    return f"'{shortened(serial, 80)}'"


def connected_phones() -> list[Device]:
    """The phones adb sees, with their state, for a front end to offer a choice.

    Raises UserError (one line) when adb is missing or cannot list phones.
    """
    adb = shutil.which("adb")
    if adb is None:
        raise UserError(NO_ADB, key="error.android.no-adb")
    try:
        devices = parse_devices(cmd.AdbRunner(adb).run(cmd.DEVICES_ARGS, timeout=DEVICES_TIMEOUT))
    except cmd.CommandFailed as exc:
        raise UserError(ADB_BROKEN.format(reason=exc), key="error.android.adb-broken", reason=exc) from None
    # A serial that is not plain letters and digits is shown escaped (and never read).
    return [d if cmd.is_serial(d.serial) else Device(shown_serial(d.serial), d.state, d.model) for d in devices]


def make_collector(spec: SourceSpec) -> AdbCollector:
    return AdbCollector(serial=spec.target, save=spec.option("save"))


class AdbCollector:
    def __init__(self, serial: str = "", save: str = "") -> None:
        self.serial = serial
        self.save = save
        self.info = SourceInfo(kind="android", name=serial or "Android phone")
        self.commands_run: list[tuple[str, ...]] = []
        self.stopped = ""  # what the phone was asked when it stopped answering
        self.output_read = 0  # characters of output kept so far

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        adb = shutil.which("adb")
        if adb is None:
            raise UserError(NO_ADB, key="error.android.no-adb")
        folder = prepare_folder(self.save) if self.save else None
        if self.serial and not cmd.is_serial(self.serial):
            raise UserError(ODD_SERIAL.format(serial=shown_serial(self.serial)), key="error.android.odd-serial",
                            serial=shown_serial(self.serial))
        device = choose(connected_phones(), self.serial)
        if not cmd.is_serial(device.serial):
            raise UserError(ODD_SERIAL.format(serial=device.serial), key="error.android.odd-serial",
                            serial=device.serial)
        self.info.name = device.serial
        runner = cmd.AdbRunner(adb, device.serial)
        outputs = self._read_all(runner, ctx)
        if ctx.cancel.is_set():
            return
        if self.stopped and not (outputs.get(cmd.PACKAGES.name) or outputs.get(cmd.PACKAGES_NO_INSTALLER.name)
                                 or outputs.get(cmd.DUMPSYS_PACKAGE.name)):
            if folder is not None:
                self._save(folder, device.serial, outputs, "", "")
            raise CollectorError(STOPPED.format(what=self.stopped), key="error.android.stopped-answering",
                                 what=self.stopped)
        hashes_text, hashes = self._hash_apks(runner, outputs, ctx) if not self.stopped else ("", {})
        if hashes_text:
            outputs[cmd.HASH_NAME] = hashes_text
        certs_text = self._apk_certificates(runner, outputs, ctx) if not self.stopped else ""
        # (after a stop, the app-file steps are among "everything after the phone stopped answering")
        if certs_text:
            outputs[cmd.CERTS_NAME] = certs_text
        if folder is not None:
            self._save(folder, device.serial, outputs, hashes_text, certs_text)
        yield from assemble(outputs, self.info, "android", apk_hashes=hashes, warn=ctx.warn)
        if device.model and "model" not in self.info.details:
            self.info.details["model"] = device.model.replace("_", " ")  # from adb when getprop failed

    def _save(self, folder: Path, serial: str, outputs: dict[str, str], hashes_text: str, certs_text: str) -> None:
        write_dump(folder, serial, outputs,
                   {c.name: " ".join(c.args) for c in cmd.READ_ONLY_COMMANDS if c.name in outputs}
                   | ({cmd.HASH_NAME: "shell sha256sum <apk paths>"} if hashes_text else {})
                   | ({cmd.CERTS_NAME: "exec-out cat <apk path>, certificates only"} if certs_text else {}))
        self.info.details["saved to"] = str(folder)

    def _read_all(self, runner: cmd.AdbRunner, ctx: CollectContext) -> dict[str, str]:
        outputs: dict[str, str] = {}
        skip: set[str] = set()
        steps = [c for c in cmd.READ_ONLY_COMMANDS]
        timeouts = 0
        for i, command in enumerate(steps):
            if ctx.cancel.is_set():
                break
            if command.name in skip:
                continue
            if self.stopped:
                self.info.add_not_checked(command.note)
                continue
            ctx.progress(Progress(self.info.name, f"reading {command.what}", fraction=i / len(steps),
                                  reading=command.note))
            text, problem, no_answer = self._run(runner, command)
            if no_answer:
                timeouts += 1
                if timeouts >= MAX_TIMEOUTS or not self._still_answers(runner):
                    self._stop(ctx, command.what, command.note)
                    continue
            if command is cmd.PACKAGES and (problem or "package:" not in text):
                continue  # the phone rejected -i: the next command asks without it
            if command is cmd.PROCESSES and not problem and len(text.strip()[:100_000].splitlines()) <= 1:
                continue  # Android before 8: plain ps lists everything
            if problem:
                ctx.warn(CheckNote.of("warn.android.command-failed", f"could not read {command.what}: {problem}",
                                      what=command.what, problem=problem))
                self.info.add_not_checked(command.note)
                continue
            outputs[command.name] = text  # kept (and saved) as the phone printed it, even when unusable
            unusable = problem_with(command.name, text)
            if unusable:
                ctx.warn(unusable_note(unusable, command.what))
                self.info.add_not_checked(command.note)
            else:
                self.info.add_checked(command.note)
            if command is cmd.PACKAGES:
                skip.add(cmd.PACKAGES_NO_INSTALLER.name)
            if command is cmd.PROCESSES:
                skip.add(cmd.PROCESSES_OLD.name)
        return outputs

    def _stop(self, ctx: CollectContext, what: str, note: CheckNote | None = None) -> None:
        """The phone stopped answering while it was asked for ``what``: nothing more is asked."""
        self.stopped = what
        ctx.warn(CheckNote.of("warn.android.stopped-answering",
                              f"the phone stopped answering while exposure read {what}; what comes after"
                              " was not read (unplug and replug the cable, unlock the phone, and check again)",
                              what=what))
        if note is not None:
            self.info.add_not_checked(note)
        self.info.add_not_checked(_STOPPED_NOTE)

    def _still_answers(self, runner: cmd.AdbRunner) -> bool:
        """Whether the phone answers a short question after a command timed out (a long
        dumpsys on a busy phone can time out while the phone is fine)."""
        self.commands_run.append(cmd.GETPROP.args)
        try:
            runner.run(cmd.GETPROP.args, timeout=PROBE_TIMEOUT)
        except cmd.CommandFailed:
            return False
        return True

    def _run(self, runner: cmd.AdbRunner, command: cmd.Command) -> tuple[str, str, bool]:
        """(output, problem, whether the problem is that the command never ended)."""
        self.commands_run.append(command.args)
        try:
            # All outputs of one phone share a budget (MAX_PHONE_OUTPUT), besides each one's cap.
            text = runner.command(command, max(0, MAX_PHONE_OUTPUT - self.output_read))
            self.output_read += len(text)
        except cmd.NoAnswer as exc:
            return "", str(exc), True
        except cmd.CommandFailed as exc:
            return "", str(exc), False
        first = next((line.strip() for line in text[:4096].splitlines() if line.strip()), "")
        if first.startswith(_FAILURE_STARTS):
            return "", first[:200], False
        return text, "", False

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
                texts.append(runner.run(args, timeout=HASH_TIMEOUT, partial=True))
            except cmd.NoAnswer:
                self._stop(ctx, "fingerprints (sha256) of app files")
                failed = True
                break
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
        found: list[str] = []
        skipped = 0
        for path in wanted[:MAX_CERT_APPS]:
            if ctx.cancel.is_set():
                break
            args = (*cmd.PULL_PREFIX, path)
            self.commands_run.append(args)
            ctx.progress(Progress(self.info.name, "reading the signing certificates of apps from outside a store",
                                  reading=_READING_CERTIFICATES))
            try:
                data = runner.read_bytes(args, timeout=APK_TIMEOUT, cap=MAX_APK_BYTES)
                if data is None:
                    skipped += 1
                    continue
                for der in apkcert.certificates(data):
                    h = apkcert.CertHashes.of(der)
                    found.append(f"{path}\t{h.sha256}\t{h.sha1}\t{h.md5}\n")
            except cmd.NoAnswer:
                self._stop(ctx, "the signing certificates of apps")
                skipped += len(wanted[:MAX_CERT_APPS]) - wanted.index(path)
                break
            except (cmd.CommandFailed, apkcert.NotAnApk):
                skipped += 1
        skipped += max(0, len(wanted) - MAX_CERT_APPS)
        if skipped:
            self.info.add_not_checked(CheckNote.of(
                "android.apk-certificates.skipped",
                "apps from outside a store whose signing certificates were not read (too large, too many or "
                f"unreadable): {skipped}",
                count=skipped))
        if wanted and skipped < len(wanted):
            self.info.add_checked(CheckNote.of("android.apk-certificates",
                                               "signing certificates of apps installed from outside a store"))
        return "".join(found)


def parse_hashes(text: str) -> dict[str, str]:
    """``sha256sum`` output (``<hex>  <path>``) as {path: hex}."""
    out: dict[str, str] = {}
    for line in lines(text):
        digest, _, path = line.strip().partition(" ")
        path = path.strip().lstrip("*")
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest.lower()) and path:
            out[path] = digest.lower()
    return out
