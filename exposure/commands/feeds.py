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

from exposure.commands.words import count, describe_counts, language, note, say

if TYPE_CHECKING:
    from exposure.indicators.feeds.store import FeedStore
    from exposure.model import CheckNote

HELP = ("help.feeds", "import, update, list or remove indicator feeds (Echap, STIX2, hosts lists)")


def _say(*parts: object, file: TextIO | None = None) -> None:
    """``print`` for lines that carry feed contents or file names (chosen by whoever made
    the feed): escape sequences and direction characters are shown, never sent."""
    from exposure.untrusted import shown

    print(*(shown(str(part)) for part in parts), file=file)


def _report(said: str | CheckNote) -> None:
    """A line from the feed code, in the person's language."""
    _say(note(said))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="feeds_command", metavar="ACTION", required=True,
                                title=say("help.actions", "actions"))
    imp = sub.add_parser("import", help=say("help.feeds.import", "import a feed file (Echap YAML, STIX2 bundle, "
                                             "hosts or plain list)"))
    imp.add_argument("path", type=Path, metavar="FILE", help=say("help.feeds.import.path", "the feed file"))
    imp.add_argument("--name", help=say("help.feeds.import.name", "the name to keep it under (default: from the "
                                        "file name)"))
    imp.add_argument(
        "--profile",
        help=say("help.feeds.import.profile", "attach the feed to this profile (default: the profile known for "
                 "this feed, else none; '' for none = always used)"),
    )
    imp.add_argument("--replace", action="store_true",
                     help=say("help.feeds.replace", "use the file instead of the bundled feed of the same name "
                              "(default: both are used)"))
    upd = sub.add_parser(
        "update",
        help=say("help.feeds.update", "fetch the official feeds (Echap, mvt-indicators) over HTTPS, or take them "
                 "from a folder (--from DIR: a USB stick made with 'exposure feeds export')"),
    )
    upd.add_argument("--from", dest="from_dir", type=Path, metavar="DIR",
                     help=say("help.feeds.update.from", "a folder with feed files and manifest.sha256 (see "
                              "'exposure feeds export')"))
    lst = sub.add_parser("list", help=say("help.feeds.list", "show the imported feeds"))
    lst.add_argument("--json", action="store_true", help=say("help.json-out", "print JSON"))
    rem = sub.add_parser("remove", help=say("help.feeds.remove", "remove an imported feed"))
    rem.add_argument("name", metavar="NAME", help=say("help.feeds.remove.name", "the feed's name (see "
                                                      "'exposure feeds list')"))
    exp = sub.add_parser("export", help=say("help.feeds.export", "copy the imported feeds and a sha256 manifest "
                                            "into a folder"))
    exp.add_argument("folder", type=Path, metavar="DIR", help=say("help.feeds.export.folder", "an empty folder "
                                                                  "(a USB stick, say)"))


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
            _say(say("feeds.removed", "Removed feed {name}.", name=args.name))
            return 0
        from exposure.indicators.feeds.update import export

        number = export(store, args.folder, _report)
        _say(count("feeds.exported", number, "Exported {n} feed to {folder} with manifest.sha256.",
                   "Exported {n} feeds to {folder} with manifest.sha256.", folder=args.folder))
        return 0
    except FeedError as exc:
        raise UserError(str(exc), key=exc.key, **dict(exc.params)) from None
    except OSError as exc:
        raise UserError(f"{getattr(exc, 'filename', '') or 'feeds'}: {exc.strerror or exc}") from None


def _import(store: FeedStore, args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.indicators.feeds.parsed import FeedError

    if args.profile:
        from exposure.indicators.profiles import load_bundled_profiles

        known = sorted(p.id for p in load_bundled_profiles())
        if args.profile not in known:
            raise UserError(f"unknown profile {args.profile!r}; the profiles are: {', '.join(known)}",
                            key="error.feeds.unknown-profile", profile=repr(args.profile), known=", ".join(known))
    try:
        result = store.import_file(args.path, name=args.name, profile=args.profile, replace_bundled=args.replace)
    except FeedError as exc:
        raise UserError(f"{args.path}: {exc}; nothing was changed", key="error.feeds.not-imported",
                        path=args.path, problem=_problem(exc)) from None
    info = result.info
    fields = {"name": info.name, "format": info.format, "counts": describe_counts(info.counts)}
    if info.profile:
        line = say("feeds.imported-profile", "Imported feed {name} ({format}, profile {profile}): {counts}.",
                   profile=info.profile, **fields)
    else:
        line = say("feeds.imported-always", "Imported feed {name} ({format}, no profile: always used): {counts}.",
                   **fields)
    if result.replaced:
        line = say("feeds.replaced", "{line} It replaces the copy imported before.", line=line)
    _say(line)
    if result.warnings:
        from exposure.indicators.feeds.parsed import describe_warnings

        total = sum(result.warnings.values())
        _say(count("feeds.skipped", total, "{n} value skipped or set apart: {why}.",
                   "{n} values skipped or set apart: {why}.", why=describe_warnings(result.warnings)))
    _say_beside_bundled(store, info.name, args.replace)
    return 0


def _problem(exc: Exception) -> str:
    """What a FeedError says, in the person's language (its English without a key)."""
    from exposure.explain.lines import plain
    from exposure.explain.notes import error_line

    return plain(error_line(exc, language()))


def _say_beside_bundled(store: FeedStore, name: str, replace: bool) -> None:
    """How a feed named like a bundled one is used (feeds/choice.py), and loudly when it is
    used instead of it with far less in it."""
    from exposure.indicators.bundled import load_for_catalog
    from exposure.indicators.feeds import choice

    bundled = next((f for f in load_for_catalog(lambda _: None) if f.info.name == name), None)
    if bundled is None:
        if replace:
            _say(say("feeds.replace-nothing", "There is no bundled feed named {name}: --replace changes nothing.",
                     name=name))
        return
    imported = next((f for f in store.load_all(warn=lambda _: None) if f.info.name == name), None)
    if imported is None:
        return
    if not choice.replaces(bundled, imported):
        if replace:
            _say(say("feeds.together-newer", "It is used together with the bundled {name} (data of {date}), whose "
                     "snapshot is newer than this file: nothing the bundled list knows is forgotten.", name=name,
                     date=bundled.info.dated))
        else:
            _say(say("feeds.together", "It is used together with the bundled {name} (data of {date}): nothing the "
                     "bundled list knows is forgotten. To use this file instead, import it again with --replace.",
                     name=name, date=bundled.info.dated))
        return
    _say(say("feeds.instead", "It is used instead of the bundled {name} (data of {date}).", name=name,
             date=bundled.info.dated))
    lost = choice.loss(bundled, imported)
    if lost is not None:
        _say(say("feeds.instead-smaller", "WARNING: this file has far less than the bundled {name}: {loss}. Tools "
                 "only the bundled list knows will not be recognised, and every report will say so. To use the "
                 "bundled list again: exposure feeds remove {name}", name=name, loss=lost.describe()),
             file=sys.stderr)


def _update(store: FeedStore, args: argparse.Namespace) -> int:
    from exposure.errors import UserError
    from exposure.indicators.feeds import update
    if args.from_dir is not None:
        summary = update.update_from_folder(store, args.from_dir, _report)
    else:
        try:
            summary = update.update_from_network(store, _report)
        except update.Unreachable as exc:
            kept = ("error.feeds.offline-kept", "the feeds imported before are kept") if store.names() else (
                "error.feeds.offline-bundled", "exposure goes on using the lists it comes with")
            raise UserError(f"could not reach {exc.host}: this computer seems to be offline. Nothing was changed: "
                            f"{kept[1]}. Without the internet, update from a folder made with 'exposure feeds "
                            "export' on another computer (a USB stick): exposure feeds update --from DIR",
                            key=kept[0], host=exc.host) from None
    _say(count("feeds.updated", summary.imported, "{n} feed updated, {problems}.", "{n} feeds updated, {problems}.",
               problems=count("feeds.problems", summary.failed, "{n} problem", "{n} problems")))
    if summary.failed and not summary.imported:
        return 2
    return 1 if summary.failed else 0


def _list(store: FeedStore, as_json: bool) -> int:
    import json

    infos = store.list(warn=lambda said: _say(f"exposure: {note(said)}", file=sys.stderr))
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
        _say(say("feeds.none", "No feeds imported: exposure uses the lists it comes with. To add newer ones: "
                 "'exposure feeds update' (over the internet), 'exposure feeds update --from DIR' (from a USB "
                 "stick) or 'exposure feeds import FILE'."))
        return 0
    from exposure.indicators.bundled import BUNDLED

    bundled = {item.name for item in BUNDLED}
    for i in infos:
        profile = i.profile or say("feeds.always-used", "(always used)")
        _say(say("feeds.list-head", "{name}  [{format}]  profile: {profile}  imported {imported}", name=i.name,
                 format=i.format, profile=profile, imported=i.imported))
        if i.name in bundled:
            if store.replaces_bundled(i.name):
                _say(say("feeds.list-instead", "    used instead of the bundled {name}", name=i.name))
            else:
                _say(say("feeds.list-together", "    used together with the bundled {name}", name=i.name))
        _say("    " + say("feeds.list-source", "source: {source}", source=i.source))
        _say(f"    sha256: {i.sha256}")
        _say(f"    {describe_counts(i.counts)}")
    return 0
