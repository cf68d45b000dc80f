"""The user's imported feeds, kept in ``<data>/feeds/<name>/``.

Each feed folder holds ``feed.json`` (the parsed, normalised indicators, threats and
metadata: the cache a scan loads, plain JSON, never pickle) and ``original.*`` (the file
as imported, for provenance and export). An import parses everything first and writes a
new folder beside the old one, then swaps them with renames: a failed import leaves the
previous state untouched. If the process dies between the two renames, the next reader
puts the old folder back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exposure.indicators.feeds.limits import MAX_FEED_BYTES, read_feed_file
from exposure.indicators.feeds.parsed import FeedError
from exposure.model import (
    Category,
    CheckNote,
    FeedInfo,
    Indicator,
    IndicatorRole,
    IndicatorType,
    LocalText,
    Reference,
    Severity,
    Threat,
)
from exposure.paths import feeds_dir

SCHEMA = "exposure.feed/3"
# Version 1 typed the iPhone bundle ids of Echap's YAML and ISDi's list as Android ids, and
# versions 1 and 2 every STIX2 process name as a phone's (``process``), whatever platform its
# malware object states; such a feed is read again from its original file when loaded (in
# memory: nothing is written).
_OLD_SCHEMAS = frozenset({"exposure.feed/1", "exposure.feed/2"})
_RETYPED_FORMATS = {"exposure.feed/1": frozenset({"echap-yaml", "isdi-app-flags"})}
_RETYPED_TYPES = {"stix2": IndicatorType.PROCESS.value}  # read again when it holds values of this type
FEED_FILE = "feed.json"
_STALE_SECONDS = 3600
_SUFFIX = {"echap-yaml": ".yaml", "stix2": ".stix2", "hosts": ".txt", "echap-samples": ".csv",
           "isdi-app-flags": ".csv", "volexity-csv": ".csv"}
_TYPES = {t.value: t for t in IndicatorType}
_ROLES = {r.value: r for r in IndicatorRole}


@dataclass(frozen=True, slots=True)
class LoadedFeed:
    info: FeedInfo
    indicators: tuple[Indicator, ...]
    threats: tuple[Threat, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    info: FeedInfo
    warnings: Counter[str]
    replaced: bool


class FeedStore:
    """Feeds in one folder (``<data>/feeds`` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def default(cls) -> FeedStore:
        return cls(feeds_dir())

    # -- writing -------------------------------------------------------------------

    def import_file(self, path: Path, name: str | None = None, profile: str | None = None) -> ImportResult:
        data = read_limited(path)
        return self.import_bytes(data, path.name, str(path.resolve()), name=name, profile=profile)

    def import_bytes(
        self, data: bytes, filename: str, source: str, name: str | None = None, profile: str | None = None
    ) -> ImportResult:
        """Parse and store a feed; raises FeedError (nothing changed) when it cannot."""
        from exposure.indicators.feeds.detect import parse_feed  # the parsers (and YAML): only to import

        feed = parse_feed(data, filename, name=name, profile=profile)
        parsed = feed.parsed
        info = FeedInfo(
            name=feed.name,
            format=parsed.format,
            source=source,
            sha256=hashlib.sha256(data).hexdigest(),
            imported=datetime.now(UTC).isoformat(timespec="seconds"),
            profile=feed.profile,
            counts=parsed.counts,
            version=parsed.version,
            dated=parsed.version[:10],
            licence=feed.licence,
        )
        document = {
            "schema": SCHEMA,
            "info": _info_to_json(info),
            "warnings": dict(parsed.warnings),
            "threats": [_threat_to_json(t) for t in parsed.threats],
            "indicators": [_indicator_row(i) for i in parsed.indicators],
        }
        replaced = self._write(feed.name, document, data, _SUFFIX.get(parsed.format, ".txt"))
        return ImportResult(info=info, warnings=parsed.warnings, replaced=replaced)

    def _write(self, name: str, document: dict[str, Any], original: bytes, suffix: str) -> bool:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._recover()
        tmp = Path(tempfile.mkdtemp(prefix=f".new~{name}~", dir=self.root))
        try:
            (tmp / f"original{suffix}").write_bytes(original)
            with open(tmp / FEED_FILE, "w", encoding="utf-8") as out:
                json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
                out.flush()
                os.fsync(out.fileno())
            target = self.root / name
            replaced = target.exists()
            if replaced:
                old = self.root / f".old~{name}~{os.urandom(4).hex()}"
                os.rename(target, old)
                os.rename(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return replaced

    def remove(self, name: str) -> None:
        target = self.root / check_name(name)
        if not (target / FEED_FILE).is_file():
            raise FeedError(f"no feed named {name!r} (see 'exposure feeds list')")
        trash = self.root / f".old~{name}~{os.urandom(4).hex()}~removed"
        os.rename(target, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def _recover(self) -> None:
        """Put back a feed whose replacement was interrupted; clear half-written imports.

        Best effort: on a read-only folder (a write-protected USB stick) nothing changes.
        """
        if not self.root.is_dir():
            return
        try:
            for entry in self.root.iterdir():
                parts = entry.name.split("~")
                if parts[0] == ".old":
                    target = self.root / parts[1]
                    if len(parts) == 3 and not target.exists():
                        os.rename(entry, target)
                    else:
                        shutil.rmtree(entry, ignore_errors=True)
                elif parts[0] == ".new" and time.time() - entry.stat().st_mtime > _STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)  # an import that died mid-way
        except OSError:
            pass

    # -- reading -------------------------------------------------------------------

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        self._recover()
        return sorted(
            p.name for p in self.root.iterdir() if not p.name.startswith(".") and (p / FEED_FILE).is_file()
        )

    def list(self, warn: Callable[[str | CheckNote], None] | None = None) -> list[FeedInfo]:
        out = []
        for name in self.names():
            try:
                document = self._read(name)
                out.append(_info_from_json(document["info"]))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                if warn:
                    warn(_unreadable(name, exc))
        return out

    def warnings(self, name: str) -> Counter[str]:
        document = self._read(check_name(name))
        return Counter({str(k): int(v) for k, v in document.get("warnings", {}).items()})

    def original(self, name: str) -> Path:
        folder = self.root / check_name(name)
        for path in folder.glob("original*"):
            return path
        raise FeedError(f"no feed named {name!r} (see 'exposure feeds list')")

    def load_all(self, warn: Callable[[str | CheckNote], None]) -> Iterator[LoadedFeed]:
        """Every stored feed; an unreadable one is reported through ``warn`` and left out."""
        try:
            names = self.names()
        except OSError as exc:
            problem = exc.strerror or exc
            warn(CheckNote.of("warn.feeds.folder-unreadable", f"the feeds folder {self.root} could not be read "
                              f"({problem}); no feeds used", folder=self.root, problem=problem))
            return
        for name in names:
            try:
                document = self._read(name)
                if _typed_before(document):
                    yield self._parsed_again(name, _info_from_json(document["info"]))
                    continue
                yield _loaded_from_json(document)
            except (OSError, ValueError, KeyError, TypeError, IndexError, FeedError) as exc:
                warn(_unreadable(name, exc))

    def _parsed_again(self, name: str, info: FeedInfo) -> LoadedFeed:
        from exposure.indicators.feeds.detect import parse_feed

        path = self.original(name)
        parsed = parse_feed(read_limited(path), path.name, name=info.name, profile=info.profile).parsed
        return LoadedFeed(info=info, indicators=tuple(parsed.indicators), threats=tuple(parsed.threats))

    def _read(self, name: str) -> dict[str, Any]:
        with open(self.root / name / FEED_FILE, encoding="utf-8") as f:
            document = json.load(f)
        if not isinstance(document, dict) or (document.get("schema") != SCHEMA
                                              and document.get("schema") not in _OLD_SCHEMAS):
            raise ValueError("unknown format")
        return document


def _typed_before(document: dict[str, Any]) -> bool:
    """Whether a stored feed was typed by an older version in a way that version 3 reads
    differently (see ``SCHEMA``)."""
    schema, kind = document["schema"], document["info"]["format"]
    if schema == SCHEMA:
        return False
    if kind in _RETYPED_FORMATS.get(schema, ()):
        return True
    retyped = _RETYPED_TYPES.get(kind)
    return retyped is not None and any(row[0] == retyped for row in document["indicators"])


def check_name(name: str) -> str:
    """``name`` if it is a usable feed name (FeedError if not)."""
    from exposure.indicators.feeds.detect import check_name as checked

    return checked(name)


def read_limited(path: Path, limit: int = MAX_FEED_BYTES) -> bytes:
    """A feed file's bytes, refusing folders, missing files, named pipes and devices, and
    files too large to be a feed (feeds/limits.py)."""
    return read_feed_file(path, limit)


def _unreadable(name: str, exc: Exception) -> CheckNote:
    # the name as the English line has always quoted it, so the Chinese one quotes it the same way
    return CheckNote.of("warn.feeds.unreadable", f"feed {name!r} could not be read ({type(exc).__name__}); "
                        "import it again", name=repr(name), problem=type(exc).__name__)


def _info_to_json(info: FeedInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "format": info.format,
        "source": info.source,
        "sha256": info.sha256,
        "imported": info.imported,
        "profile": info.profile,
        "counts": dict(info.counts),
        "version": info.version,
        "dated": info.dated,
        "licence": info.licence,
    }


def _info_from_json(data: dict[str, Any]) -> FeedInfo:
    return FeedInfo(
        name=str(data["name"]),
        format=str(data["format"]),
        source=str(data["source"]),
        sha256=str(data["sha256"]),
        imported=str(data["imported"]),
        profile=str(data.get("profile", "")),
        counts=tuple((str(k), int(v)) for k, v in data.get("counts", {}).items()),
        version=str(data.get("version", "")),
        dated=str(data.get("dated", "")),
        licence=str(data.get("licence", "")),
    )


def _threat_to_json(threat: Threat) -> dict[str, Any]:
    return {
        "id": threat.id,
        "name": [list(pair) for pair in threat.name.values],
        "category": threat.category.value,
        "severity": threat.severity.value,
        "aliases": list(threat.aliases),
        "references": [[r.title, r.url] for r in threat.references],
    }


def _threat_from_json(data: dict[str, Any], profile: str) -> Threat:
    return Threat(
        id=str(data["id"]),
        name=LocalText(tuple((str(lang), str(text)) for lang, text in data["name"])),
        category=Category(data["category"]),
        severity=Severity(data["severity"]),
        profile=profile,
        aliases=tuple(str(a) for a in data.get("aliases", ())),
        references=tuple(Reference(str(t), str(u)) for t, u in data.get("references", ())),
    )


def _indicator_row(ind: Indicator) -> list[str]:
    """``[type, value, threat, role]``, plus ``"supporting"`` for a value never used alone."""
    row = [ind.type.value, ind.value, ind.threat, ind.role.value]
    if ind.supporting:
        row.append("supporting")
    return row


def _loaded_from_json(document: dict[str, Any]) -> LoadedFeed:
    info = _info_from_json(document["info"])
    profile, source = info.profile, info.name
    types, roles = _TYPES, _ROLES
    indicators = tuple(
        Indicator(types[row[0]], row[1], row[2], profile, source, roles[row[3]], supporting=len(row) > 4)
        for row in document["indicators"]
    )
    threats = tuple(_threat_from_json(t, profile) for t in document["threats"])
    return LoadedFeed(info=info, indicators=indicators, threats=threats)
