"""A folder of captures on the terminal: the "Source by source" list joins each capture to what
rests on it with the language's own colon (the reviewer saw "（8 个数据包和 5 个会话）: 其中...")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import exposure.demo
from exposure.cli import main
from tests.paths import DATA


@pytest.mark.parametrize(("lang", "heading", "colon"), [("en", "Source by source", "): "), ("zh", "逐个来源", "）：")])
def test_each_capture_line_uses_the_languages_colon(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    lang: str, heading: str, colon: str) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    shutil.copy(exposure.demo.data_dir() / "demo-capture.pcap", folder)
    shutil.copy(DATA / "network" / "dot-hidden-lookups.pcap", folder)
    main(["scan", "--lang", lang, "--no-feeds", "--pcap", str(folder)])
    out = capsys.readouterr().out
    listed = out.split(heading + "\n", 1)[1].split("\n\n", 1)[0]
    lines = [line for line in listed.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2, listed
    assert all(colon in line for line in lines), lines
    if lang == "zh":
        assert not any("）: " in line for line in lines)
