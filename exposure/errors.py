"""Errors meant for the person at the keyboard: one plain line, exit code 2, no traceback."""

from __future__ import annotations


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
