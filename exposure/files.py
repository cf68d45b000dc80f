"""Writing private files (reports, saved phone data) safely: checked before any work,
readable by the owner only, written whole or not at all, never clobbering.

``check_targets`` runs before a scan starts (a 15-minute capture must not be lost at the
end to a typo in ``--html``): each problem is one line saying what is wrong and what to
do. ``write_private`` writes into a hidden temporary file beside the target and then
links it into place: the link fails if the name exists, so two writers racing cannot
both write without ``--force``. A signal that unwinds the program (Ctrl-C; SIGTERM in
the command line) removes the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from exposure.errors import UserError

STDOUT = "-"  # as a report path: write the report to standard output


def _exists(path: Path) -> UserError:
    return UserError(f"{path} already exists; choose another name or add --force to replace it",
                     key="error.report.exists", path=path)


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def check_target(path: Path, force: bool = False) -> None:
    """Raise UserError (one line) unless a report can be written at ``path``."""
    path = Path(path)
    try:
        if path.is_dir():
            example = path / "report.html"
            raise UserError(f"{path} is a folder: give a file name, for example {example}",
                            key="error.report.is-folder", path=path, example=example)
        if (path.exists() or path.is_symlink()) and not force:
            raise _exists(path)
    except OSError as exc:  # not allowed to look
        raise _cannot_write(_folder_of(path), exc) from None
    folder = _folder_of(path)
    # The nearest part of the path that exists says what is wrong with it.
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing != folder and not existing.is_dir():
        raise UserError(f"{existing} is a file, not a folder; choose a file name in a folder",
                        key="error.report.not-a-folder", path=existing)
    if not folder.exists():
        raise UserError(f"folder {folder} does not exist; create it first or choose another place",
                        key="error.report.no-folder", path=folder)
    if not folder.is_dir():
        raise UserError(f"{folder} is a file, not a folder; choose a file name in a folder",
                        key="error.report.not-a-folder", path=folder)
    try:  # the only sure test that a file can be created there (read-only disks, /proc...)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".exposure-check-", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _cannot_write(folder: Path, exc: OSError) -> UserError:
    problem = exc.strerror or str(exc)
    return UserError(f"cannot write in folder {folder} ({problem}); choose another place",
                     key="error.report.cannot-write", path=folder, problem=problem)


def check_targets(targets: Iterable[str | None], force: bool = False) -> None:
    """Check every report path given (``None`` for a format not asked for) before any
    work: at most one goes to standard output (``-``), no file is named twice."""
    given = [t for t in targets if t]
    if given.count(STDOUT) > 1:
        raise UserError("only one report can go to standard output ('-')", key="error.report.stdout-twice")
    seen: set[str] = set()
    for target in given:
        if target == STDOUT:
            continue
        resolved = os.path.realpath(target)
        if resolved in seen:
            raise UserError(f"{target} is given for two reports; give each report its own file",
                            key="error.report.same-file", path=target)
        seen.add(resolved)
        check_target(Path(target), force)


def write_private(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` with mode 0600, whole or not at all.

    An existing file is only replaced when ``force`` is true; without it, a file that
    appears meanwhile (another writer) is never overwritten.
    """
    path = Path(path)
    check_target(path, force)
    folder = _folder_of(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, path)
        else:
            _link_new(Path(tmp), path, data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _link_new(tmp: Path, path: Path, data: bytes) -> None:
    """Give ``tmp`` the name ``path`` only if no file has it (atomic: a hard link)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise _cannot_write(_folder_of(path), exc) from None
        _create_new(path, data)  # no hard links here (a FAT-formatted USB stick)
    os.unlink(tmp)


def _create_new(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise _exists(path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
