"""The bundled feed snapshots: which file, from which upstream commit, of which date, under
which licence (``exposure/indicators/data/feeds/*/SOURCE.md`` says the same in words).

``bundled`` reads them; ``provenance`` gives a byte-identical copy imported by the person
(Echap's ``ioc.yaml`` at the bundled commit, on a trainer's stick) the same date and address.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from exposure.indicators.datafiles import FEED_FILES, FEEDS

ECHAP_COMMIT = "a04c5c1958bff93fec3b1b56edbb412b209f2a38"
ISDI_COMMIT = "6de92d147cf7933561c44501a41d983cc8a5bd1a"
VOLEXITY_COMMIT = "a7eaa9d97a5d0c193f4a3ac99a6239e6ccc211de"
_ECHAP = f"https://github.com/AssoEchap/stalkerware-indicators/blob/{ECHAP_COMMIT}/"
_ECHAP_LICENCE = "CC BY 4.0: Echap, AssoEchap/stalkerware-indicators"


@dataclass(frozen=True, slots=True)
class BundledFile:
    """One shipped feed file and what a report says about it."""

    name: str  # the feed name, the same an import of the file would get
    path: str  # under data/feeds
    profile: str
    dated: str  # the date of the upstream commit or report (YYYY-MM-DD)
    source: str  # where it was taken from, at that commit
    licence: str


BUNDLED: tuple[BundledFile, ...] = (
    BundledFile("echap-stalkerware", FEED_FILES["echap-stalkerware"], "stalkerware", "2026-06-21", _ECHAP + "ioc.yaml",
                _ECHAP_LICENCE),
    BundledFile("echap-watchware", FEED_FILES["echap-watchware"], "stalkerware", "2026-06-21",
                _ECHAP + "watchware.yaml", _ECHAP_LICENCE),
    BundledFile("echap-samples", FEED_FILES["echap-samples"], "stalkerware", "2026-06-21", _ECHAP + "samples.csv",
                _ECHAP_LICENCE),
    BundledFile("isdi-app-flags", FEED_FILES["isdi-app-flags"], "stalkerware", "2026-07-22",
                f"https://github.com/stopipv/isdi/blob/{ISDI_COMMIT}/src/isdi/data/app-flags.csv",
                "MIT: Copyright (c) 2018 Cornell University (ISDi)"),
    BundledFile("volexity-evilbamboo", FEED_FILES["volexity-evilbamboo"], "china-state-monitoring", "2023-09-22",
                f"https://github.com/volexity/threat-intel/blob/{VOLEXITY_COMMIT}/2023/2023-09-22%20EvilBamboo/"
                "indicators/iocs.csv", "BSD-2-Clause: Copyright 2022 by Volexity, Inc."),
)


@cache
def by_sha256() -> dict[str, BundledFile]:
    """Each bundled snapshot by the sha256 of its file: a feed imported from a byte-identical
    copy (Echap's ``ioc.yaml`` at the bundled commit, on a trainer's stick) gets the
    snapshot's date, upstream address and licence (``feeds.provenance``)."""
    import hashlib

    out: dict[str, BundledFile] = {}
    for item in BUNDLED:
        try:
            out[hashlib.sha256((FEEDS / item.path).read_bytes()).hexdigest()] = item
        except OSError:
            continue  # a damaged install: read_bundled says so
    return out
