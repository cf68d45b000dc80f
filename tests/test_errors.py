"""What the command line says when it stops: a problem the person can fix is one line and
exit 2; a bug in exposure is one line that says so and how to see more (exit 70), and
EXPOSURE_DEBUG=1 prints its traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exposure import scan as pipeline
from exposure.cli import main
from exposure.detect.base import DetectContext
from exposure.errors import BUG_EXIT_CODE, UnknownProfileError, UserError
from exposure.indicators.catalog import build_catalog
from exposure.model import Finding, Observation
from tests.paths import NAME_CAPTURES

CAPTURE = NAME_CAPTURES / "bug-814__input" / "capture.pcap"


def test_an_unknown_profile_is_its_own_error_and_names_the_known_ones() -> None:
    with pytest.raises(UnknownProfileError) as caught:
        build_catalog(["stalkerware", "nope", "also-nope"], use_feeds=False)
    error = caught.value
    assert isinstance(error, UserError) and not isinstance(error, KeyError)
    assert error.unknown == ("also-nope", "nope")
    assert "stalkerware" in error.known
    assert str(error).startswith("unknown profile: also-nope, nope; the profiles are: ")


def test_scan_with_an_unknown_profile_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--pcap", str(CAPTURE), "--profile", "nope", "--no-feeds", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exposure: unknown profile: nope; the profiles are: ") and err.count("\n") == 1


class _BrokenDetector:
    """A detector with a programming error: it looks up a key that is not there."""

    def observe(self, obs: Observation, ctx: DetectContext) -> Iterator[Finding]:
        raise KeyError("\x1b[2Jnot-a-field")

    def finish(self, ctx: DetectContext) -> Iterator[Finding]:
        yield from ()


@pytest.fixture
def broken_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "default_detectors", lambda: [_BrokenDetector()])


@pytest.mark.usefixtures("broken_detector")
def test_a_bug_is_not_a_user_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("EXPOSURE_DEBUG", raising=False)
    assert main(["scan", "--pcap", str(CAPTURE), "--no-feeds", "--quiet"]) == BUG_EXIT_CODE == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("exposure: stopped by an unexpected error (KeyError). This is a bug in exposure")
    assert "EXPOSURE_DEBUG=1" in err
    assert "\x1b" not in err and "not-a-field" not in err  # the message may hold values read from a source


@pytest.mark.usefixtures("broken_detector")
@pytest.mark.parametrize("value", ["0", ""])
def test_debug_off_values(value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EXPOSURE_DEBUG", value)
    assert main(["scan", "--pcap", str(CAPTURE), "--no-feeds", "--quiet"]) == 70
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.usefixtures("broken_detector")
def test_exposure_debug_prints_the_traceback(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EXPOSURE_DEBUG", "1")
    assert main(["scan", "--pcap", str(CAPTURE), "--no-feeds", "--quiet"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in observe" in err and err.rstrip().endswith("KeyError: '\\x1b[2Jnot-a-field'")


def test_a_user_error_stays_one_line_with_debug_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EXPOSURE_DEBUG", "1")
    assert main(["scan", "--pcap", str(tmp_path / "missing.pcap"), "--no-feeds"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exposure: ") and err.count("\n") == 1
