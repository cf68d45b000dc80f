"""A folder written by ``exposure scan --android --save DIR`` (kind "android-dump").

The manifest is checked first; a file that was changed or added since the phone was read is
not used (as in a saved iPhone's folder), and it and a removed file are each a warning, their
parts "not checked"; what is left is analysed the same way as a live phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from exposure.collect.android import commands as cmd
from exposure.collect.android.adb import parse_hashes
from exposure.collect.android.phone import APPS_REFUSED, assemble
from exposure.collect.android.recognised import problem_with, unusable_file
from exposure.collect.android.savedump import read_dump
from exposure.collect.base import CollectContext
from exposure.model import Observation, SourceInfo

if TYPE_CHECKING:
    from exposure.model import SourceSpec


def make_collector(spec: SourceSpec) -> DumpCollector:
    return DumpCollector(spec.target)


class DumpCollector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.info = SourceInfo(kind="android-dump", name=path)

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        dump = read_dump(self.path)
        for problem in dump.problems:
            ctx.warn(problem)
        for key in ("serial", "time", "exposure_version"):
            if dump.device.get(key):
                self.info.details[f"saved {key.replace('_', ' ')}"] = dump.device[key]
        for command in cmd.READ_ONLY_COMMANDS:
            text = dump.outputs.get(command.name)
            if text is None:
                continue
            if problem_with(command.name, text):  # saved as the phone printed it, but nothing to read
                ctx.warn(unusable_file(f"{command.name}.txt", command.what))
            else:
                self.info.add_checked(command.note)
        for command in cmd.READ_ONLY_COMMANDS:
            if command.note not in self.info.checked:
                self.info.add_not_checked(command.note)
        hashes = parse_hashes(dump.outputs.get(cmd.HASH_NAME, ""))
        yield from assemble(dump.outputs, self.info, "android-dump", apk_hashes=hashes,
                            source=_serial(dump.device.get("serial", "")) or self.info.name, warn=ctx.warn)
        app_list = f"{cmd.PACKAGES.name}.txt"
        if self.info.partly is not None and any(p.key in _REFUSED and dict(p.params).get("file") == app_list
                                                for p in dump.problems):
            self.info.partly = APPS_REFUSED  # not unreadable: refused, because someone changed it


_REFUSED = frozenset({"warn.android.dump-changed", "warn.android.dump-added"})


def _serial(value: str) -> str:
    """The saved serial, if it looks like one (the file may have been edited)."""
    value = value.strip()
    return value if value and len(value) <= 128 and all(c.isalnum() or c in "._:-" for c in value) else ""
