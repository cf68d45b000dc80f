"""Fetch the official feeds (only when asked), or take them from a trainer's folder.

Official sources: Echap's ``ioc.yaml``, ``watchware.yaml`` and ``samples.csv``, and every
STIX2 file the mvt-indicators index (``indicators.yaml``) lists, Echap's generated STIX2
among them, all over HTTPS with certificate checks (the default SSL context). Each is used
together with the bundled copy of the same name (``feeds.choice``); the values Echap's files
share make one indicator each (``precedence.merge``), and the STIX2's undocumented network
roles give way to the YAML's. ``EXPOSURE_FEED_BASE_URL`` replaces
``https://raw.githubusercontent.com``, for tests only: it must be HTTPS, or plain HTTP to
this computer (127.0.0.1, ::1, localhost).

A folder (``--from DIR``) holds feed files and ``manifest.sha256`` (``sha256sum``
format); every file is checked against it before import, and a file that does not match
is rejected. ``export`` writes such a folder from the stored feeds, with each feed's date
and upstream address on a comment line above its checksum (``provenance``).

Each file is imported on its own (see ``store``): one bad or missing file is reported
and the previous copy of that feed stays.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from exposure import __version__
from exposure.indicators.feeds.detect import MAX_FEED_BYTES
from exposure.indicators.feeds.echap import load_yaml
from exposure.indicators.feeds.limits import MAX_MANIFEST_BYTES
from exposure.indicators.feeds.parsed import FeedError, describe_counts
from exposure.indicators.feeds.provenance import Provenance, manifest_line, read_manifest_line
from exposure.indicators.feeds.store import FeedStore, read_limited
from exposure.model import CheckNote

DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
ENV_BASE_URL = "EXPOSURE_FEED_BASE_URL"
ECHAP = "AssoEchap/stalkerware-indicators/master"
ECHAP_FILES = ("ioc.yaml", "watchware.yaml", "samples.csv")
MVT_INDEX = "mvt-project/mvt-indicators/main/indicators.yaml"
MANIFEST = "manifest.sha256"
TIMEOUT = 30.0
_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}
_MANIFEST_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")

Report = Callable[[CheckNote], None]


class Unreachable(Exception):
    """The feed server could not be reached at all (no network, DNS, refused): ``host``,
    and ``why`` in the network library's words (for the curious; not the message)."""

    def __init__(self, host: str, why: str) -> None:
        super().__init__(f"could not reach {host} ({why})")
        self.host = host
        self.why = why


@dataclass(slots=True)
class UpdateSummary:
    imported: int = 0
    failed: int = 0


def base_url() -> str:
    base = os.environ.get(ENV_BASE_URL, "").strip().rstrip("/") or DEFAULT_BASE_URL
    parts = urlsplit(base)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        return base
    raise FeedError(f"{ENV_BASE_URL} must be an https:// address (or http:// to this computer)")


def fetch(url: str) -> bytes:
    """The body at ``url``; HTTPS with certificate checks; at most MAX_FEED_BYTES."""
    request = urllib.request.Request(url, headers={"User-Agent": f"exposure/{__version__}"})  # noqa: S310
    context = ssl.create_default_context() if url.startswith("https://") else None
    with urllib.request.urlopen(request, timeout=TIMEOUT, context=context) as response:  # noqa: S310
        data: bytes = response.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"{url} is larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB")
    return data


def _why(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)[:120]
    return str(exc)[:120] or type(exc).__name__


def _not_fetched(url: str, exc: BaseException) -> CheckNote:
    return CheckNote.of("feeds.not-fetched", f"{url}: could not fetch ({_why(exc)}); keeping the previous copy",
                        url=url, why=_why(exc))


def update_from_network(store: FeedStore, report: Report, fetcher: Callable[[str], bytes] = fetch) -> UpdateSummary:
    """Fetch and import the official feeds; raises Unreachable when nothing can be reached."""
    base = base_url()
    summary = UpdateSummary()
    reached = False

    def get(url: str) -> bytes | None:
        nonlocal reached
        try:
            data = fetcher(url)
        except (urllib.error.HTTPError, http.client.HTTPException, FeedError, ValueError) as exc:  # it answered
            reached = True
            report(_not_fetched(url, exc))
        except (urllib.error.URLError, OSError) as exc:
            if not reached:
                raise Unreachable(urlsplit(url).hostname or url, _why(exc)) from None
            report(_not_fetched(url, exc))
        else:
            reached = True
            return data
        summary.failed += 1
        return None

    fetched = datetime.now(UTC).date().isoformat()  # a branch's files as of today: the data's date

    def take(url: str, path: str) -> None:
        data = get(url)
        if data is not None:
            _import(store, data, path, Provenance(dated=fetched, source=url), report, summary)

    for filename in ECHAP_FILES:
        take(f"{base}/{ECHAP}/{filename}", filename)
    index = get(f"{base}/{MVT_INDEX}")
    if index is None:
        return summary
    for url, path in _index_entries(index, base, report, summary):
        take(url, path)
    return summary


def _index_entries(data: bytes, base: str, report: Report, summary: UpdateSummary) -> list[tuple[str, str]]:
    try:
        document = load_yaml(data.decode("utf-8", errors="replace"))
    except FeedError as exc:
        report(CheckNote.of("feeds.index-unreadable", f"the mvt-indicators index could not be read ({exc})",
                            problem=exc))
        summary.failed += 1
        return []
    entries = document.get("indicators") if isinstance(document, dict) else None
    out: list[tuple[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        github = entry.get("github")
        if isinstance(github, dict):
            owner, repo = str(github.get("owner", "")), str(github.get("repo", ""))
            branch, path = str(github.get("branch") or "main"), str(github.get("path", ""))
            if not all(re.fullmatch(r"[\w.-]+", part) for part in (owner, repo, branch)) or ".." in path:
                name = repr(str(entry.get("name"))[:60])
                report(CheckNote.of("feeds.index-entry-unusable", f"index entry {name}: unusable location; skipped",
                                    name=name))
                summary.failed += 1
                continue
            out.append((f"{base}/{owner}/{repo}/{branch}/{path.lstrip('/')}", path))
        elif isinstance(entry.get("download_url"), str) and entry["download_url"].startswith("https://"):
            url = entry["download_url"]
            out.append((url, PurePosixPath(urlsplit(url).path).name or "feed"))
        else:
            name = repr(str(entry.get("name"))[:60])
            report(CheckNote.of("feeds.index-entry-no-https", f"index entry {name}: no https location; skipped",
                                name=name))
            summary.failed += 1
    return out


def _import(store: FeedStore, data: bytes, path: str, given: Provenance, report: Report,
            summary: UpdateSummary) -> None:
    try:
        result = store.import_bytes(data, path, given)
    except FeedError as exc:
        report(CheckNote.of("feeds.not-imported", f"{path}: not imported ({exc}); keeping the previous copy",
                            path=path, problem=exc))
        summary.failed += 1
        return
    summary.imported += 1
    report(CheckNote.of("feeds.updated-one", f"{result.info.name}: {describe_counts(result.info.counts)}",
                        name=result.info.name, counts=";".join(f"{k}={n}" for k, n in result.info.counts)))


def update_from_folder(store: FeedStore, folder: Path, report: Report) -> UpdateSummary:
    """Import every file listed in ``folder/manifest.sha256`` whose sha256 matches."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise FeedError(f"{folder} has no {MANIFEST} (a folder written by 'exposure feeds export')",
                        key="error.feeds.no-manifest", folder=folder)
    summary = UpdateSummary()
    root = folder.resolve()
    lines = read_limited(manifest, MAX_MANIFEST_BYTES).decode("utf-8", errors="replace").splitlines()
    known = dict(filter(None, (read_manifest_line(line) for line in lines)))
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.match(line.rstrip("\r"))
        rel = match.group(2) if match else ""
        path = (root / rel).resolve() if match else root
        if not match or PurePosixPath(rel).is_absolute() or root not in path.parents:
            report(CheckNote.of("feeds.manifest-line", f"{MANIFEST} line {number}: not '<sha256>  <file in this "
                                "folder>'; skipped", number=number))
            summary.failed += 1
            continue
        try:
            data = read_limited(path)
        except FeedError as exc:
            report(CheckNote.of("feeds.file-skipped", f"{rel}: {exc}; skipped", path=rel, problem=exc))
            summary.failed += 1
            continue
        if hashlib.sha256(data).hexdigest() != match.group(1).lower():
            report(CheckNote.of("feeds.sha256-mismatch", f"{rel}: its sha256 does not match {MANIFEST}; not imported",
                                path=rel))
            summary.failed += 1
            continue
        _import(store, data, rel, known.get(rel, Provenance(source=rel)), report, summary)
    return summary


def export(store: FeedStore, folder: Path, report: Report) -> int:
    """Copy every stored feed's original file into ``folder`` with a manifest; returns how many.

    Nothing in ``folder`` is ever replaced, and nothing is written through a symbolic
    link there (someone else may have prepared the folder or the stick): every name is
    checked first, and each file is created new (O_EXCL); if one appears meanwhile, the
    files written so far are removed and nothing is left half done.
    """
    names = store.names()
    if not names:
        raise FeedError("there are no feeds to export (see 'exposure feeds import')", key="error.feeds.none-to-export")
    originals = [(name, store.original(name)) for name in names]
    stored = {info.name: info for info in store.list()}
    infos = [stored.get(name) for name in names]
    targets = [f"{name}{original.suffix}" for name, original in originals]
    for target in [MANIFEST, *targets]:
        if os.path.lexists(folder / target):
            raise FeedError(f"{folder} already holds {target}: choose an empty folder (nothing was written)",
                            key="error.feeds.export-not-empty", folder=folder, file=target)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        lines = []
        for (_name, original), target, info in zip(originals, targets, infos, strict=True):
            data = original.read_bytes()
            _write_new(folder / target, data)
            written.append(folder / target)
            if info is not None:
                lines.append(manifest_line(target, info))
            lines.append(f"{hashlib.sha256(data).hexdigest()}  {target}\n")
            report(CheckNote.of("feeds.exported-one", target, file=target))
        _write_new(folder / MANIFEST, "".join(lines).encode("utf-8"))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return len(names)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; FeedError if anything (a file, a link) is there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o644)
    except FileExistsError:
        raise FeedError(f"{path} appeared while exporting; choose an empty folder") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
