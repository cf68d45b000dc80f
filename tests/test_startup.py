"""Start-up (issue 16 item 5): ``--version`` and ``--help`` answer without reading YAML or the
language tables, a subcommand's options are read only for that subcommand, the commands
still parse as before, and ``scan --host --json`` loads only what a check of this computer
uses (not the app, the capture reader, the phone code or the process pool)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("yaml", "exposure.explain.i18n", "exposure.indicators", "exposure.collect", "exposure.scan")


# What a scan of this computer must not load: the app, the packet and phone libraries, the
# phone observations and their detectors, the process pool that several captures share.
NOT_FOR_HOST_SCAN = ("textual", "rich", "scapy", "pymobiledevice3", "exposure.tui", "exposure.collect.pcap",
                     "exposure.collect.android", "exposure.collect.ios", "exposure.observations.android",
                     "exposure.observations.ios", "exposure.detect.android", "exposure.detect.ios",
                     "exposure.observations.network", "exposure.detect.network",
                     "multiprocessing", "concurrent.futures", "exposure.pool", "jsonschema",
                     # texts, profiles and bundled feeds come from their precompiled JSON forms
                     "yaml", "exposure.indicators.profile_schema", "exposure.indicators.feeds.detect",
                     # the precedence rule's result for the default catalog is kept in that form too
                     "exposure.indicators.precedence",
                     # the traceback of a bug is printed only when asked; a report is checked
                     # against its schema only when one is read back
                     "traceback", "exposure.report.schema")


def loaded_after(*words: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh ``exposure WORDS`` has loaded when it exits."""
    code = ("import sys, io, contextlib\nfrom exposure import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        cli.main({list(words)!r})\n    except SystemExit:\n        pass\n"
            "print('\\n'.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
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
    # a command line that starts with its command has that command's parser alone: the same
    # usage and errors as with the others beside it
    def error(parser: argparse.ArgumentParser, words: list[str]) -> str:
        with pytest.raises(SystemExit):
            args, unknown = parser.parse_known_args(words)
            args.parser_used.error(f"unrecognized arguments: {' '.join(unknown)}")  # as cli._main does
        return capsys.readouterr().err

    for words in (["scan", "--bogus"], ["names"], ["scan", "--lang", "xx", "--host"]):
        alone = error(cli.build_parser(words[0], others=False), words)
        assert alone == error(cli.build_parser(words[0]), words)
        assert alone.startswith(f"usage: exposure {words[0]} ")


def test_a_command_first_on_the_line_loads_no_other_command() -> None:
    loaded = loaded_after("names", "--help")
    assert "exposure.commands.names" in loaded
    helpers = {"exposure.commands.words", "exposure.commands.help_format"}  # the command line's, not commands
    allowed = {"exposure.commands.names", *helpers}
    others = [m for m in loaded if m.startswith("exposure.commands.") and m not in allowed]
    assert not others


def test_a_host_scan_loads_no_app_no_phone_code_and_no_process_pool(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    env = dict(os.environ, EXPOSURE_DATA_DIR=str(tmp_path / "data"))
    loaded = loaded_after("scan", "--host", "--quiet", "--force", "--json", str(report), env=env)
    assert "exposure.collect.host" in loaded and "exposure.detect.indicators" in loaded
    assert sorted(m for m in loaded if m.startswith(NOT_FOR_HOST_SCAN)) == []
    said = json.loads(report.read_text("utf-8"))
    assert [source["kind"] for source in said["sources"]] == ["host"]


def test_the_certificate_parser_is_loaded_only_for_a_certificate_to_parse() -> None:
    code = ("import sys\nfrom exposure.collect.host import rootcerts\nprint('cryptography' in sys.modules)\n"
            "rootcerts.load_certificates(b'not a certificate')\nprint('cryptography' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_a_host_scan_process_ends_with_its_report_whole_and_nothing_left(tmp_path: Path) -> None:
    """The command leaves the last collection to the process's exit (``gc.freeze`` at exit):
    its report is still written whole, and the temporary folder GNOME's settings are read
    through is still removed."""
    report = tmp_path / "report.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, EXPOSURE_DATA_DIR=str(tmp_path / "data"), TMPDIR=str(scratch))
    subprocess.run([sys.executable, "-m", "exposure", "scan", "--host", "--quiet", "--json", str(report)],
                   env=env, check=True, capture_output=True)
    assert json.loads(report.read_text("utf-8"))["sources"][0]["kind"] == "host"
    assert list(scratch.iterdir()) == []


# A program that runs ``exposure profiles list`` as its own command, with an exit handler the
# command registers; it notes how the process ends (``os._exit`` skips the teardown).
_ENDING = """
import atexit, os, sys
from pathlib import Path
folder = Path(sys.argv[1])
if sys.argv[2] == "before":  # a tool started with the interpreter
    atexit.register(lambda: (folder / "first").write_text("ran"))
exit_now = os._exit
def noted(code):
    (folder / "ended").write_text(str(code))
    exit_now(code)
os._exit = noted
from exposure import cli
from exposure.commands import profiles
listing = profiles.run
def run(args):
    atexit.register(lambda: (folder / "handler").write_text("ran"))
    return listing(args)
profiles.run = run
sys.argv = ["exposure", "profiles", *sys.argv[3:]]
raise SystemExit(cli.main())
"""


@pytest.mark.parametrize(("before", "words", "code"), [("none", ["list"], 0), ("before", ["list"], 0),
                                                       ("none", ["show", "no-such-profile"], 2)])
def test_the_command_ends_without_the_teardown_once_its_handlers_ran(tmp_path: Path, before: str, words: list[str],
                                                                    code: int) -> None:
    """The process's own command ends with its exit code and all it printed, after every exit
    handler registered while it ran, without the interpreter's teardown (~5 ms of a host scan);
    with the teardown when an exit handler was registered before the command (it runs last)."""
    done = subprocess.run([sys.executable, "-c", _ENDING, str(tmp_path), before, *words], capture_output=True,
                          text=True)
    assert done.returncode == code, done.stderr
    if code == 0:
        assert "stalkerware" in done.stdout and done.stdout.endswith("\n") and done.stderr == ""
        assert (tmp_path / "handler").read_text() == "ran"
    else:
        assert done.stderr.startswith("exposure: ") and done.stderr.endswith("\n")
    assert (tmp_path / "first").exists() == (before == "before")
    ended = tmp_path / "ended"
    assert (ended.read_text() if ended.exists() else None) == (None if before == "before" else str(code))


def test_the_network_heuristics_made_when_a_network_observation_can_exist() -> None:
    """Made before any network observation exists (the app, a host scan), the network
    detector waits; once one can exist it is made and finds what it finds."""
    code = ("import sys\nfrom exposure.detect import default_detectors, WaitingDetector\n"
            "from exposure.detect.base import DetectContext\nfrom exposure.indicators.index import IndicatorIndex\n"
            "detectors = default_detectors()\n"
            "waiting = [d for d in detectors\n"
            "           if isinstance(d, WaitingDetector) and d.target.endswith('NetworkHeuristics')]\n"
            "print(len(waiting), 'exposure.detect.network' in sys.modules)\n"
            "from exposure.observations.network import DnsQuery\n"
            "ctx = DetectContext(index=IndicatorIndex())\n"
            "for n in range(3):\n"
            "    list(waiting[0].observe(DnsQuery('pcap', 'x', name='cam.duckdns.org', client='192.168.1.5',"
            " resolver='192.168.1.1', answers=('203.0.113.9',)), ctx))\n"
            "print(sorted({f.rule for f in waiting[0].finish(ctx)}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    waiting, rules = done.stdout.splitlines()
    assert waiting == "1 False"
    assert "network.dynamic-dns" in rules
