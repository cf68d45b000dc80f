"""``exposure names``: the same JSON as tshark-names on every fixture, merged output, errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from exposure.cli import main
from tests.paths import NAME_CAPTURES

NAMES = NAME_CAPTURES
CASES = sorted(p for p in NAMES.iterdir() if p.is_dir())
# Where tshark is wrong (see docs/tshark-differences.md); never special-cased in the code.
TSHARK_DIFFERS = {
    "alert-max__alert-max-append-higher-priority__input":
        "tshark drops a Host header whose header block is cut off; see docs/tshark-differences.md",
}


def capture_in(case: Path) -> Path:
    (path,) = [p for p in case.iterdir() if p.name.startswith("capture")]
    return path


def names_json(capsys: pytest.CaptureFixture[str], *paths: Path) -> dict[str, list[str]]:
    assert main(["names", "--json", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    result: dict[str, list[str]] = json.loads(out)
    return result


def test_fixtures_are_there() -> None:
    assert len(CASES) >= 70


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_names_equal_tshark(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if case.name in TSHARK_DIFFERS:
        pytest.xfail(TSHARK_DIFFERS[case.name])
    assert main(["names", "--json", str(capture_in(case))]) == 0
    out = capsys.readouterr().out
    got = json.loads(out)
    expected_text = (case / "expected.json").read_text()
    # exposure's own kinds (local-network names) come after tshark-names' four, only when present
    extra = {k: got.pop(k) for k in ("nbns", "llmnr") if k in got}
    assert all(extra.values())
    assert got == json.loads(expected_text)
    if not extra:
        assert out == expected_text  # byte for byte: the same shape as tshark-names


def test_tshark_difference_is_only_the_unfinished_http_headers(capsys: pytest.CaptureFixture[str]) -> None:
    case = NAMES / "alert-max__alert-max-append-higher-priority__input"
    got = names_json(capsys, capture_in(case))
    expected = json.loads((case / "expected.json").read_text())
    assert got["http_host"] == ["www.openinfosecfoundation.org"] and expected["http_host"] == []
    assert {k: v for k, v in got.items() if k != "http_host"} == \
        {k: v for k, v in expected.items() if k != "http_host"}


def test_several_captures_are_merged(capsys: pytest.CaptureFixture[str]) -> None:
    picks = [NAMES / "decode-teredo-01__input", NAMES / "quic-frag__input", NAMES / "dns__dns-sshfp__dns-sshfp"]
    merged = names_json(capsys, *map(capture_in, picks))
    for key in ("dns", "tls_sni", "quic_sni", "http_host"):
        union: set[str] = set()
        for case in picks:
            union |= set(json.loads((case / "expected.json").read_text())[key])
        assert merged[key] == sorted(union)
    assert merged["quic_sni"] == ["token.services.mozilla.com"]


def test_gzip_capture_gives_the_same_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = NAMES / "decode-teredo-01__input"
    gz = tmp_path / "capture.pcap.gz"
    gz.write_bytes(gzip.compress(capture_in(case).read_bytes()))
    assert names_json(capsys, gz) == {**json.loads((case / "expected.json").read_text()),
                                      "nbns": ["ipv6.google.com<00>"]}


def test_readable_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", str(capture_in(NAMES / "decode-teredo-01__input"))]) == 0
    out = capsys.readouterr().out
    assert "DNS lookups (3):\n  ipv6.google.com\n" in out
    assert "HTTP hosts (2):\n  download913.avast.com\n  www.wireshark.org\n" in out


def test_text_file_is_one_error_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a capture\n")
    assert main(["names", str(text)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"exposure: {text}: not a capture file (pcap or pcapng)\n"
