"""Every limit on a feed file, in one place, and the checks that apply them at import.

A feed may come from anyone (a USB stick, a download, an attachment). Once imported it is
loaded by every scan, so what is refused here is refused once, with a clear message,
instead of slowing every later scan: a 45 MB STIX2 bundle of 3,000 reports with 2,000
references each made every scan take 95 s and 2.8 GB. The real feeds are far below each
limit (noted beside it). docs/security.md lists them with the other layers' limits.

Kept apart from the parsers so that changes to what a feed means (its roles, threats and
deduplication) and changes to what a feed may cost do not touch the same lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from exposure.indicators.feeds.parsed import FeedError
from exposure.untrusted import FileTooLarge, SpecialFile, UntrustedInputError, describe_size, read_regular_file

MAX_FEED_BYTES = 64 * 1024 * 1024  # Echap's STIX2, the largest real feed, is 3.9 MB
MAX_STIX_OBJECTS = 100_000  # Echap's STIX2 has 10,229
# Links from indicators to threats: "indicates" relationships plus report object_refs
# (Echap's STIX2 has 5,046; mvt-indicators' Predator 585).
MAX_STIX_REFERENCES = 200_000
MAX_FEED_INDICATORS = 500_000  # per feed, after parsing; Echap's ioc.yaml gives about 5,000
MAX_MANIFEST_BYTES = 1024 * 1024  # manifest.sha256 of a 'feeds update --from' folder


def read_feed_file(path: Path, limit: int = MAX_FEED_BYTES) -> bytes:
    """A feed file's bytes: a regular file of at most ``limit`` bytes. A named pipe or a
    device (which would hang the import or never end) is refused without being opened."""
    try:
        return read_regular_file(path, limit)
    except FileNotFoundError:
        raise FeedError("no such file") from None
    except SpecialFile as exc:
        raise FeedError(f"{exc.kind}, not a feed file; not opened") from None
    except FileTooLarge:
        raise FeedError(f"larger than {describe_size(limit)}") from None
    except IsADirectoryError:
        raise FeedError("a folder, not a feed file") from None
    except OSError as exc:
        raise FeedError(str(exc.strerror or exc)) from None


def refused(exc: UntrustedInputError) -> FeedError:
    """A loader's refusal (YAML aliases, JSON nested too deeply) as a feed error."""
    return FeedError(str(exc))


def check_stix2_size(bundle: Mapping[str, object]) -> None:
    """Refuse a STIX2 bundle with more objects or references than any real feed has."""
    objects = bundle.get("objects")
    if not isinstance(objects, list):
        return  # the parser says what is wrong
    if len(objects) > MAX_STIX_OBJECTS:
        raise FeedError(f"the bundle has {len(objects):,} objects; exposure takes at most {MAX_STIX_OBJECTS:,} "
                        "per feed (real feeds have a few thousand): not imported")
    references = 0
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        if obj.get("type") == "relationship":
            references += 1
        refs = obj.get("object_refs")
        if isinstance(refs, list):
            references += len(refs)
    if references > MAX_STIX_REFERENCES:
        raise FeedError(f"the bundle has {references:,} references between objects; exposure takes at most "
                        f"{MAX_STIX_REFERENCES:,} per feed (real feeds have a few thousand): not imported")


def check_indicator_count(count: int) -> None:
    if count > MAX_FEED_INDICATORS:
        raise FeedError(f"the file holds {count:,} indicators; exposure takes at most {MAX_FEED_INDICATORS:,} per feed"
                        " (every scan would load them all): not imported")
