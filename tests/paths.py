"""Where test data lives, and the one way a test says it needs the ../shared corpus.

Two places hold real data:

- ``tests/data/`` (always there): small files whose licence lets us copy them, laid out as
  in ../shared (``tests/data/feeds/...``, ``tests/data/fixtures/...``), each folder with a
  SOURCE.md naming its origin and licence;
- ``../shared/`` (beside the repo in CI and on the developers' machines, absent on a fresh
  clone): the larger corpus and the test-input-only material (the 830 tcpdump captures,
  the spytrap-adb and MVT Android recordings, the big feeds).

A test never touches ../shared at import time. It finds a file with :func:`locate`
(a stat, nothing more) and says what it needs with one of three helpers, which all skip
with :data:`NO_SHARED`, so a fresh clone's run says plainly what it left out and CI (which
has ../shared) runs everything:

- ``@needs_shared()`` (or ``pytestmark = needs_shared()``): a test or module that reads
  ../shared; ``@needs_shared(path, ...)`` skips only when one of those paths is missing;
- :func:`corpus`: inside a test or fixture, the file's path, or a skip;
- :func:`corpus_cases` / :func:`corpus_case`: ``parametrize`` values over a corpus folder
  or for one file, or a case that is skipped (never a case that silently disappears).

With ../shared present nothing is skipped: a missing file there fails the test loudly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"
FEEDS = SHARED / "feeds"
FIXTURES = SHARED / "fixtures"
NAME_CAPTURES = DATA / "fixtures" / "pcaps" / "names"  # captures with tshark's names, all copied here
DATA_FEEDS = DATA / "feeds"  # mvt-indicators, Amnesty's Cytrox STIX2, Echap's hosts list

NO_SHARED = "needs the ../shared corpus beside the repository (absent here; CI has it)"

# Files the package ships itself (issue 10 bundles Echap's feed and ISDi's list), used before ../shared.
_BUNDLED = {
    "feeds/stalkerware-indicators/ioc.yaml": REPO / "exposure/indicators/data/feeds/echap/ioc.yaml",
    "feeds/stalkerware-indicators/watchware.yaml": REPO / "exposure/indicators/data/feeds/echap/watchware.yaml",
    "feeds/stalkerware-indicators/samples.csv": REPO / "exposure/indicators/data/feeds/echap/samples.csv",
    "feeds/isdi/app-flags.csv": REPO / "exposure/indicators/data/feeds/isdi/app-flags.csv",
}


def have_shared() -> bool:
    return SHARED.is_dir()


def locate(relative: str) -> Path:
    """``relative`` as laid out in ../shared ("feeds/...", "fixtures/..."): the copy in
    tests/data or in the package when there is one, else the path in ../shared."""
    for candidate in (DATA / relative, _BUNDLED.get(relative)):
        if candidate is not None and candidate.exists():
            return candidate
    return SHARED / relative


def needs_shared(*paths: Path) -> pytest.MarkDecorator:
    """Skip when ../shared is absent, unless every one of ``paths`` exists all the same."""
    missing = not have_shared() and (not paths or not all(path.exists() for path in paths))
    return pytest.mark.skipif(missing, reason=NO_SHARED)


def corpus(relative: str) -> Path:
    """:func:`locate` inside a test or fixture, skipping when only ../shared could have it."""
    found = locate(relative)
    if not found.exists() and not have_shared():
        pytest.skip(f"{NO_SHARED}: {relative}")
    return found


def corpus_cases(relative: str, pattern: str = "*") -> list[Any]:
    """For ``parametrize``: the entries of a corpus folder matching ``pattern``, sorted by
    name: tests/data's copies, plus those only ../shared has when it is there; with none,
    one case skipped with :data:`NO_SHARED`. Listing folders is all it does.
    """
    found: dict[str, Path] = {}
    for root in (SHARED, DATA):  # tests/data's copy wins over the same name in ../shared
        folder = root / relative
        if folder.is_dir():
            found.update((path.name, path) for path in folder.glob(pattern))
    if found:
        return [found[name] for name in sorted(found)]
    return [pytest.param(None, marks=pytest.mark.skip(reason=f"{NO_SHARED}: {relative}"), id="no-shared")]


def corpus_case(relative: str) -> Any:
    """For ``parametrize``: :func:`locate`'s path, or a case skipped with :data:`NO_SHARED`."""
    found = locate(relative)
    if found.exists() or have_shared():
        return found
    return pytest.param(None, marks=pytest.mark.skip(reason=f"{NO_SHARED}: {relative}"), id="no-shared")
