"""Errors meant for the person at the keyboard: one plain line, exit code 2, no traceback."""


class UserError(Exception):
    """A problem the user can fix (a bad file, a missing program). ``str()`` is the message."""

    exit_code = 2
