"""Report files are written by :func:`exposure.files.write_private`; the name stays importable from here."""

from __future__ import annotations

from exposure.files import write_private as write_private
