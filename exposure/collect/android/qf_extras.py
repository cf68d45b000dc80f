"""What an androidqf acquisition's ``bugreport.zip`` and ``backup.ab`` add (issue 15).

``androidqf.py`` calls these two functions: :func:`bugreport_outputs` when the acquisition
has no ``dumpsys.txt`` (the same dumpsys sections, and the properties when there is no
``getprop.txt``), and :func:`backup_links` for the web links in the text messages of an
unencrypted backup. A damaged or refused file is a warning and a "not checked" line; the
rest of the acquisition is still read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from exposure.collect.android import commands as cmd
from exposure.collect.android.acquisition_extras import (
    BACKUP,
    BUGREPORT,
    ExtraUnreadable,
    open_seekable,
    open_stream,
)
from exposure.collect.android.backup_ab import MAX_LINKS, NotABackup, read_backup
from exposure.collect.android.bugreport import NotABugreport, read_bugreport
from exposure.collect.base import CheckNote, WarnCallback
from exposure.model import SourceInfo
from exposure.observations.android import AndroidSmsLink

READ_BUGREPORT = CheckNote.of("androidqf.bugreport", "app details, permissions and app activity (bugreport.zip)")
READ_BACKUP = CheckNote.of("androidqf.backup", "links in text messages (backup.ab)")
BACKUP_ENCRYPTED = CheckNote.of("androidqf.backup-encrypted",
                                "links in text messages (backup.ab is protected by a password)")


def _unreadable(warn: WarnCallback, name: str, problem: str) -> None:
    warn(CheckNote.of("warn.androidqf.extra-unreadable", f"{name} could not be read: {problem}", file=name,
                      problem=problem))


def bugreport_outputs(acquisition: Path, services: Mapping[str, str], outputs: dict[str, str], info: SourceInfo,
                      warn: WarnCallback) -> bool:
    """Add the bug report's services (and properties, when missing) to ``outputs``; whether
    one was read."""
    try:
        with open_seekable(acquisition, BUGREPORT) as handle:
            if handle is None:
                return False
            report = read_bugreport(handle, services)
    except (ExtraUnreadable, NotABugreport) as exc:
        _unreadable(warn, BUGREPORT, str(exc))
        info.add_not_checked(READ_BUGREPORT)
        return False
    for problem in report.problems:
        _unreadable(warn, BUGREPORT, problem)
    for name, text in report.outputs.items():
        outputs.setdefault(name, text)
    if report.getprop and cmd.GETPROP.name not in outputs:
        outputs[cmd.GETPROP.name] = report.getprop
    info.add_checked(READ_BUGREPORT)
    info.details["bug report"] = report.name
    return True


def backup_links(acquisition: Path, info: SourceInfo, warn: WarnCallback) -> Iterator[AndroidSmsLink]:
    """The web links in the text messages of ``backup.ab`` (none when there is no backup)."""
    try:
        with open_stream(acquisition, BACKUP) as handle:
            if handle is None:
                return
            contents = read_backup(handle)
    except (ExtraUnreadable, NotABackup) as exc:
        _unreadable(warn, BACKUP, str(exc))
        info.add_not_checked(READ_BACKUP)
        return
    if contents.encrypted:
        info.add_not_checked(BACKUP_ENCRYPTED)
        return
    for problem in contents.problems:
        _unreadable(warn, BACKUP, problem)
    if contents.links_cut:
        warn(CheckNote.of("warn.androidqf.links-cut", f"the text messages of {BACKUP} held more than {MAX_LINKS} "
                          f"different links: {contents.links_cut} links after those were not compared with the lists",
                          file=BACKUP, links=MAX_LINKS, count=contents.links_cut))
    info.add_checked(READ_BACKUP)
    info.counts["messages"] = contents.messages
    info.counts["links"] = len(contents.links)
    for link in contents.links:
        yield AndroidSmsLink("androidqf", info.name, link.url, link.host,
                             sent_time=link.sent.isoformat(timespec="seconds") if link.sent else "",
                             first_seen=link.sent)
