"""The catalog a scan builds, kept between runs, so that a new process (a command-line scan, the
app's first check) loads it instead of building it again (see BENCHMARKS.md, issue 16).

Only for a person who already keeps feeds in the data folder (``feeds import``/``update``):
exposure keeps no other trace of its use (README, "What exposure keeps"), so without imported
feeds the catalog is built each time. One file per request (which profiles, imported feeds or
not, bundled feeds or not) in the data folder's ``cache/``, beside ``feeds/``: a pickle behind a
key made of this version of exposure and the path, size and modification time of every file the
catalog is built from (the profiles, the bundled feeds and their precompiled form, each imported
feed's folder) and of the code that builds it. Any change makes a new key, and the catalog is
built again and kept. The folder is private to its owner (0700, files 0600, written through a
temporary file and a rename); a file that cannot be read or does not match is ignored. Nothing
in it comes from outside: it is exposure's own work, redone whenever its sources change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from exposure import __version__
from exposure.paths import data_dir, feeds_dir

Catalog = TypeVar("Catalog")  # exposure.indicators.catalog.Catalog (passed in: no import cycle)

# Off in the test suite (tests/conftest.py), where tests change what a catalog is built from in
# ways its key cannot see (a replaced function); the cache's own tests turn it on.
ENABLED = True
CACHE_FOLDER = "cache"
MAGIC = b"exposure catalog 1\n"
_CODE = Path(__file__).resolve().parent  # exposure/indicators: the code a catalog is built by


def cached(profile_ids: Sequence[str] | None, use_feeds: bool, bundled: bool,
           build: Callable[[], Catalog], kind: type[Catalog]) -> Catalog:
    """The catalog for this request: the one kept, while its sources are unchanged; else ``build()``,
    kept for the next time."""
    if not ENABLED or not feeds_dir().is_dir():
        return build()
    request: list[object] = [sorted(profile_ids) if profile_ids is not None else None, use_feeds, bundled]
    path = data_dir() / CACHE_FOLDER / f"catalog-{_digest(request)}.pickle"
    try:
        key = _key(request, use_feeds, bundled)
    except OSError:
        return build()
    found = _load(path, key, kind)
    if found is not None:
        return found
    catalog = build()
    _save(path, key, catalog)
    return catalog


def _key(request: Sequence[object], use_feeds: bool, bundled: bool) -> bytes:
    from exposure.indicators.datafiles import PRECOMPILED, feed_files, profile_files

    files = [*profile_files(), *sorted(_CODE.rglob("*.py")), _CODE.parent / "model.py"]
    if bundled:
        files += [*feed_files(), PRECOMPILED]
    if use_feeds and feeds_dir().is_dir():
        files += sorted(p for p in feeds_dir().rglob("*") if p.is_file())
    stats = []
    for file in files:
        st = file.stat()
        stats.append([str(file), st.st_size, st.st_mtime_ns])
    return _digest([__version__, request, stats]).encode()


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:32]


def _load(path: Path, key: bytes, kind: type[Catalog]) -> Catalog | None:
    import pickle  # here: without a feeds folder (a fresh install) nothing is kept or loaded

    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC or f.read(len(key) + 1) != key + b"\n":
                return None
            catalog = pickle.load(f)  # noqa: S301 - exposure's own file in a private folder (docstring)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return catalog if isinstance(catalog, kind) else None


def _save(path: Path, key: bytes, catalog: object) -> None:
    """Keep the catalog; when the data folder cannot be written, it is simply built next time."""
    import pickle
    import tempfile

    try:
        data = MAGIC + key + b"\n" + pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalog.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
