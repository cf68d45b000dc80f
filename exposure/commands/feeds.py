"""``exposure feeds``: import, update, list, remove and export indicator feeds.

Feeds are kept in the data folder (``EXPOSURE_DATA_DIR`` overrides it). Nothing is
fetched unless ``feeds update`` is run; ``feeds update --from DIR`` reads a folder
written by ``feeds export`` (a trainer's USB stick), checking every file's sha256.

Exit codes: 0 done; 1 some files of an update were rejected or could not be fetched
(the others were imported); 2 nothing was done (bad file, no network: the feeds you
had are kept as they were).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import FeedStore

HELP = "import, update, list or remove indicator feeds (Echap, STIX2, hosts lists)"


def _say(*parts: object, file: TextIO | None = None) -> None:
    """``print`` for lines that carry feed contents or file names (chosen by whoever made
    the feed): escape sequences and direction characters are shown, never sent."""
    from exposure.untrusted import shown

    print(*(shown(str(part)) for part in parts), file=file)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import a feed file (Echap YAML, STIX2 bundle, hosts or plain list)")
    imp.add_argument("path", type=Path, help="the feed file")
    imp.add_argument("--name", help="the name to keep it under (default: from the file name)")
    imp.add_argument(
        "--profile",
        help="attach the feed to this profile (default: the profile known for this feed, else none; "
        "'' for none = always used)",
    )
    imp.add_argument("--replace", action="store_true",
                     help="use the file instead of the bundled feed of the same name (default: both are used)")
    upd = sub.add_parser(
        "update",
        help="fetch the official feeds (Echap, mvt-indicators) over HTTPS, or take them from a folder",
    )
    upd.add_argument("--from", dest="from_dir", type=Path, metavar="DIR",
                     help="a folder with feed files and manifest.sha256 (see 'feeds export')")
    lst = sub.add_parser("list", help="show the imported feeds")
    lst.add_argument("--json", action="store_true", help="print JSON")
    rem = sub.add_parser("remove", help="remove an imported feed")
    rem.add_argument("name")
    exp = sub.add_parser("export", help="copy the imported feeds and a sha256 manifest into a folder")
    exp.add_argument("folder", type=Path)


def run(args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.indicators.feeds.parsed import FeedError
    from exposure.indicators.feeds.store import FeedStore

    store = FeedStore.default()
    try:
        action = args.feeds_command
        if action == "import":
            return _import(store, args)
        if action == "update":
            return _update(store, args)
        if action == "list":
            return _list(store, args.json)
        if action == "remove":
            store.remove(args.name)
            _say(f"Removed feed {args.name}.")
            return 0
        from exposure.indicators.feeds.update import export

        count = export(store, args.folder, _say)
        _say(f"Exported {count} {'feed' if count == 1 else 'feeds'} to {args.folder} with manifest.sha256.")
        return 0
    except FeedError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{getattr(exc, 'filename', '') or 'feeds'}: {exc.strerror or exc}") from None


def _import(store: FeedStore, args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.indicators.feeds.parsed import FeedError, describe_counts, describe_warnings

    if args.profile:
        from exposure.indicators.profiles import load_bundled_profiles

        known = sorted(p.id for p in load_bundled_profiles())
        if args.profile not in known:
            raise UserError(f"unknown profile {args.profile!r}; the profiles are: {', '.join(known)}")
    try:
        result = store.import_file(args.path, name=args.name, profile=args.profile, replace_bundled=args.replace)
    except FeedError as exc:
        raise UserError(f"{args.path}: {exc}; nothing was changed") from None
    info = result.info
    verb = "Replaced" if result.replaced else "Imported"
    attached = f"profile {info.profile}" if info.profile else "no profile (always used)"
    _say(f"{verb} feed {info.name} ({info.format}, {attached}): {describe_counts(info.counts)}.")
    if result.warnings:
        total = sum(result.warnings.values())
        _say(f"{total} {'value' if total == 1 else 'values'} skipped or set apart: "
              f"{describe_warnings(result.warnings)}.")
    _say_beside_bundled(store, info.name, args.replace)
    return 0


def _say_beside_bundled(store: FeedStore, name: str, replace: bool) -> None:
    """How a feed named like a bundled one is used (feeds/choice.py), and loudly when it is
    used instead of it with far less in it."""
    from exposure.indicators.bundled import load_for_catalog
    from exposure.indicators.feeds import choice

    bundled = next((f for f in load_for_catalog(lambda _: None) if f.info.name == name), None)
    if bundled is None:
        if replace:
            _say(f"There is no bundled feed named {name}: --replace changes nothing.")
        return
    imported = next((f for f in store.load_all(warn=lambda _: None) if f.info.name == name), None)
    if imported is None:
        return
    if not choice.replaces(bundled, imported):
        newer = " (the bundled snapshot is newer than this file)" if replace else ""
        _say(f"It is used together with the bundled {name} (data of {bundled.info.dated}){newer}: nothing the "
             "bundled list knows is forgotten. To use this file instead, import it again with --replace.")
        return
    _say(f"It is used instead of the bundled {name} (data of {bundled.info.dated}).")
    lost = choice.loss(bundled, imported)
    if lost is not None:
        _say(f"WARNING: this file has far less than the bundled {name}: {lost.describe()}. Tools only the bundled "
             f"list knows will not be recognised, and every report will say so. To use the bundled list again: "
             f"exposure feeds remove {name}", file=sys.stderr)


def _update(store: FeedStore, args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.indicators.feeds import update
    if args.from_dir is not None:
        summary = update.update_from_folder(store, args.from_dir, _say)
    else:
        try:
            summary = update.update_from_network(store, _say)
        except update.Unreachable as exc:
            raise UserError(str(exc)) from None
    _say(f"{summary.imported} {'feed' if summary.imported == 1 else 'feeds'} updated, "
         f"{summary.failed} {'problem' if summary.failed == 1 else 'problems'}.")
    if summary.failed and not summary.imported:
        return 2
    return 1 if summary.failed else 0


def _list(store: FeedStore, as_json: bool) -> int:
    import json

    from exposure.indicators.feeds.parsed import describe_counts
    infos = store.list(warn=lambda said: _say(f"exposure: {said if isinstance(said, str) else said.text}",
                                              file=sys.stderr))
    if as_json:
        rows = [
            {
                "name": i.name,
                "format": i.format,
                "source": i.source,
                "sha256": i.sha256,
                "imported": i.imported,
                "profile": i.profile,
                "version": i.version,
                "dated": i.dated,
                "counts": dict(i.counts),
            }
            for i in infos
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")  # ASCII: no control character raw
        return 0
    if not infos:
        _say("No feeds imported. Use 'exposure feeds import FILE' or 'exposure feeds update'.")
        return 0
    from exposure.indicators.bundled import BUNDLED

    bundled = {item.name for item in BUNDLED}
    for i in infos:
        _say(f"{i.name}  [{i.format}]  profile: {i.profile or '(always used)'}  imported {i.imported}")
        if i.name in bundled:
            how = "instead of" if store.replaces_bundled(i.name) else "together with"
            _say(f"    used {how} the bundled {i.name}")
        _say(f"    source: {i.source}")
        _say(f"    sha256: {i.sha256}")
        _say(f"    {describe_counts(i.counts)}")
    return 0
