"""Where exposure keeps its own files: the user data folder, or ``EXPOSURE_DATA_DIR``.

The data folder holds imported feeds (``feeds/``). ``EXPOSURE_DATA_DIR`` overrides the
platform's user data folder, for tests and for trainers who carry feeds on a USB stick.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "EXPOSURE_DATA_DIR"


def data_dir() -> Path:
    """The data folder (not created here: readers must cope with it missing)."""
    override = os.environ.get(ENV_DATA_DIR, "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("exposure", appauthor=False))


def feeds_dir() -> Path:
    return data_dir() / "feeds"
