"""Phone outputs are untrusted: truncated, garbled or hostile text never breaks a parser."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from exposure.collect.android.androidqf import AndroidqfCollector
from exposure.collect.android.parsers.accessibility import parse_accessibility
from exposure.collect.android.parsers.device_policy import parse_device_policy
from exposure.collect.android.parsers.dumpsys_package import parse_dumpsys_package
from exposure.collect.android.parsers.dumpsys_sections import split_dumpsys
from exposure.collect.android.parsers.getprop import parse_getprop
from exposure.collect.android.parsers.packages_list import parse_packages_list
from exposure.collect.android.parsers.ps import load_processes_json, parse_ps
from exposure.collect.android.parsers.settings import parse_settings
from exposure.collect.android.parsers.vpn import parse_vpn_owner_uids
from exposure.collect.base import CollectContext
from exposure.observations.android import AndroidPackage
from tests.android.phones import ANDROIDQF, DEVICE_POLICY, MVT_DATA, SPYTRAP
from tests.paths import needs_shared
from tests.said import keep_english

PARSERS = (parse_accessibility, parse_device_policy, parse_dumpsys_package, split_dumpsys, parse_getprop,
           parse_packages_list, parse_ps, load_processes_json, parse_settings, parse_vpn_owner_uids)


def samples() -> list[str]:
    return [
        (SPYTRAP / "package" / "spylive360.txt").read_text(),
        (SPYTRAP / "accessibility" / "spylive360.txt").read_text(),
        (MVT_DATA / "dumpsys_accessibility.txt").read_text(),
        (MVT_DATA / "ps.txt").read_text(),
        (ANDROIDQF / "dumpsys.txt").read_text(errors="replace"),
        DEVICE_POLICY,
    ]


@needs_shared()
def test_truncated_and_garbled_outputs_never_raise() -> None:
    rng = random.Random(4)
    for sample in samples():
        cuts = [rng.randrange(len(sample)) for _ in range(15)]
        variants = [sample[:cut] for cut in cuts] + [sample[cut:] for cut in cuts]
        chars = list(sample[:4000])
        for _ in range(5):
            for _ in range(200):
                chars[rng.randrange(len(chars))] = rng.choice("{}[]():=/\n \t\x00é包")
            variants.append("".join(chars))
        for text in variants:
            for parser in PARSERS:
                parser(text)


def test_hostile_names_are_not_taken_as_packages() -> None:
    text = ("package:/data/app/x/base.apk=com.ok.app installer=null uid:1\n"
            "package:$(reboot) installer=null\npackage:[red]bold[/red] uid:2\n")
    assert [p.package for p in parse_packages_list(text)] == ["com.ok.app"]
    assert parse_accessibility("     Enabled services:{{$(reboot)/x}, {<b>a</b>/y}}") == []


@needs_shared()
def test_androidqf_with_wrong_types_is_read_as_far_as_possible(tmp_path: Path) -> None:
    folder = tmp_path / "acq"
    shutil.copytree(ANDROIDQF, folder)
    for path in folder.iterdir():
        path.chmod(0o600)
    (folder / "packages.json").write_text(json.dumps([
        {"name": 5}, {"name": "com.ok.app", "installer": None, "uid": "10", "files": "x", "system": "yes"},
        {"name": "com.two", "files": [{"path": 3, "sha256": "zz", "certificate": ["x"]},
                                      {"sha256": "A" * 64, "certificate": {"Sha256": "b" * 64, "Md5": 7}}]},
        "junk"]))
    (folder / "files.json").write_text('{"path": "/x"}')
    (folder / "root_binaries.json").write_text('["/system/bin/su", 4, null]')
    warnings: list[str] = []
    out = list(AndroidqfCollector(str(folder)).collect(CollectContext(warn=keep_english(warnings))))
    packages = {o.package: o for o in out if isinstance(o, AndroidPackage)}
    assert packages["com.ok.app"].installer == "" and packages["com.ok.app"].uid is None
    assert not packages["com.ok.app"].system
    assert packages["com.two"].apk_sha256 == ("a" * 64,) and packages["com.two"].cert_sha256 == ("b" * 64,)
    # files.json is an object, not a list: not checked, and said (it once passed in silence as "checked")
    assert warnings == ["files.json holds nothing exposure can read as file list (files.json); not checked"]
