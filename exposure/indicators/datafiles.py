"""Where the data shipped with exposure is: the bundled profiles and the bundled feed files.

A leaf module (paths only), so that the readers of profiles, of bundled feeds and of their
precompiled form can all find the same files without importing one another.
"""

from __future__ import annotations

from pathlib import Path

from exposure.errors import UserError

PACKAGE = Path(__file__).resolve().parent.parent  # the exposure package
DATA = Path(__file__).resolve().parent / "data"
FEEDS = DATA / "feeds"
PRECOMPILED = DATA / "precompiled.json"
# public test and platform signing keys: never a finding alone (precedence.py)
SHARED_CERTS = DATA / "shared_certificates.txt"
# The bundled feed files, by the feed name an import of each would give (see feeds/snapshots.py).
FEED_FILES: dict[str, str] = {
    "echap-stalkerware": "echap/ioc.yaml",
    "echap-watchware": "echap/watchware.yaml",
    "echap-samples": "echap/samples.csv",
    "isdi-app-flags": "isdi/app-flags.csv",
    "volexity-evilbamboo": "volexity-evilbamboo/iocs.csv",
}


def profiles_dir() -> Path:
    """Where the bundled profiles are: inside the installed package, else in the checkout."""
    for candidate in (PACKAGE / "_profiles", PACKAGE.parent / "profiles"):
        if candidate.is_dir():
            return candidate
    raise UserError("the bundled threat profiles are missing; please reinstall exposure")


def profile_files() -> list[Path]:
    return sorted(profiles_dir().glob("*.yaml"))


def feed_files() -> list[Path]:
    return [FEEDS / path for path in FEED_FILES.values()]
