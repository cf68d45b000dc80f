"""Handing a backup's password from the front end (a terminal prompt, the app's password
field) to the collector, in memory only: never on the command line, in the scan request,
a report or a file. The collector takes it once; it is then gone from here."""

from __future__ import annotations

import threading
from pathlib import Path

from exposure.errors import UserError

MAX_PASSWORD_FILE = 64 * 1024
_given: dict[str, str] = {}
_lock = threading.Lock()


def _key(folder: str | Path) -> str:
    return str(Path(folder).expanduser().resolve())


def give(folder: str | Path, password: str) -> None:
    with _lock:
        _given[_key(folder)] = password


def take(folder: str | Path) -> str | None:
    with _lock:
        return _given.pop(_key(folder), None)


def forget(folder: str | Path) -> None:
    take(folder)


def from_file(path: str | Path) -> str:
    """The password in a file (its first line, without the line end)."""
    source = Path(path)
    try:
        if source.stat().st_size > MAX_PASSWORD_FILE:
            raise UserError(f"{source} is too large to be a password file")
        data = source.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{source}: no such password file") from None
    except IsADirectoryError:
        raise UserError(f"{source} is a folder, not a password file") from None
    except OSError as exc:
        raise UserError(f"{source}: cannot read the password file ({exc.strerror or exc})") from None
    try:
        first = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise UserError(f"{source}: the password file is not UTF-8 text") from None
    if not first or not first[0]:
        raise UserError(f"{source}: the password file is empty")
    return first[0]
