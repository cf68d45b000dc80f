"""``exposure profiles``: list the threat profiles, show one, or check profile files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from exposure.model import LocalText

HELP = "list the threat profiles, show what one looks for, or check profile files"
_MAX_SHOWN = 200  # error lines printed by 'validate'; the count covers them all


def add_arguments(parser: argparse.ArgumentParser) -> None:
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", metavar="LANG", help="language of the texts (en, zh); default: system")
    sub = parser.add_subparsers(dest="profiles_command", metavar="ACTION")
    sub.add_parser("list", parents=[lang], help="the profiles that come with exposure (the default)")
    show = sub.add_parser("show", parents=[lang], help="the threats one profile looks for, with indicator counts")
    show.add_argument("id", metavar="ID", help="a profile id from 'exposure profiles list'")
    check = sub.add_parser("validate", help="check profile files against the schema (docs/profiles.md)")
    check.add_argument("files", nargs="+", metavar="FILE", help="profile YAML files")
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
    print(f"{'ID':<{width}}  {_t('threats', lang):>7}  {_t('indicators_column', lang):>10}  {_t('title', lang)}")
    for p in profiles:
        print(f"{p.id:<{width}}  {len(p.threats):>7}  {len(p.indicators):>10}  {p.title.get(lang)}")
    print()
    print(_t("list_hint", lang))
    return 0


def _show(profile_id: str, lang: str) -> int:
    from exposure.errors import UserError
    from exposure.explain.categories import category
    from exposure.explain.lines import fill_plain
    from exposure.indicators.profiles import load_bundled_profiles

    profiles = {p.id: p for p in load_bundled_profiles()}
    profile = profiles.get(profile_id)
    if profile is None:
        raise UserError(f"no profile {profile_id!r}; the profiles are: {', '.join(profiles)}")
    print(profile.title.get(lang))
    print(profile.description.get(lang))
    print()
    print(fill_plain(_t("profile_counts", lang), {"id": profile.id, "threats": len(profile.threats),
                                                   "indicators": len(profile.indicators)}))
    for threat in profile.threats:
        indicators = [i for i in profile.indicators if i.threat == threat.id]
        counts = Counter(i.type.value for i in indicators)
        shown = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or _t("no_indicators", lang)
        print()
        print(f"  {threat.name.get(lang)}  [{threat.id}]")
        print(f"    {category(threat.category.value).name.get(lang)}, "
              f"{_t('severity', lang)}: {_t(threat.severity.value, lang)}")
        if threat.aliases:
            print(f"    {_t('aliases', lang)}: {', '.join(threat.aliases)}")
        if threat.profile != profile.id:
            print(f"    {fill_plain(_t('shared', lang), {'profile': threat.profile})}")
        supporting = sum(1 for i in indicators if i.supporting)
        extra = fill_plain(_t("supporting", lang), {"n": supporting}) if supporting else ""
        print(f"    {_t('indicators', lang)}: {shown}{extra}")
        print(f"    {threat.what_it_is.get(lang)}")
    return 0


_TEXTS: dict[str, LocalText] = {
    "threats": LocalText.of(en="THREATS", zh="威胁"),
    "indicators": LocalText.of(en="indicators", zh="特征"),
    "indicators_column": LocalText.of(en="INDICATORS", zh="特征"),
    "title": LocalText.of(en="TITLE", zh="标题"),
    "list_hint": LocalText.of(
        en="Show one with 'exposure profiles show ID'; choose them with 'exposure scan --profile ID'.",
        zh="用 'exposure profiles show ID' 查看其中一个；用 'exposure scan --profile ID' 选择要检查的内容。"),
    "profile_counts": LocalText.of(en="Profile {id}: {threats} threats, {indicators} indicators",
                                   zh="档案 {id}：{threats} 种威胁，{indicators} 个特征"),
    "no_indicators": LocalText.of(en="none (found in other ways)", zh="无（通过其他方式发现）"),
    "severity": LocalText.of(en="severity", zh="严重程度"),
    "critical": LocalText.of(en="critical", zh="危急"),
    "high": LocalText.of(en="high", zh="高"),
    "medium": LocalText.of(en="medium", zh="中"),
    "low": LocalText.of(en="low", zh="低"),
    "info": LocalText.of(en="information", zh="信息"),
    "aliases": LocalText.of(en="also known as", zh="又称"),
    "shared": LocalText.of(en="(shared with the profile '{profile}')", zh="（与档案 '{profile}' 共用）"),
    "supporting": LocalText.of(en=" ({n} only supporting)", zh="（其中 {n} 个仅作辅助）"),
}


def _t(key: str, lang: str) -> str:
    return _TEXTS[key].get(lang)


def _validate(files: list[str]) -> int:
    from exposure.indicators.profiles import validate_files
    from exposure.untrusted import shown

    profiles, errors = validate_files(files)
    if errors:
        for line in errors[:_MAX_SHOWN]:
            print(shown(line), file=sys.stderr)  # a line may quote the file: never raw
        if len(errors) > _MAX_SHOWN:
            print(f"... and {len(errors) - _MAX_SHOWN} more", file=sys.stderr)
        noun = "problem" if len(errors) == 1 else "problems"
        print(f"exposure: {len(errors)} {noun} found; see docs/profiles.md for the format", file=sys.stderr)
        return 2
    for path, profile in zip(files, profiles, strict=True):
        print(f"{path}: ok, profile {profile.id!r}: {len(profile.threats)} threats, "
              f"{len(profile.indicators)} indicators")
    return 0
