"""``exposure profiles``: list the threat profiles, show one, or check profile files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from exposure.commands.words import count, listed, say, say_in

HELP = ("help.profiles", "list the threat profiles, show what one looks for, or check profile files")
_MAX_SHOWN = 200  # error lines printed by 'validate'; the count covers them all


def add_arguments(parser: argparse.ArgumentParser) -> None:
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", metavar="LANG", help=say("help.profiles.lang", "language of the texts (en, zh); "
                                                         "default: the system's"))
    sub = parser.add_subparsers(dest="profiles_command", metavar="ACTION", title=say("help.actions", "actions"))
    sub.add_parser("list", parents=[lang], help=say("help.profiles.list", "the profiles that come with exposure "
                                                    "(the default)"))
    show = sub.add_parser("show", parents=[lang], help=say("help.profiles.show", "the threats one profile looks "
                                                           "for, with indicator counts"))
    show.add_argument("id", metavar="ID", help=say("help.profiles.show.id", "a profile id from 'exposure profiles "
                                                   "list'"))
    check = sub.add_parser("validate", help=say("help.profiles.validate", "check profile files against the schema "
                                                "(docs/profiles.md)"))
    check.add_argument("files", nargs="+", metavar="FILE", help=say("help.profiles.validate.files",
                                                                    "profile YAML files"))
    parser.set_defaults(profiles_command=None, lang=None)


def run(args: argparse.Namespace) -> int:
    from exposure.explain.i18n import resolve_language

    action = args.profiles_command or "list"
    if action == "validate":
        return _validate(args.files)
    lang = resolve_language(args.lang)
    if action == "show":
        return _show(args.id, lang)
    return _list(lang)


def _list(lang: str) -> int:
    from exposure.indicators.profiles import load_bundled_profiles

    profiles = load_bundled_profiles()
    width = max((len(p.id) for p in profiles), default=2)
    threats, indicators = say_in(lang, "profiles.threats", "THREATS"), say_in(lang, "profiles.indicators-column",
                                                                              "INDICATORS")
    print(f"{'ID':<{width}}  {_right(threats, 7)}  {_right(indicators, 10)}  {say_in(lang, 'profiles.title', 'TITLE')}")
    for p in profiles:
        chosen = "  " + say_in(lang, "profiles.opt-in", "(only when chosen)") if p.opt_in else ""
        print(f"{p.id:<{width}}  {len(p.threats):>7}  {len(p.indicators):>10}  {p.title.get(lang)}{chosen}")
    print()
    print(say_in(lang, "profiles.list-hint", "Show one with 'exposure profiles show ID'; choose them with "
                 "'exposure scan --profile ID'."))
    return 0


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    from exposure.commands.help_format import columns

    return " " * max(0, width - columns(text)) + text


def _show(profile_id: str, lang: str) -> int:
    from exposure.errors import UserError
    from exposure.explain.categories import category
    from exposure.explain.texts import t
    from exposure.indicators.profiles import load_bundled_profiles

    profiles = {p.id: p for p in load_bundled_profiles()}
    profile = profiles.get(profile_id)
    if profile is None:
        raise UserError(f"no profile {profile_id!r}; the profiles are: {', '.join(profiles)}",
                        key="error.profiles.no-such-profile", profile=repr(profile_id), known=", ".join(profiles))
    print(profile.title.get(lang))
    print(profile.description.get(lang))
    print()
    print(say_in(lang, "profiles.counts", "Profile {id}: {threats} threats, {indicators} indicators", id=profile.id,
                 threats=len(profile.threats), indicators=len(profile.indicators)))
    for threat in profile.threats:
        indicators = [i for i in profile.indicators if i.threat == threat.id]
        counts = Counter(i.type.value for i in indicators)
        shown = listed([f"{kind} {n}" for kind, n in sorted(counts.items())]) or say_in(
            lang, "profiles.no-indicators", "none (found in other ways)")
        print()
        print(f"  {threat.name.get(lang)}  [{threat.id}]")
        print("    " + say_in(lang, "profiles.category-severity", "{category}, severity: {severity}",
                              category=category(threat.category.value).name.get(lang),
                              severity=t(f"severity.{threat.severity.value}", lang)))
        if threat.aliases:
            print("    " + say_in(lang, "profiles.aliases", "also known as: {aliases}",
                                  aliases=listed(threat.aliases)))
        if threat.profile != profile.id:
            print("    " + say_in(lang, "profiles.shared", "(shared with the profile '{profile}')",
                                  profile=threat.profile))
        supporting = sum(1 for i in indicators if i.supporting)
        extra = say_in(lang, "profiles.supporting", " ({n} only supporting)", n=supporting) if supporting else ""
        print("    " + say_in(lang, "profiles.indicators", "indicators: {shown}", shown=shown) + extra)
        print(f"    {threat.what_it_is.get(lang)}")
    return 0


def _validate(files: list[str]) -> int:
    from exposure.indicators.profiles import validate_files
    from exposure.untrusted import shown

    profiles, errors = validate_files(files)
    if errors:
        for line in errors[:_MAX_SHOWN]:
            print(shown(line), file=sys.stderr)  # a line may quote the file: never raw
        if len(errors) > _MAX_SHOWN:
            print(say("profiles.more-problems", "... and {n} more", n=len(errors) - _MAX_SHOWN), file=sys.stderr)
        print("exposure: " + count("profiles.problems", len(errors), "{n} problem found; see docs/profiles.md for "
                                   "the format", "{n} problems found; see docs/profiles.md for the format"),
              file=sys.stderr)
        return 2
    for path, profile in zip(files, profiles, strict=True):
        print(shown(say("profiles.valid", "{path}: ok, profile {id}: {threats} threats, {indicators} indicators",
                        path=path, id=repr(profile.id), threats=len(profile.threats),
                        indicators=len(profile.indicators))))
    return 0
