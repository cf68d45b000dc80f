"""Start-up (issue 16 item 5): ``--version`` and ``--help`` answer without reading YAML or the
language tables, a subcommand's options are read only for that subcommand, and the commands
still parse as before."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("yaml", "exposure.explain.i18n", "exposure.indicators", "exposure.collect", "exposure.scan")


def loaded_after(*words: str) -> set[str]:
    """The modules a fresh ``exposure WORDS`` has loaded when it exits."""
    code = ("import sys, io, contextlib\nfrom exposure import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        cli.main({list(words)!r})\n    except SystemExit:\n        pass\n"
            "print('\\n'.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("words", [["--version"], ["--help"], ["names", "--help"]])
def test_version_and_help_read_no_yaml_and_no_language_tables(words: list[str]) -> None:
    loaded = loaded_after(*words)
    assert not [m for m in loaded if m.startswith(HEAVY)], words


def test_a_subcommand_still_gets_its_options_and_the_others_their_help(capsys: pytest.CaptureFixture[str]) -> None:
    from exposure import cli

    with pytest.raises(SystemExit):
        cli.main(["scan", "--help"])
    said = capsys.readouterr().out
    assert "--lang" in said and "--pcap" in said
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    said = capsys.readouterr().out
    assert all(name in said for name in cli.SUBCOMMANDS)
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("exposure ")
    # the options of the command given are read, whatever comes before it
    args = cli.build_parser("names").parse_args(["names", "--json", "x.pcap"])
    assert args.json and args.captures == ["x.pcap"]
