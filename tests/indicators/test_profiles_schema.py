"""Profile validation: every schema error is one ``FILE:LINE: message`` line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.indicators.profiles import ProfileError, load_profile_file, validate_files
from tests.indicators.profile_helpers import VALID
from tests.paths import REPO


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    profiles, errors = validate_files([path])
    assert not profiles
    return [e.removeprefix(f"{path}:") for e in errors]


def test_the_valid_example_loads(tmp_path: Path) -> None:
    profile = load_profile_file(_write(tmp_path, VALID, "ok.yaml"))
    assert profile.id == "test-profile"
    assert [t.id for t in profile.threats] == ["test-threat"]
    values = {(i.type.value, i.value, i.role.value) for i in profile.indicators}
    assert values == {("package", "com.example.spy", "app"), ("domain", "c2.example.net", "c2")}
    assert profile.threats[0].what_to_do.get("zh") == "丙"
    assert all(i.source == "profile:test-profile" and i.references for i in profile.indicators)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    severity: critical\n", "    severity: critical\n    colour: red\n", "12: unknown key 'colour' in a threat"),
    ("id: test-profile\n", "id: test-profile\nversion: 2\n", "3: unknown key 'version' in a profile"),
    ("refs: [r1]}\n      - {type: domain", "refs: [r1], weight: 3}\n      - {type: domain",
     "17: unknown key 'weight' in an indicator"),
    ("    severity: critical\n", "    severity: [high]\n", "11: expected text, found a list"),
    ("    severity: critical\n", "    severity: 5\n", "11: expected text, found a number '5'"),
    ("    severity: critical\n", "    severity: deadly\n", "11: unknown severity 'deadly'"),
    ("    category: spyware\n", "    category: virus\n", "10: unknown category 'virus'"),
    ("    references: [r1]\n", "    references: r1\n", "15: expected a list, found text 'r1'"),
    ("value: c2.example.net", "value: c2..example.net", "18: malformed domain: not a domain name"),
    ("value: c2.example.net", "value: http://c2.example.net/x", "18: malformed domain"),
    ("type: domain, value: c2.example.net", "type: ipv4, value: 300.1.2.3", "18: malformed ipv4"),
    ("type: domain, value: c2.example.net", "type: ipv4, value: 2001:db8::1", "18: malformed ipv4"),
    ("type: domain, value: c2.example.net", "type: cert-sha1, value: abcd",
     "18: malformed cert-sha1: a hash of 40 hex digits was expected"),
    ("type: domain, value: c2.example.net", "type: file-sha256, value: " + "g" * 64,
     "18: malformed file-sha256: not a hexadecimal hash"),
    ("value: com.example.spy", "value: 'com example spy'", "17: malformed package: not an app id"),
    ("type: package", "type: apk", "17: unknown indicator type 'apk'"),
    ("refs: [r1]}\n      - {type: domain", "refs: [r2]}\n      - {type: domain",
     "17: unknown reference 'r2' (defined in 'references': r1)"),
    ("refs: [r1]}\n      - {type: domain", "role: boss, refs: [r1]}\n      - {type: domain",
     "17: unknown role 'boss'"),
    ("refs: [r1]}\n      - {type: domain", "supporting: maybe, refs: [r1]}\n      - {type: domain",
     "17: expected true or false, found text 'maybe'"),
    ("    what_it_is: {en: a, zh: 甲}\n", "    what_it_is: {zh: 甲}\n", "12: text has no English ('en') version"),
    ("    what_it_is: {en: a, zh: 甲}\n", "    what_it_is: just text\n",
     "12: expected a text as {en: ..., zh: ...}, found text 'just text'"),
    ("    what_to_do: {en: c, zh: 丙}\n", "", "8: missing key 'what_to_do' in a threat"),
    ("schema: exposure.profile/1\n", "schema: exposure.profile/2\n", "1: schema must be 'exposure.profile/1'"),
    ("id: test-profile\n", "id: Test_Profile\n", "2: profile id 'Test_Profile'"),
    ("  - id: test-threat\n", "  - id: test threat\n", "8: threat id 'test threat'"),
    ("    severity: critical\n", "    severity: critical\n    severity: low\n",
     "12: duplicate key 'severity' (first on line 11)"),
    ("  r1: {title: Example report, url: https://example.org/report}\n",
     "  r1: {title: Example report, url: ftp://example.org/report}\n", "6: url must start with https://"),
    ("      - {type: domain, value: c2.example.net, refs: [r1]}\n",
     "      - {type: domain, value: c2.example.net, refs: [r1]}\n"
     "      - {type: package, value: COM.Example.Spy, refs: [r1]}\n",
     "19: duplicate indicator package 'com.example.spy' in threat 'test-threat' (first on line 17)"),
    ("    indicators:\n      - {type: package, value: com.example.spy, refs: [r1]}\n"
     "      - {type: domain, value: c2.example.net, refs: [r1]}\n", "    indicators: []\n",
     "16: a threat without indicators must say how it is found otherwise"),
    ("title: {en: Test, zh: 测试}\n", "title: {en: Test, zh: 测试\n", "4: not valid YAML"),
])
def test_schema_error_has_file_and_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    errors = _errors(tmp_path, VALID.replace(old, new, 1))
    assert any(e.startswith(expected) for e in errors), errors


def test_duplicate_threat_id_in_one_file(tmp_path: Path) -> None:
    threat = VALID[VALID.index("  - id: test-threat"):]
    errors = _errors(tmp_path, VALID + threat)
    assert errors == ["19: duplicate threat id 'test-threat' (first on line 8)"]


def test_duplicate_threat_id_across_files_and_with_bundled(tmp_path: Path) -> None:
    first = _write(tmp_path, VALID, "one.yaml")
    second = _write(tmp_path, VALID.replace("id: test-profile", "id: other-profile"), "two.yaml")
    _, errors = validate_files([first, second])
    assert errors == [f"{second}:8: duplicate threat id 'test-threat': also in {first}:8 "
                      "(a threat id is unique across all profiles; use 'includes' to share a threat)"]
    clash = _write(tmp_path, VALID.replace("id: test-threat", "id: spylive360"), "clash.yaml")
    _, errors = validate_files([clash])
    assert errors and errors[0].startswith(
        f"{clash}:8: duplicate threat id 'spylive360': also in profile 'stalkerware'")
    # A file with a bundled profile's id is an edited copy of it: checked in its place.
    copy = _write(tmp_path, (REPO / "profiles" / "stalkerware.yaml").read_text("utf-8"), "copy.yaml")
    profiles, errors = validate_files([copy])
    assert errors == [] and profiles[0].id == "stalkerware"
    twice = _write(tmp_path, VALID.replace("  - id: test-threat", "  - id: other-threat"), "twice.yaml")
    _, errors = validate_files([first, twice])
    assert errors == [f"{twice}:2: duplicate profile id 'test-profile': also used by {first}:2"]


def test_includes_must_name_a_threat_of_another_profile(tmp_path: Path) -> None:
    ok = _write(tmp_path, VALID.replace("references:\n", "includes: [mfsocket]\nreferences:\n", 1), "inc.yaml")
    profile = load_profile_file(ok)
    assert [t.id for t in profile.threats] == ["test-threat", "mfsocket"]
    assert any(i.threat == "mfsocket" and i.value == "com.android.mfsocket" for i in profile.indicators)
    bad = _write(tmp_path, VALID.replace("references:\n", "includes: [no-such-threat]\nreferences:\n", 1))
    _, errors = validate_files([bad])
    assert errors == [f"{bad}:5: 'includes' names 'no-such-threat', which no other profile defines"]


def test_python_tags_are_refused_without_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = VALID.replace("value: com.example.spy",
                         f"value: !!python/object/apply:os.system ['touch {marker}']", 1)
    errors = _errors(tmp_path, text)
    assert errors == ["17: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
                      "(only plain values, lists and mappings)"]
    assert not marker.exists()
    errors = _errors(tmp_path, VALID.replace("id: test-profile", "id: !!python/name:os.system", 1))
    assert errors[0].startswith("2: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed")


def test_aliases_are_refused(tmp_path: Path) -> None:
    text = VALID.replace("    what_it_is: {en: a, zh: 甲}\n", "    what_it_is: &t {en: a, zh: 甲}\n", 1)
    text = text.replace("    what_it_can_do: {en: b, zh: 乙}\n", "    what_it_can_do: *t\n", 1)
    assert _errors(tmp_path, text) == ["12: YAML anchors and aliases are not allowed in a profile"]


def test_all_errors_are_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (VALID.replace("severity: critical", "severity: deadly")
            .replace("value: c2.example.net", "value: c2..example.net")
            .replace("    what_it_is: {en: a, zh: 甲}\n", "    what_it_is: {zh: 甲}\n"))
    errors = _errors(tmp_path, text)
    assert [e.split(":")[0] for e in errors] == ["11", "12", "18"]


def test_empty_binary_and_missing_files(tmp_path: Path) -> None:
    assert _errors(tmp_path, "") == ["1: empty file: a profile is a mapping (see docs/profiles.md)"]
    assert _errors(tmp_path, "- just\n- a list\n")[0].startswith("1: expected a profile (a mapping), found a list")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert validate_files([binary])[1] == [f"{binary}:1: not a UTF-8 text file"]
    missing = tmp_path / "missing.yaml"
    assert validate_files([missing])[1][0].startswith(f"{missing}:1: cannot read the file")


def test_load_profile_file_raises_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile_file(_write(tmp_path, VALID.replace("severity: critical", "severity: deadly")))
    assert caught.value.lines[0].endswith(":11: unknown severity 'deadly' (one of: critical, high, medium, low, info)")


def test_cli_validate_exits_2_with_the_error_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, VALID.replace("value: c2.example.net", "value: 999.1.1.1"))
    good = _write(tmp_path, VALID, "good.yaml")
    assert main(["profiles", "validate", str(good), str(bad)]) == 2
    out = capsys.readouterr()
    assert f"{bad}:18: malformed domain" in out.err
    assert "Traceback" not in out.err + out.out
    assert main(["profiles", "validate", str(good)]) == 0
    assert f"{good}: ok, profile 'test-profile': 1 threats, 2 indicators" in capsys.readouterr().out


def test_cli_validate_in_a_real_process(tmp_path: Path) -> None:
    bad = _write(tmp_path, VALID.replace("value: com.example.spy", "value: !!python/object:os.system {}"))
    done = subprocess.run([sys.executable, "-m", "exposure", "profiles", "validate", str(bad)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2
    assert f"{bad}:17: YAML tag" in done.stderr
    assert "Traceback" not in done.stderr


def test_hostile_files_end_quickly_with_one_line(tmp_path: Path) -> None:
    deep = "id: " + "[" * 50_000 + "]" * 50_000 + "\n"
    assert _errors(tmp_path, deep)[0].startswith("1: not valid YAML")
    huge = "schema: exposure.profile/1\n" + "k: 1\n" * 60_000
    assert _errors(tmp_path, huge) == ["1: too large for a profile (over 4 MiB or 50,000 lines); "
                                       "import long lists as a feed instead"]
    control = VALID.replace("    severity: critical\n", "    \"\\e[31mred\": 1\n    severity: critical\n")
    errors = _errors(tmp_path, control)
    assert errors[0].startswith("11: unknown key '\\x1b[31mred'")  # shown escaped, never sent to the terminal
