"""Errors meant for the person at the keyboard: one plain line, exit code 2, no traceback.

Anything else that stops exposure is a bug in exposure: the command line says so in one
line and exits with :data:`BUG_EXIT_CODE`; with ``EXPOSURE_DEBUG=1`` it prints the traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

BUG_EXIT_CODE = 70  # EX_SOFTWARE in BSD's sysexits.h: an internal error
DEBUG_VARIABLE = "EXPOSURE_DEBUG"


class UserError(Exception):
    """A problem the user can fix (a bad file, a missing program). ``str()`` is the message.

    ``key`` and ``params``, when given, say the same in any language: the key has texts in
    ``exposure/explain/warnings.yaml`` and the params fill its placeholders (anything read
    from a file or a device goes only there). Front ends show it with
    ``exposure.explain.texts.error_line``; the English message stays the fallback.
    """

    exit_code = 2

    def __init__(self, message: str = "", *, key: str = "", **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params: tuple[tuple[str, str], ...] = tuple((k, str(v)) for k, v in params.items())


class UnknownProfileError(UserError):
    """Profiles were asked for by an id that no bundled profile has."""

    def __init__(self, unknown: Iterable[str], known: Iterable[str]) -> None:
        self.unknown = tuple(sorted(unknown))
        self.known = tuple(sorted(known))
        super().__init__(f"unknown profile: {', '.join(self.unknown)}; the profiles are: {', '.join(self.known)} "
                         "(see 'exposure profiles list')", key="error.profiles.unknown",
                         unknown=", ".join(self.unknown), known=", ".join(self.known))


def debugging() -> bool:
    """True when ``EXPOSURE_DEBUG`` asks for tracebacks (set, and not "" or "0")."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
