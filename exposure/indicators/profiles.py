"""Threat profiles: the bundled YAML files, loaded once and checked strictly.

Bundled profiles live in ``profiles/`` at the root of a source checkout and are shipped
inside the wheel as ``exposure/_profiles``. Each file is checked by
:mod:`exposure.indicators.profile_schema`; a bundled file that does not pass is a bug in
this package and stops the program with the error lines, never with a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.errors import UserError
from exposure.indicators.datafiles import feed_files, profiles_dir
from exposure.model import Profile
from exposure.untrusted import FileTooLarge, read_regular_file

if TYPE_CHECKING:
    from exposure.indicators.profile_schema import ParsedProfile

# The schema checker (and YAML) is imported only when a profile file is read: a scan with the
# precompiled form current (``precompiled``) never reads one.


class ProfileError(UserError):
    """One or more profile files are invalid; ``lines`` are ``FILE:LINE: message`` lines."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("invalid threat profile:\n" + "\n".join(self.lines))


def bundled_dir() -> Path:
    """Where the bundled profiles are: inside the installed package, else in the checkout."""
    return profiles_dir()


def bundled_files() -> list[Path]:
    return sorted(bundled_dir().glob("*.yaml"))


def load_bundled_profiles() -> list[Profile]:
    """Every bundled profile (threats included from other profiles resolved), by file name."""
    return list(_bundled())


@cache
def _bundled() -> tuple[Profile, ...]:
    from exposure.indicators import precompiled

    files = bundled_files()
    document = precompiled.load(files, feed_files())
    if document is not None:
        return precompiled.profiles_from(document, bundled_dir())
    return read_bundled_profiles(files)


def read_bundled_profiles(files: Sequence[Path]) -> tuple[Profile, ...]:
    """The bundled profiles read and checked from their files (the slow way: see ``precompiled``)."""
    from exposure.indicators.profile_links import check_together

    parsed, errors = _parse_files(files)
    errors += check_together(parsed)
    if errors:
        raise ProfileError(errors)
    return tuple(_resolved(parsed))


def load_profile_file(path: str | Path) -> Profile:
    """One profile file, checked against the bundled ones; raises ProfileError."""
    profiles, errors = validate_files([path])
    if errors:
        raise ProfileError(errors)
    return profiles[0]


def validate_files(paths: Iterable[str | Path]) -> tuple[list[Profile], list[str]]:
    """Check files together and against the bundled profiles: (profiles, error lines)."""
    from exposure.indicators.profile_links import check_together

    parsed, errors = _parse_files([Path(p) for p in paths])
    known = _bundled_for_reference(exclude={os.path.realpath(p.path) for p in parsed})
    errors += check_together(parsed, known)
    if errors:
        return [], errors
    return _resolved(parsed, known), []


def _bundled_for_reference(exclude: set[str]) -> list[Profile]:
    """Bundled profiles that parse on their own (so one broken file does not hide the rest)."""
    try:
        files = [f for f in bundled_files() if os.path.realpath(f) not in exclude]
    except UserError:
        return []
    out = []
    for path in files:
        stat = path.stat()
        found = _parse_bundled_file(str(path), stat.st_mtime_ns, stat.st_size)
        if found is not None:
            out.append(found)
    return out


@cache
def _parse_bundled_file(path: str, mtime_ns: int, size: int) -> Profile | None:
    """A bundled file on its own, cached while the file is unchanged."""
    parsed, _ = _parse_files([Path(path)])
    return parsed[0].profile if parsed else None


def _parse_files(paths: Sequence[Path]) -> tuple[list[ParsedProfile], list[str]]:
    from exposure.indicators.profile_schema import MAX_BYTES, parse_profile

    parsed: list[ParsedProfile] = []
    errors: list[str] = []
    for path in paths:
        try:
            # A regular file only (a named pipe or a device would never end), and a cap.
            text = read_regular_file(path, MAX_BYTES).decode("utf-8")
        except FileTooLarge:
            errors.append(f"{path}:1: too large for a profile (over {MAX_BYTES // (1024 * 1024)} MiB); "
                          "import long lists as a feed instead")
            continue
        except OSError as exc:
            errors.append(f"{path}:1: cannot read the file: {exc.strerror or exc}")
            continue
        except UnicodeDecodeError:
            errors.append(f"{path}:1: not a UTF-8 text file")
            continue
        found, problems = parse_profile(text, str(path))
        errors += problems
        if found is not None:
            parsed.append(found)
    return parsed, errors


def _resolved(parsed: Sequence[ParsedProfile], known: Sequence[Profile] = ()) -> list[Profile]:
    from exposure.indicators.profile_links import resolve_includes

    includes = {p.profile.id: [tid for tid, _ in p.includes] for p in parsed}
    wanted = {p.profile.id for p in parsed}
    # A file with a bundled profile's id (a trainer's adapted copy) stands in for it.
    everything = [k for k in known if k.id not in wanted] + [p.profile for p in parsed]
    return [p for p in resolve_includes(everything, includes) if p.id in wanted]
