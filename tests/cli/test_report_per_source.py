"""A workshop's folder of captures: the report says it holds several people's results, names the
capture that was too short, and ``--report-per-source`` gives each capture a report of its own
that holds nothing of the others (review r3, trainer #3)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from exposure.cli import main
from tests.cli.helpers import one_line_error, run_cli, write_workshop

SPY = "spylive360"


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    return write_workshop(tmp_path / "workshop")


@pytest.mark.parametrize(("lang", "several", "short"), [
    ("en", "This report holds the results of 2 captures", "the network capture amina-phone.pcap: a short recording"),
    ("zh", "这份报告包含 2 个抓包文件的结果", "网络抓包文件 amina-phone.pcap：抓包时间较短"),
])
def test_one_report_on_several_captures_says_so_and_names_the_short_one(workshop: Path, tmp_path: Path, lang: str,
                                                                        several: str, short: str) -> None:
    done = run_cli("scan", "--pcap", str(workshop), "--md", str(tmp_path / "ws.md"),
                   "--html", str(tmp_path / "ws.html"), "--lang", lang)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.strip()]
    heading = said.index("Source by source" if lang == "en" else "逐个来源")
    assert said[heading - 1].startswith(several)  # the summary's last words, just before the sources
    text = (tmp_path / "ws.md").read_text("utf-8").replace("`", "")
    summary = text.split("\n## ")[1]  # the summary, before its next checks
    assert several in summary
    assert short in text
    assert several in (tmp_path / "ws.html").read_text("utf-8")


def test_one_report_per_capture_holds_only_its_own(workshop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = run_cli("scan", "--pcap", str(workshop), "--report-per-source", "--html", "ws.html", "--md", "ws.md",
                   "--json", "ws.json", cwd=out)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"ws-{who}-phone.{ext}" for who in ("amina", "li") for ext in ("html", "md", "json"))
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert str(path) in done.stdout  # each file said where it was written
        text = path.read_text("utf-8").lower()
        mine, other = ("amina", "li-phone") if path.name.startswith("ws-amina") else ("li-phone", "amina")
        assert mine in text and other not in text, path.name
        assert (SPY in text) == (mine == "amina"), path.name
        assert "holds the results of" not in text  # one capture each
    amina = json.loads((out / "ws-amina-phone.json").read_text("utf-8"))
    li = json.loads((out / "ws-li-phone.json").read_text("utf-8"))
    assert [s["name"] for s in amina["sources"]] == [str(workshop / "amina-phone.pcap")]
    assert amina["findings"] and all(o["source"] == amina["sources"][0]["name"]
                                     for f in amina["findings"] for o in f["evidence"])
    assert li["findings"] == [] and li["timeline"] == []
    li_md = (out / "ws-li-phone.md").read_text("utf-8")
    assert "We did not find any of the known tools we looked for" in li_md and "does not prove" in li_md
    # Each one is a report like any other: it renders again.
    again = run_cli("report", str(out / "ws-amina-phone.json"), "--md", "-", "--lang", "zh")
    assert again.returncode == 0 and "SpyLive360" in again.stdout and "li-phone" not in again.stdout


@pytest.mark.parametrize(("args", "en", "zh"), [
    ((), "--report-per-source goes with --json FILE, --md FILE or --html FILE", "--report-per-source 需要和"),
    (("--html", "-"), "one report per source needs file names, not '-'", "每个来源一份报告时需要给出文件名"),
])
def test_what_it_needs_is_said_in_one_line(workshop: Path, args: tuple[str, ...], en: str, zh: str) -> None:
    for lang, expected in (("en", en), ("zh", zh)):
        line = one_line_error(run_cli("--lang", lang, "scan", "--pcap", str(workshop), "--report-per-source", *args))
        assert expected in line


def test_a_file_that_exists_stops_it_before_the_scan(workshop: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import exposure.scan

    def no_scan(*args: object) -> None:
        raise AssertionError("the captures were read although a report could not be written")

    monkeypatch.setattr(exposure.scan, "run_scan", no_scan)
    (tmp_path / "ws-li-phone.html").write_text("kept")
    code = main(["scan", "--pcap", str(workshop), "--report-per-source", "--html", str(tmp_path / "ws.html")])
    assert code == 2
    assert "ws-li-phone.html already exists" in capsys.readouterr().err
    assert (tmp_path / "ws-li-phone.html").read_text() == "kept"
    assert not (tmp_path / "ws-amina-phone.html").exists()


def test_the_option_is_in_the_help_and_the_readme() -> None:
    from tests.paths import REPO

    done = run_cli("scan", "--help")
    assert "--report-per-source" in done.stdout and "ws-amina-phone.html" in " ".join(done.stdout.split())
    assert "--report-per-source" in (REPO / "README.md").read_text("utf-8")
