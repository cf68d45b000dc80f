"""Whether a phone's output is what its command prints, so that a part is called "checked"
only when its parser found what it reads.

A command can exit with 0 and print nothing (a phone that cut the answer), a truncated or
damaged acquisition file can hold garbage: both would parse to "nothing there" and read as
"checked, nothing found". Each output is recognised here by what every real output of its
command holds, never by what it lists: a phone with no accessibility service on still
prints the accessibility manager's state (spytrap-adb's recorded ``plain.txt``), a phone
without device administrators the policy manager's, and those ARE checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from exposure.collect.android import commands as cmd
from exposure.collect.android.parsers.getprop import parse_getprop
from exposure.collect.android.parsers.ps import parse_ps
from exposure.collect.android.parsers.settings import parse_settings
from exposure.model import CheckNote

# What each dumpsys service prints whatever the phone holds (AOSP's dump methods; Samsung's
# lower-case accessibility blocks).
_MARKERS: dict[str, re.Pattern[str]] = {
    cmd.DUMPSYS_ACCESSIBILITY.name: re.compile(r"ACCESSIBILITY MANAGER|User state\[|[Ee]nabled services:"),
    cmd.DUMPSYS_DEVICE_POLICY.name: re.compile(r"Device Policy Manager|Enabled Device Admins|mHasFeature="),
    cmd.DUMPSYS_PACKAGE.name: re.compile(r"^\s*Package \[|^Packages:", re.MULTILINE),
}

_PARSED: dict[str, Callable[[str], object]] = {
    cmd.GETPROP.name: parse_getprop,  # at least one "[key]: [value]" line
    cmd.SETTINGS_SECURE.name: parse_settings, cmd.SETTINGS_GLOBAL.name: parse_settings,  # one "key=value"
    cmd.PROCESSES.name: parse_ps, cmd.PROCESSES_OLD.name: parse_ps,  # a header and one process
}
# Outputs that may rightly be empty: no app switched off; the app lists (an empty one makes
# the phone "not checked" or "partly checked", phone.py).
_MAY_BE_EMPTY = frozenset({cmd.DISABLED_PACKAGES.name, cmd.PACKAGES.name, cmd.PACKAGES_NO_INSTALLER.name})

EMPTY = "empty"
UNRECOGNISED = "unrecognised"


def problem_with(name: str, text: str) -> str:
    """"" when ``text`` can be the output of the command ``name``; EMPTY or UNRECOGNISED when not."""
    if name in _MAY_BE_EMPTY:
        return ""
    if not text.strip():
        return EMPTY
    marker = _MARKERS.get(name)
    if marker is not None and not marker.search(text):
        return UNRECOGNISED
    parse = _PARSED.get(name)
    if parse is not None and not parse(text):
        return UNRECOGNISED
    return ""


def unusable_note(problem: str, what: str) -> CheckNote:
    """The warning for a phone's output that ``problem_with`` did not recognise."""
    if problem == EMPTY:
        return CheckNote.of("warn.android.output-empty", f"{what}: the phone's answer was empty; not checked",
                            what=what)
    return CheckNote.of("warn.android.output-unrecognised", f"{what}: the phone's answer is not what this command "
                        "prints (cut short or damaged); not checked", what=what)


def unusable_file(file: str, what: str) -> CheckNote:
    """The warning for a saved or acquired file that holds nothing its parser reads."""
    return CheckNote.of("warn.android.file-unusable", f"{file} holds nothing exposure can read as {what}; not checked",
                        file=file, what=what)
