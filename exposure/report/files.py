"""Report files are written by :func:`exposure.files.write_private` (checked first with
:func:`exposure.files.check_targets`); the names stay importable from here."""

from __future__ import annotations

from exposure.files import STDOUT as STDOUT
from exposure.files import check_target as check_target
from exposure.files import check_targets as check_targets
from exposure.files import write_private as write_private
