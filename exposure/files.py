"""Writing private files (reports, saved phone data) safely: atomically, owner-only, never clobbering."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from exposure.errors import UserError


def write_private(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` with mode 0600 via a temporary file and a rename.

    An existing file is only replaced when ``force`` is true.
    """
    path = Path(path)
    if path.exists() and not force:
        raise UserError(f"{path} already exists; choose another name or add --force to replace it")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(f"folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if not force and path.exists():
            raise UserError(f"{path} already exists; choose another name or add --force to replace it")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
