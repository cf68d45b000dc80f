"""Every adb command exposure runs on a phone, in one place, and the runner that refuses
anything else.

All of them only read: package lists, ``dumpsys`` state, settings, properties, the process
list, and hashes of installed app files. Nothing here installs, uninstalls, disables,
changes a setting or writes on the phone. A command is identified by its ``name``, which
is also the file name its output gets in a saved dump.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from exposure.collect.android.limits import (
    DUMPSYS_PACKAGE_TIMEOUT,
    IDLE_TIMEOUT,
    LIST_TIMEOUT,
    MAX_LARGE_OUTPUT,
    MAX_OUTPUT,
    SHORT_TIMEOUT,
    SLOW_TIMEOUT,
)
from exposure.collect.base import CheckNote
from exposure.collect.bounded import Completed, run_bounded
from exposure.untrusted import decode_text, describe_size


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # file stem in a saved dump
    args: tuple[str, ...]  # after ``adb -s SERIAL``
    timeout: float = SHORT_TIMEOUT
    what: str = ""  # what it reads, in English words, for "(not) checked" lines
    check: str = ""  # its key in exposure/explain/checks.yaml (commands that read the same thing share one)
    max_output: int = MAX_OUTPUT  # bytes; a phone that prints more is not read

    @property
    def note(self) -> CheckNote:
        return CheckNote(self.check, (), self.what)


PACKAGES = Command("pm_list_packages", ("shell", "pm", "list", "packages", "-f", "-i", "-U", "-u"),
                   LIST_TIMEOUT, "the list of installed apps", "android.packages")
# Some phones reject -i; androidqf falls back the same way.
PACKAGES_NO_INSTALLER = Command("pm_list_packages_noinstaller",
                                ("shell", "pm", "list", "packages", "-f", "-U", "-u"), LIST_TIMEOUT,
                                "the list of installed apps", "android.packages")
SYSTEM_PACKAGES = Command("pm_list_packages_system", ("shell", "pm", "list", "packages", "-s"), LIST_TIMEOUT,
                          "which apps are part of the system", "android.system-packages")
DISABLED_PACKAGES = Command("pm_list_packages_disabled", ("shell", "pm", "list", "packages", "-d"), LIST_TIMEOUT,
                            "which apps are switched off", "android.disabled-packages")
DUMPSYS_PACKAGE = Command("dumpsys_package", ("shell", "dumpsys", "package"), DUMPSYS_PACKAGE_TIMEOUT,
                          "app details (versions, permissions, install dates)", "android.package-details",
                          MAX_LARGE_OUTPUT)
DUMPSYS_ACCESSIBILITY = Command("dumpsys_accessibility", ("shell", "dumpsys", "accessibility"), LIST_TIMEOUT,
                                "accessibility services", "android.accessibility")
DUMPSYS_DEVICE_POLICY = Command("dumpsys_device_policy", ("shell", "dumpsys", "device_policy"), LIST_TIMEOUT,
                                "device administrators and device management", "android.device-admins")
DUMPSYS_CONNECTIVITY = Command("dumpsys_connectivity", ("shell", "dumpsys", "connectivity"), LIST_TIMEOUT,
                               "active VPN connections", "android.vpn")
# What apps did (issue 15): the last use of protected operations per app and state, battery
# and network use per app since the last charge / over the kept days, and the keyboards.
# ``--full --uid`` only choose what netstats prints (every bucket, per app); nothing is reset.
DUMPSYS_APPOPS = Command("dumpsys_appops", ("shell", "dumpsys", "appops"), SLOW_TIMEOUT,
                         "when apps used the microphone, camera, location or messages", "android.appops")
DUMPSYS_BATTERYSTATS = Command("dumpsys_batterystats", ("shell", "dumpsys", "batterystats"), DUMPSYS_PACKAGE_TIMEOUT,
                               "battery use per app", "android.batterystats", MAX_LARGE_OUTPUT)
DUMPSYS_NETSTATS = Command("dumpsys_netstats", ("shell", "dumpsys", "netstats", "--full", "--uid"), SLOW_TIMEOUT,
                           "network use per app", "android.netstats", MAX_LARGE_OUTPUT)
DUMPSYS_INPUT_METHOD = Command("dumpsys_input_method", ("shell", "dumpsys", "input_method"), LIST_TIMEOUT,
                               "keyboards", "android.keyboards")
SETTINGS_SECURE = Command("settings_secure", ("shell", "settings", "list", "secure"), SHORT_TIMEOUT,
                          "secure settings (notification readers, always-on VPN)", "android.settings-secure")
SETTINGS_GLOBAL = Command("settings_global", ("shell", "settings", "list", "global"), SHORT_TIMEOUT,
                          "global settings (Play Protect, developer options, USB debugging)",
                          "android.settings-global")
GETPROP = Command("getprop", ("shell", "getprop"), SHORT_TIMEOUT, "device properties (model, Android version)",
                 "android.properties")
PROCESSES = Command("ps", ("shell", "ps", "-A"), SHORT_TIMEOUT, "running processes", "android.processes")
# Android before 8 lists every process with plain ``ps`` and rejects ``-A``.
PROCESSES_OLD = Command("ps_old", ("shell", "ps"), SHORT_TIMEOUT, "running processes", "android.processes")

# The order is the order of collection: cheap and important first.
READ_ONLY_COMMANDS: tuple[Command, ...] = (
    GETPROP, PACKAGES, PACKAGES_NO_INSTALLER, SYSTEM_PACKAGES, DISABLED_PACKAGES, DUMPSYS_PACKAGE,
    DUMPSYS_ACCESSIBILITY, DUMPSYS_DEVICE_POLICY, DUMPSYS_CONNECTIVITY, SETTINGS_SECURE,
    SETTINGS_GLOBAL, PROCESSES, PROCESSES_OLD,
    DUMPSYS_APPOPS, DUMPSYS_INPUT_METHOD, DUMPSYS_NETSTATS, DUMPSYS_BATTERYSTATS,
)

# ``adb devices -l`` runs before a phone is chosen (no ``-s``).
DEVICES_ARGS: tuple[str, ...] = ("devices", "-l")

# ``sha256sum`` of installed APK files: the paths come from the phone, so each must look
# like an app file under /data/app (no shell characters: adb hands the words to a shell).
HASH_PREFIX: tuple[str, ...] = ("shell", "sha256sum")
HASH_NAME = "sha256sum_apks"
HASH_BATCH = 40
_APK_PATH = re.compile(r"^/data/app/[A-Za-z0-9._~=+\-/]+\.apk$")

# Reading one installed APK file (``cat`` through ``exec-out``, binary-safe) to take its
# signing certificates; same path rule. Only for the few apps installed from outside a
# store, capped in number and size (adb.py).
PULL_PREFIX: tuple[str, ...] = ("exec-out", "cat")
CERTS_NAME = "apk_certificates"

_ALLOWED = {c.args: c for c in READ_ONLY_COMMANDS}
_SERIAL = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class CommandRefused(Exception):
    """A command that is not on the read-only list: a bug, never run."""


class CommandFailed(Exception):
    """adb could not run a listed command (timeout, device gone, non-zero exit)."""


class NoAnswer(CommandFailed):
    """The command did not end within its timeout: the phone may have stopped answering."""


class OutputTooLarge(CommandFailed):
    """The command printed more than its cap; nothing of it is used."""


def is_serial(serial: str) -> bool:
    """Whether ``serial`` may be handed to adb (letters, digits, ``._:-``; at most 128)."""
    return bool(_SERIAL.match(serial))


def is_hashable_apk_path(path: str) -> bool:
    return bool(_APK_PATH.match(path)) and ".." not in path


def check_allowed(args: Sequence[str]) -> None:
    """Raise CommandRefused unless ``args`` (after ``-s SERIAL``) is on the read-only list."""
    args = tuple(args)
    if args in _ALLOWED or args == DEVICES_ARGS:
        return
    if args[:len(HASH_PREFIX)] == HASH_PREFIX and len(args) > len(HASH_PREFIX):
        paths = args[len(HASH_PREFIX):]
        if len(paths) <= HASH_BATCH and all(is_hashable_apk_path(p) for p in paths):
            return
    if args[:len(PULL_PREFIX)] == PULL_PREFIX and len(args) == len(PULL_PREFIX) + 1:
        if is_hashable_apk_path(args[-1]):
            return
    raise CommandRefused(f"refusing to run an adb command that is not on the read-only list: {args!r}")


class AdbRunner:
    """Runs allowed adb commands, with a timeout each, and returns their text output."""

    def __init__(self, adb: str, serial: str = "") -> None:
        if serial and not _SERIAL.match(serial):
            raise CommandRefused(f"not a device serial: {serial!r}")
        self.adb = adb
        self.serial = serial

    def run(self, args: Sequence[str], timeout: float = SHORT_TIMEOUT, partial: bool = False,
            max_output: int = MAX_OUTPUT) -> str:
        """The command's output; CommandFailed if it fails (with ``partial``, a failing
        command that still printed something returns what it printed); NoAnswer after
        ``timeout`` seconds (or IDLE_TIMEOUT seconds without a byte), OutputTooLarge past
        ``max_output`` bytes."""
        done = self._run(args, timeout, max_output)
        if done.too_large:
            raise OutputTooLarge(f"the phone printed more than {describe_size(max_output)}; not read")
        if done.timed_out:
            raise NoAnswer(self._silence(done, timeout))
        out = decode_text(done.stdout)
        if done.returncode != 0 and not (partial and out.strip()):
            err = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            raise CommandFailed(err[-1][:200] if err else f"adb exited with code {done.returncode}")
        return out

    def read_bytes(self, args: Sequence[str], timeout: float, cap: int) -> bytes | None:
        """Raw output of an allowed command, or None when it is larger than ``cap`` bytes."""
        done = self._run(args, timeout, cap)
        if done.too_large:
            return None
        if done.timed_out:
            raise NoAnswer(self._silence(done, timeout))
        if done.returncode != 0:
            raise CommandFailed(f"adb exited with code {done.returncode}")
        return bytes(done.stdout)

    @staticmethod
    def _silence(done: Completed, timeout: float) -> str:
        if not done.stdout:
            return f"no answer within {min(timeout, IDLE_TIMEOUT):.0f} s"
        return "the answer stopped before it was complete"

    def _run(self, args: Sequence[str], timeout: float, max_output: int) -> Completed:
        check_allowed(args)
        argv = [self.adb]
        if self.serial and tuple(args) != DEVICES_ARGS:
            argv += ["-s", self.serial]
        argv += list(args)
        try:
            return run_bounded(argv, timeout, max_output, idle_timeout=min(timeout, IDLE_TIMEOUT))
        except OSError as exc:
            raise CommandFailed(f"adb could not be started ({exc.strerror or exc})") from None

    def command(self, command: Command, max_output: int | None = None) -> str:
        """``command``'s output, capped at its own limit (or ``max_output`` when smaller)."""
        cap = command.max_output if max_output is None else min(max_output, command.max_output)
        return self.run(command.args, command.timeout, max_output=cap)
